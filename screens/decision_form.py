"""The table's decision: perspective, rationale, consensus, dissent, escalation, review."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Select, TextArea

from db import domain as d
from lvv_tui.i18n import label, t
from screens.widgets.base import literal
from screens.widgets.form import Field, FormModal, NoteArea


class DissentRows(Vertical):
    """One row per organisation: a mark 'dissents' and its reason."""

    DEFAULT_CSS = """
    DissentRows { height: auto; }
    DissentRows > Horizontal { height: auto; margin-bottom: 1; }
    DissentRows Checkbox { width: 46; }  /* "Stichting Voorbeeldhulp (fictief)" whole */
    DissentRows Input { width: 1fr; }
    """

    def __init__(self, organisations: list[d.Organisation],
                 dissent: tuple[d.Dissent, ...]) -> None:
        super().__init__(id="dissent")
        self.organisations = organisations
        self.given = {x.organisation_id: x.reason for x in dissent}

    def compose(self) -> ComposeResult:
        for n, org in enumerate(self.organisations):
            with Horizontal():
                yield Checkbox(literal(org.name, one_line=True, limit=42),
                               org.id in self.given, id=f"dissent-{n}", compact=True)
                yield Input(self.given.get(org.id, ""), placeholder=t("decision_form.reason"),
                            id=f"dissent-reason-{n}", compact=True)

    def values(self) -> list[tuple[str, bool, str]]:
        return [
            (org.id, self.query_one(f"#dissent-{n}", Checkbox).value,
             self.query_one(f"#dissent-reason-{n}", Input).value)
            for n, org in enumerate(self.organisations)
        ]


class DecisionForm(FormModal[d.Decision]):
    """Returns the recorded decision, or None when cancelled."""

    date_fields = ("escalation_date", "review_date")

    DEFAULT_CSS = """
    DecisionForm > #form-box { width: 100; }
    DecisionForm #rationale { height: 4; }
    DecisionForm #escalation-fields { height: auto; }
    DecisionForm .-hidden { display: none; }
    """

    def __init__(self, save, organisations: list[d.Organisation],  # noqa: ANN001
                 decision: d.Decision | None, perspective: d.Perspective) -> None:
        super().__init__(save)
        self.organisations = organisations
        self.decision = decision
        self.seen = decision.seen if decision else frozenset()
        self.record = ("decision", decision.id) if decision else None
        self.perspective = decision.perspective if decision else perspective
        self.title_text = t("decision_form.title")

    def fields(self) -> ComposeResult:
        x = self.decision
        yield Field("perspective", t("decision_form.perspective"), Select(
            [(label(p), p.value) for p in d.Perspective], allow_blank=False,
            value=self.perspective.value, id="perspective"))
        yield Field("rationale", t("decision_form.rationale"), NoteArea(
            x.rationale if x else "", id="rationale"))
        yield Field("consensus", t("decision_form.consensus"), Select(
            [(label(c), c.value) for c in d.Consensus], allow_blank=False,
            value=(x.consensus if x else d.Consensus.UNANIMOUS).value, id="consensus"))
        yield Label(t("decision_form.dissent"), id="dissent-label")
        yield Field("dissent", t("decision_form.dissent_help"),
                    DissentRows(self.organisations, x.dissent if x else ()))
        with Vertical(id="escalation-fields"):
            yield Field("escalation_level", t("decision_form.escalation"), Select(
                [(label(e), e.value) for e in d.Escalation], allow_blank=False,
                value=(x.escalation_level if x else d.Escalation.NONE).value,
                id="escalation_level"))
            yield Field("escalation_question", t("decision_form.question"), Input(
                (x.escalation_question or "") if x else "", id="escalation_question"))
            yield Field("escalation_date", t("decision_form.escalation_date"), Input(
                x.escalation_date.isoformat() if x and x.escalation_date else "",
                id="escalation_date", placeholder=t("form.date_hint")))
        yield Field("review_date", t("decision_form.review"), Input(
            x.review_date.isoformat() if x and x.review_date else "", id="review_date",
            placeholder=t("form.date_hint")))

    def on_mount(self) -> None:
        self.query_one("#perspective", Select).focus()
        self._show_dissent()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "consensus":
            self._show_dissent()

    def _show_dissent(self) -> None:
        unanimous = self.query_one("#consensus", Select).value == d.Consensus.UNANIMOUS.value
        for selector in ("#dissent-label", "#field-dissent", "#escalation-fields"):
            self.query_one(selector).set_class(unanimous, "-hidden")

    def collect(self) -> dict[str, Any]:
        consensus = self.query_one("#consensus", Select).value
        unanimous = consensus == d.Consensus.UNANIMOUS.value
        rows = self.query_one(DissentRows).values()
        return {
            "perspective": self.query_one("#perspective", Select).value,
            "rationale": self.query_one("#rationale", TextArea).text,
            "consensus": consensus,
            "dissent": [] if unanimous else [
                d.Dissent(org, reason) for org, marked, reason in rows if marked],
            "unmarked_reasons": [] if unanimous else [
                org for org, marked, reason in rows if reason.strip() and not marked],
            "escalation_level": (d.Escalation.NONE.value if unanimous else
                                 self.query_one("#escalation_level", Select).value),
            "escalation_question": "" if unanimous else
            self.query_one("#escalation_question", Input).value,
            "escalation_date": "" if unanimous else
            self.query_one("#escalation_date", Input).value,
            "review_date": self.query_one("#review_date", Input).value,
        }

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import MAX_TEXT, ValidationError, check_dissent, parse_date

        errors: dict[str, str] = {}
        if len(values["rationale"]) > MAX_TEXT:
            errors["rationale"] = t("error.too_long", limit=MAX_TEXT,
                                    length=len(values["rationale"]))
        try:  # the store's own rule, asked before saving
            check_dissent(values["consensus"], values["dissent"])
        except ValidationError as exc:
            errors[exc.field] = t(exc.code, **exc.params)
        if (values["consensus"] == d.Consensus.NONE.value
                and values["escalation_level"] == d.Escalation.NONE.value):
            errors["escalation_level"] = t("decision_form.need_escalation")
        if values.pop("unmarked_reasons"):
            errors["dissent"] = t("decision_form.reason_unmarked")
        for name in ("escalation_date", "review_date"):
            try:
                day = parse_date(values[name], name)
            except ValidationError as exc:
                errors[name] = t(exc.code, **exc.params)
                continue
            today = self.ctx.today()
            if name == "escalation_date" and day is not None and day > today:
                errors[name] = t("escalation.error.after_today", today=today.isoformat())
        return errors

