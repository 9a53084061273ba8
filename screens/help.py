"""Help (F1): every key of the screen you came from, with its id for the keymap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static

from lvv_tui.i18n import t
from screens.keys import help_rows
from screens.widgets.base import ScreenBase


def binding_rows(screen: Screen[Any], app: App[object],
                 keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(keys, description, id) of the screen, its widgets and the app; keymap applied."""
    nodes: list[DOMNode] = [screen, *screen.query("*"), app]
    rows = help_rows(nodes, app, keymap)
    if all(binding_id != "command-palette" for _keys, _text, binding_id in rows):
        rows.append(("ctrl+p", t("help.palette"), "command-palette"))
    return rows


class HelpScreen(ScreenBase, ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    HelpScreen #help-title { text-style: bold; }
    HelpScreen #help-intro { height: auto; margin-bottom: 1; }
    HelpScreen DataTable { height: auto; max-height: 28; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close", id="help-close"),
    ]

    def __init__(self, origin: Screen) -> None:
        super().__init__()
        self.origin = origin

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("help.title"), id="help-title")
            yield Static(Text(t("help.intro")), id="help-intro")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(t("help.col.keys"), key="keys")
        table.add_column(t("help.col.action"), key="action")
        table.add_column(t("help.col.id"), key="id")
        for keys, description, binding_id in binding_rows(self.origin, self.app, self.ctx.keymap):
            table.add_row(Text(keys), Text(description), Text(binding_id, style="dim"),
                          key=binding_id)
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
