"""The idle lock: after ``lock_after`` idle minutes (or ``ctrl+l``) every screen is hidden
behind :class:`LockScreen` and the store drops its key (``Store.lock``).

The screens under the lock stay as they were, but what was typed in their text fields is
kept encrypted: the fields are emptied and their texts go into the encrypted database file
(``Store.lock(texts)``, never a plain file, never an op) before the key is dropped; the
passphrase opens the file again (``Store.unlock_with`` hands the texts back) and the lock
screen goes, leaving the user where they were, the half-typed note back in its field.
``LVV_PASSPHRASE`` does not unlock it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Static, TextArea

from lvv_tui.i18n import t
from screens.widgets.base import ScreenBase

if TYPE_CHECKING:
    from textual.app import App

    from db.store import Store
    from screens.context import AppContext


class IdleLock:
    """Watches the idle time of an app and locks it (the app calls :meth:`touch` on every
    key and mouse event and :meth:`check` from a timer)."""

    def __init__(self, app: App, context: AppContext, minutes: float, *,
                 on_lock: Callable[[], None] | None = None,
                 on_unlock: Callable[[], None] | None = None) -> None:
        self.app = app
        self.context = context
        """The app's context: its store (locked and unlocked) and its clock."""
        self.on_lock = on_lock
        """Called in a thread before the key is dropped (the app stops its sync)."""
        self.on_unlock = on_unlock
        """Called on the loop once the file is open again (the app restarts its sync)."""
        self.minutes = minutes
        """Idle minutes before the lock; 0 = never."""
        self.last = self.clock()
        """When the user last pressed a key or used the mouse."""

    def clock(self) -> float:
        """Seconds, monotonic: the context's clock (injected in tests)."""
        return self.context.clock()

    @property
    def locked(self) -> bool:
        return isinstance(self.app.screen, LockScreen) or any(
            isinstance(s, LockScreen) for s in self.app.screen_stack)

    def touch(self) -> None:
        self.last = self.clock()

    def check(self) -> bool:
        """Lock when idle too long; True when it locked now."""
        if self.minutes <= 0 or self.locked:
            return False
        if self.clock() - self.last < self.minutes * 60:
            return False
        return self.lock()

    def lock(self) -> bool:
        """Hide every screen and drop the key at once (``ctrl+l``)."""
        store = self.context.store
        if store is None or self.locked:
            return False
        self.app.push_screen(LockScreen(store, self))
        return True

    def unlocked(self) -> None:
        self.touch()
        if self.on_unlock is not None:
            self.on_unlock()


class LockScreen(ScreenBase, Screen[None]):
    """Covers the app while it is locked; asks the passphrase to open it again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j", "submit", "Unlock", id="lock-submit"),
    ]

    def __init__(self, store: Store, idle: IdleLock) -> None:
        super().__init__()
        self.store = store
        self.idle = idle
        self.busy = True
        self.fields: list[tuple[Widget, Any]] = []
        """The text fields emptied while locked, with their cursors (texts: in the file)."""

    def _take_texts(self) -> list[str]:
        """Empty every text field of the screens under the lock; their texts, in order."""
        texts: list[str] = []
        with self.prevent(TextArea.Changed, Input.Changed):  # no search, no "edited" mark
            for screen in self.app.screen_stack:
                if screen is not self:
                    texts += self._empty(screen)
        return texts

    def _empty(self, screen: Screen[Any]) -> list[str]:
        texts: list[str] = []
        for widget in screen.query("TextArea, Input"):
            if isinstance(widget, TextArea) and widget.text:
                self.fields.append((widget, widget.cursor_location))
                texts.append(widget.text)
                widget.text = ""
            elif isinstance(widget, Input) and widget.value and not widget.password:
                self.fields.append((widget, widget.cursor_position))
                texts.append(widget.value)
                widget.value = ""
        return texts

    def _give_back(self, texts: list[str]) -> None:
        with self.prevent(TextArea.Changed, Input.Changed):
            for (widget, cursor), text in zip(self.fields, texts, strict=False):
                if isinstance(widget, TextArea):
                    widget.text = text
                    widget.cursor_location = cursor
                elif isinstance(widget, Input):
                    widget.value = text
                    widget.cursor_position = cursor
        self.fields = []

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Label(t("lock.title"), id="unlock-title")
            yield Static(Text(t("lock.hint")), id="lock-hint")
            yield Input(placeholder=t("unlock.passphrase"), password=True, id="lock-passphrase")
            yield Static("", id="lock-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#lock-passphrase", Input).focus()
        store, idle = self.store, self.idle
        texts = self._take_texts()

        def job() -> None:  # stopping the sync and closing the file wait: off the loop
            if idle.on_lock is not None:
                idle.on_lock()
            store.lock(texts)
            self.app.call_from_thread(self._locked)

        self.run_worker(job, thread=True, exit_on_error=False, group="lock",
                        description="drop the database key")

    def _locked(self) -> None:
        self.busy = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        field = self.query_one("#lock-passphrase", Input)
        passphrase = field.value
        if self.busy:
            return
        if not passphrase:
            self._message(t("unlock.empty"))
            return
        self.busy = True
        self._message(t("unlock.opening"))
        store = self.store

        def job() -> None:
            try:
                texts = store.unlock_with(passphrase)
            except Exception as exc:  # a wrong passphrase: stay locked, say so
                self.app.call_from_thread(self._failed, exc)
                return
            self.app.call_from_thread(self._opened, texts)

        self.run_worker(job, thread=True, exclusive=True, exit_on_error=False, group="lock",
                        description="open the database again")

    def _message(self, text: str) -> None:
        self.query_one("#lock-message", Static).update(Text(text))

    def _failed(self, exc: Exception) -> None:
        from screens.unlock import unlock_error

        self.busy = False
        self._message(unlock_error(exc))
        field = self.query_one("#lock-passphrase", Input)
        field.value = ""
        field.focus()

    def _opened(self, texts: list[str]) -> None:
        self._give_back(texts)
        self.dismiss()
        self.idle.unlocked()
