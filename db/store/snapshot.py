"""Loading a hub's snapshot into an empty laptop, in one pass and one transaction.

The ops go into the log with ``executemany`` chunk by chunk (pushed, in the snapshot's
order), each checked as a pulled op is (:func:`db.wire_fast.screen`: one that fails is kept in
quarantine, never applied); then the projection is computed in SQL from the whole log
(:func:`db.projection_sql.rebuild`: the rows in one statement per table, its indexes and the
search index made after, in bulk) and the
pull cursor set to the snapshot's top. All of it is one local transaction: a laptop
killed half-way is as empty as before, never half full.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from db import projection_sql, retention
from db.clock import MAX_SKEW_MS, Timestamp, now_ms
from db.projection import WireOp
from db.store.base import StoreBase, _raw
from db.tables import WIRE_COLUMNS

# local_seq is left to SQLite: the log is empty, so the rowids it hands out are 1, 2, 3 ...
# in the snapshot's order, as a pull would number them; the op tuples go in as they are
_INSERT = (
    f"INSERT INTO op ({', '.join(WIRE_COLUMNS)}, pushed, skewed) "
    f"VALUES ({', '.join('?' * len(WIRE_COLUMNS))}, 1, 0)"
)
_INSERT_SKEW = (
    f"INSERT INTO op ({', '.join(WIRE_COLUMNS)}, pushed, skewed) "
    f"VALUES ({', '.join('?' * len(WIRE_COLUMNS))}, 1, ?)"
)
_QUARANTINE = ("INSERT OR IGNORE INTO op_quarantine (op_id, source, reason, payload, at_ms) "
               "VALUES (?, ?, ?, ?, ?)")
#: page cache while the log is written (KiB); below the rebuild's, so no higher peak
LOAD_CACHE_KIB = 65536
#: entities whose rows a fresh laptop's open screens list (their changes are reported)
_LISTED = ("overleg", "meeting")


@dataclass
class SnapshotResult:
    """What loading a snapshot did."""

    applied: int = 0
    skewed: int = 0
    quarantined: int = 0
    changes: tuple = ()


class SnapshotMixin(StoreBase):
    """Joining from a snapshot."""

    def is_empty(self) -> bool:
        """No op in the log and nothing in quarantine: a laptop that has never received
        nor written anything."""
        with self._read() as conn:
            return self._empty_in(_raw(conn))

    def load_snapshot(
        self, chunks: Iterable[list[WireOp]], *, server: str, cursor: int, source: str,
        on_chunk: Callable[[int], None] | None = None,
        origins: Mapping[str, tuple[str, str]] | None = None,
    ) -> SnapshotResult | None:
        """Load every chunk, rebuild the projection and set ``server``'s cursor to
        ``cursor``, in one transaction. Returns None (and loads nothing) when the log is
        not empty any more (the app wrote while the round began): the caller pulls instead.

        ``on_chunk(n)`` is called after each chunk of ``n`` ops is in the log, before the
        commit (progress; a crash test's checkpoint). ``origins``: op id -> (pushed_by,
        received_at) of the chunk just read (filled by the snapshot), kept in ``op_origin``."""
        from db.wire_fast import screen

        wall = now_ms()
        ahead = Timestamp(wall + MAX_SKEW_MS, 99999).encode()  # a later hlc is skewed
        result = SnapshotResult()
        with self._tx() as conn:
            raw = _raw(conn)
            if not self._empty_in(raw):
                return None
            newest = self._clock.last.encode()
            mine = 0
            device = self.device_id
            # the op id index (random ids) stays in the cache instead of being evicted and
            # read back for the inserts that follow
            with projection_sql.big_cache(raw, LOAD_CACHE_KIB):
                for chunk in chunks:
                    good, bad = screen(chunk)
                    if bad:
                        raw.executemany(_QUARANTINE, [
                            (str(op[0]), source, reason, _payload(op), wall)
                            for op, reason in bad])
                        result.quarantined += len(bad)
                    if not good:
                        if on_chunk is not None:
                            on_chunk(len(chunk))
                        continue
                    # hlc text sorts as its reading: one max per chunk, not a test per op
                    latest = max(op.hlc for op in good)
                    if latest > ahead:
                        skews = [op.hlc > ahead for op in good]
                        raw.executemany(_INSERT_SKEW, [
                            (*op, int(skew)) for op, skew in zip(good, skews, strict=True)])
                        result.skewed += sum(skews)
                        latest = max((op.hlc for op, skew in zip(good, skews, strict=True)
                                      if not skew), default="")
                    else:
                        raw.executemany(_INSERT, good)
                    if latest > newest:
                        newest = latest
                    mine = max(mine, max((op.device_seq for op in good
                                          if op.device_id == device), default=0))
                    edges = [(op.id, b) for op in good if op.base != "[]" for b in op.base_ids]
                    if edges:
                        raw.executemany(
                            "INSERT OR IGNORE INTO op_base (op_id, base_id) VALUES (?, ?)",
                            edges)
                    if origins:
                        raw.executemany(
                            "INSERT OR IGNORE INTO op_origin (op_id, pushed_by, received_at) "
                            "VALUES (?, ?, ?)",
                            [(op.id, *origins[op.id]) for op in good if op.id in origins])
                    result.applied += len(good)
                    if on_chunk is not None:
                        on_chunk(len(chunk))
            projection_sql.rebuild(raw)
            # retention (issue 10): a case anonymised by a redaction op in the snapshot
            # keeps nothing more here than after a pull, even if the server has not erased
            redacted = retention.redacted_cases(raw)
            erased = bool(redacted) and retention.erase(raw, redacted) >= 0
            if newest > self._clock.last.encode():
                self._clock.observe(newest)
            if mine >= self._next_seq:
                self._next_seq = mine + 1
            raw.execute(
                "INSERT INTO sync_cursor (server, cursor, last_sync_ms) VALUES (?, ?, ?) "
                "ON CONFLICT(server) DO UPDATE SET cursor = excluded.cursor, "
                "last_sync_ms = excluded.last_sync_ms", (server, cursor, wall))
            result.changes = self._listed_changes(raw)
            self._save_meta(conn, scan=False)  # every op counted above
        if erased:
            self.checkpoint_erased()
        return result

    @staticmethod
    def _empty_in(raw: Any) -> bool:
        return not any(raw.execute(f"SELECT EXISTS (SELECT 1 FROM {t})").fetchone()[0]
                       for t in ("op", "op_quarantine"))

    @staticmethod
    def _listed_changes(raw: Any) -> tuple:
        """A change per overleg and meeting (not one per op: a snapshot may hold a
        million), so that a list a screen shows learns of them."""
        from db.domain import RecordChange

        out = []
        for entity in _LISTED:
            out += [RecordChange(entity, row[0], "", "", "", "") for row in raw.execute(
                f"SELECT id FROM {projection_sql._table(entity)}")]
        return tuple(out)


def _payload(op: Iterable[object]) -> str:
    return json.dumps(list(op), default=str, ensure_ascii=False)


__all__ = ["SnapshotMixin", "SnapshotResult"]
