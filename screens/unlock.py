"""Unlock: the passphrase of the local database (asked twice when creating a new file)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from lvv_tui.i18n import t
from screens.widgets.base import ScreenBase

if TYPE_CHECKING:
    from db.store import Store


def unlock_error(exc: Exception) -> str:
    """A clear message for a database that would not open (the file is left untouched)."""
    from db.engine import MissingDatabase, NewerSchema, NotADatabase, WrongPassphrase

    for cls, key in ((WrongPassphrase, "unlock.wrong"), (NotADatabase, "unlock.not_db"),
                     (NewerSchema, "unlock.newer"), (MissingDatabase, "unlock.missing")):
        if isinstance(exc, cls):
            return t(key)
    return t("unlock.failed", reason=str(exc))


class UnlockScreen(ScreenBase, Screen[None]):
    """Asks the passphrase; with ``LVV_PASSPHRASE`` set it unlocks at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j", "submit", "Unlock", id="unlock-submit"),
    ]

    @dataclass
    class Unlocked(Message):
        """The store is open."""

        store: Store

    def __init__(self, path: Path, author: str | None = None,
                 laptop: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.author = author
        self.laptop = laptop
        """The laptop's human name (config ``laptop``), kept in the file at set-up."""
        self.create = not path.exists()
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Label(t("unlock.title"), id="unlock-title")
            yield Static(Text(t("unlock.file", path=str(self.path))), id="unlock-file")
            if self.create:
                yield Static(t("unlock.new_file"), id="unlock-new")
            yield Input(placeholder=t("unlock.passphrase"), password=True, id="passphrase")
            if self.create:
                yield Input(placeholder=t("unlock.again"), password=True, id="passphrase-again")
            yield Static("", id="unlock-message")
        yield Footer()

    def on_mount(self) -> None:
        env = os.environ.get("LVV_PASSPHRASE")
        if env:
            self._open(env)
        else:
            self.query_one("#passphrase", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "passphrase" and self.create:
            self.query_one("#passphrase-again", Input).focus()
            return
        self.action_submit()

    def action_submit(self) -> None:
        if self.busy:
            return
        first = self.query_one("#passphrase", Input).value
        if not first:
            self._message(t("unlock.empty"))
            self.query_one("#passphrase", Input).focus()
            return
        if self.create and first != self.query_one("#passphrase-again", Input).value:
            self._message(t("unlock.differ"))
            self.query_one("#passphrase-again", Input).focus()
            return
        self._open(first)

    def _message(self, text: str) -> None:
        self.query_one("#unlock-message", Static).update(Text(text))

    def _open(self, passphrase: str) -> None:
        self.busy = True
        self._message(t("unlock.opening"))
        path, author, create, laptop = self.path, self.author, self.create, self.laptop

        def job() -> None:
            from db.store import Store

            try:
                if create:
                    path.parent.mkdir(parents=True, exist_ok=True)
                store = Store.open(path, passphrase, author=author, create=create,
                                   laptop=laptop)
            except Exception as exc:  # every failure is shown, the file stays as it was
                self.app.call_from_thread(self._failed, exc)
                return
            self.app.call_from_thread(self.post_message, self.Unlocked(store))

        self.run_worker(job, thread=True, exclusive=True, exit_on_error=False, group="unlock",
                        description="open the database")

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self._message(unlock_error(exc))
        field = self.query_one("#passphrase", Input)
        field.value = ""
        field.focus()
