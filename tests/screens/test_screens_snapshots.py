"""Snapshots of the agenda and the agenda item at 120x40 and 80x24 (fixed date, seed, clock).

Update after a deliberate change: ``pytest tests/screens/test_screens_snapshots.py
--snapshot-update``, then look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest
from screen_helpers import open_today_item, press, settle

SIZES = [(120, 40), (80, 24)]


@pytest.fixture
def snap_app(demo_db, monkeypatch):  # noqa: ANN001, ANN201
    """The app on the demo, without extension widgets in the top bar (they have clocks)."""
    from screen_helpers import make_app

    from lvv_tui.app import LvvApp

    monkeypatch.setattr(LvvApp, "status_widgets", [])
    return make_app(demo_db)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_agenda(snap_app, snap_compare, size) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await press(pilot, "enter")
        pilot.app.screen.query_one("#attendance").focus()
        await press(pilot, "p", "down", "p", "down", "a", "down", "m", "down", "p", "down")
        pilot.app.screen.query_one("#agenda").focus()
        await settle(pilot)

    assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_item(snap_app, snap_compare, size) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await open_today_item(pilot, 4)
        await press(pilot, "enter", "3", "tab")
        pilot.app.screen.query_one("#note").text = "Kansen op [bold]verblijf[/bold] bezien"
        await press(pilot, "ctrl+s")
        await settle(pilot)

    assert snap_compare(snap_app, terminal_size=size, run_before=run_before)
