"""Domain objects of issue 17: where a conflict is, what holds one, what sync changed.

Re-exported by :mod:`db.domain` (``d.ConflictPlace`` …); kept apart to keep that file short.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple


class RecordChange(NamedTuple):
    """A value that arrived from another laptop (what sync applied): which record, by whom.

    A named tuple: a pull of many ops makes one per op, cheaply."""

    entity: str
    entity_id: str
    field: str
    author: str
    device_id: str
    hlc: str

    @property
    def written_at(self) -> dt.datetime:
        """Wall time of the op's clock reading (UTC)."""
        return dt.datetime.fromtimestamp(int(self.hlc.split("-", 1)[0]) / 1000, tz=dt.UTC)


@dataclass(frozen=True)
class ConflictPlace:
    """Where a conflict is, in the words of the record (for the conflicts screen)."""

    overleg: str | None = None
    meeting_id: str | None = None
    meeting_date: str | None = None
    item_id: str | None = None
    item_title: str | None = None
    item_position: int | None = None
    case_id: str | None = None
    case_code: str | None = None
    organisation_id: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class ConflictMarks:
    """What holds an open conflict: meetings, agenda items, and records (entity, id)."""

    meetings: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()
    records: frozenset[tuple[str, str]] = frozenset()
