"""Integrity check, rebuild and the canonical dump.

All three work in SQL over the log and stream what they read (:mod:`db.projection_sql`),
so their memory does not grow with the database; check and dump read in a plain
(deferred) transaction: a snapshot that never blocks the app's writes.
"""

from __future__ import annotations

from typing import IO, Any

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

    def check(self, *, integrity: bool = True) -> list[str]:
        """Faults found: device_seq gaps, projection vs rebuild, SQLite integrity (unless
        ``integrity`` is false: the CLI runs that one on a second connection alongside)."""
        faults = self.integrity_faults() if integrity else []
        with self._read() as conn:
            raw = _raw(conn)
            gaps = raw.execute(
                "SELECT device_id, count(*), min(device_seq), max(device_seq) FROM op "
                "GROUP BY device_id"
            ).fetchall()
            # the counter as of this snapshot: the app may be writing as this device now
            row = raw.execute("SELECT value FROM meta WHERE key = 'device_seq'").fetchone()
            next_seq = int(row[0]) if row else self._next_seq
            # a laptop that pulls from PostgreSQL as a role (its cursor key names the role)
            # does not receive what need-to-know withholds (issue 10): another device's
            # numbers may then skip the ops meant for other organisations, so only this
            # device's own counter is held to be gapless there
            withheld = raw.execute(
                "SELECT EXISTS (SELECT 1 FROM sync_cursor WHERE server LIKE 'hub:%/%')"
            ).fetchone()[0]
            for device_id, count, low, high in gaps:
                if device_id == self.device_id and (low != 1 or high != count):
                    faults.append(f"device_seq of this device {device_id} is not gapless "
                                  f"({count} ops, {low}..{high})")
                elif device_id == self.device_id and high >= next_seq:
                    faults.append(f"device_seq counter behind the log ({high} >= "
                                  f"{next_seq})")
                elif count != high - low + 1 and not withheld:
                    faults.append(f"device {device_id}: device_seq has gaps "
                                  f"({count} ops, {low}..{high})")
            faults += projection_sql.check_projection(raw)
            faults += search_index.faults(conn)
        return faults

    def rebuild(self) -> None:
        """Recompute every projection from the log."""
        with self._tx() as conn:
            projection_sql.rebuild(_raw(conn))
            search_index.rebuild(conn)

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
