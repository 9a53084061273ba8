"""A partner's input before the meeting (issue 15 item 3), on its own laptop: position,
feiten, oordeel, what it withholds and why, proposed inzet; saved as a draft, or submitted.

Opened from the meeting screen (``i`` on a case item of a published agenda, and the
palette). The organisation is the one in ``config.toml`` (``organisation``) when set; the
form lets the user pick it otherwise. The store checks every rule again on save.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Checkbox, RadioButton, RadioSet, Select, TextArea

from db.store import AUDIENCES as RULES_AUDIENCES
from db.store import RuleViolation
from lvv_tui.i18n import label, t
from screens.view_form import POSITIONS, PositionSet
from screens.widgets.form import Field, FormModal, NoteArea

if TYPE_CHECKING:
    from screens.meeting import MeetingScreen

#: the choices of an input's audience, narrowest (the default) first
AUDIENCES = tuple(reversed(RULES_AUDIENCES))
_TEXTS = ("feiten", "oordeel", "withheld", "withheld_reason", "inzet")


class InputForm(FormModal[Any]):
    """Returns the saved input (durable), or None when cancelled."""

    DEFAULT_CSS = """
    InputForm TextArea { height: 4; }
    InputForm RadioSet { width: 100%; }
    """

    def __init__(self, save, organisations: list[tuple[str, str]], organisation: str | None,  # noqa: ANN001
                 current: dict[str, Any], case_code: str) -> None:
        super().__init__(save)
        self.organisations = organisations
        self.organisation = organisation
        self.current = current
        """This laptop's own drafts by organisation id."""
        self.title_text = t("input.title", case=case_code)

    def _value(self, name: str) -> Any:
        inp = self.current.get(self.organisation or "")
        return getattr(inp, name) if inp is not None else None

    def fields(self) -> ComposeResult:
        yield Field("organisation_id", t("input.organisation"), Select(
            self.organisations, value=self.organisation or Select.NULL, id="organisation",
            allow_blank=True, prompt=t("input.organisation_prompt")))
        current = self._value("position") or POSITIONS[-1]
        yield Field("position", t("view_form.position"), PositionSet(
            *[RadioButton(f"{n}. {label(p)}", value=p is current, id=f"pos-{p.value}")
              for n, p in enumerate(POSITIONS, start=1)],
            current=POSITIONS.index(current), id="position"))
        for name in _TEXTS:
            yield Field(name, t(f"input.field.{name}"),
                        NoteArea(self._value(name) or "", id=name, soft_wrap=True))
            if name in ("oordeel", "withheld_reason"):
                audience = f"{name.split('_')[0]}_audience"
                chosen = str(self._value(audience) or "organisation")
                yield Field(audience, t("input.audience"), RadioSet(
                    *[RadioButton(t(f"input.audience.{a}"), value=a == chosen, id=f"{audience}-{a}")
                      for a in AUDIENCES], id=audience))
        yield Field("submit", t("input.submit"), Checkbox(Text(t("input.submit_label")),
                                                          False, id="submit"))

    def on_mount(self) -> None:
        self.query_one("#position", RadioSet).focus()

    def collect(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "organisation_id": self.query_one("#organisation", Select).value,
            "position": POSITIONS[self.query_one("#position", PositionSet).chosen].value,
            "submit": self.query_one("#submit", Checkbox).value,
        }
        for name in _TEXTS:
            values[name] = self.query_one(f"#{name}", TextArea).text
        for audience in ("oordeel_audience", "withheld_audience"):
            index = self.query_one(f"#{audience}", RadioSet).pressed_index
            values[audience] = AUDIENCES[index if index >= 0 else 0]
        return values

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import MAX_TEXT

        errors: dict[str, str] = {}
        if not isinstance(values["organisation_id"], str):
            errors["organisation_id"] = t("error.required")
        for name in _TEXTS:
            if len(values[name]) > MAX_TEXT:
                errors[name] = t("error.too_long", limit=MAX_TEXT, length=len(values[name]))
        return errors


def prepare_input(screen: MeetingScreen) -> None:
    """Open the input form for the case item under the meeting screen's cursor."""
    from db import domain as d

    item = screen.selected_item()
    if item is None:
        screen.app.bell()
        return
    if item.kind is not d.ItemKind.CASE or item.case_id is None:
        screen.notify(t("error.input_not_case"), severity="error", markup=False)
        return
    store, meeting_id, item_id = screen.store, screen.meeting_id, item.id
    wanted = (screen.ctx.config.organisation or "").casefold()
    today = screen.ctx.today()

    def job() -> tuple[Any, list[Any], str | None, dict[str, Any]]:
        if store.agenda_publication(meeting_id) is None:
            raise RuleViolation("agenda_item_id", "error.input_not_published")
        case = store.case(item.case_id)
        orgs = store.organisations(store.meeting(meeting_id).overleg_id)
        mine = next((o.id for o in orgs if wanted and wanted in
                     ((o.name or "").casefold(), o.id.casefold())), None)
        current = {o.id: x for o in orgs for x in store.partner_inputs(item_id, o.id)
                   if x.organisation_id == o.id and mine in (None, o.id)}
        return case, orgs, mine, current

    def save(values: dict[str, Any]) -> Any:
        org = values.pop("organisation_id")
        submit = values.pop("submit")
        saved = store.save_input(item_id, org, **values)
        return store.submit_input(item_id, org, today=today) if submit else saved

    def done(result: Any) -> None:
        if result is not None:
            key = "input.submitted" if result.submitted else "input.saved"
            screen.notify(t(key), markup=False)
            screen.load()

    def opened(loaded: tuple[Any, list[Any], str | None, dict[str, Any]]) -> None:
        case, orgs, mine, current = loaded
        form = InputForm(save, [(o.name or "?", o.id) for o in orgs], mine, current,
                         case.code or "")
        screen.app.push_screen(form, done)

    screen.call_store(job, opened, group="input-open", description="open the input form")
