"""The typed contract between the app (the shell) and its screens.

The app owns one :class:`AppContext` and hands it to every screen and widget through
:func:`context_of` (screens use ``self.ctx``, see :mod:`screens.widgets.base`). Screens read
and write the shared state here — never attributes of the app.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.app import App
from textual.dom import DOMNode
from textual.signal import Signal

if TYPE_CHECKING:
    from textual.widget import Widget

    from db.store import Store
    from lvv_tui.config import Config
    from lvv_tui.syncworker import SyncLoop, SyncState


@dataclass(eq=False)
class AppContext:
    """What the screens get from the app: data, time, the walk's state and the sync state."""

    config: Config
    """The settings the app was started with (language, server, keymap …)."""
    sync_changed: Signal[SyncState]
    """Published on the event loop with each new :class:`~lvv_tui.syncworker.SyncState`
    (the sync status widget subscribes; nobody polls)."""
    store: Store | None = None
    """The open database (None until unlocked)."""
    today: Callable[[], dt.date] = dt.date.today
    """The date of today (fixed in tests)."""
    clock: Callable[[], float] = time.monotonic
    """Seconds, for the item timers (replaced in tests)."""
    item_timers: dict[str, float] = field(default_factory=dict)
    """Seconds spent per agenda item id (kept while the app runs)."""
    overleg_id: str | None = None
    """The overleg the chair is working in (set by the meetings screen)."""
    sync_loop: SyncLoop | None = None
    """The background sync (None without a server)."""
    sync: SyncState | None = None
    """The last sync state the loop published (None: no server)."""
    status_widgets: tuple[Callable[[], Widget], ...] = ()
    """Factories of the widgets at the right of every top bar."""
    retention_due: int | None = None
    """Cases past their retention term, as the dry run on unlock found (None: not yet)."""

    @property
    def has_server(self) -> bool:
        """A server is configured and the background sync runs."""
        return self.sync_loop is not None

    @property
    def language(self) -> str:
        return self.config.lang

    @property
    def keymap(self) -> dict[str, str]:
        """The user's keys by binding id (``[keymap]`` in config.toml)."""
        return self.config.keymap

    def wake_sync(self, *, recount: bool = False) -> None:
        """Ask the background sync for a round now (no-op without a server)."""
        if self.sync_loop is not None:
            self.sync_loop.wake(recount=recount)


class ContextApp(App[None]):
    """An app that gives its screens an :class:`AppContext` (``LvvApp`` is one)."""

    context: AppContext


class NoContext(RuntimeError):
    """A screen was run by an app that is not a :class:`ContextApp`."""


def context_of(node: DOMNode) -> AppContext:
    """The context of the app ``node`` runs in."""
    app = node.app
    if not isinstance(app, ContextApp):
        raise NoContext(f"{type(app).__name__} gives its screens no AppContext")
    return app.context
