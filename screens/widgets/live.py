"""Live screens: what a screen does when sync brings values from other laptops.

The app posts :class:`lvv_tui.app.LvvApp.RecordsChanged` to every open screen; a screen
reads again what it shows (its tables are updated by row key, so cursor and scroll stay)
and marks for a moment the rows someone else changed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

#: how long a row changed by someone else stays marked (seconds)
FLASH_SECONDS = 3.0
FLASH_STYLE = "reverse"


def flash_rows(table: DataTable, keys: Iterable[str], column: str) -> None:
    """Mark ``column`` of the rows ``keys`` (those still shown) as just changed."""
    for key in keys:
        if key not in table.rows:
            continue
        cell = table.get_cell(key, column)
        text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
        text.stylize(FLASH_STYLE)
        table.update_cell(key, column, text)


def others(changes: Iterable, me: str) -> list:
    """The changes made on other laptops."""
    return [c for c in changes if c.device_id != me]


def remember_flash(screen: Any, changes: Iterable, entity: str, prefix: str) -> None:
    """Note the rows (ids after ``prefix``) of ``entity`` that others changed, to mark them
    once the screen has read them again (:func:`flash_pending`)."""
    me = screen.store.device_id
    screen._live_flash = {c.entity_id[len(prefix):] for c in others(changes, me)
                          if c.entity == entity and c.entity_id.startswith(prefix)}


def flash_pending(screen: Any, table: DataTable, column: str) -> None:
    """Mark the rows noted by :func:`remember_flash`; after a moment, show them plainly."""
    keys = getattr(screen, "_live_flash", set())
    screen._live_flash = set()
    if keys:
        flash_rows(table, keys, column)
        screen.set_timer(FLASH_SECONDS,
                         lambda: screen.data is not None and screen.show(screen.data))
