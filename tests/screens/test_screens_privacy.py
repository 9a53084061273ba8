"""Pilot test: the view form chooses the note's audience with one key and shows its mark."""

from __future__ import annotations

from screen_helpers import make_app, open_today_item, press, settle, type_text

from db import domain as d


async def test_the_view_form_narrows_the_audience_with_one_key(demo_db, reader) -> None:  # noqa: ANN001
    from screens.item import ItemScreen
    from screens.view_form import ViewForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot)
        screen = app.screen
        assert isinstance(screen, ItemScreen)
        item_id = screen.item_id
        assert screen.data.item.kind is d.ItemKind.CASE
        await press(pilot, "enter")
        form = app.screen
        assert isinstance(form, ViewForm)
        await press(pilot, "1", "tab")
        await type_text(pilot, "alleen voor ons")
        await press(pilot, "ctrl+o", "ctrl+o")  # overleg -> chair -> organisation
        shown = str(form.query_one("#audience").render())
        assert "Alleen deze partner zelf" in shown
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        table = screen.query_one("#views")
        row = table.get_row_at(table.cursor_row - 1)  # the cursor moved on
        assert "eigen organisatie" in str(row[-1])
    with reader() as store:
        view = next(v for v in store.views(item_id) if v.note == "alleen voor ons")
    assert view.audience == "organisation"


async def test_unlock_runs_the_retention_dry_run_and_tells_the_secretary(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    app.retention_notice = True
    told: list[str] = []
    notify = app.notify

    def spy(message: str, **kwargs) -> None:  # noqa: ANN003
        told.append(message)
        notify(message, **kwargs)

    app.notify = spy  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.context.retention_due is not None and app.context.retention_due > 0
    assert any("bewaartermijn" in m and str(app.context.retention_due) in m for m in told)
