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

Rows are one SQL statement per entity (:mod:`db.projection_rows`: the owners joined with
their heads, the winner of each field by a ``max`` over ``hlc, device_id, op_id``), which a
rebuild inserts and a check compares with the stored table (a LEFT JOIN on id). The check
of the log is one pass over it (:func:`log_pass`: per op, superseded or a head, the head
found in ``field_head`` as it is, and the open conflict or tombstone its field's stored
heads make; per device, the ``device_seq`` range), a count of the stored heads, and seeks
from the open conflicts and tombstones into the heads; nothing is held in Python per row.

Everything here runs inside the caller's transaction on the raw DB-API connection.
Temporary tables live in memory (SQLCipher is built with ``SQLITE_TEMP_STORE=2``), so no
plaintext reaches a temporary file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from db import projection_rows, search_index
from db.projection_rows import columns
from db.tables import ENTITIES

_SUPERSEDED = (
    "SELECT 1 FROM op_base b JOIN op s ON s.id = b.op_id WHERE b.base_id = o.id "
    "AND s.entity = o.entity AND s.entity_id = o.entity_id AND s.field = o.field"
)


def _table(entity: str) -> str:
    return projection_rows.table(entity)


#: page cache while a whole-log pass runs (KiB): the heads it probes stay in memory
PASS_CACHE_KIB = 16384


#: page cache while a rebuild writes the heads (KiB): they arrive in the log's order, not
#: theirs, and a cache that holds most of them spares re-reading evicted pages
REBUILD_CACHE_KIB = 98304


#: page cache while the heads are written (KiB): the pilot's heads fit in it, so each of
#: their pages is encrypted and written once instead of being evicted and re-read
HEADS_CACHE_KIB = 163840


@contextmanager
def big_cache(raw: Any, kib: int = PASS_CACHE_KIB) -> Iterator[None]:
    """A page cache of ``kib`` KiB for the block; the one before after it."""
    before = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = -{kib}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(before)}")


def make_owners(raw: Any) -> None:
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
    """Recompute heads, conflicts, deletes, every projection table and the search index
    from the log. The tables' own indexes are dropped while they fill and made again after
    (building an index at once is cheaper than keeping it up row by row), and the search
    index is rebuilt in bulk (:func:`db.search_index.bulk`), all in the caller's
    transaction."""
    with big_cache(raw, REBUILD_CACHE_KIB), search_index.bulk(raw), _indexes_later(raw):
        _rebuild(raw)


@contextmanager
def _indexes_later(raw: Any) -> Iterator[None]:
    """Drop the projection tables' secondary indexes; make them again afterwards, each
    from its own ``CREATE INDEX`` text (primary keys and unique constraints stay)."""
    tables = [_table(entity) for entity in ENTITIES]
    marks = ", ".join("?" * len(tables))
    indexes = raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks})", tables).fetchall()
    for name, _sql in indexes:
        raw.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in indexes:
        raw.execute(sql)


def _rebuild(raw: Any) -> None:
    for table in ("field_head", "conflict_key", "tombstone", *map(_table, ENTITIES)):
        raw.execute(f"DELETE FROM {table}")
    # the superseded ops (an op on the same field names them in its base) first, in a
    # small in-memory table: one lookup there per op instead of a join through op_base
    raw.execute("DROP TABLE IF EXISTS temp.lvv_superseded")
    raw.execute("CREATE TEMP TABLE lvv_superseded (id TEXT PRIMARY KEY) WITHOUT ROWID")
    try:
        raw.execute(
            "INSERT OR IGNORE INTO temp.lvv_superseded (id) SELECT b.base_id FROM op_base b "
            "JOIN op s ON s.id = b.op_id JOIN op o ON o.id = b.base_id WHERE "
            "s.entity = o.entity AND s.entity_id = o.entity_id AND s.field = o.field"
        )
        # OR IGNORE (nothing to ignore: op ids are unique) spares SQLite a statement
        # journal, which would hold every page the DELETEs above freed and this reuses
        with big_cache(raw, HEADS_CACHE_KIB):
            raw.execute(
                "INSERT OR IGNORE INTO field_head (entity, entity_id, field, op_id, hlc, "
                "device_id, value) SELECT o.entity, o.entity_id, o.field, o.id, o.hlc, "
                "o.device_id, o.value FROM op o WHERE o.id NOT IN temp.lvv_superseded"
            )
    finally:
        raw.execute("DROP TABLE IF EXISTS temp.lvv_superseded")
    raw.execute(
        "INSERT OR IGNORE INTO conflict_key (entity, entity_id, field) "
        "SELECT entity, entity_id, field "
        "FROM field_head GROUP BY entity, entity_id, field HAVING min(value) != max(value)"
    )
    make_owners(raw)
    try:
        # every head here is an op of an owner: a seek per owner, not a scan of the heads
        raw.execute(
            "INSERT OR IGNORE INTO tombstone (entity, entity_id) SELECT o.entity, o.entity_id "
            "FROM temp.lvv_owner o WHERE EXISTS (SELECT 1 FROM field_head h "
            "WHERE h.entity = o.entity AND h.entity_id = o.entity_id AND h.field = 'deleted' "
            "AND h.value = 'true')"
        )
        projection_rows.register(raw)
        for entity in ENTITIES:
            projection_rows.insert_rows(raw, entity)
    finally:
        raw.execute("DROP TABLE IF EXISTS temp.lvv_owner")


# ---------------------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------------------

#: the heads of the op's field (alias o) in ``field_head`` (alias ``X``)
_FIELD = "X.entity = o.entity AND X.entity_id = o.entity_id AND X.field = o.field"

#: per op of the log (alias o) not superseded: 1, plus 2 if it is in ``field_head`` as it
#: is, plus 4 if its field's stored heads differ in value, it is the first of them and the
#: field is not an open conflict, plus 8 if it is a stored delete (``deleted`` = true), the
#: first of its entity's, and the entity has no tombstone. One seek into ``field_head`` per
#: op; the rest only for a field with more than one head or a delete (rare)
_HEAD_KIND = (
    "1 + coalesce((SELECT 2 * max(h.op_id = o.id AND h.hlc = o.hlc AND h.device_id = "
    "o.device_id AND h.value = o.value) + CASE WHEN count(*) > 1 THEN 4 * (SELECT "
    "min(g.value) != max(g.value) AND min(g.op_id) = o.id AND NOT EXISTS (SELECT 1 FROM "
    "conflict_key k WHERE k.entity = o.entity AND k.entity_id = o.entity_id AND k.field = "
    f"o.field) FROM field_head g WHERE {_FIELD.replace('X.', 'g.')}) ELSE 0 END "
    "+ CASE WHEN o.field = 'deleted' AND o.value = 'true' THEN 8 * (SELECT min(g.op_id) = "
    "o.id AND NOT EXISTS (SELECT 1 FROM tombstone t WHERE t.entity = o.entity AND "
    f"t.entity_id = o.entity_id) FROM field_head g WHERE {_FIELD.replace('X.', 'g.')} AND "
    f"g.value = 'true') ELSE 0 END FROM field_head h WHERE {_FIELD.replace('X.', 'h.')}), 0)"
)


def log_pass(raw: Any) -> list[tuple[str, int, int, int, int, int, int, int]]:
    """One pass over the log, per device: ``(device_id, ops, lowest device_seq, highest
    device_seq, heads, heads stored, conflicts missing, deletes missing)``: how many of its
    ops a rebuild makes heads (no op on the same field names them in its base), how many of
    those are in ``field_head`` as they are, and of the fields and entities whose first
    stored head is one of its ops, how many lack their open conflict or their tombstone.
    For check: the sequence gaps, the heads, and the conflicts and deletes the stored heads
    make (where the heads are right, every stored head is counted here), without a second
    scan of the log or a grouped scan of the heads.

    Each op is classified in a subquery (0 superseded, else :data:`_HEAD_KIND`) that SQLite
    runs as a co-routine, so the sort by device holds three small columns per op, not the
    op. Superseded: only an op named as a base (``IN`` over ``op_base``, made once) is
    looked up with its successors."""
    with big_cache(raw):
        return raw.execute(
            "SELECT device_id, count(*), min(device_seq), max(device_seq), "
            "coalesce(sum(kind > 0), 0), coalesce(sum((kind & 2) > 0), 0), "
            "coalesce(sum((kind & 4) > 0), 0), coalesce(sum((kind & 8) > 0), 0) FROM ("
            "SELECT o.device_id AS device_id, o.device_seq AS device_seq, "
            "CASE WHEN o.id IN (SELECT base_id FROM op_base) AND EXISTS "
            f"({_SUPERSEDED}) THEN 0 ELSE {_HEAD_KIND} END "
            "AS kind FROM op o LIMIT -1) GROUP BY device_id"
        ).fetchall()


def check_projection(raw: Any, log: list[tuple] | None = None) -> list[str]:
    """Faults of the stored heads, conflicts and deletes against a rebuild (caller's
    snapshot), in SQL. Heads are compared with the log (``log``: :func:`log_pass` of this
    snapshot, worked out if not given); conflicts and deletes with the stored heads (so a
    wrong head is one fault, not one per layer above it): what the heads make and the
    tables lack from ``log``, what the tables hold and the heads do not make here."""
    with big_cache(raw):
        log = log_pass(raw) if log is None else log
        faults: list[str] = []
        computed = sum(int(row[4]) for row in log)
        matched = sum(int(row[5]) for row in log)  # heads of a rebuild stored as such
        conflicts_missing = sum(int(row[6]) for row in log)
        deletes_missing = sum(int(row[7]) for row in log)
        stored = int(raw.execute("SELECT count(*) FROM field_head").fetchone()[0])
        missing, extra = computed - matched, stored - matched
        if missing or extra:
            faults.append(f"field heads differ from a rebuild ({missing + extra} differences)")
        conflicts_extra, deletes_extra = _extra_conflicts_and_deletes(raw)
        if conflicts_missing or conflicts_extra:
            faults.append(f"open conflicts differ from a rebuild "
                          f"({conflicts_missing + conflicts_extra} differences)")
        if deletes_missing or deletes_extra:
            faults.append(f"deletes differ from a rebuild "
                          f"({deletes_missing + deletes_extra} differences)")
        return faults


def check_rows(raw: Any) -> list[str]:
    """Faults of the projection tables against the rows the stored heads make (caller's
    snapshot), one SQL statement per entity."""
    faults = []
    with big_cache(raw):
        make_owners(raw)
        try:
            projection_rows.register(raw)
            for entity in sorted(ENTITIES):
                diff = projection_rows.count_differences(raw, entity)
                if diff:
                    faults.append(f"projection {entity} differs from a rebuild ({diff} rows)")
        finally:
            raw.execute("DROP TABLE IF EXISTS temp.lvv_owner")
    return faults


def _extra_conflicts_and_deletes(raw: Any) -> tuple[int, int]:
    """Open conflicts the stored heads do not make (no two of the field's heads differ in
    value) and tombstones without a stored delete head: seeks from the two small tables."""
    conflicts_extra = raw.execute(
        "SELECT count(*) FROM conflict_key k WHERE NOT coalesce((SELECT min(value) != "
        "max(value) FROM field_head h WHERE h.entity = k.entity AND h.entity_id = k.entity_id "
        "AND h.field = k.field), 0)"
    ).fetchone()[0]
    deletes_extra = raw.execute(
        "SELECT count(*) FROM tombstone t WHERE NOT EXISTS (SELECT 1 FROM field_head h "
        "WHERE h.entity = t.entity AND h.entity_id = t.entity_id AND h.field = 'deleted' "
        "AND h.value = 'true')"
    ).fetchone()[0]
    return int(conflicts_extra), int(deletes_extra)


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
