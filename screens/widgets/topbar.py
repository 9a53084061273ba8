"""The top bar of the main screens: where you are, and the extensions' status widgets."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from screens.context import context_of


class TopBar(Horizontal):
    """Title on the left; the context's ``status_widgets`` on the right (id ``status-slot``).

    Its style is in ``topbar.tcss``, loaded by the app with the screens' style sheets.
    """

    def __init__(self, title: Text | str = "") -> None:
        super().__init__()
        self._title = title

    def compose(self) -> ComposeResult:
        yield Static(self._title if isinstance(self._title, Text) else Text(self._title),
                     id="topbar-title")
        with Horizontal(id="status-slot"):
            for factory in context_of(self).status_widgets:
                yield factory()

    def set_title(self, title: Text | str) -> None:
        self.query_one("#topbar-title", Static).update(
            title if isinstance(title, Text) else Text(title)
        )
