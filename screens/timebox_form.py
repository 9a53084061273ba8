"""The time box of an agenda item, in minutes."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from db import domain as d
from lvv_tui.i18n import t
from screens.widgets.base import error_text
from screens.widgets.form import Field, FormModal


def parse_minutes(text: str) -> int | None:
    """Minutes 0..600, None for empty; raises the store's ValidationError (one rule)."""
    from db.store import check_timebox

    return check_timebox(text)


class TimeboxForm(FormModal[d.AgendaItem]):
    def __init__(self, save, current: int | None) -> None:  # noqa: ANN001
        super().__init__(save)
        self.current = current
        self.title_text = t("timebox.title")

    def fields(self) -> ComposeResult:
        yield Field("timebox_min", t("timebox.minutes"), Input(
            str(self.current or ""), id="timebox_min", placeholder="15", max_length=4))

    def on_mount(self) -> None:
        self.query_one("#timebox_min", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def collect(self) -> dict[str, Any]:
        return {"timebox_min": self.query_one("#timebox_min", Input).value}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import ValidationError

        try:
            values["timebox_min"] = parse_minutes(values["timebox_min"])
        except ValidationError as exc:
            return {"timebox_min": error_text(exc)}
        return {}
