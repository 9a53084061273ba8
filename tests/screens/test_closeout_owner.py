"""Pilot: an action's owner as a named person (issue 13) — typed in the action form, shown
in the action list, filtered (``o``) and sorted (``s``) by it."""

from __future__ import annotations

from screen_helpers import TODAY, make_app, open_today_item, press, type_text


async def test_person_typed_in_the_form_filters_the_list(demo_db, reader) -> None:  # noqa: ANN001
    from screens.action_list import ActionListScreen
    from screens.item import ItemScreen

    app = make_app(demo_db)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_today_item(pilot)
        assert isinstance(app.screen, ItemScreen)
        await press(pilot, "a")
        await press(pilot, "enter", "down", "enter")  # owner: the first organisation
        await press(pilot, "tab")
        await type_text(pilot, "Jan de Vries")
        await press(pilot, "tab")
        await type_text(pilot, "Gesprek plannen")
        await press(pilot, "tab")
        await type_text(pilot, "2026-03-20")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ItemScreen)
        actions = app.screen.query_one("#actions")
        owners = [actions.get_row_at(r)[0].plain for r in range(actions.row_count)]
        assert any(o.endswith("· Jan de Vries") for o in owners), owners  # on the item too
        await press(pilot, "escape", "l")
        screen = app.screen
        assert isinstance(screen, ActionListScreen)
        while screen.person is None:  # every organisation, then the named persons
            await press(pilot, "o")
        assert screen.person == "Jan de Vries"
        table = screen.query_one("#action-list")
        assert table.row_count == 1
        cells = [c.plain for c in table.get_row_at(0)]
        assert any(c.endswith("· Jan de Vries") for c in cells), cells
        assert "Gesprek plannen" in cells
        assert "Jan de Vries" in str(screen.query_one("#action-filter").render())
        await press(pilot, "o")  # after the last person: every owner again
        assert (screen.owner, screen.person) == (None, None)
        await press(pilot, "s", "s")
        assert screen.sort == "person"
        assert any(c.plain.endswith("· Jan de Vries") for c in table.get_row_at(0))
    store = reader()
    try:
        ov = store.overleggen()[0].id
        mine = store.action_list(ov, owner_person="jan de vries", today=TODAY)
        assert [a.text for a in mine] == ["Gesprek plannen"]
    finally:
        store.close()
