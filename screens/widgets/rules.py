"""Screens ask the core's rules before they open a form, and say why when it would be refused.

The store enforces every rule on every write path (see :mod:`db.rules`); these helpers only
let a screen tell the user beforehand instead of after a whole form was filled in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from lvv_tui.i18n import t

if TYPE_CHECKING:
    from db import domain as d
    from db.store import Refusal


def refusal_for(meeting: d.Meeting, item: d.AgendaItem | None = None) -> Refusal | None:
    """Why the store would refuse a change of ``meeting``'s record (or of a view or decision
    on ``item``, which must be a case item); None when it would not."""
    from db.store import why_locked, why_not_case_item

    refusal = why_locked(meeting)
    if refusal is None and item is not None:
        refusal = why_not_case_item(item)
    return refusal


def refusal_text(refusal: Refusal) -> str:
    return t(refusal.code, **refusal.params)


def would_refuse(app: Any, meeting: d.Meeting | None, item: d.AgendaItem | None = None) -> bool:
    """True, with a notification saying why, when the change would be refused."""
    if meeting is None:
        return True
    refusal = refusal_for(meeting, item)
    if refusal is None:
        return False
    app.notify(refusal_text(refusal), severity="warning", markup=False)
    return True


def lock_banner(meeting: d.Meeting, how_key: str) -> Text | None:
    """The line a screen shows while the meeting's minutes are approved (None otherwise)."""
    refusal = refusal_for(meeting)
    if refusal is None:
        return None
    return Text(f"{refusal_text(refusal)}. {t(how_key)}", style="bold yellow")
