"""From the op log to the tables the screens read.

Per field, the *heads* are the ops that no other op on the same field names in its
``base``; the shown value is the head with the greatest ``(hlc, device_id, id)``. More than
one head with different values is an open conflict, which only an op whose base names
all of them clears. Heads depend only on the set of ops, never on their order of arrival,
so every replica that holds the same ops shows the same thing.

Two implementations live here on purpose: :func:`apply_op` maintains the projection
incrementally in SQL (the write path), :func:`project` computes it from scratch in
Python (demo import, rebuild, ``lvv-tui check``). They must agree; tests and ``check``
compare them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy.engine import Connection

from db.tables import DELETED, ENTITIES, WIRE_COLUMNS, entity_fields

SCHEMA_VERSION_OPS = 1
"""The op format version this code writes and reads natively."""


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dumps(value: Any) -> str:
    """Canonical JSON: the same value is always the same text (``json.dumps`` with these
    settings, without making an encoder per call: every field of every save passes here)."""
    return _CANONICAL.encode(value)


class WireOp(NamedTuple):
    """An op as it travels: exactly the replicated columns, in wire order.

    A named tuple, not a dataclass: sync builds hundreds of thousands of these, and a tuple
    is several times cheaper to make than a frozen dataclass.
    """

    id: str
    device_id: str
    device_seq: int
    hlc: str
    author: str
    overleg_id: str
    entity: str
    entity_id: str
    field: str
    value: str
    base: str
    schema_version: int
    audience: str = "overleg"
    org_id: str = ""

    def as_tuple(self) -> tuple:
        return tuple(self)

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> WireOp:
        return cls._make(row)

    @property
    def base_ids(self) -> list[str]:
        return upcast_base(self.base)


def upcast_base(base: str) -> list[str]:
    """The base of an op as a list of ids (old formats are upcast when read)."""
    parsed = json.loads(base) if base else []
    if isinstance(parsed, str):
        return [parsed]
    return list(parsed)


_FIELDS: dict[str, frozenset[str]] = {name: entity_fields(name) for name in ENTITIES}


def column_value(value_json: str) -> Any:
    """The value an op sets, as stored in a projection column."""
    value = json.loads(value_json)
    if isinstance(value, list | dict):
        return dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _table(entity: str) -> str:
    return ENTITIES[entity].__tablename__  # type: ignore[return-value]


def _projects(entity: str, field: str) -> bool:
    return entity in _FIELDS and field in _FIELDS[entity]


# ---------------------------------------------------------------------------------------
# incremental, in SQL
# ---------------------------------------------------------------------------------------

_SELECT_PAYLOAD = "SELECT " + ", ".join(WIRE_COLUMNS) + " FROM op WHERE id = ?"
_INSERT_OP = (
    "INSERT INTO op (" + ", ".join(WIRE_COLUMNS) + ", local_seq, pushed, skewed) "
    "VALUES (" + ", ".join("?" * len(WIRE_COLUMNS)) + ", ?, ?, ?)"
)


def next_local_seq(conn: Connection) -> int:
    raw = conn.connection.dbapi_connection
    return raw.execute("SELECT coalesce(max(local_seq), 0) + 1 FROM op").fetchone()[0]


def apply_op(
    conn: Connection,
    op: WireOp,
    *,
    local_seq: int,
    pushed: bool,
    skewed: bool = False,
    fresh: bool = False,
    sole: bool = False,
) -> str:
    """Store one op and update its projection, inside the caller's transaction.

    Returns ``"applied"``, ``"duplicate"`` (same id, same payload: nothing to do) or
    ``"alarm"`` (same id, different payload: recorded by the caller, never applied).
    ``fresh`` marks an op this device has just made: its id is new, so nobody can hold
    it or have superseded it, and those two look-ups are skipped. ``sole`` (with fresh)
    says its base names every current head of the field, so it will be the only head:
    no conflict can remain and the op's own value is the one shown.

    This is the hot path of every edit, so it talks to the DB-API cursor directly.
    """
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if not fresh:
            existing = cur.execute(_SELECT_PAYLOAD, (op.id,)).fetchone()
            if existing is not None:
                return "duplicate" if tuple(existing) == op.as_tuple() else "alarm"
        cur.execute(_INSERT_OP, (*op.as_tuple(), local_seq, int(pushed), int(skewed)))
        base = op.base_ids
        if base:
            cur.executemany(
                "INSERT OR IGNORE INTO op_base (op_id, base_id) VALUES (?, ?)",
                [(op.id, b) for b in base],
            )
        _project_one(cur, op, base, fresh, sole and fresh)
        return "applied"
    finally:
        cur.close()


def _project_one(cur: Any, op: WireOp, base: list[str], fresh: bool, sole: bool) -> None:
    key = (op.entity, op.entity_id, op.field)
    if base:
        marks = ", ".join("?" * len(base))
        cur.execute(
            "DELETE FROM field_head WHERE entity = ? AND entity_id = ? AND field = ? "
            f"AND op_id IN ({marks})",
            (*key, *base),
        )
    superseded = None if fresh else cur.execute(
        "SELECT 1 FROM op_base b JOIN op o ON o.id = b.op_id WHERE b.base_id = ? "
        "AND o.entity = ? AND o.entity_id = ? AND o.field = ? LIMIT 1",
        (op.id, *key),
    ).fetchone()
    if superseded is None:
        cur.execute(
            "INSERT INTO field_head (entity, entity_id, field, op_id, hlc, device_id, value) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (*key, op.id, op.hlc, op.device_id, op.value),
        )
    if sole:
        conflicted = False
        stale = len(base) > 1  # a resolution: the field had several heads
    else:
        distinct = cur.execute(
            "SELECT count(DISTINCT value) FROM field_head WHERE entity = ? AND entity_id = ? "
            "AND field = ?",
            key,
        ).fetchone()[0]
        conflicted, stale = distinct > 1, True
    if conflicted:
        cur.execute("INSERT OR IGNORE INTO conflict_key (entity, entity_id, field) "
                    "VALUES (?, ?, ?)", key)
    elif stale:
        cur.execute("DELETE FROM conflict_key WHERE entity = ? AND entity_id = ? AND field = ?",
                    key)
    if op.field == DELETED:
        if sole:
            deleting = op.value == "true"
        else:
            deleting = cur.execute(
                "SELECT 1 FROM field_head WHERE entity = ? AND entity_id = ? AND field = ? "
                "AND value = 'true' LIMIT 1",
                key,
            ).fetchone() is not None
        if deleting:
            cur.execute("INSERT OR IGNORE INTO tombstone (entity, entity_id) VALUES (?, ?)",
                        key[:2])
        else:
            cur.execute("DELETE FROM tombstone WHERE entity = ? AND entity_id = ?", key[:2])
    if not _projects(op.entity, op.field):
        return  # an entity or field this version does not know: kept in the log only
    if sole:
        shown: str | None = op.value
    else:
        winner = cur.execute(
            "SELECT value FROM field_head WHERE entity = ? AND entity_id = ? AND field = ? "
            "ORDER BY hlc DESC, device_id DESC, op_id DESC LIMIT 1",
            key,
        ).fetchone()
        shown = winner[0] if winner is not None else None
    value = column_value(shown) if shown is not None else None
    table = _table(op.entity)
    if op.field == DELETED:
        cur.execute(
            f"INSERT INTO {table} (id, overleg_id, deleted) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET deleted = excluded.deleted",
            (op.entity_id, op.overleg_id, value or 0),
        )
    else:
        cur.execute(
            f"INSERT INTO {table} (id, overleg_id, deleted, {op.field}) VALUES (?, ?, 0, ?) "
            f"ON CONFLICT (id) DO UPDATE SET {op.field} = excluded.{op.field}",
            (op.entity_id, op.overleg_id, value),
        )


# ---------------------------------------------------------------------------------------
# from scratch, in Python
# ---------------------------------------------------------------------------------------


@dataclass
class Projection:
    """A projection computed from a set of ops."""

    heads: dict[tuple[str, str, str], dict[str, WireOp]]
    rows: dict[str, dict[str, dict[str, Any]]]

    @property
    def conflict_keys(self) -> set[tuple[str, str, str]]:
        return {k for k, live in self.heads.items() if len({o.value for o in live.values()}) > 1}

    @property
    def tombstones(self) -> set[tuple[str, str]]:
        return {
            (e, i)
            for (e, i, f), live in self.heads.items()
            if f == DELETED and any(o.value == "true" for o in live.values())
        }


@dataclass(frozen=True)
class Stored:
    """A projection in comparable form: what is on disk, or what a rebuild gives."""

    heads: set[tuple]
    rows: dict[str, dict[str, dict[str, Any]]]
    conflict_keys: set[tuple]
    tombstones: set[tuple]


def project(ops: Iterable[WireOp]) -> Projection:
    """Compute heads and projection rows from a set of ops (order does not matter)."""
    by_field: dict[tuple[str, str, str], dict[str, WireOp]] = defaultdict(dict)
    referenced: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    owners: dict[tuple[str, str], str] = {}
    for op in ops:
        key = (op.entity, op.entity_id, op.field)
        by_field[key][op.id] = op
        referenced[key].update(op.base_ids)
        owner_key = (op.entity, op.entity_id)
        owners.setdefault(owner_key, op.overleg_id)
    heads: dict[tuple[str, str, str], dict[str, WireOp]] = {}
    for key, field_ops in by_field.items():
        refs = referenced[key]
        live = {i: o for i, o in field_ops.items() if i not in refs}
        if live:
            heads[key] = live
    rows: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for (entity, entity_id), overleg_id in owners.items():
        if entity not in _FIELDS:
            continue
        row: dict[str, Any] = {c: None for c in _FIELDS[entity]}
        row.update(id=entity_id, overleg_id=overleg_id, deleted=0)
        rows[entity][entity_id] = row
    for (entity, entity_id, field), live in heads.items():
        if not _projects(entity, field):
            continue
        winner = max(live.values(), key=lambda o: (o.hlc, o.device_id, o.id))
        rows[entity][entity_id][field] = column_value(winner.value)
    return Projection(heads=heads, rows=dict(rows))


def write_projection(conn: Connection, proj: Projection) -> None:
    """Replace the projection tables and heads with ``proj`` (caller's transaction)."""
    conn.exec_driver_sql("DELETE FROM field_head")
    head_rows = [
        (*key, o.id, o.hlc, o.device_id, o.value)
        for key, live in proj.heads.items()
        for o in live.values()
    ]
    if head_rows:
        conn.exec_driver_sql(
            "INSERT INTO field_head (entity, entity_id, field, op_id, hlc, device_id, value) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            head_rows,
        )
    conn.exec_driver_sql("DELETE FROM conflict_key")
    if proj.conflict_keys:
        conn.exec_driver_sql(
            "INSERT INTO conflict_key (entity, entity_id, field) VALUES (?, ?, ?)",
            sorted(proj.conflict_keys),
        )
    conn.exec_driver_sql("DELETE FROM tombstone")
    if proj.tombstones:
        conn.exec_driver_sql(
            "INSERT INTO tombstone (entity, entity_id) VALUES (?, ?)", sorted(proj.tombstones)
        )
    for entity in ENTITIES:
        table = _table(entity)
        conn.exec_driver_sql(f"DELETE FROM {table}")
        rows = proj.rows.get(entity)
        if not rows:
            continue
        cols = ["id", "overleg_id", *sorted(_FIELDS[entity])]
        conn.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [tuple(r[c] for c in cols) for r in rows.values()],
        )


def read_projection(conn: Connection) -> Stored:
    """The projection as stored on disk."""
    heads = {
        tuple(r)
        for r in conn.exec_driver_sql(
            "SELECT entity, entity_id, field, op_id, hlc, device_id, value FROM field_head"
        )
    }
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for entity in ENTITIES:
        cols = ["id", "overleg_id", *sorted(_FIELDS[entity])]
        result = conn.exec_driver_sql(f"SELECT {', '.join(cols)} FROM {_table(entity)}")
        got = {r[0]: dict(zip(cols, r, strict=True)) for r in result}
        if got:
            rows[entity] = got
    keys = {tuple(r) for r in conn.exec_driver_sql(
        "SELECT entity, entity_id, field FROM conflict_key")}
    tombs = {tuple(r) for r in conn.exec_driver_sql("SELECT entity, entity_id FROM tombstone")}
    return Stored(heads, rows, keys, tombs)


def projection_as_stored(proj: Projection) -> Stored:
    """``proj`` in the form :func:`read_projection` returns, for comparison."""
    heads = {
        (*key, o.id, o.hlc, o.device_id, o.value)
        for key, live in proj.heads.items()
        for o in live.values()
    }
    rows = {e: {i: dict(r) for i, r in rs.items()} for e, rs in proj.rows.items() if rs}
    return Stored(heads, rows, proj.conflict_keys, proj.tombstones)
