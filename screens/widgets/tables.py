"""DataTable helpers: update rows by key instead of clearing and refilling."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

Cell = Text | str


def sync_rows(table: DataTable, rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
    """Make ``table`` show ``rows`` (key, cells) in that order, keeping the cursor's row.

    Rows that stay get ``update_cell`` for the cells that changed; only a change in the
    set or order of keys rebuilds the table.
    """
    columns = list(table.columns)
    wanted = [key for key, _ in rows]
    current = [row_key.value for row_key in table.rows]
    cursor_key = None
    if table.row_count and 0 <= table.cursor_row < table.row_count:
        cursor_key = current[table.cursor_row] if table.cursor_row < len(current) else None
    if wanted == current:
        for key, cells in rows:
            old = table.get_row(key)
            for column, old_cell, new_cell in zip(columns, old, cells, strict=False):
                if _plain(old_cell) != _plain(new_cell) or _style(old_cell) != _style(new_cell):
                    table.update_cell(key, column, new_cell, update_width=True)
        return
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if cursor_key is not None:
        with contextlib.suppress(RowDoesNotExist):
            table.move_cursor(row=table.get_row_index(cursor_key), animate=False)


def _plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def _style(cell: object) -> str:
    return str(cell.style) if isinstance(cell, Text) else ""


def selected_key(table: DataTable) -> str | None:
    """The key of the row under the cursor, or None for an empty table."""
    if not table.row_count:
        return None
    try:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    except Exception:  # noqa: BLE001 - no valid cursor
        return None
    return key.value


def fit_column(table: DataTable, key: str, minimum: int = 8) -> None:
    """Give column ``key`` the width the others leave (call on resize): same width every run."""
    column = table.columns.get(key)  # type: ignore[call-overload]
    if column is None or not table.size.width:
        return
    others = sum(c.width for k, c in table.columns.items() if k.value != key)
    padding = 2 * table.cell_padding * len(table.columns)
    width = max(minimum, table.size.width - others - padding - 1)
    _resize(table, column, width)


def fit_texts(table: DataTable, key: str, texts: dict[str, Text], minimum: int = 12) -> None:
    """Column ``key`` shows ``texts`` (row key → text) whole where the other columns leave
    room, else cut with "…" (never silently): the table never runs off the right edge.
    Call after the rows are in and again on resize."""
    from rich.cells import cell_len

    if key not in [k.value for k in table.columns] or not table.size.width:
        return
    others = sum(c.get_render_width(table) for k, c in table.columns.items() if k.value != key)
    room = max(minimum, table.scrollable_content_region.width - others
               - 2 * table.cell_padding)
    for row_key, text in texts.items():
        if row_key not in table.rows:
            continue
        shown = text
        if cell_len(text.plain) > room:
            shown = text.copy()
            shown.truncate(room, overflow="ellipsis")
        if _plain(table.get_cell(row_key, key)) != shown.plain:
            table.update_cell(row_key, key, shown, update_width=True)


def set_width(table: DataTable, key: str, width: int) -> None:
    """Give column ``key`` exactly ``width`` cells (a wider terminal: names whole)."""
    column = table.columns.get(key)  # type: ignore[call-overload]
    if column is not None:
        _resize(table, column, width)


def _resize(table: DataTable, column: Any, width: int) -> None:
    if column.width != width or column.auto_width:
        column.width = width
        column.auto_width = False
        table._require_update_dimensions = True  # noqa: SLF001 - no public way to resize
        table._clear_caches()  # noqa: SLF001
        table.refresh(layout=True)
