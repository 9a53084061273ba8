"""The two tables of the agenda item screen: the partners' views and the actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from db import domain as d
from lvv_tui.i18n import label, t
from screens.widgets.tables import fit_column, selected_key, set_width


def fmt_seconds(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def name_width(screen_width: int) -> int:
    """How wide organisation names are shown: whole names from 150 columns on."""
    return 34 if screen_width >= 150 else 18


def fit_item_columns(views: DataTable, actions: DataTable, screen_width: int) -> None:
    """Column widths for the terminal's width: from 120 columns the position column fits
    the longest position label, from 150 the organisation names; notes and action texts
    take what is left."""
    names = name_width(screen_width)
    position = 16 if screen_width < 120 else max(len(label(p)) for p in d.Position)
    set_width(views, "org", names)
    set_width(views, "position", position)
    set_width(actions, "owner", names if screen_width >= 150 else 16)
    fit_column(views, "note")
    fit_column(actions, "text")


class ViewsTable(DataTable):
    """One row per organisation at the table; enter records its view."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Record view", id="view-record"),
        Binding("x", "not_here", "", id="view-x", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="views", cursor_type="row")

    def action_not_here(self) -> None:
        """``x`` closes an action: say where, instead of doing nothing."""
        self.notify(t("close.x_on_views"), severity="warning", markup=False)


class ActionsTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Edit action", id="action-edit"),
        Binding("x", "close_action", "Done", id="action-close"),
    ]

    @dataclass
    class CloseRequested(Message):
        """The user marked an action done."""

        action_id: str

    def __init__(self) -> None:
        super().__init__(id="actions", cursor_type="row")

    def action_close_action(self) -> None:
        key = selected_key(self)
        if key is not None:
            self.post_message(self.CloseRequested(key))
