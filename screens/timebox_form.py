"""The time box of an agenda item, in minutes."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from db import domain as d
from lvv_tui.i18n import t
from screens.widgets.form import Field, FormModal


def parse_minutes(text: str) -> int | None:
    """Minutes 0..600, None for empty; raises ValueError with an i18n key."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError("error.number")
    minutes = int(text)
    if minutes > 600:
        raise ValueError("error.range")
    return minutes


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
        try:
            values["timebox_min"] = parse_minutes(values["timebox_min"])
        except ValueError as exc:
            return {"timebox_min": t(str(exc), low=0, high=600)}
        return {}
