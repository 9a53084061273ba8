"""How an agenda item is named on screen (shared by the meeting and item screens)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from db import domain as d
from lvv_tui import presentation
from lvv_tui.i18n import label
from screens.widgets.base import literal


def item_title(item: d.AgendaItem, cases: Mapping[str, d.Case]) -> Text:
    """The agenda's name of an item as Rich text: the words of
    :func:`lvv_tui.presentation.item_title` (short form), never parsed as markup."""
    case = cases.get(item.case_id) if item.case_id else None
    return literal(presentation.item_title(item, case, short=True), one_line=True)


STATUS_STYLE = {
    d.ItemStatus.OPEN: "",
    d.ItemStatus.DISCUSSED: "green",
    d.ItemStatus.DEFERRED: "yellow",
}


def status_cell(item: d.AgendaItem) -> Text:
    return Text(label(item.status), style=STATUS_STYLE[item.status])
