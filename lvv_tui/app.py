"""The Textual app: unlock, then the chair's walk (meetings → meeting → agenda item).

Extension points (for the sync and minutes parts; keep them small and documented):

* :attr:`LvvApp.status_widgets` — factories of widgets shown at the right of the top bar
  of every main screen (e.g. the sync status). Append a factory before the app runs, or in
  a subclass: ``LvvApp.status_widgets.append(SyncStatus)``.
* :attr:`LvvApp.meeting_commands` — extra commands of the meeting screen, each a
  :class:`MeetingCommand` (a binding id, keys and a callback ``(app, meeting_id)``). The
  meeting screen adds them to its bindings (footer, help screen, keymap) and its palette.
  E.g. the minutes screen: ``LvvApp.meeting_commands.append(MeetingCommand("minutes-open",
  "m", open_minutes))`` with ``binding.minutes-open`` in the minutes catalog.
* App-wide screens with their own binding (conflicts): add a ``Binding`` to
  :attr:`LvvApp.BINDINGS` with an ``id`` and an ``action_…`` method that pushes the screen;
  the help screen and the keymap pick it up without further work.
* :class:`LvvApp.StoreOpened` is posted to the app once the database is unlocked; a
  background worker (sync) can start from its handler.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

from lvv_tui import i18n
from lvv_tui.commands_palette import LvvCommands
from lvv_tui.config import Config

if TYPE_CHECKING:
    from db.store import Store
    from lvv_tui.syncworker import SyncLoop


@dataclass(frozen=True)
class MeetingCommand:
    """A command an extension adds to the meeting screen."""

    id: str
    """Binding id (kebab-case); its description is ``binding.<id>`` in a catalog."""
    keys: str
    """Default keys, e.g. ``"m"``; a user keymap may override them."""
    run: Callable[[LvvApp, str], None]
    """Called on the event loop with the app and the meeting id."""


def _screen_css() -> list[Path]:
    """The style sheets of the screens, parsed once at start (a style sheet added later,
    when a screen is first pushed, makes Textual restyle every widget: slower first paint)."""
    import screens

    # __path__, not __file__: an editable install may expose screens as a namespace package
    folder = Path(next(iter(screens.__path__))).resolve()
    return [folder / "widgets" / "topbar.tcss",
            *(folder / f"{name}.tcss" for name in ("unlock", "meetings", "meeting", "item",
                                                   "register", "report"))]


class LvvApp(App[None]):
    """lvv-tui. ``LvvApp(cfg)``; tests and benchmarks may pass an open ``store``."""

    TITLE = "lvv-tui"
    CSS_PATH = _screen_css()
    CSS = """
    Screen { background: $background; }
    """
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {LvvCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+r", "case_register", "Cases", id="case-register"),
        Binding("ctrl+k,f4", "conflicts", "Conflicts", id="conflicts"),
        Binding("slash", "search", "Search", id="search"),
        Binding("ctrl+e", "escalations", "Escalations", id="escalations", show=False),
        # our own palette binding, so its footer word is translated (Textual's says "palette")
        Binding("ctrl+p", "command_palette", "Commands", id="command-palette", show=False,
                priority=True),
    ]

    #: Widget factories for the right of the top bar (see the module docstring).
    status_widgets: ClassVar[list[Callable[[], Widget]]] = []
    #: Extra meeting-screen commands (see the module docstring).
    meeting_commands: ClassVar[list[MeetingCommand]] = []

    @dataclass
    class StoreOpened(Message):
        """The database is open (``app.store``); posted to the app."""

        store: Store

    def __init__(
        self,
        cfg: Config,
        *,
        store: Store | None = None,
        today: dt.date | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """``today`` fixes the date (tests); ``clock`` replaces ``time.monotonic`` (timers)."""
        i18n.set_language(cfg.lang)
        super().__init__()
        from screens.widgets.base import localise_bindings

        localise_bindings(self)
        self.cfg = cfg
        self.store: Store | None = store
        self._owns_store = store is None
        self.overleg_id: str | None = None
        self._today = today
        self.clock: Callable[[], float] = clock or time.monotonic
        self.item_timers: dict[str, float] = {}
        self.sync_loop: SyncLoop | None = None
        """The background sync (started once unlocked, when a server is configured)."""
        """Seconds spent per agenda item id (kept while the app runs)."""

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def on_mount(self) -> None:
        if self.cfg.keymap:
            self.set_keymap(self.cfg.keymap)
        if self.store is not None:
            self._start()
        else:
            from screens.unlock import UnlockScreen

            self.push_screen(UnlockScreen(self.cfg.db, author=self.cfg.author))

    def on_unlock_screen_unlocked(self, message: Message) -> None:
        self.store = message.store  # type: ignore[attr-defined]
        self._start(switch=True)

    def _start(self, switch: bool = False) -> None:
        from screens.meetings import MeetingsScreen

        assert self.store is not None
        self.post_message(self.StoreOpened(self.store))
        if switch:
            self.switch_screen(MeetingsScreen())
        else:
            self.push_screen(MeetingsScreen())

    def on_lvv_app_store_opened(self, message: StoreOpened) -> None:
        from lvv_tui.syncworker import start_for_app

        start_for_app(self, message.store)

    def on_unmount(self) -> None:
        if self.sync_loop is not None:
            self.sync_loop.stop()
        if self.store is not None and self._owns_store:
            self.store.close()
            self.store = None

    # -- app-wide actions -------------------------------------------------------------

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_conflicts(self) -> None:
        from screens.conflicts import ConflictsScreen

        if self.store is not None and not isinstance(self.screen, ConflictsScreen):
            self.push_screen(ConflictsScreen(self.overleg_id))

    def action_search(self) -> None:
        from screens.search import SearchScreen

        if self.store is None:
            self.bell()
        elif not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen())
    def action_escalations(self) -> None:
        from screens.escalations import EscalationsScreen

        if self.store is None or self.overleg_id is None:
            self.bell()
            return
        if not isinstance(self.screen, EscalationsScreen):
            self.push_screen(EscalationsScreen(self.overleg_id))

    def action_case_register(self) -> None:
        from screens.register import CaseRegisterScreen

        if self.store is None or self.overleg_id is None:
            self.bell()
            return
        if not isinstance(self.screen, CaseRegisterScreen):
            self.push_screen(CaseRegisterScreen(self.overleg_id))


    def action_monitoring_report(self) -> None:
        from screens.report import ReportScreen

        if self.store is not None and not isinstance(self.screen, ReportScreen):
            self.push_screen(ReportScreen(self.overleg_id))


def _open_minutes(app: LvvApp, meeting_id: str) -> None:
    from screens.minutes import MinutesScreen

    app.push_screen(MinutesScreen(meeting_id))


LvvApp.meeting_commands.append(MeetingCommand("minutes", "v", _open_minutes))


def _sync_status() -> Widget:
    from screens.widgets.sync_status import SyncStatus

    return SyncStatus()


LvvApp.status_widgets.append(_sync_status)
