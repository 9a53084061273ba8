"""How an agenda item is named on screen (shared by the meeting and item screens)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from db import domain as d
from lvv_tui.i18n import label
from screens.widgets.base import literal


def item_title(item: d.AgendaItem, cases: Mapping[str, d.Case]) -> Text:
    """``LVV-0012 (Nigeriaanse)`` for a case, the kind (and title) for general items."""
    if item.kind is d.ItemKind.CASE and item.case_id:
        case = cases.get(item.case_id)
        if case is None:
            return Text(label(item.kind))
        text = literal(case.code, one_line=True)
        if case.nationality:
            text.append(" · ")
            text.append_text(literal(case.nationality, one_line=True))
        return text
    text = Text(label(item.kind))
    if item.title:
        text.append(": ")
        text.append_text(literal(item.title, one_line=True))
    return text


STATUS_STYLE = {
    d.ItemStatus.OPEN: "",
    d.ItemStatus.DISCUSSED: "green",
    d.ItemStatus.DEFERRED: "yellow",
}


def status_cell(item: d.AgendaItem) -> Text:
    return Text(label(item.status), style=STATUS_STYLE[item.status])
