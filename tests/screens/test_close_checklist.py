"""Pilot tests: the chair closes a meeting with the checklist (s), goes to a point (enter),
confirms (ctrl+s); deferred items go to the next meeting (u)."""

from __future__ import annotations

from screen_helpers import TODAY, make_app, press, settle

from db import domain as d


def _today_meeting(store) -> d.Meeting:  # noqa: ANN001
    overleg = store.overleggen()[0]
    return next(m for m in store.meetings(overleg.id, today=TODAY) if m.date == TODAY)


async def test_s_shows_the_checklist_and_enter_goes_to_the_point(demo_db, reader) -> None:  # noqa: ANN001
    from screens.checklist import ChecklistDialog
    from screens.item import ItemScreen
    from screens.meeting import MeetingScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, MeetingScreen)
        await press(pilot, "s")
        assert isinstance(app.screen, ChecklistDialog)
        points = app.screen.points
        store = reader()
        try:
            expected = store.meeting_checklist(_today_meeting(store).id)
        finally:
            store.close()
        assert points == expected
        first_item = next(p for p in points if p.item_id)
        table = app.screen.query_one("#checklist")
        table.move_cursor(row=points.index(first_item))
        await press(pilot, "enter")
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.item_id == first_item.item_id


async def test_ctrl_s_closes_the_meeting_anyway_and_esc_does_not(demo_db, reader) -> None:  # noqa: ANN001
    from screens.checklist import ChecklistDialog
    from screens.meeting import MeetingScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        await press(pilot, "s")
        assert isinstance(app.screen, ChecklistDialog)
        await press(pilot, "escape")
        assert isinstance(app.screen, MeetingScreen)
        store = reader()
        try:
            assert _today_meeting(store).status is d.MeetingStatus.PLANNED
        finally:
            store.close()
        await press(pilot, "s")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MeetingScreen)
    store = reader()
    try:
        assert _today_meeting(store).status is d.MeetingStatus.HELD
    finally:
        store.close()


async def test_attendance_point_goes_to_the_attendance_row(demo_db, reader) -> None:  # noqa: ANN001
    from screens.checklist import ChecklistDialog

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        await press(pilot, "s")
        assert isinstance(app.screen, ChecklistDialog)
        points = app.screen.points
        att = next(p for p in points if p.kind == "attendance_unknown")
        app.screen.query_one("#checklist").move_cursor(row=points.index(att))
        await press(pilot, "enter")
        table = app.screen.query_one("#attendance")
        assert app.focused is table
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == \
            att.organisation_id


async def test_u_puts_deferred_items_on_the_next_agenda(demo_db, reader) -> None:  # noqa: ANN001
    store = reader()
    try:
        nxt = store.next_meeting(_today_meeting(store).id)
        on_next = {i.case_id for i in store.agenda(nxt.id)}
    finally:
        store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        data = app.screen.data
        case_row = next(n for n, i in enumerate(data.items)
                        if i.kind is d.ItemKind.CASE and i.case_id not in on_next)
        case_id = data.items[case_row].case_id
        app.screen.query_one("#agenda").move_cursor(row=case_row)
        await press(pilot, "d")
        await press(pilot, "u")
    store = reader()
    try:
        assert case_id in [i.case_id for i in store.agenda(nxt.id)]
    finally:
        store.close()
