"""Conflicts, history, sync support and bulk import."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from db import domain as d
from db import projection_sql, retention
from db.clock import is_skewed, now_ms
from db.engine import StoreError
from db.projection import (
    WireOp,
    dumps,
    next_local_seq,
)
from db.projection_batch import apply_batch
from db.store.base import _DELETE_CONFLICTS, ApplyResult, StoreBase, _raw
from db.store.opfactory import OpFactory
from db.tables import DELETED, WIRE_COLUMNS, entity_fields

_UNPUSHED = ("SELECT local_seq, " + ", ".join(WIRE_COLUMNS) + " FROM op WHERE pushed = 0 "
             "ORDER BY local_seq LIMIT ?")


def _may_skew(ops: Sequence[WireOp], wall: int) -> bool:
    """Whether any op may be stamped too far ahead (one comparison of the latest reading:
    readings sort as text)."""
    return bool(ops) and is_skewed(max(op.hlc for op in ops), wall)


class ReplicationMixin(StoreBase):
    """Conflicts, history, sync support and bulk import."""

    # -- conflicts --------------------------------------------------------------------

    def conflicts(self, overleg_id: str | None = None) -> list[d.Conflict]:
        """Every open conflict: concurrent values of one field, or a delete vs an edit."""
        with self._read() as conn:
            keys = conn.exec_driver_sql(
                "SELECT entity, entity_id, field FROM conflict_key"
            ).fetchall()
            delete_keys = conn.exec_driver_sql(_DELETE_CONFLICTS).fetchall()
            out = []
            for entity, entity_id, field in sorted(set(map(tuple, keys)) | set(
                    map(tuple, delete_keys))):
                if field == DELETED:
                    sql = (
                        "SELECT o.id, o.value, o.author, o.device_id, o.hlc, o.overleg_id, g.pushed_by "
                        "FROM field_head h JOIN op o ON o.id = h.op_id "
                        "LEFT JOIN op_origin g ON g.op_id = o.id WHERE h.entity = ? "
                        "AND h.entity_id = ?"
                    )
                    params: tuple = (entity, entity_id)
                else:
                    sql = (
                        "SELECT o.id, o.value, o.author, o.device_id, o.hlc, o.overleg_id, g.pushed_by "
                        "FROM field_head h JOIN op o ON o.id = h.op_id "
                        "LEFT JOIN op_origin g ON g.op_id = o.id WHERE h.entity = ? "
                        "AND h.entity_id = ? AND h.field = ?"
                    )
                    params = (entity, entity_id, field)
                rows = conn.exec_driver_sql(sql, params).fetchall()
                if overleg_id and rows[0][5] != overleg_id:
                    continue
                rows.sort(key=lambda r: (r[4], r[3], r[0]), reverse=True)
                values = tuple(
                    d.ConflictValue(r[0], json.loads(r[1]), r[2], r[3], r[4], r[6])
                    for r in rows
                )
                out.append(d.Conflict(entity, entity_id, field, rows[0][5], values))
        return out

    def resolve_conflict(self, conflict: d.Conflict, value: Any) -> None:
        """Write ``value`` with a base naming every value of the conflict; clears it."""
        base = [v.op_id for v in conflict.values]
        field = conflict.field
        if field == DELETED:
            value = bool(value)
        allowed = entity_fields(conflict.entity)
        if field not in allowed:
            raise ValueError(f"{conflict.entity} has no field {field}")
        with self._tx() as conn:
            heads = self._heads(conn, conflict.entity, conflict.entity_id)
            if field == DELETED and value:
                # keeping the delete settles the entity's open field conflicts as shown, so
                # that no edit stays behind that the delete has not seen
                for other, hs in heads.items():
                    if other != DELETED and len({h[3] for h in hs}) > 1:
                        winner = max(hs, key=lambda h: (h[1], h[2], h[0]))
                        self._emit(conn, conflict.entity, conflict.entity_id,
                                   conflict.overleg_id, other, winner[3],
                                   [h[0] for h in hs], sole=True)
                heads = self._heads(conn, conflict.entity, conflict.entity_id)
                base = [*base, *(h[0] for hs in heads.values() for h in hs)]
            # every head of the field itself (also one that arrived since the listing), so
            # the resolution is its only head; for a delete conflict also the edits shown
            current = heads.get(field, [])
            base = sorted(set(base) | {h[0] for h in current})
            self._emit(conn, conflict.entity, conflict.entity_id, conflict.overleg_id, field,
                       dumps(value), base, sole=True)
            if conflict.entity == "decision" and field == "perspective":
                self._follow_decision(conn, conflict.entity_id, value)
            self._save_meta(conn)

    def _follow_decision(self, conn: Any, decision_id: str, perspective: Any) -> None:
        """A derived value follows: the case takes the perspective the resolution chose,
        superseding every value its perspective holds (so its own conflict clears too)."""
        row = conn.exec_driver_sql(
            "SELECT case_id, overleg_id FROM decision WHERE id = ?", (decision_id,)
        ).fetchone()
        if row is None or not row[0]:
            return
        heads = self._heads(conn, "casus", row[0]).get("perspective", [])
        if len(heads) == 1 and heads[0][3] == dumps(perspective):
            return
        self._emit(conn, "casus", row[0], row[1], "perspective", dumps(perspective),
                   [h[0] for h in heads], sole=True)

    def seen_of(self, entity: str, entity_id: str) -> frozenset[str]:
        """What a screen showing this record shows now (the ``seen`` of a fresh form)."""
        with self._read() as conn:
            return self._seen_of(conn, entity, [entity_id])[entity_id]

    # -- audit ------------------------------------------------------------------------

    def history(self, entity: str, entity_id: str) -> list[dict[str, Any]]:
        """Who set what, when, on which device: the op log of one entity, oldest first."""
        with self._read() as conn:
            return self._rows(
                conn,
                "SELECT id, hlc, author, device_id, field, value FROM op WHERE entity = ? "
                "AND entity_id = ? ORDER BY hlc, device_id, id",
                (entity, entity_id),
            )

    # -- sync support -------------------------------------------------------------------

    def unpushed_ops(self, limit: int = 1000) -> list[WireOp]:
        return self.unpushed_window(limit)[1]

    def unpushed_window(self, limit: int = 1000) -> tuple[list[int], list[WireOp]]:
        """The first ``limit`` unpushed ops in local order, and their ``local_seq``s (read
        with the raw cursor: a push reads hundreds of thousands of these)."""
        with self._read() as conn:
            rows = _raw(conn).execute(_UNPUSHED, (limit,)).fetchall()
        make = WireOp._make
        return [r[0] for r in rows], [make(r[1:]) for r in rows]

    def mark_pushed(self, op_ids: Sequence[str]) -> None:
        with self._tx() as conn:
            conn.exec_driver_sql("UPDATE op SET pushed = 1 WHERE id = ?", [(i,) for i in op_ids])

    def acknowledge_push(self, runs: Sequence[tuple[int, int]], *, server: str,
                         first_seq: int = 0, count: int = 0) -> bool:
        """Mark the ops of ``runs`` (inclusive ``local_seq`` ranges, each holding only
        acknowledged ops) pushed, in one transaction that also moves the pull cursor of
        ``server`` over ``first_seq .. first_seq + count - 1`` — the numbers the hub gave
        the ops it stored, all ours — when they follow the cursor directly. Returns whether
        the cursor moved (else the pull skips those numbers by itself).

        The commit does not wait for the disk (``synchronous = NORMAL`` for this one
        transaction; WAL keeps it atomic and in order, and it survives the process being
        killed): all it writes restates what the hub already holds. Lost to a power cut,
        the ops are sent again and recognised, and their numbers pulled and recognised as
        held — what a round cut off between the hub's commit and this one does anyway.
        The next durable commit (every edit, every pull) makes it durable too."""
        with self._not_waiting_for_disk():
            return self._acknowledge(runs, server, first_seq, count)

    def _acknowledge(self, runs: Sequence[tuple[int, int]], server: str, first_seq: int,
                     count: int) -> bool:
        with self._tx() as conn:
            raw = _raw(conn)
            raw.executemany("UPDATE op SET pushed = 1 WHERE pushed = 0 AND local_seq "
                            "BETWEEN ? AND ?", list(runs))
            if not count:
                return False
            row = raw.execute("SELECT cursor FROM sync_cursor WHERE server = ?",
                              (server,)).fetchone()
            if (int(row[0]) if row else 0) != first_seq - 1:
                return False
            raw.execute(
                "INSERT INTO sync_cursor (server, cursor, last_sync_ms) VALUES (?, ?, NULL) "
                "ON CONFLICT(server) DO UPDATE SET cursor = excluded.cursor",
                (server, first_seq + count - 1))
        return True

    def advance_cursor(self, server: str, cursor: int) -> None:
        """Move the pull cursor of ``server`` forward to ``cursor`` (over numbers that hold
        only ops this laptop has: its own, just pushed); never back."""
        with self._tx() as conn:
            _raw(conn).execute(
                "INSERT INTO sync_cursor (server, cursor, last_sync_ms) VALUES (?, ?, NULL) "
                "ON CONFLICT(server) DO UPDATE SET cursor = max(cursor, excluded.cursor)",
                (server, cursor))

    def cursor(self, server: str) -> int:
        with self._read() as conn:
            row = conn.exec_driver_sql(
                "SELECT cursor FROM sync_cursor WHERE server = ?", (server,)
            ).fetchone()
        return int(row[0]) if row else 0

    def apply_remote(
        self, ops: Sequence[WireOp], *, server: str | None = None, cursor: int | None = None,
        source: str = "sync", origin: Mapping[str, tuple[str, str]] | None = None,
    ) -> ApplyResult:
        """Apply ops from elsewhere and (optionally) advance a pull cursor, in one transaction.

        Ops already held with the same payload are skipped; a known id with a different
        payload is kept aside in ``op_alarm`` and never applied. Ops stamped more than five
        minutes ahead of our clock are kept but flagged, and do not move our clock.
        ``origin``: op id -> (pushed_by, received_at) as the server stamped them, kept in
        ``op_origin`` for the ops held after this call (applied or already there).
        """
        applied = duplicates = alarms = skewed = 0
        changes: list[d.RecordChange] = []
        wall = now_ms()
        erased = False
        with self._tx() as conn:
            raw = _raw(conn)
            # retention (issue 10): what an anonymised case does not keep is erased before
            # it is stored; a redaction op among ``ops`` erases the case's older ops too
            ops, newly = retention.redact_ops(raw, ops)
            skews = [is_skewed(op.hlc, wall) for op in ops] if _may_skew(ops, wall) else \
                [False] * len(ops)
            statuses = apply_batch(raw, ops, first_seq=next_local_seq(conn),
                                   pushed=True, skewed=skews)
            if newly:
                erased = retention.erase(_raw(conn), newly) >= 0
            kept_aside = []
            latest = ""  # the clock observes the latest applied reading once: the same
            # guarantee (ahead of every op it has seen) as observing each in turn
            for op, status, skew in zip(ops, statuses, skews, strict=True):
                if status == "applied":
                    applied += 1
                    changes.append(d.RecordChange(op.entity, op.entity_id, op.field, op.author,
                                                  op.device_id, op.hlc))
                    if skew:
                        skewed += 1
                    elif op.hlc > latest:
                        latest = op.hlc
                elif status == "duplicate":
                    duplicates += 1
                else:
                    alarms += 1
                    kept_aside.append((op.id, source, dumps(op.as_dict()), wall))
            if latest:
                self._clock.observe(latest)
            if kept_aside:
                raw.executemany(
                    "INSERT INTO op_alarm (op_id, source, payload, at_ms) VALUES (?, ?, ?, ?)",
                    kept_aside,
                )
            if origin:
                raw.executemany(
                    "INSERT OR IGNORE INTO op_origin (op_id, pushed_by, received_at) "
                    "VALUES (?, ?, ?)",
                    [(op.id, *origin[op.id]) for op, status in zip(ops, statuses, strict=True)
                     if status != "alarm" and op.id in origin])
            if server is not None and cursor is not None:
                raw.execute(
                    "INSERT INTO sync_cursor (server, cursor, last_sync_ms) VALUES (?, ?, ?) "
                    "ON CONFLICT(server) DO UPDATE SET cursor = excluded.cursor, "
                    "last_sync_ms = excluded.last_sync_ms",
                    (server, cursor, wall),
                )
            self._save_meta(conn)
        if erased:
            self.checkpoint_erased()
        return ApplyResult(applied, duplicates, alarms, skewed, tuple(changes))

    def origin_of(self, op_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Op id -> (pushed_by, received_at) as the hub stamped them, for ops pulled from a
        hub (own ops and ops from before this was kept have none)."""
        out: dict[str, tuple[str, str]] = {}
        with self._read() as conn:
            raw = _raw(conn)
            ids = list(op_ids)
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                out.update((r[0], (r[1], r[2])) for r in raw.execute(
                    "SELECT op_id, pushed_by, received_at FROM op_origin WHERE op_id IN ("
                    + ", ".join("?" * len(chunk)) + ")", chunk))
        return out

    def record_sync(self, server: str) -> None:
        """Note a successful round with ``server`` (for 'synced hh:mm')."""
        with self._tx() as conn:
            conn.exec_driver_sql(
                "INSERT INTO sync_cursor (server, cursor, last_sync_ms) VALUES (?, 0, ?) "
                "ON CONFLICT(server) DO UPDATE SET last_sync_ms = excluded.last_sync_ms",
                (server, now_ms()),
            )

    def unsynced_count(self) -> int:
        """Ops not yet acknowledged by the server (cheap: no conflict scan)."""
        with self._read() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM op WHERE pushed = 0")
                       .scalar_one())

    def sync_counts(self, server: str | None = None) -> d.SyncCounts:
        with self._read() as conn:
            unsynced = conn.exec_driver_sql("SELECT count(*) FROM op WHERE pushed = 0").scalar_one()
            last = None
            if server:
                row = conn.exec_driver_sql(
                    "SELECT last_sync_ms FROM sync_cursor WHERE server = ?", (server,)
                ).fetchone()
                last = row[0] if row else None
            quarantined = conn.exec_driver_sql("SELECT count(*) FROM op_quarantine").scalar_one()
        return d.SyncCounts(int(unsynced), self.conflict_count(), last, int(quarantined))

    def conflict_count(self) -> int:
        """How many open conflicts there are (cheap: reads the conflict index only)."""
        with self._read() as conn:
            fields = conn.exec_driver_sql("SELECT count(*) FROM conflict_key").scalar_one()
            deletes = len(conn.exec_driver_sql(_DELETE_CONFLICTS).fetchall())
        return int(fields) + deletes

    def alarms(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            return self._rows(conn, "SELECT op_id, source, at_ms FROM op_alarm ORDER BY id")

    # -- quarantine: pulled ops that failed the checks ---------------------------------

    def quarantine(self, items: Sequence[tuple[str, str, str]], source: str) -> int:
        """Keep ``(op_id, payload, reason)`` aside, never applied; returns how many are new
        (the same op pulled again is kept once)."""
        wall = now_ms()
        with self._tx() as conn:
            before = conn.exec_driver_sql("SELECT count(*) FROM op_quarantine").scalar_one()
            conn.exec_driver_sql(
                "INSERT OR IGNORE INTO op_quarantine (op_id, source, reason, payload, at_ms) "
                "VALUES (?, ?, ?, ?, ?)",
                [(op_id, source, reason, payload, wall) for op_id, payload, reason in items])
            after = conn.exec_driver_sql("SELECT count(*) FROM op_quarantine").scalar_one()
        return int(after) - int(before)

    def quarantined(self) -> list[dict[str, Any]]:
        """The quarantined ops: op_id, source, reason, at_ms (not their contents)."""
        with self._read() as conn:
            return self._rows(conn, "SELECT op_id, source, reason, at_ms FROM op_quarantine "
                                    "ORDER BY id")

    def quarantine_count(self) -> int:
        with self._read() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM op_quarantine").scalar_one())

    def skewed_ops(self) -> list[str]:
        with self._read() as conn:
            return [r[0] for r in conn.exec_driver_sql("SELECT id FROM op WHERE skewed = 1")]

    def all_ops(self) -> list[WireOp]:
        with self._read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT " + ", ".join(WIRE_COLUMNS) + " FROM op ORDER BY local_seq"
            ).fetchall()
        return [WireOp.from_row(r) for r in rows]

    def op_count(self) -> int:
        with self._read() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM op").scalar_one())

    # -- bulk import (demo data) -----------------------------------------------------------

    def bulk_import(self, ops: Sequence[WireOp], *, pushed: bool = False) -> None:
        """Load many fresh ops at once (an empty database): log and projection together."""
        with self.bulk_loader(pushed=pushed) as load:
            load(ops)

    @contextmanager
    def bulk_loader(self, *, pushed: bool = False) -> Iterator[Callable[[Sequence[WireOp]],
                                                                        None]]:
        """One transaction on an empty database: ``load(ops)`` as often as needed, then the
        projection is computed in SQL from the whole log. Memory stays that of one chunk."""
        with self._tx() as conn:
            raw = _raw(conn)
            if raw.execute("SELECT count(*) FROM op").fetchone()[0]:
                raise StoreError("bulk import needs an empty database")
            cols = ", ".join(WIRE_COLUMNS)
            insert = (f"INSERT INTO op ({cols}, local_seq, pushed, skewed) VALUES "
                      f"({', '.join('?' * len(WIRE_COLUMNS))}, ?, {int(pushed)}, 0)")
            state = {"seq": 1, "mine": 0}

            def load(ops: Sequence[WireOp]) -> None:
                start = state["seq"]
                raw.executemany(insert, [(*op, n) for n, op in enumerate(ops, start=start)])
                state["seq"] = start + len(ops)
                edges = [(op.id, b) for op in ops if op.base != "[]" for b in op.base_ids]
                if edges:
                    raw.executemany(
                        "INSERT OR IGNORE INTO op_base (op_id, base_id) VALUES (?, ?)", edges)
                last = self._clock.last.encode()
                for op in ops:
                    if op.device_id == self.device_id and op.device_seq > state["mine"]:
                        state["mine"] = op.device_seq
                    if op.hlc > last:
                        self._clock.observe(op.hlc)
                        last = self._clock.last.encode()

            yield load
            projection_sql.rebuild(raw)
            if state["mine"]:
                self._next_seq = state["mine"] + 1
            self._save_meta(conn, scan=False)  # every op counted above

    def op_factory(self, rand: Callable[[], int] | None = None,
                   sink: Callable[[list[WireOp]], None] | None = None) -> OpFactory:
        """Makes ops as this device would, without writing them (for bulk import).

        ``rand`` returns 80 random bits for op ids (reproducible demo data); ``sink``
        (e.g. a :meth:`bulk_loader`) receives them in chunks as they are made.
        """
        return OpFactory(self, rand, sink)
