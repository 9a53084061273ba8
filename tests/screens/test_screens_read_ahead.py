"""The item screen reads its neighbours ahead (n / p repaint in the frame of the key), and
still shows what the store holds: every step is read again, every save forgets the rest."""

from __future__ import annotations

from screen_helpers import make_app, open_today_item, press, settle, wait_for

from db import domain as d


async def _at_case_item_before_a_case_item(pilot):  # noqa: ANN001, ANN202
    """The item screen on a case item whose next item is a case item too, settled."""
    from screens.item import ItemScreen

    await open_today_item(pilot, 1)
    screen = pilot.app.screen
    assert isinstance(screen, ItemScreen)
    items = screen.data.items
    at = next(n for n in range(len(items) - 1)
              if items[n].kind is d.ItemKind.CASE and items[n + 1].kind is d.ItemKind.CASE)
    screen.go_to(items[at].id)
    await settle(pilot)
    following = items[at + 1]
    await wait_for(pilot, lambda: following.id in screen.ahead.items,
                   "the next item read once painted")
    return screen, following


async def test_a_step_shows_the_next_item_read_ahead_then_what_the_store_holds(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, following = await _at_case_item_before_a_case_item(pilot)
        org = screen.ahead.items[following.id].table_orgs()[0]
        note = "ná het vooruitlezen"
        # a change the screen is not told about (as from another program on the same file)
        app.store.record_view(following.id, org.id, d.Position.RETURN, note=note)
        await press(pilot, "n")
        assert screen.item_id == following.id

        def shown() -> bool:
            view = screen.data.views.get(org.id)
            return view is not None and view.note == note

        await wait_for(pilot, shown, "the step read the item again and showed the change")
        cells = [str(c) for c in screen.query_one("#views").get_row(org.id)]
        assert any(note in c for c in cells), cells


async def test_every_other_read_forgets_what_was_read_ahead(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, following = await _at_case_item_before_a_case_item(pilot)
        ahead = screen.ahead
        before = ahead.generation
        stale = dict(ahead.items)
        assert stale
        screen.reload()  # as after a save, a change from sync, or back from a form
        assert ahead.items == {}
        assert not ahead.keep(before, stale), "a read that started before is not kept"
        assert ahead.items == {}
        await wait_for(pilot, lambda: following.id in ahead.items, "read ahead again")
