"""Integrity check, rebuild and the canonical dump.

All three work in SQL over the log and stream what they read (:mod:`db.projection_sql`),
so their memory does not grow with the database; check and dump read in a plain
(deferred) transaction: a snapshot that never blocks the app's writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, Any

from sqlalchemy.exc import DBAPIError
from sqlcipher3 import dbapi2 as sqlcipher

import db.store.counter as counter
from db import projection_sql, search_index
from db.store.base import StoreBase, _raw
from db.tables import ENTITIES


class MaintenanceMixin(StoreBase):
    """Integrity check, rebuild and the canonical dump."""

    # -- integrity ----------------------------------------------------------------------

    def integrity_faults(self) -> list[str]:
        """SQLite's own ``PRAGMA integrity_check`` of the file (a read: blocks no writer)."""
        with self._read() as conn:
            integrity = _raw(conn).execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in integrity] != ["ok"]:
            return ["sqlite integrity_check: " + "; ".join(r[0] for r in integrity[:5])]
        return []

    def check(self, *, integrity: bool = True,
              twins: Sequence[Callable[[], MaintenanceMixin]] = ()) -> list[str]:
        """Faults found. What is checked, in three parts (each a read in its own snapshot,
        so the app keeps writing meanwhile):

        1. SQLite's ``PRAGMA integrity_check`` of the file (unless ``integrity`` is false);
        2. the log (:meth:`log_faults`): every device's ``device_seq`` without gaps (this
           device's from 1, its counter ahead of the log), the stored field heads equal to
           the heads of a rebuild, the open conflicts and deletes equal to what the heads
           make;
        3. the tables (:meth:`table_faults`): every projection table equal to the rows a
           rebuild makes from the heads (one per entity with ops, its overleg from its first
           op), the search index equal to a rebuild from the tables.

        ``twins``: ways to open another store on the same file; the first parts then run
        on those, each in a thread of its own, alongside the last (SQLite works outside
        the GIL: the CLI passes two on a machine with more than one core)."""
        cls = MaintenanceMixin
        parts = [cls.log_faults, cls.table_faults]
        if integrity:
            parts.insert(0, cls.integrity_faults)
        if not twins:
            return [fault for part in parts for fault in part(self)]
        from concurrent.futures import ThreadPoolExecutor

        def on_twin(part: Callable[[MaintenanceMixin], list[str]],
                    opener: Callable[[], MaintenanceMixin]) -> list[str]:
            twin = opener()
            try:
                return part(twin)
            finally:
                twin.close()

        n = min(len(twins), len(parts) - 1)
        with ThreadPoolExecutor(n) as pool:
            futures = [pool.submit(on_twin, part, opener)
                       for part, opener in zip(parts, twins[:n], strict=False)]
            mine = [fault for part in parts[n:] for fault in part(self)]
            return [fault for future in futures for fault in future.result()] + mine

    def log_faults(self) -> list[str]:
        """The log against the stored heads, conflicts and deletes, and the sequence of
        every device (part 2 of :meth:`check`), in one snapshot."""
        faults: list[str] = []
        with self._read() as conn:
            raw = _raw(conn)
            # the counter as of this snapshot (the app may be writing as this device now):
            # the saved one moved on by the log, as an open finds it (db.store.counter)
            meta = dict(raw.execute("SELECT key, value FROM meta").fetchall())
            next_seq = counter.derive(raw, meta, self.device_id)[0] if meta else self._next_seq
            # a laptop that pulls from PostgreSQL as a role (its cursor key names the role)
            # does not receive what need-to-know withholds (issue 10): another device's
            # numbers may then skip the ops meant for other organisations, so only this
            # device's own counter is held to be gapless there
            withheld = raw.execute(
                "SELECT EXISTS (SELECT 1 FROM sync_cursor WHERE server LIKE 'hub:%/%')"
            ).fetchone()[0]
            # one pass over the log: the sequence of every device and its ops in the heads
            log = projection_sql.log_pass(raw)
            for device_id, count, low, high, *_heads in log:
                if device_id == self.device_id and (low != 1 or high != count):
                    faults.append(f"device_seq of this device {device_id} is not gapless "
                                  f"({count} ops, {low}..{high})")
                elif device_id == self.device_id and high >= next_seq:
                    faults.append(f"device_seq counter behind the log ({high} >= "
                                  f"{next_seq})")
                elif count != high - low + 1 and not withheld:
                    faults.append(f"device {device_id}: device_seq has gaps "
                                  f"({count} ops, {low}..{high})")
            faults += projection_sql.check_projection(raw, log)
        return faults

    def table_faults(self) -> list[str]:
        """The projection tables against the heads, the search index against the tables
        (part 3 of :meth:`check`), in one snapshot; and the index queue if a catch-up
        cannot empty it now (its rows are no fault of the index, but search misses them)."""
        stuck = self.index_queue_faults()
        with self._read() as conn:
            return projection_sql.check_rows(_raw(conn)) + search_index.faults(conn) + stuck

    def index_queue_faults(self) -> list[str]:
        """A catch-up of the search index now: what it leaves behind when it fails (the
        writes, the open and search go on without it, so only ``check`` says so)."""
        if not self._queue:
            return []
        with self._read() as conn:  # nothing queued (the usual case): check only reads
            if not search_index.pending(_raw(conn)):
                return []
        try:
            self.catch_up_index()
        except (DBAPIError, sqlcipher.Error) as exc:
            with self._read() as conn:
                n = _raw(conn).execute("SELECT count(*) FROM (SELECT DISTINCT kind, "
                                       "entity_id FROM search_pending)").fetchone()[0]
            return [f"search index: {n} changed row(s) not indexed, the catch-up fails "
                    f"({type(exc).__name__}: {exc})"]
        return []

    def rebuild(self) -> None:
        """Recompute every projection (and the search index) from the log."""
        with self._tx() as conn:
            projection_sql.rebuild(_raw(conn))

    # -- dump ---------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """The current state, canonical: sorted, stable, no device-local fields."""
        with self._read() as conn:
            raw = _raw(conn)
            state = {}
            for entity in sorted(ENTITIES):
                rows = list(projection_sql.iter_rows(raw, entity))
                if rows:
                    state[entity] = rows
            conflict_heads = projection_sql.conflict_heads(raw)
            n_ops = raw.execute("SELECT count(*) FROM op").fetchone()[0]
        return {
            "format": "lvv-tui-dump/1",
            "ops": int(n_ops),
            "state": state,
            "conflicts": conflict_heads,
        }

    def write_dump(self, out: IO[str]) -> None:
        """:meth:`dump` as canonical JSON text (sorted keys, indent 1), streamed to ``out``."""
        with self._read() as conn:
            projection_sql.write_dump(_raw(conn), out)
