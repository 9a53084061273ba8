"""Carry-over: the next meeting's agenda offers the open actions of its cases."""

from __future__ import annotations

from screen_helpers import TODAY, make_app, open_today_item, press

from db import domain as d


def _today(store):  # noqa: ANN001, ANN202
    overleg = store.overleggen()[0]
    return next(m for m in store.meetings(overleg.id, today=TODAY) if m.date == TODAY)


async def test_action_list_item_offers_open_actions_and_closes_one(demo_db, reader) -> None:  # noqa: ANN001
    from screens.item import ItemScreen

    store = reader()
    try:
        meeting = _today(store)
        offered = store.open_actions_for_meeting(meeting.id)
        items = store.agenda(meeting.id)
    finally:
        store.close()
    assert offered, "the demo has open actions for today's cases"
    n = next(i for i, item in enumerate(items, start=1)
             if item.kind is d.ItemKind.PREVIOUS_MINUTES)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, n)
        screen = app.screen
        assert isinstance(screen, ItemScreen)
        table = screen.query_one("#actions")
        assert table.row_count == len(offered)
        first_row = table.get_row_at(0)
        assert first_row[1].plain.startswith("↻ DEMO-")
        table.focus()
        table.move_cursor(row=0)
        await press(pilot, "x")
        from screens.action_list import ConfirmClose

        assert isinstance(app.screen, ConfirmClose)  # closing asks first
        await press(pilot, "y")
    store = reader()
    try:
        closed = store.actions(case_id=offered[0].case_id)
        assert next(a for a in closed if a.id == offered[0].id).status is d.ActionStatus.DONE
        assert len(store.open_actions_for_meeting(meeting.id)) == len(offered) - 1
    finally:
        store.close()


async def test_a_case_item_offers_the_cases_earlier_open_actions(demo_db, reader) -> None:  # noqa: ANN001
    from screens.item import ItemScreen

    store = reader()
    try:
        meeting = _today(store)
        items = store.agenda(meeting.id)
        n, item = next((i, it) for i, it in enumerate(items, start=1)
                       if it.case_id and store.actions(case_id=it.case_id, open_only=True))
        earlier = store.actions(case_id=item.case_id, open_only=True)
    finally:
        store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, n)
        screen = app.screen
        assert isinstance(screen, ItemScreen)
        table = screen.query_one("#actions")
        assert table.row_count == len(earlier)
        assert all(table.get_row_at(r)[1].plain.startswith("↻ ") for r in range(table.row_count))
