"""Issue 17: a readable conflicts screen — the app's words, where it is, laptops by name,
plurals right — and its snapshots at 80 and 160 columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from sync_helpers import seed_meeting

from db import domain as d
from db.sync import sync_once
from lvv_tui.config import Config


def _two_conflicts(laptops, url: str):  # noqa: ANN001, ANN202
    """Chair and secretary, named laptops, disagreeing on a view's position and note."""
    a, b = laptops("Voorzitter"), laptops("Secretaris")
    a.set_device_name("Laptop voorzitter")
    _, meeting_id, item_id = seed_meeting(a)
    org = a.views(item_id)[0].organisation_id
    sync_once(a, url)
    b.set_device_name("Laptop secretaris")
    sync_once(b, url)
    seen_a, seen_b = a.views(item_id)[0].seen, b.views(item_id)[0].seen
    a.record_view(item_id, org, d.Position.ONWARD, "Doormigratie naar Duitsland", seen=seen_a)
    b.record_view(item_id, org, d.Position.STAY, "Verblijf: [b]medisch[/b]", seen=seen_b)
    for laptop in (a, b, a):
        sync_once(laptop, url)
    assert len(a.conflicts()) == 2
    return a, b, meeting_id, item_id


def test_places_and_laptop_names(laptops, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b, meeting_id, item_id = _two_conflicts(laptops, url)
    conflicts = a.conflicts()
    places = a.conflict_places(conflicts)
    for c in conflicts:
        place = places[(c.entity, c.entity_id, c.field)]
        assert (place.overleg, place.meeting_date, place.case_code, place.organisation) == (
            "LSO Teststad", "2026-03-02", "TS-001", "Gemeente Teststad")
        assert place.item_id == item_id and place.meeting_id == meeting_id
    names = a.device_names()
    assert names == {a.device_id: "Laptop voorzitter", b.device_id: "Laptop secretaris"}
    assert b.device_names() == names
    marks = a.conflict_marks()
    assert marks.meetings == {meeting_id} and marks.items == {item_id}


async def _settle(pilot) -> None:  # noqa: ANN001
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_conflicts_screen_speaks_the_app_words(laptops, tmp_path: Path) -> None:
    from lvv_tui.app import LvvApp
    from screens.conflicts import ConflictsScreen

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b, _, _ = _two_conflicts(laptops, url)
    app = LvvApp(Config(db=a.path), store=a)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(pilot)
        await app.push_screen(ConflictsScreen())
        await _settle(pilot)
        screen = app.screen
        listing = screen.query_one("#conflict-list")
        rows = [[c.plain for c in listing.get_row_at(i)] for i in range(listing.row_count)]
        assert [r[:3] for r in rows] == [
            ["LSO Teststad · 02-03-2026 · TS-001", "Inbreng Gemeente Teststad", "toelichting"],
            ["LSO Teststad · 02-03-2026 · TS-001", "Inbreng Gemeente Teststad", "positie"],
        ]
        assert "2 open conflicten" in str(screen.query_one("#conflicts-count").render())
        position = next(i for i, r in enumerate(rows) if r[2] == "positie")
        listing.move_cursor(row=position)
        await _settle(pilot)
        values = screen.query_one("#conflict-values")
        cells = [[c.plain for c in values.get_row_at(i)] for i in range(values.row_count)]
        assert {c[0].split("  (")[0] for c in cells} == {"Doormigratie", "Verblijf / legalisering"}
        assert {c[2] for c in cells} == {"Laptop voorzitter (deze)", "Laptop secretaris"}
        assert not any(b.device_id[:8] in c[2] for c in cells)
        # pick one: "1 open conflict", singular
        values.focus()
        await pilot.press("enter")
        await _settle(pilot)
        assert "1 open conflict." in str(screen.query_one("#conflicts-count").render())


@pytest.mark.parametrize("size", [(80, 24), (160, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_conflicts(laptops, tmp_path: Path, snap_compare, monkeypatch, size) -> None:  # noqa: ANN001
    from lvv_tui.app import LvvApp
    from screens import conflicts as screen_module
    from screens.conflicts import ConflictsScreen

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, _, _, _ = _two_conflicts(laptops, url)
    monkeypatch.setattr(LvvApp, "status_widgets", [])
    monkeypatch.setattr(screen_module, "_when", lambda _v: "02-03-2026 10:15")
    app = LvvApp(Config(db=a.path), store=a)

    async def run_before(pilot) -> None:  # noqa: ANN001
        await _settle(pilot)
        await pilot.app.push_screen(ConflictsScreen())
        await _settle(pilot)
        listing = pilot.app.screen.query_one("#conflict-list")
        row = next(i for i in range(listing.row_count)
                   if listing.get_row_at(i)[2].plain == "positie")
        listing.move_cursor(row=row)
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_marks_where_the_conflicts_are_and_one_key_to_them(laptops,
                                                                 tmp_path: Path) -> None:
    from lvv_tui.app import LvvApp
    from screens.conflicts import ConflictsScreen
    from screens.item import ItemScreen
    from screens.meeting import MeetingScreen
    from screens.meetings import MeetingsScreen

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, _, meeting_id, item_id = _two_conflicts(laptops, url)
    app = LvvApp(Config(db=a.path), store=a)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, MeetingsScreen)
        listing = app.screen.query_one("MeetingTable")
        assert listing.get_row(meeting_id)[0].plain.startswith("⚠ ")
        await app.push_screen(MeetingScreen(meeting_id))
        await _settle(pilot)
        agenda = app.screen.query_one("AgendaTable")
        marked = [key.value for key in agenda.rows
                  if agenda.get_row(key)[1].plain.startswith("⚠ ")]
        assert marked == [item_id]
        await app.push_screen(ItemScreen(meeting_id, item_id))
        await _settle(pilot)
        views = app.screen.query_one("ViewsTable")
        [cell] = [views.get_row(k)[0].plain for k in views.rows]
        assert cell.startswith("⚠ Gemeente")
        await pilot.press("exclamation_mark")
        await _settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        current = app.screen.current()
        assert current is not None and current.entity == "partner_view"
        assert current.entity_id.startswith(item_id)
