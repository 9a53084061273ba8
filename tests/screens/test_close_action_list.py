"""Pilot: the actielijst from the meeting screen (l): filter by owner (o) and overdue (l),
sort (s), close with a question (x, y), undo (u), enter opens the item."""

from __future__ import annotations

from screen_helpers import TODAY, make_app, press, settle

from db import domain as d


async def _open_list(pilot):  # noqa: ANN001, ANN202
    from screens.action_list import ActionListScreen

    await settle(pilot)
    await press(pilot, "enter")
    await press(pilot, "l")
    assert isinstance(pilot.app.screen, ActionListScreen)
    return pilot.app.screen


def _keys(screen) -> list[str]:  # noqa: ANN001
    return [k.value for k in screen.query_one("#action-list").rows]


async def test_filters_and_sort_follow_the_core(demo_db, reader) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open_list(pilot)
        store = reader()
        try:
            ov = store.overleggen()[0].id
            assert _keys(screen) == [a.id for a in store.action_list(ov, today=TODAY)]
            assert _keys(screen)  # the demo has open actions
            await press(pilot, "o")
            owner = screen.owner
            assert owner is not None
            assert _keys(screen) == [a.id for a in store.action_list(
                ov, owner_organisation_id=owner, today=TODAY)]
            await press(pilot, "o")  # back to every owner after the others
            while screen.owner is not None or screen.person is not None:
                await press(pilot, "o")
            await press(pilot, "l")
            overdue = [a.id for a in store.action_list(ov, overdue=True, today=TODAY)]
            assert _keys(screen) == overdue
            await press(pilot, "l", "s")
            assert screen.sort == "owner"
            assert _keys(screen) == [a.id for a in store.action_list(ov, today=TODAY,
                                                                     sort="owner")]
        finally:
            store.close()


async def test_x_asks_first_and_u_undoes(demo_db, reader) -> None:  # noqa: ANN001
    from screens.action_list import ActionListScreen, ConfirmClose

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_list(pilot)
        first = _keys(screen)[0]
        await press(pilot, "x")
        assert isinstance(app.screen, ConfirmClose)
        await press(pilot, "escape")  # no: nothing closed
        assert isinstance(app.screen, ActionListScreen)
        assert _keys(screen)[0] == first
        await press(pilot, "x")
        await press(pilot, "enter")  # enter answers yes
        assert first not in _keys(screen)
        store = reader()
        try:
            assert store.actions(overleg_id=store.overleggen()[0].id)
            closed = next(a for a in store.actions(overleg_id=store.overleggen()[0].id)
                          if a.id == first)
            assert closed.status is d.ActionStatus.DONE
        finally:
            store.close()
        await press(pilot, "u")
        assert first in _keys(screen)
    store = reader()
    try:
        again = next(a for a in store.actions(overleg_id=store.overleggen()[0].id)
                     if a.id == first)
        assert again.status is d.ActionStatus.OPEN
    finally:
        store.close()


async def test_enter_opens_the_item_of_the_action(demo_db) -> None:  # noqa: ANN001
    from screens.item import ItemScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_list(pilot)
        action = screen.data.actions[0]
        await press(pilot, "enter")
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.item_id == action.agenda_item_id
