"""Helpers for the screen tests (imported by the test modules)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

#: "Today" in every screen test and snapshot.
TODAY = dt.date(2026, 3, 4)


def make_app(db: Path, lang: str = "nl", keymap: dict[str, str] | None = None):  # noqa: ANN201
    from lvv_tui.app import LvvApp
    from lvv_tui.config import Config

    cfg = Config(db=db, lang=lang, keymap=keymap or {})
    app = LvvApp(cfg, today=TODAY, clock=lambda: 0.0)
    app.retention_notice = False  # its toast has its own test (test_screens_privacy)
    return app


async def settle(pilot) -> None:  # noqa: ANN001
    """Wait until every worker is done and the screen has caught up."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_for(pilot, predicate, what: str, timeout: float = 20) -> None:  # noqa: ANN001
    """Let the app run until ``predicate()`` holds; fail (saying ``what``) after ``timeout``."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()


def palette_highlight(app) -> str:  # noqa: ANN001
    """The text of the command the open palette highlights ("" if none)."""
    from textual.command import CommandList

    commands = app.screen.query_one(CommandList)
    if commands.highlighted is None or not commands.option_count:
        return ""
    return str(commands.get_option_at_index(commands.highlighted).prompt)


async def press(pilot, *keys: str) -> None:  # noqa: ANN001
    await pilot.press(*keys)
    await settle(pilot)


async def type_text(pilot, text: str) -> None:  # noqa: ANN001
    await pilot.press(*[("space" if ch == " " else ch) for ch in text])
    await settle(pilot)


async def open_today_item(pilot, n: int = 4) -> None:  # noqa: ANN001
    """From the start: today's meeting, then agenda item ``n`` (1-based)."""
    await settle(pilot)
    await press(pilot, "enter")  # today's meeting is the first row (upcoming first)
    table = pilot.app.screen.query_one("#agenda")
    table.move_cursor(row=n - 1)
    await press(pilot, "enter")


async def open_today_item_screen(pilot, n: int = 4):  # noqa: ANN001, ANN201
    """:func:`open_today_item`, then the item screen it opened."""
    from screens.item import ItemScreen

    await open_today_item(pilot, n)
    screen = pilot.app.screen
    assert isinstance(screen, ItemScreen)
    return screen
