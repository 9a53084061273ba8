"""The op-writing core of the store: one connection, transactions, ops."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from sqlalchemy.engine import Connection, Engine

from db.clock import HybridClock, new_device_id, uuid7
from db.engine import open_engine
from db.projection import (
    SCHEMA_VERSION_OPS,
    WireOp,
    apply_op,
    dumps,
    next_local_seq,
)
from db.rules import (
    NotFound,
    check_unlocked,
)
from db.tables import DELETED, ENTITIES, entity_fields

# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyResult:
    applied: int
    duplicates: int
    alarms: int
    skewed: int


# A delete is in conflict with every edit of the same entity that it did not see.
_DELETE_CONFLICTS = (
    "SELECT DISTINCT t.entity, t.entity_id, 'deleted' FROM tombstone t "  # CROSS JOIN: SQLite
    "CROSS JOIN field_head x ON x.entity = t.entity AND x.entity_id = t.entity_id "  # starts
    "AND x.field = 'deleted' AND x.value = 'true' "  # from the few tombstones
    "CROSS JOIN field_head h ON h.entity = t.entity AND h.entity_id = t.entity_id "
    "AND h.field != 'deleted' "
    "WHERE NOT EXISTS (SELECT 1 FROM op_base b WHERE b.op_id = x.op_id AND b.base_id = h.op_id)"
)


def _raw(conn: Connection) -> Any:
    """The DB-API connection under ``conn``: the hot paths skip SQLAlchemy's result layer."""
    return conn.connection.dbapi_connection


class StoreBase:
    """The op-writing core: connection, transactions, device clock, ops and heads."""

    def __init__(self, engine: Engine, path: Path, author: str | None = None) -> None:
        self.path = path
        self._engine = engine
        self._conn: Connection = engine.connect()
        self._lock = threading.RLock()
        meta = dict(self._conn.exec_driver_sql("SELECT key, value FROM meta").fetchall())
        self._conn.commit()
        fresh = "device_id" not in meta
        self.device_id: str = meta.get("device_id") or new_device_id()
        self._next_seq = int(meta.get("device_seq", "1"))
        self._clock = HybridClock(meta.get("hlc"))
        self.author: str = author or meta.get("author") or "onbekend"
        if fresh or (author and author != meta.get("author")):
            with self._tx() as conn:
                self._save_meta(conn)

    # -- lifecycle ------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, passphrase: str, *, author: str | None = None, create: bool = False
    ) -> Self:
        """Open the database; raises a :class:`~db.engine.StoreError` with a clear message."""
        path = Path(path)
        engine = open_engine(path, passphrase, create=create)
        return cls(engine, path, author)

    def close(self) -> None:
        with self._lock:
            try:
                self._conn.close()
            finally:
                self._engine.dispose()  # StaticPool: closes the one DB-API connection

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._lock:
            seq, clock = self._next_seq, self._clock.last
            try:
                with self._conn.begin():
                    yield self._conn
            except BaseException:
                self._next_seq, self._clock.last = seq, clock
                raise

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._lock:
            try:
                yield self._conn
            finally:
                if self._conn.in_transaction():
                    self._conn.commit()

    def _save_meta(self, conn: Connection) -> None:
        _raw(conn).executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [
                ("device_id", self.device_id),
                ("device_seq", str(self._next_seq)),
                ("hlc", self._clock.last.encode()),
                ("author", self.author),
            ],
        )

    # -- writing ops ----------------------------------------------------------------

    def _heads(self, conn: Connection, entity: str, entity_id: str) -> dict[str, list[tuple]]:
        out: dict[str, list[tuple]] = {}
        for field, op_id, hlc, device_id, value in _raw(conn).execute(
            "SELECT field, op_id, hlc, device_id, value FROM field_head "
            "WHERE entity = ? AND entity_id = ?",
            (entity, entity_id),
        ):
            out.setdefault(field, []).append((op_id, hlc, device_id, value))
        return out

    def _emit(
        self,
        conn: Connection,
        entity: str,
        entity_id: str,
        overleg_id: str,
        field: str,
        value_json: str,
        base: list[str],
        *,
        sole: bool = False,
        audience: tuple[str, str] = ("overleg", ""),
    ) -> WireOp:
        op = WireOp(
            id=uuid7(),
            device_id=self.device_id,
            device_seq=self._next_seq,
            hlc=self._clock.tick(),
            author=self.author,
            overleg_id=overleg_id,
            entity=entity,
            entity_id=entity_id,
            field=field,
            value=value_json,
            base=dumps(sorted(base)),
            schema_version=SCHEMA_VERSION_OPS,
            audience=audience[0],
            org_id=audience[1],
        )
        self._next_seq += 1
        apply_op(conn, op, local_seq=next_local_seq(conn), pushed=False, fresh=True, sole=sole)
        return op

    def _set(
        self,
        conn: Connection,
        entity: str,
        entity_id: str,
        overleg_id: str,
        values: Mapping[str, Any],
        *,
        wire: Mapping[str, tuple[str, str]] | None = None,
        force: frozenset[str] = frozenset(),
    ) -> int:
        """Write the fields that changed; returns the number of ops written. ``wire``:
        field -> (audience, organisation id) its op carries (need-to-know; default the whole
        overleg); a field in ``force`` is written even when unchanged (its audience did)."""
        allowed = entity_fields(entity)
        heads = self._heads(conn, entity, entity_id)
        written = 0
        for field, value in values.items():
            if field not in allowed:
                raise ValueError(f"{entity} has no field {field}")
            value_json = dumps(value)
            current = heads.get(field, [])
            agreed = len({h[3] for h in current}) <= 1
            if current:
                winner = max(current, key=lambda h: (h[1], h[2], h[0]))
                if agreed and winner[3] == value_json and field not in force:
                    continue
                # heads that agree (two laptops set the same value) are all seen by this
                # edit; with a conflict open an ordinary edit supersedes the shown value only
                base = [h[0] for h in current] if agreed else [winner[0]]
            else:
                base = []
            self._emit(conn, entity, entity_id, overleg_id, field, value_json, base,
                       sole=agreed, audience=(wire or {}).get(field, ("overleg", "")))
            written += 1
        if written:
            self._save_meta(conn)
        return written

    def _delete(self, conn: Connection, entity: str, entity_id: str, overleg_id: str) -> None:
        heads = self._heads(conn, entity, entity_id)
        base = [h[0] for hs in heads.values() for h in hs]
        self._emit(conn, entity, entity_id, overleg_id, DELETED, "true", base, sole=True)
        self._save_meta(conn)

    def _row(self, conn: Connection, entity: str, entity_id: str) -> dict[str, Any]:
        table = ENTITIES[entity].__tablename__
        cur = _raw(conn).execute(f"SELECT * FROM {table} WHERE id = ?", (entity_id,))
        row = cur.fetchone()
        if row is None:
            raise NotFound(f"{entity} {entity_id}")
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def _unlocked_meeting(self, conn: Connection, meeting_id: str) -> dict[str, Any]:
        """The meeting's row; raises :class:`~db.rules.Locked` once its minutes are approved."""
        meeting = self._row(conn, "meeting", meeting_id)
        check_unlocked(meeting)
        return meeting

    def _rows(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        return [dict(r) for r in conn.exec_driver_sql(sql, tuple(params)).mappings()]

