"""Integrity check, rebuild and the canonical dump."""

from __future__ import annotations

from typing import Any

from db import search_index
from db.projection import (
    WireOp,
    project,
    projection_as_stored,
    read_projection,
    write_projection,
)
from db.store.base import StoreBase
from db.tables import WIRE_COLUMNS


class MaintenanceMixin(StoreBase):
    """Integrity check, rebuild and the canonical dump."""

    # -- integrity ----------------------------------------------------------------------

    def check(self) -> list[str]:
        """Faults found: device_seq gaps, projection vs rebuild, SQLite integrity."""
        faults: list[str] = []
        with self._read() as conn:
            integrity = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
            if [r[0] for r in integrity] != ["ok"]:
                faults.append("sqlite integrity_check: " + "; ".join(r[0] for r in integrity[:5]))
            gaps = conn.exec_driver_sql(
                "SELECT device_id, count(*), min(device_seq), max(device_seq) FROM op "
                "GROUP BY device_id"
            ).fetchall()
            for device_id, count, low, high in gaps:
                if device_id == self.device_id and (low != 1 or high != count):
                    faults.append(f"device_seq of this device {device_id} is not gapless "
                                  f"({count} ops, {low}..{high})")
                elif device_id == self.device_id and high >= self._next_seq:
                    faults.append(f"device_seq counter behind the log ({high} >= "
                                  f"{self._next_seq})")
                elif count != high - low + 1:
                    faults.append(f"device {device_id}: device_seq has gaps "
                                  f"({count} ops, {low}..{high})")
            ops = [WireOp.from_row(r) for r in conn.exec_driver_sql(
                "SELECT " + ", ".join(WIRE_COLUMNS) + " FROM op")]
            stored = read_projection(conn)
            faults += search_index.faults(conn)
        want = projection_as_stored(project(ops))
        stored_rows, want_rows = stored.rows, want.rows
        if stored.heads != want.heads:
            faults.append(f"field heads differ from a rebuild "
                          f"({len(stored.heads ^ want.heads)} differences)")
        if stored.conflict_keys != want.conflict_keys:
            faults.append(f"open conflicts differ from a rebuild "
                          f"({len(stored.conflict_keys ^ want.conflict_keys)} differences)")
        if stored.tombstones != want.tombstones:
            faults.append(f"deletes differ from a rebuild "
                          f"({len(stored.tombstones ^ want.tombstones)} differences)")
        for entity in sorted(set(stored_rows) | set(want_rows)):
            a, b = stored_rows.get(entity, {}), want_rows.get(entity, {})
            if a != b:
                diff = sum(1 for k in set(a) | set(b) if a.get(k) != b.get(k))
                faults.append(f"projection {entity} differs from a rebuild ({diff} rows)")
        return faults

    def rebuild(self) -> None:
        """Recompute every projection from the log."""
        with self._tx() as conn:
            ops = [WireOp.from_row(r) for r in conn.exec_driver_sql(
                "SELECT " + ", ".join(WIRE_COLUMNS) + " FROM op")]
            write_projection(conn, project(ops))
            search_index.rebuild(conn)

    # -- dump ---------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """The current state, canonical: sorted, stable, no device-local fields."""
        with self._read() as conn:
            rows = read_projection(conn).rows
            conflict_heads = conn.exec_driver_sql(
                "SELECT h.entity, h.entity_id, h.field, h.op_id FROM conflict_key k "
                "CROSS JOIN field_head h ON h.entity = k.entity AND h.entity_id = k.entity_id "
                "AND h.field = k.field ORDER BY 1, 2, 3, 4"
            ).fetchall()
            n_ops = conn.exec_driver_sql("SELECT count(*) FROM op").scalar_one()
        state = {
            entity: [rows[entity][k] for k in sorted(rows[entity])] for entity in sorted(rows)
        }
        return {
            "format": "lvv-tui-dump/1",
            "ops": int(n_ops),
            "state": state,
            "conflicts": [list(r) for r in conflict_heads],
        }

