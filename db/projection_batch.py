"""Applying many ops at once: the write path of sync, and of every form the store saves.

One op at a time (:func:`db.projection.apply_op`) costs 8-10 statements per op. A batch
costs a fixed handful, whatever its size: the new ops go into the log with one
``executemany``; the heads of the fields the batch touches are read in one query and
worked out in Python; every changed head, conflict mark and delete mark is written with one
``executemany`` each; and each entity row is written once, with all its touched fields, by
one upsert per (table, set of fields).

The result equals applying the same ops one at a time in the same order, and a rebuild
from the log (a hypothesis test checks all three): heads are the ops that no op on the same
field names in its base, whatever the order they arrive in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from db.projection import WireOp, _projects, _table, column_value
from db.tables import DELETED, WIRE_COLUMNS

Key = tuple[str, str, str]
Head = tuple[str, str, str]  # hlc, device_id, value

_INSERT_OP = (
    "INSERT INTO op (" + ", ".join(WIRE_COLUMNS) + ", local_seq, pushed, skewed) "
    "VALUES (" + ", ".join("?" * len(WIRE_COLUMNS)) + ", ?, ?, ?)"
)
_HELD = (
    "SELECT " + ", ".join(WIRE_COLUMNS) + " FROM op WHERE id IN "
    "(SELECT value FROM json_each(?))"
)
_REFERENCED = (
    "SELECT b.base_id, s.entity, s.entity_id, s.field FROM op_base b "
    "JOIN op s ON s.id = b.op_id WHERE b.base_id IN (SELECT value FROM json_each(?))"
)
_HEADS = (
    "SELECT h.entity, h.entity_id, h.field, h.op_id, h.hlc, h.device_id, h.value "
    "FROM json_each(?) j CROSS JOIN field_head h ON h.entity = j.value ->> 0 "
    "AND h.entity_id = j.value ->> 1 AND h.field = j.value ->> 2"
)
_CHUNK = 5000  # ids per json_each parameter


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def apply_batch(
    raw: Any,
    ops: Sequence[WireOp],
    *,
    first_seq: int | None,
    pushed: bool,
    skewed: Sequence[bool] | None = None,
    fresh: bool = False,
    sole: Sequence[bool] | None = None,
) -> list[str]:
    """Store ``ops`` and update their projection, inside the caller's transaction.

    ``raw`` is the DB-API connection. Returns, per op, ``"applied"``, ``"duplicate"`` (the
    log holds the same payload already, or an earlier op of the batch did) or ``"alarm"``
    (same id, another payload: never applied). Applied ops get ``local_seq`` from
    ``first_seq`` on, in batch order (``None``: the next numbers of the log, SQLite's own
    rowid after the greatest, with no query for it). ``fresh`` and ``sole`` as for
    :func:`db.projection.apply_op`: ops this device has just made (nobody holds or has
    superseded them), and per op whether its base names every head of its field.
    """
    status = ["applied"] * len(ops)
    if fresh:
        new = list(ops)
        index = list(range(len(ops)))
    else:
        held: dict[str, tuple] = {}
        for chunk in _chunks(sorted({op.id for op in ops})):
            for row in raw.execute(_HELD, (json.dumps(chunk),)):
                held[row[0]] = tuple(row)
        new, index = [], []
        for i, op in enumerate(ops):
            prior = held.get(op.id)
            if prior is not None:
                status[i] = "duplicate" if prior == tuple(op) else "alarm"
                continue
            held[op.id] = tuple(op)
            new.append(op)
            index.append(i)
    if not new:
        return status
    raw.executemany(_INSERT_OP, [
        (*op, None if first_seq is None else first_seq + n, int(pushed),
         int(bool(skewed and skewed[i])))
        for n, (i, op) in enumerate(zip(index, new, strict=True))
    ])
    bases = [op.base_ids if op.base not in ("", "[]") else [] for op in new]
    edges = [(op.id, b) for op, base in zip(new, bases, strict=True) for b in base]
    if edges:
        raw.executemany("INSERT OR IGNORE INTO op_base (op_id, base_id) VALUES (?, ?)", edges)

    key_of: dict[str, Key] = {op.id: (op.entity, op.entity_id, op.field) for op in new}
    by_key: dict[Key, list[int]] = {}
    for n, op in enumerate(new):
        by_key.setdefault((op.entity, op.entity_id, op.field), []).append(n)
    # new ops that an op on the same field names in its base: never a head
    superseded = {b for n, base in enumerate(bases) for b in base
                  if key_of.get(b) == key_of[new[n].id]}
    if not fresh:
        for chunk in _chunks(list(key_of)):
            for base_id, *key in raw.execute(_REFERENCED, (json.dumps(chunk),)):
                if key_of[base_id] == tuple(key):
                    superseded.add(base_id)

    def is_sole(members: list[int]) -> bool:
        return (fresh and sole is not None and len(members) == 1
                and bool(sole[index[members[0]]]))

    loaded: dict[Key, dict[str, Head]] = {
        k: {} for k, members in by_key.items() if not is_sole(members)
    }
    for chunk in _chunks([list(k) for k in loaded]):
        for entity, entity_id, field, op_id, hlc, device_id, value in raw.execute(
                _HEADS, (json.dumps(chunk),)):
            loaded[(entity, entity_id, field)][op_id] = (hlc, device_id, value)

    head_del: list[tuple] = []
    head_ins: list[tuple] = []
    conflict_set: list[Key] = []
    conflict_clear: list[Key] = []
    tomb_set: list[tuple[str, str]] = []
    tomb_clear: list[tuple[str, str]] = []
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    owners: dict[tuple[str, str], str] = {}  # a new row takes the overleg of its first op
    for op in new:
        if _projects(op.entity, op.field):
            owners.setdefault((op.entity, op.entity_id), op.overleg_id)
    for key, members in by_key.items():
        entity, entity_id, field = key
        if key in loaded:
            before = loaded[key]
            refs = {b for n in members for b in bases[n]}
            after = {h: v for h, v in before.items() if h not in refs}
            head_del += [(*key, h) for h in before if h in refs]
            for n in members:
                op = new[n]
                if op.id not in superseded:
                    after[op.id] = (op.hlc, op.device_id, op.value)
                    head_ins.append((*key, op.id, op.hlc, op.device_id, op.value))
            if len({v[2] for v in after.values()}) > 1:
                conflict_set.append(key)
            else:
                conflict_clear.append(key)
            deleting = any(v[2] == "true" for v in after.values())
            if after:
                top = max(after, key=lambda h: (after[h][0], after[h][1], h))
                shown: str | None = after[top][2]
            else:
                shown = None
        else:  # this device's own edit whose base names every head: it is the only one
            op = new[members[0]]
            head_del += [(*key, b) for b in bases[members[0]]]
            head_ins.append((*key, op.id, op.hlc, op.device_id, op.value))
            if len(bases[members[0]]) > 1:
                conflict_clear.append(key)
            deleting = op.value == "true"
            shown = op.value
        if field == DELETED:
            (tomb_set if deleting else tomb_clear).append((entity, entity_id))
        if _projects(entity, field):
            rows.setdefault((entity, entity_id), {})[field] = (
                column_value(shown) if shown is not None else None)

    if head_del:
        raw.executemany("DELETE FROM field_head WHERE entity = ? AND entity_id = ? "
                        "AND field = ? AND op_id = ?", head_del)
    if head_ins:
        raw.executemany("INSERT INTO field_head (entity, entity_id, field, op_id, hlc, "
                        "device_id, value) VALUES (?, ?, ?, ?, ?, ?, ?)", head_ins)
    if conflict_set:
        raw.executemany("INSERT OR IGNORE INTO conflict_key (entity, entity_id, field) "
                        "VALUES (?, ?, ?)", conflict_set)
    if conflict_clear:
        raw.executemany("DELETE FROM conflict_key WHERE entity = ? AND entity_id = ? "
                        "AND field = ?", conflict_clear)
    if tomb_set:
        raw.executemany("INSERT OR IGNORE INTO tombstone (entity, entity_id) VALUES (?, ?)",
                        tomb_set)
    if tomb_clear:
        raw.executemany("DELETE FROM tombstone WHERE entity = ? AND entity_id = ?", tomb_clear)
    _write_rows(raw, rows, owners)
    return status


def _write_rows(raw: Any, rows: dict[tuple[str, str], dict[str, Any]],
                owners: dict[tuple[str, str], str]) -> None:
    """One upsert per entity row, grouped into one ``executemany`` per table and field set."""
    groups: dict[tuple[str, tuple[str, ...]], list[tuple]] = {}
    for (entity, entity_id), fields in rows.items():
        names = tuple(sorted(fields))
        params = tuple(
            (fields[f] or 0) if f == DELETED else fields[f] for f in names
        )
        groups.setdefault((entity, names), []).append(
            (entity_id, owners[(entity, entity_id)], *params))
    for (entity, names), params in groups.items():
        cols = ["id", "overleg_id", *names]
        values = ["?"] * len(cols)
        if DELETED not in names:
            cols.append(DELETED)
            values.append("0")
        updates = ", ".join(f"{f} = excluded.{f}" for f in names)
        raw.executemany(
            f"INSERT INTO {_table(entity)} ({', '.join(cols)}) VALUES ({', '.join(values)}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            params,
        )
