"""The rows a rebuild makes, as one SQL query per entity (no Python loop per row).

A rebuild's row for an entity with ops: its ``id``, the ``overleg_id`` of its first op
(``temp.lvv_owner``, see :func:`db.projection_sql.make_owners`) and, per field, the value
of the winning head (the greatest ``(hlc, device_id, op_id)`` among the field's heads in
``field_head``), as :func:`db.projection.column_value` makes it. :func:`expected_sql`
writes that as one grouped join of the owners with their heads, ordered by id, which the
rebuild inserts and the check compares with the stored table, both inside SQLite.

The winner of a field is ``max(hlc ∥ 1 ∥ device_id ∥ 1 ∥ op_id ∥ 1 ∥ value)`` (``∥ 1`` a
``char(1)``, which sorts below every character of an hlc, a device id or an op id), its
value the text after the third ``char(1)``. The JSON of the value becomes the column in
SQL for the common cases (a string without escapes, true, false, null, a small
non-negative integer) and in Python (:data:`COLUMN_FN`, registered on the connection) for
the rest.
"""

from __future__ import annotations

from typing import Any

from db.projection import column_value
from db.tables import ENTITIES, entity_fields

#: the Python function the SQL calls for JSON values it does not convert itself
COLUMN_FN = "lvv_column"

_KEY = "h.hlc || char(1) || h.device_id || char(1) || h.op_id || char(2) || h.value"


def table(entity: str) -> str:
    return ENTITIES[entity].__tablename__  # type: ignore[return-value]


def columns(entity: str) -> list[str]:
    """The columns of an entity's projection table, in the order compared and dumped."""
    return ["id", "overleg_id", *sorted(entity_fields(entity))]


def register(raw: Any) -> None:
    """Make :data:`COLUMN_FN` callable on the raw connection ``raw`` (idempotent)."""
    raw.create_function(COLUMN_FN, 1, column_value, deterministic=True)


def _column_sql(w: str) -> str:
    """SQL: the column value of the winner ``w`` (a :data:`_KEY`; NULL stays NULL): SQLite's
    JSON for a scalar, :data:`COLUMN_FN` for an array or an object (keys sorted)."""
    v = f"substr({w}, instr({w}, char(2)) + 1)"
    return (f"CASE WHEN {w} IS NULL THEN NULL WHEN substr({v}, 1, 1) IN ('[', '{{') "
            f"THEN {COLUMN_FN}({v}) ELSE {v} ->> '$' END")


def expected_sql(entity: str) -> str:
    """SELECT of the rows a rebuild makes for ``entity`` (in :func:`columns` order), ordered
    by id; reads ``temp.lvv_owner`` and ``field_head``. The winners are worked out in a
    subquery, so that each is computed once per row."""
    fields = sorted(entity_fields(entity))
    win = [f"max(CASE WHEN h.field = '{f}' THEN {_KEY} END) AS w{i}"
           for i, f in enumerate(fields)]
    inner = (
        f"SELECT o.entity_id AS id, o.overleg_id AS overleg_id, {', '.join(win)} "
        f"FROM temp.lvv_owner o LEFT JOIN field_head h "
        f"ON h.entity = o.entity AND h.entity_id = o.entity_id "
        f"WHERE o.entity = '{entity}' GROUP BY o.entity_id ORDER BY o.entity_id"
    )
    outs = []
    for i, f in enumerate(fields):
        col = _column_sql(f"w{i}")
        if f == "deleted":  # a row without a delete head is not deleted
            col = f"coalesce(nullif(nullif({col}, ''), 0), 0)"
        outs.append(f"{col} AS {f}")
    return f"SELECT id, overleg_id, {', '.join(outs)} FROM ({inner}) ORDER BY id"


def insert_rows(raw: Any, entity: str) -> None:
    """Fill ``entity``'s (empty) table with the rows a rebuild makes."""
    cols = columns(entity)
    raw.execute(f"INSERT INTO {table(entity)} ({', '.join(cols)}) {expected_sql(entity)}")


def count_differences(raw: Any, entity: str) -> int:
    """How many ids differ between ``entity``'s stored table and the rows a rebuild makes
    (an id on one side only, or the same id with a different row), in SQL."""
    cols = columns(entity)
    same = " AND ".join(f"t.{c} IS e.{c}" for c in cols[1:])
    expected, matched, equal = raw.execute(
        f"SELECT count(*), count(t.id), coalesce(sum(t.id IS NOT NULL AND {same}), 0) "
        f"FROM ({expected_sql(entity)}) e LEFT JOIN {table(entity)} t ON t.id = e.id"
    ).fetchone()
    stored = raw.execute(f"SELECT count(*) FROM {table(entity)}").fetchone()[0]
    return int(expected + stored - matched - equal)
