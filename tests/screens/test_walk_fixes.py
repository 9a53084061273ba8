"""Pilot: small defects found walking the app as a new chair (session 3, helper "walk").

The action list shows the action's text at 80 columns and the highlighted action whole
below the table (owner with the named person)."""

from __future__ import annotations

from screen_helpers import TODAY, make_app, press, settle


async def test_action_list_text_visible_at_80_and_whole_below(demo_db, reader) -> None:  # noqa: ANN001
    from screens.action_list import ActionListScreen

    store = reader()
    try:
        ov = store.overleggen()[0].id
        meeting = next(m for m in store.meetings(ov) if m.date == TODAY)
        item = store.agenda(meeting.id)[3]
        org = store.organisations(ov)[0]
        long_text = "Aanvraag [b]regulier[/b] voorbereiden " + "met alle stukken " * 4
        store.add_action(item.id, org.id, long_text.strip(), "2026-03-05", owner_person="J. de Vries")
    finally:
        store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "l")
        screen = app.screen
        assert isinstance(screen, ActionListScreen)
        table = screen.query_one("#action-list")
        assert [c.key.value for c in table.columns.values()][:2] == ["due", "text"]
        # the text column starts well inside 80 columns
        due = table.columns[next(k for k in table.columns if k.value == "due")]
        assert due.get_render_width(table) < 40
        while "J. de Vries" not in str(screen.query_one("#action-detail").render()):
            before = table.cursor_row
            await press(pilot, "down")
            assert table.cursor_row != before, "the action never came under the cursor"
        detail = str(screen.query_one("#action-detail").render())
        assert long_text.strip() in detail  # whole, markup shown as typed
        assert f"Eigenaar: {org.name} · J. de Vries" in detail
