"""The projection from scratch, in SQL: rebuild, check and dump in bounded memory.

:func:`db.projection.project` computes the projection in Python objects, which is clear but
costs about 3 KB per op: 2 GiB for a five-year pilot database. The functions here get the
same result from SQL over the log and stream what they read, so ``rebuild``, ``check``,
``dump`` and the demo import stay within a few hundred MiB whatever the size of the log.

* heads: the ops that no op *on the same field* names in its base (``op_base`` edges);
* the shown value of a field: its head with the greatest ``(hlc, device_id, op_id)``;
* a row per entity that has ops, its ``overleg_id`` from its first op (by ``local_seq``),
  as the incremental path does;
* column values as :func:`db.projection.column_value` makes them.

Rows are worked out in Python from one ordered pass over the heads (the winner of each
field by a ``max`` over ``hlc, device_id, op_id``), merged with the owners and, for check,
with the stored table: every stream is ordered by id, so memory holds one row at a time.

Everything here runs inside the caller's transaction on the raw DB-API connection.
Temporary tables live in memory (SQLCipher is built with ``SQLITE_TEMP_STORE=2``), so no
plaintext reaches a temporary file.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby, islice
from operator import itemgetter
from typing import IO, Any

from db.projection import column_value
from db.tables import ENTITIES, entity_fields

_SUPERSEDED = (
    "SELECT 1 FROM op_base b JOIN op s ON s.id = b.op_id WHERE b.base_id = o.id "
    "AND s.entity = o.entity AND s.entity_id = o.entity_id AND s.field = o.field"
)


def _table(entity: str) -> str:
    return ENTITIES[entity].__tablename__  # type: ignore[return-value]


def columns(entity: str) -> list[str]:
    """The columns of an entity's projection table, in the order compared and dumped."""
    return ["id", "overleg_id", *sorted(entity_fields(entity))]


#: page cache while a whole-log pass runs (KiB): the heads it probes stay in memory
PASS_CACHE_KIB = 65536


@contextmanager
def _big_cache(raw: Any) -> Iterator[None]:
    before = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = -{PASS_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(before)}")


def _make_owners(raw: Any) -> None:
    """``temp.lvv_owner``: every entity with ops, and the overleg of its first op."""
    raw.execute("DROP TABLE IF EXISTS temp.lvv_owner")
    raw.execute(
        "CREATE TEMP TABLE lvv_owner (entity TEXT NOT NULL, entity_id TEXT NOT NULL, "
        "overleg_id TEXT, PRIMARY KEY (entity, entity_id)) WITHOUT ROWID"
    )
    # the log in local_seq (rowid) order, the first op of each entity kept: no sort
    raw.execute(
        "INSERT OR IGNORE INTO temp.lvv_owner (entity, entity_id, overleg_id) "
        "SELECT entity, entity_id, overleg_id FROM op ORDER BY local_seq"
    )


def rebuild(raw: Any) -> None:
    """Recompute heads, conflicts, deletes and every projection table from the log."""
    with _big_cache(raw):
        _rebuild(raw)


def _rebuild(raw: Any) -> None:
    for table in ("field_head", "conflict_key", "tombstone", *map(_table, ENTITIES)):
        raw.execute(f"DELETE FROM {table}")
    # OR IGNORE (nothing to ignore: op ids are unique) spares SQLite a statement journal,
    # which would hold every page the DELETEs above freed and this statement reuses
    raw.execute(
        "INSERT OR IGNORE INTO field_head (entity, entity_id, field, op_id, hlc, device_id, "
        "value) SELECT o.entity, o.entity_id, o.field, o.id, o.hlc, o.device_id, o.value FROM op o "
        f"WHERE NOT EXISTS ({_SUPERSEDED})"
    )
    raw.execute(
        "INSERT OR IGNORE INTO conflict_key (entity, entity_id, field) "
        "SELECT entity, entity_id, field "
        "FROM field_head GROUP BY entity, entity_id, field HAVING min(value) != max(value)"
    )
    raw.execute(
        "INSERT OR IGNORE INTO tombstone (entity, entity_id) SELECT DISTINCT entity, entity_id "
        "FROM field_head WHERE field = 'deleted' AND value = 'true'"
    )
    _make_owners(raw)
    try:
        seen: set[str] = set()
        for entity, rows in groupby(raw.cursor().execute(_KEYS), key=itemgetter(0)):
            winners = _winners(rows, set(), set(), [0])
            if entity in ENTITIES:
                seen.add(entity)
                _insert_rows(raw, entity, winners)
            else:
                deque(winners, maxlen=0)  # drain the group: an entity this version does not know: heads only
        for entity in set(ENTITIES) - seen:
            _insert_rows(raw, entity, iter(()))
    finally:
        raw.execute("DROP TABLE IF EXISTS temp.lvv_owner")


def _insert_rows(raw: Any, entity: str, winners: Iterator[tuple[str, dict[str, str]]]) -> None:
    cols = columns(entity)
    sql = (f"INSERT INTO {_table(entity)} ({', '.join(cols)}) "
           f"VALUES ({', '.join('?' * len(cols))})")
    owners = raw.cursor().execute(_OWNERS, (entity,))
    try:
        rows = expected_rows(entity, owners, winners)
        while chunk := list(islice(rows, 5000)):
            raw.executemany(sql, chunk)
    finally:
        owners.close()


# ---------------------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------------------


def check_projection(raw: Any) -> list[str]:
    """Faults of the stored projection against a rebuild, streaming (caller's snapshot).

    Heads are compared with the log; conflicts, deletes and rows with the stored heads
    (so a wrong head is one fault, not one per layer above it).
    """
    with _big_cache(raw):
        return _check(raw)


def _check(raw: Any) -> list[str]:
    faults: list[str] = []
    computed, missing = raw.execute(
        "SELECT count(*), coalesce(sum(NOT EXISTS (SELECT 1 FROM field_head h WHERE "
        "h.entity = o.entity AND h.entity_id = o.entity_id AND h.field = o.field "
        "AND h.op_id = o.id AND h.hlc = o.hlc AND h.device_id = o.device_id "
        f"AND h.value = o.value)), 0) FROM op o WHERE NOT EXISTS ({_SUPERSEDED})"
    ).fetchone()
    _make_owners(raw)
    try:
        stored, layers = _check_layers(raw)  # stored: how many heads its pass counted
    finally:
        raw.execute("DROP TABLE IF EXISTS temp.lvv_owner")
    extra = stored - (computed - missing)
    if missing or extra:
        faults.append(f"field heads differ from a rebuild ({missing + extra} differences)")
    return faults + layers


_SEP = "\x01"  # sorts below every character of an hlc, a device id or an op id
_KEYS = (
    "SELECT entity, entity_id, field, min(value) != max(value), "
    "max(field = 'deleted' AND value = 'true'), "
    "max(hlc || char(1) || device_id || char(1) || op_id || char(1) || value), count(*) "
    "FROM field_head GROUP BY entity, entity_id, field"
)


def _column(value_json: str) -> Any:
    """:func:`column_value`, with the common cases (a plain string, a bool) short."""
    if value_json[:1] == '"' and "\\" not in value_json:
        return value_json[1:-1]
    if value_json == "true":
        return 1
    if value_json == "false":
        return 0
    return column_value(value_json)


def _check_layers(raw: Any) -> tuple[int, list[str]]:
    """Conflicts, deletes and rows against the stored heads, in one pass over them (in key
    order, so the winner of every field and each entity's row come one at a time).
    Returns how many heads there are, and the faults."""
    faults: list[str] = []
    tally = [0]
    want_conflicts: set[tuple] = set()
    want_deletes: set[tuple] = set()
    diffs: dict[str, int] = {}
    keys = raw.cursor().execute(_KEYS)
    by_entity = groupby(keys, key=itemgetter(0))
    seen: set[str] = set()
    for entity, rows in by_entity:
        winners = _winners(rows, want_conflicts, want_deletes, tally)
        if entity in ENTITIES:
            seen.add(entity)
            diffs[entity] = _compare_rows(raw, entity, winners)
        else:
            deque(winners, maxlen=0)  # drain the group: an entity this version does not know: heads only
    for entity in set(ENTITIES) - seen:
        diffs[entity] = _compare_rows(raw, entity, iter(()))
    have_conflicts = set(map(tuple, raw.execute(
        "SELECT entity, entity_id, field FROM conflict_key")))
    if have_conflicts != want_conflicts:
        faults.append(f"open conflicts differ from a rebuild "
                      f"({len(have_conflicts ^ want_conflicts)} differences)")
    have_deletes = set(map(tuple, raw.execute("SELECT entity, entity_id FROM tombstone")))
    if have_deletes != want_deletes:
        faults.append(f"deletes differ from a rebuild "
                      f"({len(have_deletes ^ want_deletes)} differences)")
    for entity in sorted(diffs):
        if diffs[entity]:
            faults.append(f"projection {entity} differs from a rebuild ({diffs[entity]} rows)")
    return tally[0], faults


_OWNERS = "SELECT entity_id, overleg_id FROM temp.lvv_owner WHERE entity = ? ORDER BY entity_id"


def expected_rows(entity: str, owners: Iterator[tuple[str, str]],
                  winners: Iterator[tuple[str, dict[str, str]]]) -> Iterator[tuple]:
    """The rows a rebuild makes, ordered by id: one per owner (an entity with ops), its
    fields the winning values. ``owners`` and ``winners`` are ordered by entity id."""
    fields = sorted(entity_fields(entity))
    pending = next(winners, None)
    for entity_id, overleg_id in owners:
        values: dict[str, str] = {}
        while pending is not None and pending[0] <= entity_id:
            if pending[0] == entity_id:
                values = pending[1]
            pending = next(winners, None)
        row = [entity_id, overleg_id]
        for f in fields:
            v = values.get(f)
            col = _column(v) if v is not None else None
            row.append((col or 0) if f == "deleted" else col)
        yield tuple(row)
    deque(winners, maxlen=0)  # drain the group: heads of an entity without ops: a rebuild makes no row for them


def _winners(rows: Iterator[tuple], conflicts: set[tuple], deletes: set[tuple],
             tally: list[int]) -> Iterator[tuple[str, dict[str, str]]]:
    """(entity_id, {field: winning value JSON}) per entity, noting conflicts, deletes and
    (in ``tally[0]``) how many heads it saw."""
    for entity_id, key_rows in groupby(rows, key=itemgetter(1)):
        fields: dict[str, str] = {}
        for entity, _eid, field, conflicted, deleting, top, heads in key_rows:
            tally[0] += heads
            fields[field] = top.split(_SEP, 3)[3]
            if conflicted:
                conflicts.add((entity, entity_id, field))
            if deleting:
                deletes.add((entity, entity_id))
        yield entity_id, fields


def _compare_rows(raw: Any, entity: str,
                  winners: Iterator[tuple[str, dict[str, str]]]) -> int:
    """How many ids differ between the stored table and the rows the heads make: a merge
    of three streams ordered by id (owners, winners, the table), in constant memory."""
    owners = raw.cursor().execute(_OWNERS, (entity,))
    have = raw.cursor().execute(
        f"SELECT {', '.join(columns(entity))} FROM {_table(entity)} ORDER BY id")
    want = expected_rows(entity, owners, winners)
    diff = 0
    try:
        a, b = have.fetchone(), next(want, None)
        while a is not None or b is not None:
            if b is None or (a is not None and a[0] < b[0]):
                diff += 1
                a = have.fetchone()
            elif a is None or b[0] < a[0]:
                diff += 1
                b = next(want, None)
            else:
                diff += tuple(a) != b
                a, b = have.fetchone(), next(want, None)
    finally:
        owners.close()
        have.close()
    return diff


# ---------------------------------------------------------------------------------------
# dump
# ---------------------------------------------------------------------------------------


def iter_rows(raw: Any, entity: str) -> Iterator[dict[str, Any]]:
    """The stored rows of one entity, ordered by id, one at a time."""
    cols = columns(entity)
    cur = raw.cursor().execute(f"SELECT {', '.join(cols)} FROM {_table(entity)} ORDER BY id")
    for row in cur:
        yield dict(zip(cols, row, strict=True))


def conflict_heads(raw: Any) -> list[list[str]]:
    return [list(r) for r in raw.execute(
        "SELECT h.entity, h.entity_id, h.field, h.op_id FROM conflict_key k "
        "CROSS JOIN field_head h ON h.entity = k.entity AND h.entity_id = k.entity_id "
        "AND h.field = k.field ORDER BY 1, 2, 3, 4"
    )]


def _nested(value: Any, depth: int) -> str:
    """``value`` as ``json.dumps(..., indent=1)`` writes it ``depth`` levels down."""
    text = json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False)
    return text.replace("\n", "\n" + " " * depth)


def write_dump(raw: Any, out: IO[str]) -> None:
    """The canonical dump, streamed: the same text as ``json.dumps(dump, sort_keys=True,
    indent=1, ensure_ascii=False)`` of :meth:`Store.dump`, without holding it in memory."""
    n_ops = raw.execute("SELECT count(*) FROM op").fetchone()[0]
    out.write('{\n "conflicts": ' + _nested(conflict_heads(raw), 1))
    out.write(',\n "format": "lvv-tui-dump/1",\n "ops": ' + str(int(n_ops)))
    out.write(',\n "state": ')
    opened = False
    for entity in sorted(ENTITIES):
        rows = iter_rows(raw, entity)
        first = next(rows, None)
        if first is None:
            continue
        out.write(",\n" if opened else "{\n")
        opened = True
        out.write("  " + json.dumps(entity, ensure_ascii=False) + ": [\n   "
                  + _nested(first, 3))
        for row in rows:
            out.write(",\n   " + _nested(row, 3))
        out.write("\n  ]")
    out.write("\n }\n}" if opened else "{}\n}")
