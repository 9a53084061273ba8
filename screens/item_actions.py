"""Closing or reopening an action from the item screen: closing asks first (the chair may
have pressed ``x`` on the wrong row), ``x`` on a closed one reopens it at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db import domain as d

if TYPE_CHECKING:
    from screens.item import ItemScreen


def close_or_reopen(screen: ItemScreen, action_id: str) -> None:
    """Close the action (after a question) or reopen it; the screen reads again after."""
    store = screen.store
    action = next((a for a in screen.data.actions if a.id == action_id), None) \
        if screen.data else None
    status = (d.ActionStatus.OPEN if action and action.status is d.ActionStatus.DONE
              else d.ActionStatus.DONE)

    def save(yes: bool | None = True) -> None:
        if yes:
            screen.call_store(lambda: store.update_action(action_id, status=status),
                              lambda _a: screen.reload(), group="item-save",
                              description="close action", exclusive=False)

    if status is d.ActionStatus.DONE:
        from screens.action_list import ConfirmClose

        screen.app.push_screen(ConfirmClose(action.text if action else ""), save)
    else:
        save()
