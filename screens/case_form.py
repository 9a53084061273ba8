"""Add or edit a case of the register."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select

from db import domain as d
from lvv_tui.i18n import label, t
from screens.widgets.form import Field, FormModal

TEXT_FIELDS = ("code", "v_number", "nationality", "intake_date", "stay_term_days",
               "procedure", "put_forward_by", "exit_date")


class CaseForm(FormModal[d.Case]):
    """Returns the saved case, or None when cancelled."""

    date_fields = ("intake_date", "exit_date")
    past_ok = frozenset({"intake_date", "exit_date"})  # a case of years ago is usual

    def __init__(self, save, case: d.Case | None = None) -> None:  # noqa: ANN001
        super().__init__(save)
        self.case = case
        self.seen = case.seen if case else None  # a new case: nothing to have seen
        self.record = ("casus", case.id) if case else None
        self.title_text = (t("case_form.edit", code=case.code) if case
                           else t("case_form.new"))

    def _value(self, name: str) -> str:
        if self.case is None:
            return ""
        value = getattr(self.case, name)
        if value is None:
            return ""
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    def fields(self) -> ComposeResult:
        c = self.case
        yield Field("code", t("case.code"), Input(self._value("code"), id="code",
                                                  max_length=40, placeholder="LVV-2025-001"))
        yield Field("v_number", t("case.v_number"), Input(
            self._value("v_number"), id="v_number", max_length=10,
            placeholder=t("case_form.v_number_hint")))
        yield Field("nationality", t("case.nationality"), Input(
            self._value("nationality"), id="nationality", max_length=200))
        yield Field("intake_date", t("case.intake_date"), Input(
            self._value("intake_date"), id="intake_date", placeholder=t("form.date_hint")))
        yield Field("stay_term_days", t("case.stay_term_days"), Input(
            self._value("stay_term_days"), id="stay_term_days", max_length=4))
        yield Field("health_flag", t("case.health"), Checkbox(
            t("case_form.health_flag"), c.health_flag if c else False, id="health_flag"))
        yield Field("identity_established", t("case.identity"), Checkbox(
            t("case_form.identity_established"), c.identity_established if c else False,
            id="identity_established"))
        yield Field("cooperation", t("case.cooperation"), Select(
            [(label(x), x.value) for x in d.Cooperation], allow_blank=False,
            value=(c.cooperation if c else d.Cooperation.UNKNOWN).value, id="cooperation"))
        yield Field("procedure", t("case.procedure"), Input(
            self._value("procedure"), id="procedure", max_length=200))
        yield Field("status", t("case.status"), Select(
            [(label(x), x.value) for x in d.CaseStatus], allow_blank=False,
            value=(c.status if c else d.CaseStatus.INTAKE).value, id="status"))
        yield Field("perspective", t("case.perspective"), Select(
            [(label(x), x.value) for x in d.Perspective], allow_blank=False,
            value=(c.perspective if c else d.Perspective.UNDECIDED).value, id="perspective"))
        yield Field("put_forward_by", t("case.put_forward_by"), Input(
            self._value("put_forward_by"), id="put_forward_by", max_length=200))
        yield Field("exit_date", t("case.exit_date"), Input(
            self._value("exit_date"), id="exit_date", placeholder=t("form.date_hint")))
        yield Field("outcome_subtype", t("case.outcome"), Select(
            [(label(x), x.value) for x in d.OutcomeSubtype], prompt=t("case_form.no_outcome"),
            value=c.outcome_subtype.value if c and c.outcome_subtype else Select.NULL,
            id="outcome_subtype"))

    def on_mount(self) -> None:
        self.query_one("#code", Input).focus()

    def collect(self) -> dict[str, Any]:
        values: dict[str, Any] = {n: self.query_one(f"#{n}", Input).value for n in TEXT_FIELDS}
        for name in ("health_flag", "identity_established"):
            values[name] = self.query_one(f"#{name}", Checkbox).value
        for name in ("cooperation", "status", "perspective", "outcome_subtype"):
            value = self.query_one(f"#{name}", Select).value
            values[name] = value if isinstance(value, str) else None
        return values

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import ValidationError, check_stay_term, check_v_number, parse_date

        errors: dict[str, str] = {}
        if not values["code"].strip():
            errors["code"] = t("error.required")
        try:
            check_v_number(values["v_number"])
        except ValidationError:
            errors["v_number"] = t("error.v_number")
        for name in ("intake_date", "exit_date"):
            try:
                parse_date(values[name], name)
            except ValidationError as exc:
                errors[name] = t(exc.code, **exc.params)
        try:
            check_stay_term(values["stay_term_days"])
        except ValidationError as exc:
            errors["stay_term_days"] = t(exc.code, **exc.params)
        return errors
