"""The two tables of the agenda item screen: the partners' views and the actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from lvv_tui.i18n import t
from screens.widgets.tables import selected_key


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
