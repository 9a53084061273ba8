"""A general agenda item: opening, announcements, previous minutes, any other business …"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from db import domain as d
from lvv_tui.i18n import label, t
from screens.timebox_form import parse_minutes
from screens.widgets.base import error_text
from screens.widgets.form import Field, FormModal

GENERAL_KINDS = (d.ItemKind.OPENING, d.ItemKind.ANNOUNCEMENTS, d.ItemKind.PREVIOUS_MINUTES,
                 d.ItemKind.AOB, d.ItemKind.CLOSING, d.ItemKind.OTHER)


class GeneralItemForm(FormModal[d.AgendaItem]):
    def __init__(self, save) -> None:  # noqa: ANN001
        super().__init__(save)
        self.title_text = t("general_item.title")

    def fields(self) -> ComposeResult:
        yield Field("kind", t("general_item.kind"), Select(
            [(label(k), k.value) for k in GENERAL_KINDS], value=d.ItemKind.OTHER.value,
            allow_blank=False, id="kind"))
        yield Field("title", t("general_item.subject"), Input(id="title", max_length=200))
        yield Field("timebox_min", t("timebox.minutes"), Input(
            "5", id="timebox_min", max_length=4))

    def on_mount(self) -> None:
        self.query_one("#kind", Select).focus()

    def collect(self) -> dict[str, Any]:
        return {"kind": self.query_one("#kind", Select).value,
                "title": self.query_one("#title", Input).value,
                "timebox_min": self.query_one("#timebox_min", Input).value}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import ValidationError

        try:
            values["timebox_min"] = parse_minutes(values["timebox_min"])
        except ValidationError as exc:
            return {"timebox_min": error_text(exc)}
        return {}
