"""Published agenda versions: the snapshot of an agenda and the changes between two.

Pure functions (no database): the store (:mod:`db.store.publication`) takes a snapshot of
the agenda on every write after publication and, when it differs from the last published
one, writes the next version with :func:`changes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Default lead time: the agenda goes out this many days before the meeting.
DEFAULT_LEAD_DAYS = 7


@dataclass(frozen=True)
class Change:
    """One change of a version: ``added``, ``removed``, ``moved``, ``confidential``,
    ``not_confidential`` or ``retitled``; ``number`` is the item's number (1-based) in the
    agenda it now belongs to (the old one for ``removed``), ``to`` the new number of a moved
    item."""

    change: str
    number: int
    label: str = ""
    to: int | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"change": self.change, "number": self.number,
                               "label": self.label}
        if self.to is not None:
            out["to"] = self.to
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        return cls(str(data.get("change", "")), int(data.get("number", 0)),
                   str(data.get("label", "")), data.get("to"))


@dataclass(frozen=True)
class Publication:
    """One version of a published agenda."""

    meeting_id: str
    version: int
    published_on: dt.date
    published_by: str
    late: bool
    """Published later than the overleg's lead time before the meeting."""
    changes: tuple[Change, ...] = ()
    items: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)
    """The agenda as it stood: ``{"id", "kind", "case_id", "label", "confidential"}``."""


def snapshot(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The parts of an agenda that a partner prepares from, in agenda order."""
    return [{"id": r["id"], "kind": r["kind"], "case_id": r.get("case_id"),
             "label": r.get("label") or "", "confidential": bool(r.get("confidential"))}
            for r in rows]


def _kept_in_order(old_index: Sequence[int]) -> set[int]:
    """Positions (in ``old_index``) of a longest increasing run: the items that stayed."""
    import bisect

    tails: list[int] = []
    tail_at: list[int] = []
    prev: list[int] = [-1] * len(old_index)
    for i, value in enumerate(old_index):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[k] = value
            tail_at[k] = i
        prev[i] = tail_at[k - 1] if k else -1
    kept: set[int] = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        kept.add(i)
        i = prev[i]
    return kept


def changes(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[Change]:
    """What changed from ``old`` to ``new`` (snapshots), as "punt 4 toegevoegd" and so on."""
    old_pos = {x["id"]: n for n, x in enumerate(old)}
    new_pos = {x["id"]: n for n, x in enumerate(new)}
    out: list[Change] = []
    for n, x in enumerate(old):
        if x["id"] not in new_pos:
            out.append(Change("removed", n + 1, x.get("label", "")))
    common = [x for x in new if x["id"] in old_pos]
    kept = _kept_in_order([old_pos[x["id"]] for x in common])
    for i, x in enumerate(common):
        if i not in kept:
            out.append(Change("moved", old_pos[x["id"]] + 1, x.get("label", ""),
                              new_pos[x["id"]] + 1))
    for n, x in enumerate(new):
        before = old[old_pos[x["id"]]] if x["id"] in old_pos else None
        if before is None:
            out.append(Change("added", n + 1, x.get("label", "")))
            continue
        if bool(before.get("confidential")) != bool(x.get("confidential")):
            out.append(Change("confidential" if x.get("confidential") else "not_confidential",
                              n + 1, x.get("label", "")))
        if (before.get("label") or "") != (x.get("label") or ""):
            out.append(Change("retitled", n + 1, x.get("label", "")))
    order = {"removed": 0, "added": 1, "moved": 2}
    out.sort(key=lambda c: (order.get(c.change, 3), c.number))
    return out


def is_late(published_on: dt.date, meeting_date: dt.date, lead_days: int | None) -> bool:
    """Published later than ``lead_days`` (default 7) before the meeting."""
    days = DEFAULT_LEAD_DAYS if lead_days is None else lead_days
    return published_on > meeting_date - dt.timedelta(days=days)
