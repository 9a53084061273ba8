"""Pilot: focus defects of the item screen — x on the views table says something; after n
the focus is on the views, so enter records a view instead of editing an action."""

from __future__ import annotations

from screen_helpers import make_app, open_today_item, press


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
