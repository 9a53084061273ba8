"""Pilot: at 120 and 160 columns the app's own words are never cut — the meeting screen's
columns (Aanwezigheid, ✓ besluit), the position labels of the item screen (Verblijf /
legalisering), organisation names at 160; the item screen shows the escalation date; the
minutes screen explains its Stand marks."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from screen_helpers import make_app, open_today_item, press, settle
from textual.widgets import DataTable

from db import domain as d


def assert_nothing_cut(table: DataTable) -> None:
    """Every header and cell fits its column, and every column fits the table."""
    needed = 0
    for column in table.columns.values():
        rendered = column.get_render_width(table)
        needed += rendered
        width = rendered - 2 * table.cell_padding  # an auto width follows the content
        assert cell_len(column.label.plain) <= width, column.label.plain
        for row_key in table.rows:
            cell = table.get_cell(row_key, column.key)
            text = cell.plain if hasattr(cell, "plain") else str(cell)
            assert "…" not in text, (column.label.plain, text)
            assert cell_len(text) <= width, (column.label.plain, text, width)
    # the last column's right padding may fall off: no text does
    assert needed - table.cell_padding <= table.size.width, (table.id, needed, table.size.width)


@pytest.mark.parametrize("width", [120, 160])
@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_meeting_screen_columns_whole(demo_db, width: int, lang: str) -> None:  # noqa: ANN001
    app = make_app(demo_db, lang=lang)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "down", "down", "enter")  # a held meeting: decisions
        await settle(pilot)
        assert_nothing_cut(app.screen.query_one("#attendance", DataTable))
        assert_nothing_cut(app.screen.query_one("#agenda", DataTable))
        await press(pilot, "escape", "home", "enter")  # today's meeting
        screen = app.screen
        case_items = [i for i in screen.data.items if i.case_id]
        orgs = app.store.organisations(screen.data.meeting.overleg_id)
        app.store.decide(case_items[0].id, d.Perspective.STAY, "", d.Consensus.NONE,
                         [d.Dissent(orgs[1].id, "Nee")], d.Escalation.MRT, "Vraag?")
        screen.load()
        await settle(pilot)
        agenda = screen.query_one("#agenda", DataTable)
        agenda.move_cursor(row=screen.data.items.index(case_items[1]))
        await press(pilot, "d")  # a deferred item: the status column widens (Uitgesteld)
        assert any(i.status is d.ItemStatus.DEFERRED for i in screen.data.items)
        assert_nothing_cut(app.screen.query_one("#attendance", DataTable))
        assert_nothing_cut(app.screen.query_one("#agenda", DataTable))


@pytest.mark.parametrize("width", [120, 160])
async def test_item_positions_whole_and_escalation_date_shown(demo_db, reader,  # noqa: ANN001
                                                              width: int) -> None:
    store = reader()
    try:
        meeting = next(m for m in store.meetings(store.overleggen()[0].id)
                       if m.date.isoformat() == "2026-03-04")
        item = store.agenda(meeting.id)[3]
        orgs = store.organisations(meeting.overleg_id)
        for org in orgs:
            store.record_view(item.id, org.id, d.Position.STAY, "")
        store.decide(item.id, d.Perspective.STAY, "Kansrijk", d.Consensus.NONE,
                     [d.Dissent(orgs[1].id, "Eerst dossier")], d.Escalation.MRT,
                     "Verblijf?", "2026-03-10")
    finally:
        store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(width, 40)) as pilot:
        await open_today_item(pilot, 4)
        views = app.screen.query_one("#views", DataTable)
        for row_key in views.rows:
            position = views.get_cell(row_key, "position").plain
            assert position == "Verblijf / legalisering"
        column = views.columns[next(k for k in views.columns if k.value == "position")]
        assert column.width >= cell_len("Verblijf / legalisering")
        if width >= 150:
            names = [views.get_cell(k, "org").plain for k in views.rows]
            assert not any("…" in n for n in names), names
        decision = str(app.screen.query_one("#decision").render())
        assert "datum escalatie 2026-03-10" in decision


async def test_minutes_screen_explains_its_marks(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "down", "down", "enter", "v")
        legend = str(app.screen.query_one("#minutes-legend").render())
        assert legend == "Stand: ✎ samenvatting geschreven · B besluit vastgelegd"


@pytest.mark.parametrize("width", [120, 160])
async def test_timeline_never_runs_off_the_edge(demo_db, reader, width: int) -> None:  # noqa: ANN001
    from screens.timeline import TimelineScreen

    store = reader()
    try:
        ov = store.overleggen()[0].id
        case = max(store.cases(ov), key=lambda c: len(store.case_timeline(c.id)))
    finally:
        store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        app.push_screen(TimelineScreen(case.id))
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#timeline", DataTable)
        needed = sum(c.get_render_width(table) for c in table.columns.values())
        assert needed - table.cell_padding <= table.scrollable_content_region.width
        whole = {str(n): screen._whats[str(n)].plain for n in range(table.row_count)}
        for n in range(table.row_count):  # a cut line says so, and shows whole below
            shown = table.get_cell(str(n), "what").plain
            assert shown == whole[str(n)] or (shown.endswith("…")
                                              and whole[str(n)].startswith(shown[:-1]))
            table.move_cursor(row=n)
            await pilot.pause()
            assert str(screen.query_one("#timeline-line").render()) == whole[str(n)]
