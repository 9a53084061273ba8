"""Pilot: the case timeline from the register (enter) and from an item (h); enter on a line
opens its item; e in the register still edits the case."""

from __future__ import annotations

from screen_helpers import make_app, press, settle


async def test_register_enter_opens_the_timeline_and_a_line_its_item(demo_db, reader) -> None:  # noqa: ANN001
    from screens.item import ItemScreen
    from screens.register import CaseRegisterScreen
    from screens.timeline import TimelineScreen

    store = reader()
    try:
        ov = store.overleggen()[0].id
        case = next(c for c in store.cases(ov) if len(store.case_timeline(c.id)) > 3)
        expected = store.case_timeline(case.id)
    finally:
        store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+r")
        register = app.screen
        assert isinstance(register, CaseRegisterScreen)
        table = register.query_one("#cases")
        table.focus()
        table.move_cursor(row=table.get_row_index(case.id))
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        assert screen.data.entries == expected
        lines = screen.query_one("#timeline")
        assert lines.row_count == len(expected)
        n = next(i for i, e in enumerate(expected) if e.item_id)
        lines.move_cursor(row=n)
        await press(pilot, "enter")
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.item_id == expected[n].item_id
        await press(pilot, "escape")
        assert app.screen is screen
        await press(pilot, "escape")
        assert app.screen is register
        await press(pilot, "e")
        from screens.case_form import CaseForm

        assert isinstance(app.screen, CaseForm)


async def test_h_on_a_case_item_opens_its_timeline(demo_db) -> None:  # noqa: ANN001
    from db import domain as d
    from screens.timeline import TimelineScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        items = app.screen.data.items
        n = next(i for i, item in enumerate(items, start=1) if item.kind is d.ItemKind.CASE)
        app.screen.query_one("#agenda").move_cursor(row=n - 1)
        await press(pilot, "enter")
        case_id = app.screen.data.item.case_id
        await press(pilot, "h")
        assert isinstance(app.screen, TimelineScreen)
        assert app.screen.case_id == case_id
        assert app.screen.data.case.id == case_id


