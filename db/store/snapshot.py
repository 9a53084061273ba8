"""Loading a hub's snapshot into an empty laptop, in one pass and one transaction.

The ops go into the log chunk by chunk (pushed, in the snapshot's order), each checked as a
pulled op is (:func:`db.wire_fast.screen`: one that fails is kept in quarantine, never
applied). Reading and checking a chunk run in a thread of their own (:mod:`db.read_ahead`)
while this one writes the previous chunk, :data:`BLOCK` ops per INSERT (one SQLite step,
which holds no GIL, instead of one per op); each entity's first op is noted from the pages
just written. Then the projection is computed in SQL from the whole log
(:func:`db.projection_sql.rebuild`: the rows in one statement per table, its indexes and the
search index made after, in bulk) and the pull cursor set to the snapshot's top. All of it is one local transaction: a laptop
killed half-way is as empty as before, never half full.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from typing import Any

from db import projection_sql, retention
from db.clock import MAX_SKEW_MS, Timestamp, now_ms
from db.projection import WireOp
from db.read_ahead import read_ahead
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
#: ops per INSERT statement of many rows: one SQLite step (no GIL) per block, not per op
#: (a divisor of :data:`db.sync_join.CHUNK`, so that no op of a full chunk goes alone)
BLOCK = 1000
#: page cache while the log is written (KiB): most of the op id index stays in it, instead
#: of its pages being evicted and read back for every other insert
LOAD_CACHE_KIB = 65536
_QUARANTINE = ("INSERT OR IGNORE INTO op_quarantine (op_id, source, reason, payload, at_ms) "
               "VALUES (?, ?, ?, ?, ?)")
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
        received_at) of the chunk just read (filled by the snapshot), kept in ``op_origin``.

        The chunks are read and checked in a thread of their own (:mod:`db.read_ahead`)
        while this one writes the previous chunk: reading and checking hold the GIL,
        SQLite's steps do not."""
        wall = now_ms()
        result = SnapshotResult()
        with self._tx() as conn:
            raw = _raw(conn)
            if not self._empty_in(raw):
                return None
            newest = self._clock.last.encode()
            mine = 0
            projection_sql.create_owners(raw)
            prepared = _prepare(chunks, origins, source=source, wall=wall,
                                device=self.device_id)
            # one chunk waits while one is written and the next is read: memory (the
            # Python heap keeps its high mark, and the heads' page cache comes on top)
            with read_ahead(prepared, depth=1) as batches, \
                    projection_sql.big_cache(raw, LOAD_CACHE_KIB):
                for batch in batches:
                    _write(raw, batch, result.applied)
                    result.quarantined += len(batch.bad)
                    result.applied += batch.applied
                    result.skewed += batch.skewed
                    newest = max(newest, batch.latest)
                    mine = max(mine, batch.mine)
                    if on_chunk is not None:
                        on_chunk(batch.read)
            projection_sql.rebuild(raw, owners_made=True)
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
            self._save_meta(conn)
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


@cache
def _block_insert(skew: bool, size: int) -> str:
    """The INSERT of ``size`` ops at once (as :data:`_INSERT` or :data:`_INSERT_SKEW` for
    each), its parameters the ops' flattened."""
    head, row = (_INSERT_SKEW if skew else _INSERT).split(" VALUES ")
    return f"{head} VALUES {', '.join([row] * size)}"


@dataclass
class _Batch:
    """A chunk of the snapshot, checked and made ready to write (in the reading thread)."""

    read: int  # ops in the chunk
    bad: list[tuple[str, str, str, str, int]] = field(default_factory=list)  # quarantined
    blocks: list[tuple[Any, ...]] = field(default_factory=list)  # ``size`` ops, flattened
    size: int = BLOCK
    rest: list[tuple[Any, ...]] = field(default_factory=list)  # the ops after the blocks
    skew: bool = False  # rows carry the skewed flag (_INSERT_SKEW)
    edges: list[tuple[str, str]] = field(default_factory=list)  # op_base
    origin: list[tuple[str, str, str]] = field(default_factory=list)  # op_origin
    applied: int = 0
    skewed: int = 0
    latest: str = ""  # the greatest hlc of the ops that are not skewed
    mine: int = 0  # the greatest device_seq of this device's ops


def _prepare(chunks: Iterable[list[WireOp]], origins: Mapping[str, tuple[str, str]] | None,
             *, source: str, wall: int, device: str) -> Iterator[_Batch]:
    """Check each chunk as a pull does (:func:`db.wire_fast.screen`: an op that fails is
    quarantined) and make its rows; no SQLite here (this runs in the reading thread).
    ``origins`` holds the chunk just read, so it is read before the next is asked for."""
    from db.wire_fast import screen

    ahead = Timestamp(wall + MAX_SKEW_MS, 99999).encode()  # a later hlc is skewed
    flat = chain.from_iterable
    size = BLOCK
    for chunk in chunks:
        good, bad = screen(chunk)
        batch = _Batch(len(chunk), [(str(op[0]), source, reason, _payload(op), wall)
                                    for op, reason in bad], size=size)
        if good:
            # hlc text sorts as its reading: one max per chunk, not a test per op
            rows: list[Any] = good
            latest = max(op.hlc for op in good)
            if latest > ahead:
                skews = [op.hlc > ahead for op in good]
                rows = [(*op, int(skew)) for op, skew in zip(good, skews, strict=True)]
                batch.skew, batch.skewed = True, sum(skews)
                latest = max((op.hlc for op, skew in zip(good, skews, strict=True)
                              if not skew), default="")
            whole = len(rows) - len(rows) % size
            batch.blocks = [tuple(flat(rows[i:i + size])) for i in range(0, whole, size)]
            batch.rest = rows[whole:]
            batch.latest, batch.applied = latest, len(good)
            batch.mine = max((op.device_seq for op in good if op.device_id == device),
                             default=0)
            batch.edges = [(op.id, b) for op in good if op.base != "[]" for b in op.base_ids]
            if origins:
                batch.origin = [(op.id, *origins[op.id]) for op in good if op.id in origins]
        yield batch


def _write(raw: Any, batch: _Batch, before: int) -> None:
    """Write a prepared chunk into the log; ``before``: ops in the log before it (the log
    was empty, so its ops are local_seq ``before + 1`` on)."""
    if batch.bad:
        raw.executemany(_QUARANTINE, batch.bad)
    if not batch.applied:
        return
    block = _block_insert(batch.skew, batch.size)
    for params in batch.blocks:
        raw.execute(block, params)
    if batch.rest:
        raw.executemany(_INSERT_SKEW if batch.skew else _INSERT, batch.rest)
    # each entity's first op, from the pages just written (no second read of the log)
    projection_sql.add_owners(raw, after=before)
    if batch.edges:
        raw.executemany("INSERT OR IGNORE INTO op_base (op_id, base_id) VALUES (?, ?)",
                        batch.edges)
    if batch.origin:
        raw.executemany("INSERT OR IGNORE INTO op_origin (op_id, pushed_by, received_at) "
                        "VALUES (?, ?, ?)", batch.origin)


def _payload(op: Iterable[object]) -> str:
    return json.dumps(list(op), default=str, ensure_ascii=False)


__all__ = ["SnapshotMixin", "SnapshotResult"]
