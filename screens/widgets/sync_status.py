"""The sync status in the top bar: offline / syncing / synced hh:mm / N unsynced / N conflicts.

It reads the app's :class:`~lvv_tui.syncworker.SyncLoop` state (an in-memory value the loop
replaces atomically) a few times a second: no I/O on the event loop, no calls from the
loop's thread into Textual. Without a server it says so, and the app works as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual.widgets import Static

from lvv_tui.i18n import t


def status_text(state: Any, *, has_server: bool = True) -> Text:
    """The header text for a :class:`~lvv_tui.syncworker.SyncState` (or None: no state)."""
    if not has_server or state is None:
        return Text(t("sync.status.local"), style="dim")
    parts = Text()
    if state.phase == "syncing":
        parts.append(t("sync.status.syncing"), style="bold")
    elif state.phase == "offline":
        parts.append(t("sync.status.offline"), style="bold red")
    elif state.phase == "synced" and state.last_sync_ms:
        when = dt.datetime.fromtimestamp(state.last_sync_ms / 1000).strftime("%H:%M")
        parts.append(t("sync.status.synced", time=when), style="green")
    else:
        parts.append(t("sync.status.waiting"), style="dim")
    if state.unsynced:
        parts.append(" · ")
        parts.append(t("sync.status.unsynced", n=state.unsynced), style="yellow")
    if state.conflicts:
        parts.append(" · ")
        parts.append(t("sync.status.conflicts", n=state.conflicts), style="bold magenta")
    if state.refused:
        parts.append(" · ")
        parts.append(t("sync.status.refused", n=state.refused), style="bold red")
    if state.quarantined:
        parts.append(" · ")
        parts.append(t("sync.status.quarantined", n=state.quarantined), style="bold red")
    return parts


class SyncStatus(Static):
    """Shows the app's sync state; click it to open the conflicts screen."""

    DEFAULT_CSS = """
    SyncStatus { width: auto; height: 1; padding: 0 1; }
    """

    #: seconds between looks at the loop's state
    POLL = 0.5

    def __init__(self) -> None:
        # Start with the no-server text: without a server nothing changes at mount, so the
        # top bar is laid out once (an update of an auto-width widget re-lays out the screen).
        super().__init__(status_text(None, has_server=False), classes="sync-status")
        self._shown: object = (False, None, t("sync.status.local"))

    def on_mount(self) -> None:
        self.refresh_state()
        self.set_interval(self.POLL, self.refresh_state)

    def refresh_state(self) -> None:
        loop = getattr(self.app, "sync_loop", None)
        state = loop.state if loop is not None else None
        key = (loop is not None, state, t("sync.status.local"))
        if key == self._shown:
            return
        self._shown = key
        self.update(status_text(state, has_server=loop is not None))
        if state is not None and state.message:
            self.tooltip = Text(state.message)
        else:
            self.tooltip = None

    async def on_click(self) -> None:
        await self.app.run_action("conflicts")
