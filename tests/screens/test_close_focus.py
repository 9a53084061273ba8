"""Pilot: focus defects of the item screen — x on the views table says something; after n
the focus is on the views, so enter records a view instead of editing an action."""

from __future__ import annotations

from screen_helpers import make_app, open_today_item, press, settle


async def test_x_on_the_views_table_says_where_actions_are(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    notes: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        app.screen.query_one("#views").focus()
        app.notify = lambda message, **_kw: notes.append(message)  # record what is said
        await press(pilot, "x")
    assert notes == ["x handelt een actie af: ga met tab naar de acties"]


async def test_after_n_enter_records_a_view_not_edits_an_action(demo_db) -> None:  # noqa: ANN001
    from screens.view_form import ViewForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        app.screen.query_one("#actions").focus()
        await press(pilot, "n")
        assert app.focused is app.screen.query_one("#views")
        await press(pilot, "enter")
        assert isinstance(app.screen, ViewForm)


async def test_p_on_the_agenda_goes_to_the_attendance_and_says_how(demo_db, reader) -> None:  # noqa: ANN001
    from screens.meeting import MeetingScreen

    app = make_app(demo_db)
    notes: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        assert app.focused is screen.query_one("#agenda")  # the meeting opens on the agenda
        app.notify = lambda message, **_kw: notes.append(message)  # record what is said
        before = [r.status for r in screen.data.attendance]
        await press(pilot, "p")
        table = screen.query_one("#attendance")
        assert app.focused is table
        assert notes and "↑/↓" in notes[0] and "p (aanwezig)" in notes[0]
        assert [r.status for r in screen.data.attendance] == before  # nothing marked yet
        await press(pilot, "down", "p")  # the second organisation present
        assert table.cursor_row == 1  # the cursor stays on the row just marked
        await press(pilot, "a")  # a second key changes that same row, not the next
        assert table.cursor_row == 1
        assert table.get_row_at(1)[1].plain == "Afwezig"
        assert table.get_row_at(2)[1].plain == "Onbekend"
        meeting_id = screen.meeting_id
    store = reader()
    try:
        orgs = store.organisations(store.meeting(meeting_id).overleg_id)
        att = {r.organisation_id: r.status.value for r in store.attendance(meeting_id)}
        assert att[orgs[1].id] == "absent" and att[orgs[2].id] == "unknown"
    finally:
        store.close()


async def test_after_n_the_views_start_at_the_first_organisation(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        views = app.screen.query_one("#views")
        views.move_cursor(row=2)
        await press(pilot, "n")
        views = app.screen.query_one("#views")
        assert views.cursor_row == 0
        first = views.get_row_at(0)[0].plain
        await press(pilot, "enter")  # the form says whose view it records
        assert str(app.screen.query_one("#form-title").render()) == f"Standpunt van {first}"


async def test_a_general_item_reached_with_n_has_its_actions_focused(demo_db) -> None:  # noqa: ANN001
    """Seen in tmux: after n from one general item to the next, the hidden views table kept
    the focus, the footer offered "⏎ Standpunt" and enter did nothing."""
    from db.domain import ItemKind
    from screens.item_tables import ActionsTable, ViewsTable

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 1)  # the opening, a general item
        screen = app.screen
        assert isinstance(app.focused, ActionsTable)
        for _ in range(2):  # to the third item, general too
            await press(pilot, "n")
            await settle(pilot)
            assert screen.data.item.kind is not ItemKind.CASE
            assert isinstance(app.focused, ActionsTable)
        await press(pilot, "n")  # the fourth: a case item starts at its views
        await settle(pilot)
        assert screen.data.item.kind is ItemKind.CASE
        assert isinstance(app.focused, ViewsTable)
