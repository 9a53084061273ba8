"""New meeting (or edit its details): date, time, place, chair, secretary."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from db import domain as d
from lvv_tui.i18n import t
from screens.widgets.form import Field, FormModal


class MeetingForm(FormModal[d.Meeting]):
    """Returns the saved meeting, or None when cancelled."""

    date_fields = ("date",)

    def __init__(self, save, meeting: d.Meeting | None = None) -> None:  # noqa: ANN001
        super().__init__(save)
        self.meeting = meeting
        self.title_text = t("meeting_form.edit" if meeting else "meeting_form.new")

    def fields(self) -> ComposeResult:
        m = self.meeting
        yield Field("date", t("meeting_form.date"), Input(
            m.date.isoformat() if m else "", placeholder=t("form.date_hint"), id="date"))
        yield Field("start_time", t("meeting_form.time"), Input(
            (m.start_time or "") if m else "", placeholder="14:00", id="start_time"))
        yield Field("place", t("meeting_form.place"), Input(
            (m.place or "") if m else "", id="place", max_length=200))
        yield Field("chair", t("meeting_form.chair"), Input(
            (m.chair or "") if m else "", id="chair", max_length=200))
        yield Field("secretary", t("meeting_form.secretary"), Input(
            (m.secretary or "") if m else "", id="secretary", max_length=200))

    def on_mount(self) -> None:
        self.query_one("#date", Input).focus()

    def collect(self) -> dict[str, Any]:
        return {name: self.query_one(f"#{name}", Input).value
                for name in ("date", "start_time", "place", "chair", "secretary")}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import ValidationError, check_time, parse_date

        errors: dict[str, str] = {}
        try:
            if parse_date(values["date"]) is None:
                errors["date"] = t("error.required")
        except ValidationError as exc:
            errors["date"] = t(exc.code, **exc.params)
        try:
            check_time(values["start_time"])
        except ValidationError:
            errors["start_time"] = t("error.time")
        return errors
