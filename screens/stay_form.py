"""A case's stay at its agenda item: the next intake step (``i``) and the exit (``u``).

``i`` opens what the case's stay needs next at this meeting: put forward (again, after it
left or was not admitted), the LSO's decision whether it is an LVV-zaak, the dates of the
IND and DTenV dossiers, then — once the 14-day rusttermijn is over — the
begeleidingsscenario with each partner's inzet as actions. ``u`` records the exit, linked to
this item's decision; the subtype chosen decides the category. The store checks every step
again (:mod:`db.store.intake`); these forms only ask first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from db import domain as d
from lvv_tui.i18n import label, t
from screens.widgets.base import error_text, literal
from screens.widgets.form import Field, FormModal

#: the scenarios the LSO can set (not "not yet decided")
SCENARIOS = tuple(p for p in d.Perspective if p is not d.Perspective.UNDECIDED)


def _date_error(value: str, required: bool = False) -> str | None:
    """Why a typed date is refused (None: it is fine)."""
    from db.store import ValidationError, parse_date

    try:
        day = parse_date(value, "date")
    except ValidationError as exc:
        return error_text(exc)
    return t("error.required") if day is None and required else None


def _date_errors(values: dict[str, Any], names: tuple[str, ...],
                 required: tuple[str, ...] = ()) -> dict[str, str]:
    return {name: why for name in names
            if (why := _date_error(values[name], name in required)) is not None}


def step_at_item(stay: d.Stay | None, day: dt.date) -> tuple[str | None, str]:
    """(form, message) for ``i`` at a meeting on ``day``: the form the stay needs next, or
    None and the reason there is none (the store would refuse it)."""
    if stay is None or stay.exit_date is not None or stay.lvv_verdict is d.LvvVerdict.NO:
        return "put_forward", ""
    step = stay.step(day)
    if step is d.IntakeStep.PUT_FORWARD:
        return "verdict", ""
    if step is d.IntakeStep.DOSSIERS:
        return "dossiers", ""
    if step is d.IntakeStep.REST_PERIOD:
        end = stay.rest_period_end
        return None, t("stay.rest_period", end=end.isoformat() if end else "?")
    if step is d.IntakeStep.SCENARIO:
        return "scenario", ""
    return None, t("stay.guidance", scenario=label(stay.scenario) if stay.scenario else "")


def stay_line(stay: d.Stay | None, day: dt.date) -> Text:
    """The case file's line about the stay: its step (and the end of the rusttermijn)."""
    if stay is None:
        return Text("")
    step = stay.step(day)
    text = Text(label(step), style="cyan" if step is not d.IntakeStep.GUIDANCE else "")
    if stay.number > 1:
        text.append(" · " + t("stay.number", n=stay.number), style="dim")
    if step is d.IntakeStep.REST_PERIOD and stay.rest_period_end:
        text.append(" · " + t("stay.rest_until", end=stay.rest_period_end.isoformat()))
    nxt, _why = step_at_item(stay, day)
    if nxt is not None:
        text.append(" · " + t(f"stay.next.{nxt}") + " (i)", style="dim")
    return text


class PutForwardForm(FormModal[d.Stay]):
    """Put the case forward (again): a new stay; by whom, on which day."""

    def __init__(self, save: Callable[[dict[str, Any]], d.Stay], code: str,
                 day: dt.date) -> None:
        super().__init__(save)
        self.day = day
        self.title_text = t("stay.put_forward.title", code=code)

    def fields(self) -> ComposeResult:
        yield Field("put_forward_by", t("stay.put_forward.by"), Input(id="put_forward_by"))
        yield Field("put_forward_on", t("stay.put_forward.on"), Input(
            self.day.isoformat(), id="put_forward_on", placeholder=t("form.date_hint"),
            max_length=10))

    def on_mount(self) -> None:
        self.query_one("#put_forward_by", Input).focus()

    def collect(self) -> dict[str, Any]:
        return {f: self.query_one(f"#{f}", Input).value
                for f in ("put_forward_by", "put_forward_on")}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        errors = _date_errors(values, ("put_forward_on",), ("put_forward_on",))
        if not values["put_forward_by"].strip():
            errors["put_forward_by"] = t("error.required")
        return errors


class ScenarioForm(FormModal[d.Stay]):
    """The begeleidingsscenario and each partner's inzet (an action with a due date)."""

    DEFAULT_CSS = """
    ScenarioForm > #form-box { width: 100; }
    ScenarioForm .inzet-row { height: auto; }
    ScenarioForm .inzet-org { width: 22; padding-top: 1; }
    ScenarioForm .inzet-row > Field { width: 1fr; }
    """

    def __init__(self, save: Callable[[dict[str, Any]], d.Stay], code: str,
                 organisations: list[d.Organisation], perspective: d.Perspective) -> None:
        super().__init__(save)
        self.organisations = organisations
        self.perspective = perspective if perspective in SCENARIOS else SCENARIOS[0]
        self.title_text = t("stay.scenario.title", code=code)

    def fields(self) -> ComposeResult:
        yield Field("scenario", t("stay.scenario.scenario"), Select(
            [(label(p), p.value) for p in SCENARIOS], allow_blank=False,
            value=self.perspective.value, id="scenario"))
        yield Label(t("stay.scenario.inzet"))
        for n, org in enumerate(self.organisations):
            with Horizontal(classes="inzet-row"):
                yield Label(literal(org.name, one_line=True, limit=20), classes="inzet-org")
                yield Field(f"inzet-{n}", t("stay.scenario.what"),
                            Input(id=f"inzet-{n}"))
                yield Field(f"due-{n}", t("stay.scenario.due"), Input(
                    id=f"due-{n}", placeholder=t("form.date_hint"),
                    max_length=10))

    def on_mount(self) -> None:
        self.query_one("#scenario", Select).focus()

    def collect(self) -> dict[str, Any]:
        inzet = []
        for n, org in enumerate(self.organisations):
            text = self.query_one(f"#inzet-{n}", Input).value
            due = self.query_one(f"#due-{n}", Input).value
            if text.strip() or due.strip():
                inzet.append((n, org.id, text, due))
        return {"scenario": self.query_one("#scenario", Select).value, "inzet": inzet}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        errors: dict[str, str] = {}
        for n, _org, text, due in values["inzet"]:
            if not text.strip():
                errors[f"inzet-{n}"] = t("error.required")
            why = _date_error(due)
            if why is not None:
                errors[f"due-{n}"] = why
        return errors


class ExitForm(FormModal[d.Stay]):
    """The exit: its date and subtype; the category the subtype decides is shown."""

    def __init__(self, save: Callable[[dict[str, Any]], d.Stay], code: str,
                 day: dt.date) -> None:
        super().__init__(save)
        self.day = day
        self.title_text = t("stay.exit.title", code=code)

    def fields(self) -> ComposeResult:
        yield Field("exit_date", t("stay.exit.date"), Input(
            self.day.isoformat(), id="exit_date", placeholder=t("form.date_hint"),
            max_length=10))
        yield Field("outcome_subtype", t("stay.exit.subtype"), Select(
            [(label(s), s.value) for s in d.OutcomeSubtype], prompt=t("stay.exit.choose"),
            id="outcome_subtype"))
        yield Static("", id="exit-category")

    def on_mount(self) -> None:
        self.query_one("#outcome_subtype", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        value = event.value
        words = ""
        if isinstance(value, str):
            words = t("stay.exit.category", category=label(d.OutcomeSubtype(value).category))
        self.query_one("#exit-category", Static).update(Text(words))

    def collect(self) -> dict[str, Any]:
        value = self.query_one("#outcome_subtype", Select).value
        return {"exit_date": self.query_one("#exit_date", Input).value,
                "outcome_subtype": value if isinstance(value, str) else None}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        errors = _date_errors(values, ("exit_date",), ("exit_date",))
        if values["outcome_subtype"] is None:
            errors["outcome_subtype"] = t("error.exit_needs_outcome")
        return errors


# -- from the item screen -------------------------------------------------------------------


def open_intake_step(screen: Any, store: Any, data: Any, done: Callable[[Any], None]) -> None:
    """Open the form of the stay's next step at this item, or say why there is none.
    ``data`` is the item screen's :class:`~screens.item_panels.ItemData` (a case item)."""
    from screens.report import DossierForm, VerdictForm

    case, stay, item_id = data.history.case, data.stay, data.item.id
    day = data.part.meeting.date
    form, why = step_at_item(stay, day)
    if form is None:
        screen.app.notify(why, markup=False)
        return
    if form == "put_forward":
        screen.app.push_screen(PutForwardForm(
            lambda v: store.put_forward(case.id, v["put_forward_by"], v["put_forward_on"]),
            case.code, day), done)
        return
    row = d.IntakeRow(case, stay, stay.step(day))
    if form == "verdict":
        screen.app.push_screen(VerdictForm(
            lambda v: store.decide_intake(item_id, v["lvv_verdict"], v["lvv_reason"]), row),
            done)
    elif form == "dossiers":
        def dossiers(values: dict[str, Any]) -> d.Stay:
            saved = stay
            for kind, field in ((d.OrgKind.IND, "ind_dossier_on"),
                                (d.OrgKind.DTENV, "dtenv_dossier_on")):
                if values[field].strip():
                    saved = store.record_dossier(case.id, kind, values[field])
            return saved

        screen.app.push_screen(DossierForm(dossiers, row), done)
    else:
        def scenario(values: dict[str, Any]) -> d.Stay:
            return store.set_scenario(item_id, values["scenario"], [
                (org, text, due or None) for _n, org, text, due in values["inzet"]])

        screen.app.push_screen(ScenarioForm(scenario, case.code, data.table_orgs(),
                                            case.perspective), done)


def open_exit(screen: Any, store: Any, data: Any, done: Callable[[Any], None]) -> None:
    """The exit form for the case of this item (or why not: not admitted, already left)."""
    case, stay, item_id = data.history.case, data.stay, data.item.id
    if stay is None or not stay.admitted or stay.exit_date is not None:
        why = "error.already_left" if stay and stay.exit_date else "error.not_admitted"
        screen.app.notify(t(why), markup=False)
        return
    screen.app.push_screen(ExitForm(
        lambda v: store.record_exit(case.id, v["exit_date"], v["outcome_subtype"],
                                    item_id=item_id),
        case.code, data.part.meeting.date), done)
