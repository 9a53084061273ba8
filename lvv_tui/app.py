"""The Textual app: unlock, then the chair's walk (meetings → meeting → agenda item).

The app is the shell: it owns the :class:`~screens.context.AppContext` that every screen
receives typed (``self.ctx``), the keymap from the config (``App.set_keymap``), the app-wide
bindings and palette commands, and the background sync. Extension points (keep them small):

* :attr:`LvvApp.status_widgets` — factories of widgets shown at the right of the top bar
  of every main screen (e.g. the sync status). Append a factory before the app is made, or
  in a subclass: ``LvvApp.status_widgets.append(SyncStatus)``.
* A key of a screen: a ``Binding`` with an ``id`` in the screen's ``BINDINGS`` and an
  ``action_…`` method; give it a ``binding.<id>`` text in both catalogs. The footer, the help
  screen and the keymap pick it up (see :mod:`screens.keys`). A palette command of a screen:
  its ``palette_commands()`` (the screen's ``COMMANDS`` holds :class:`ScreenCommands`).
* App-wide screens with their own binding (conflicts): add a ``Binding`` to
  :attr:`LvvApp.BINDINGS` with an ``id`` and an ``action_…`` method that pushes the screen.
* :class:`LvvApp.StoreOpened` is posted to the app once the database is unlocked; a
  background worker can start from its handler.
* The idle lock (:mod:`screens.lock`): after ``lock_after`` idle minutes or ``ctrl+l`` the
  app pushes the lock screen over every screen and the store drops its key.
* :class:`LvvApp.SyncChanged` carries each state of the sync loop to the event loop; the app
  keeps it in the context and publishes it on ``context.sync_changed``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.signal import Signal
from textual.widget import Widget

from lvv_tui import i18n
from lvv_tui.commands_palette import LvvCommands
from lvv_tui.config import Config
from screens.context import AppContext, ContextApp

if TYPE_CHECKING:
    from textual import events
    from textual.screen import Screen

    from db.store import Store
    from lvv_tui.syncworker import SyncLoop, SyncState
    from screens.unlock import UnlockScreen


def _screen_css() -> list[Path]:
    """The style sheets of the screens, parsed once at start (a style sheet added later,
    when a screen is first pushed, makes Textual restyle every widget: slower first paint)."""
    import screens

    # __path__, not __file__: an editable install may expose screens as a namespace package
    folder = Path(next(iter(screens.__path__))).resolve()
    return [folder / "widgets" / "topbar.tcss",
            *(folder / f"{name}.tcss" for name in ("unlock", "meetings", "meeting", "item",
                                                   "register", "report"))]


class LvvApp(ContextApp):
    """lvv-tui. ``LvvApp(cfg)``; tests and benchmarks may pass an open ``store``."""

    TITLE = "lvv-tui"
    CSS_PATH = _screen_css()
    CSS = """
    Screen { background: $background; }
    """
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {LvvCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False),
        Binding("ctrl+l", "lock", "Lock", id="lock", show=False, priority=True),
        Binding("f1", "help", "Help", id="help"),
        # everywhere (as ctrl+q), so out of the footer (room for the screen's own keys at 120 columns);
        # f1 and the palette list them
        Binding("ctrl+r", "case_register", "Cases", id="case-register", show=False),
        Binding("ctrl+k,f4", "conflicts", "Conflicts", id="conflicts", show=False),
        Binding("slash", "search", "Search", id="search", show=False),
        Binding("ctrl+e", "escalations", "Escalations", id="escalations", show=False),
        # our own palette binding, so its footer word is translated (Textual's says "palette")
        Binding("ctrl+p", "command_palette", "Commands", id="command-palette", show=False,
                priority=True),
    ]

    #: Widget factories for the right of the top bar (see the module docstring).
    status_widgets: ClassVar[list[Callable[[], Widget]]] = []

    @dataclass
    class StoreOpened(Message):
        """The database is open (``app.store``); posted to the app."""

        store: Store

    @dataclass
    class SyncChanged(Message):
        """The sync loop reported a new state (posted from the loop's thread)."""

        state: SyncState

    @dataclass
    class RecordsChanged(Message):
        """Sync applied values from other laptops: every open screen refreshes what it shows
        (posted to each screen of the stack; handler ``on_lvv_app_records_changed``)."""

        changes: tuple
        """:class:`~db.domain.RecordChange` of each value applied."""

        def touches(self, entity: str, entity_id: str | None = None,
                    prefix: str | None = None) -> list:
            """The changes of one record (or of records whose id starts with ``prefix``)."""
            return [c for c in self.changes if c.entity == entity and (
                (entity_id is not None and c.entity_id == entity_id)
                or (prefix is not None and c.entity_id.startswith(prefix)))]

    def records_changed(self, changes: tuple) -> None:
        """From the sync loop's thread: tell every open screen what changed."""
        self.call_from_thread(self._broadcast_changes, changes)

    def _broadcast_changes(self, changes: tuple) -> None:
        for screen in list(self.screen_stack):
            screen.post_message(self.RecordsChanged(changes))

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
        self.cfg = cfg
        self._owns_store = store is None
        self.context = AppContext(
            config=cfg,
            sync_changed=Signal(self, "sync-changed"),
            store=store,
            today=(lambda: today) if today is not None else dt.date.today,
            clock=clock or time.monotonic,
            status_widgets=tuple(self.status_widgets),
        )
        """What the screens get (typed): store, today, clock, timers, overleg, sync state."""
        from screens.lock import IdleLock

        self.idle = IdleLock(self, self.context, cfg.lock_after, on_lock=self._sync_stop,
                             on_unlock=self._sync_restart)
        """The idle lock (``lock_after`` minutes, ``ctrl+l``); see :mod:`screens.lock`."""

    @property
    def store(self) -> Store | None:
        """The open database (None until unlocked)."""
        return self.context.store

    @property
    def sync_loop(self) -> SyncLoop | None:
        """The background sync (None without a server)."""
        return self.context.sync_loop

    @property
    def overleg_id(self) -> str | None:
        """The overleg the chair works in (the screens set it on the context)."""
        return self.context.overleg_id

    def today(self) -> dt.date:
        return self.context.today()

    async def on_event(self, event: events.Event) -> None:
        """Any input resets the idle lock's clock; a paste of several lines into a one-line
        field is joined visibly (Textual's Input would keep the first line and drop the rest
        without a word)."""
        from textual import events as ev

        from lvv_tui.paste import paste_into_one_line

        if isinstance(event, ev.InputEvent) and not event.is_forwarded:
            self.idle.touch()
        if isinstance(event, ev.Paste) and not event.is_forwarded \
                and paste_into_one_line(self, event.text):
            return
        await super().on_event(event)

    def on_mount(self) -> None:
        if self.cfg.keymap:
            self.set_keymap(self.cfg.keymap)
        if self.cfg.lock_after > 0:
            self.set_interval(min(30.0, self.cfg.lock_after * 15), self.idle.check,
                              name="idle-lock")
        if self.store is not None:
            self._start()
        else:
            from screens.unlock import UnlockScreen

            self.push_screen(UnlockScreen(self.cfg.db, author=self.cfg.author,
                                          laptop=self.cfg.laptop))

    def on_unlock_screen_unlocked(self, message: UnlockScreen.Unlocked) -> None:
        self.context.store = message.store
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
        """Run the retention dry run (a worker); start the background sync when a server
        is configured."""
        if self.retention_notice:
            self._after_first_paint(lambda: self._check_retention(message.store))
        self._start_sync(message.store)

    def _after_first_paint(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the first screen that reads the store has painted: its
        work and its toast come after what the user opened, not in the way of it."""
        from screens.widgets.base import StoreMixin

        def changed(screen: Screen) -> None:
            if isinstance(screen, StoreMixin):
                self.screen_change_signal.unsubscribe(self)
                screen.call_after_refresh(callback)

        if isinstance(self.screen, StoreMixin):
            self.screen.call_after_refresh(callback)
        else:
            self.screen_change_signal.subscribe(self, changed)

    def _start_sync(self, store: Store) -> None:
        if not self.cfg.server or self.context.sync_loop is not None:
            return
        from lvv_tui.syncworker import SyncLoop

        loop = SyncLoop(store, self.cfg.server, interval=self.cfg.sync_interval,
                        on_change=self._sync_reported, on_records=self.records_changed)
        self.context.sync_loop = loop
        self.context.sync = loop.state
        self.context.sync_changed.publish(loop.state)
        loop.start()

    retention_notice: bool = True
    """Run the retention dry run on unlock and tell the secretary (off in screen tests whose
    snapshots must not depend on when a toast comes and goes)."""

    def _check_retention(self, store: Store) -> None:
        """The retention dry run on unlock, off the event loop: the secretary is told when
        cases are past their term (issue 10; ``lvv-tui retention`` anonymises them)."""
        today = self.context.today()

        def job() -> None:
            due = len(store.retention_due(today))
            self.call_from_thread(self._retention_found, due)

        self.run_worker(job, thread=True, exclusive=True, exit_on_error=False,
                        group="retention")

    def _retention_found(self, due: int) -> None:
        self.context.retention_due = due
        if due:
            self.notify(i18n.t("privacy.retention.toast", n=due),
                        title=i18n.t("privacy.retention.toast_title"), severity="warning",
                        timeout=15)

    def _sync_reported(self, state: SyncState) -> None:
        """From the loop's thread: hand the state to the event loop (never waits on it)."""
        self.post_message(self.SyncChanged(state))

    def on_lvv_app_sync_changed(self, message: SyncChanged) -> None:
        self.context.sync = message.state
        self.context.sync_changed.publish(message.state)

    def on_unmount(self) -> None:
        if self.context.sync_loop is not None:
            self.context.sync_loop.stop()
        if self.context.store is not None and self._owns_store:
            self.context.store.close()
            self.context.store = None

    # -- the idle lock ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While locked only quitting works (no palette, no screen on top of the lock)."""
        if action not in ("quit", "lock") and self.idle.locked:
            return False
        return super().check_action(action, parameters)

    def action_lock(self) -> None:
        self.idle.lock()

    def _sync_stop(self) -> None:
        """From the lock's thread: stop the background sync before the key goes."""
        loop, self.context.sync_loop = self.context.sync_loop, None
        if loop is not None:
            loop.stop()

    def _sync_restart(self) -> None:
        """On the loop, once unlocked: start the sync again (when a server is set)."""
        if self.context.store is not None:
            self._start_sync(self.context.store)

    # -- app-wide actions -------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own palette entries, in the app's language."""
        from lvv_tui.system_commands import translated

        yield from translated(super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        """The palette, with its placeholder and "no matches" in the app's language."""
        from textual.command import CommandPalette

        from lvv_tui.system_commands import palette_class, palette_placeholder

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(palette_class()(id="--command-palette",
                                             placeholder=palette_placeholder()))

    def search_themes(self) -> None:
        """The theme picker (palette entry "Thema"), in the app's language."""
        from textual.theme import ThemeProvider

        from lvv_tui.system_commands import palette_class

        self.push_screen(palette_class()(providers=[ThemeProvider],
                                         placeholder=i18n.t("syscmd.theme_placeholder")))

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """The palette's "Schermafdruk": an SVG in the export folder (not the current
        directory), written off the event loop, reported in the app's language."""
        folder = Path(path) if path else self.cfg.export_dir
        target = folder / (filename or time.strftime("schermafdruk-%Y%m%d-%H%M%S.svg"))
        svg = self.export_screenshot()

        def write() -> None:
            try:
                target.write_text(svg, encoding="utf-8")
            except OSError as exc:
                self.call_from_thread(self.notify, f"{target}: {exc.strerror or exc}",
                                      title=i18n.t("syscmd.Screenshot"), severity="error",
                                      markup=False)
                return
            self.call_from_thread(self.notify, i18n.t("syscmd.screenshot_saved",
                                                      path=str(target)),
                                  title=i18n.t("syscmd.Screenshot"), markup=False)

        self.run_worker(write, thread=True, group="screenshot", description="screenshot")
        return None

    def action_help_quit(self) -> None:
        """ctrl+c (which does not quit): say how to quit, in the app's language."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(i18n.t("syscmd.how_to_quit", key=key), title=i18n.t("syscmd.quit_title"),
                            markup=False)
                return

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_conflicts(self) -> None:
        from screens.conflicts import ConflictsScreen

        if self.store is not None and not isinstance(self.screen, ConflictsScreen):
            self.push_screen(ConflictsScreen(self.context.overleg_id))

    def action_search(self) -> None:
        from screens.search import SearchScreen

        if self.store is None:
            self.bell()
        elif not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen())

    def action_escalations(self) -> None:
        from screens.escalations import EscalationsScreen

        if self.store is None or self.context.overleg_id is None:
            self.bell()
            return
        if not isinstance(self.screen, EscalationsScreen):
            self.push_screen(EscalationsScreen(self.context.overleg_id))

    def action_case_register(self) -> None:
        from screens.register import CaseRegisterScreen

        overleg_id = self.context.overleg_id
        if self.store is None or overleg_id is None:
            self.bell()
            return
        if not isinstance(self.screen, CaseRegisterScreen):
            self.push_screen(CaseRegisterScreen(overleg_id))

    def action_open_item(self, meeting_id: str, item_id: str) -> None:
        """Open an agenda item (screens that the item screen itself opens go through here)."""
        from screens.item import ItemScreen

        self.push_screen(ItemScreen(meeting_id, item_id))

    def action_monitoring_report(self) -> None:
        from screens.report import ReportScreen

        if self.store is not None and not isinstance(self.screen, ReportScreen):
            self.push_screen(ReportScreen(self.context.overleg_id))


def _sync_status() -> Widget:
    from screens.widgets.sync_status import SyncStatus

    return SyncStatus()


LvvApp.status_widgets.append(_sync_status)
