"""Snapshots of the checklist, the action list (also with a named owner) and the case
timeline at 80x24, 120x40 and 160x40 (fixed date, seed, clock). Update after a deliberate change with ``--snapshot-update`` and
look at the SVGs before committing them."""

from __future__ import annotations

import pytest
from screen_helpers import open_today_item, press, settle

SIZES = [(80, 24), (120, 40), (160, 40)]


@pytest.fixture
def snap_app(demo_db, monkeypatch):  # noqa: ANN001, ANN201
    from screen_helpers import make_app

    from lvv_tui.app import LvvApp

    monkeypatch.setattr(LvvApp, "status_widgets", [])
    return make_app(demo_db)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_checklist(snap_app, snap_compare, size) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await press(pilot, "enter", "s")

    assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_action_list(snap_app, snap_compare, size) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await press(pilot, "enter", "l")

    assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_timeline(snap_app, snap_compare, size) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await open_today_item(pilot, 4)
        await press(pilot, "h")

    assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_case_audit(snap_app, snap_compare, size) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await press(pilot, "ctrl+r")
        table = pilot.app.screen.query_one("#cases")
        table.focus()
        table.move_cursor(row=2)
        await press(pilot, "a")

    assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_action_list_by_person(demo_db, snap_compare, monkeypatch,  # noqa: ANN001
                                        size) -> None:
    from screen_helpers import TODAY, make_app

    from db.store import Store
    from lvv_tui.app import LvvApp
    from tests.conftest import PASSPHRASE

    with Store.open(demo_db, PASSPHRASE) as store:
        ov = store.overleggen()[0].id
        meeting = next(m for m in store.meetings(ov, today=TODAY) if m.date == TODAY)
        item = store.agenda(meeting.id)[3]
        org = store.organisations(ov)[1]
        store.add_action(item.id, org.id, "Dossier opvragen bij de IND", "2026-03-20",
                         owner_person="Jan de Vries")
    monkeypatch.setattr(LvvApp, "status_widgets", [])
    app = make_app(demo_db)

    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await press(pilot, "enter", "l", "s", "s")  # sorted by person: the named one first

    assert snap_compare(app, terminal_size=size, run_before=run_before)
