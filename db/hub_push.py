"""The body of a push, per kind of hub; both all-or-nothing.

* PostgreSQL: the batch goes to ``lvv_push(batch json)`` as one JSON array of op objects
  (``value`` the field's JSON value, ``base`` an array of op ids); the server checks,
  numbers and stamps (see :mod:`db.server_sql`); a big push goes as several calls in one
  transaction and one pipeline (:func:`push_pg`).
* SQLite hub: no roles, one trust domain; the same rules run here, in the client
  (:func:`db.wire_check.check_op`), then the ops are numbered under ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from db.hub_schema import PushResult, ServerRefused, hub_ops
from db.projection import WireOp
from db.server_sql import ID_TAKEN, IN_ORDER, SEQ_TAKEN, TWICE
from db.tables import WIRE_COLUMNS
from db.wire_check import check_op

_TEMPLATE = (
    '{"id":"%s","device_id":"%s","device_seq":%d,"hlc":"%s","author":"%s",'
    '"overleg_id":"%s","entity":"%s","entity_id":"%s","field":"%s","value":%s,"base":%s,'
    '"schema_version":%d,"audience":"%s","org_id":"%s"}'
)
_STRINGS = ("id", "device_id", "hlc", "author", "overleg_id", "entity", "entity_id", "field",
            "audience", "org_id")


#: quotes the template writes per op (the ten string fields and the fourteen keys)
_QUOTES = _TEMPLATE.count('"')
#: the control characters, which a JSON string may not hold as they are
_CONTROL = bytes(range(0x20))


#: Ops per call of lvv_push in a push of more (see :func:`push_pg`)
PART = 2500
_CALL = "SELECT op_id, server_seq, status, reason FROM lvv_push(%s::json, false)"


class BadBatch(Exception):
    """The batch is not valid JSON (a local op holds a value that is not JSON)."""


def batch_json(ops: Sequence[WireOp]) -> str:
    """The ops as the JSON array ``lvv_push`` takes. Values and bases are JSON already and
    go in as they are; the string fields need no escaping in the usual case (ids, clock
    readings, plain names): the array is written from a template, then checked whole, and
    written field by field through the JSON encoder only when a check fails."""
    text = _plain_batch(ops)
    if text is not None:
        return text
    enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    parts = []
    for op in ops:
        fields = {k: enc(getattr(op, k)) for k in _STRINGS}
        parts.append(
            "{" + ",".join(f'"{k}":{v}' for k, v in fields.items())
            + f',"device_seq":{enc(op.device_seq)},"value":{op.value},"base":{op.base},'
            f'"schema_version":{enc(op.schema_version)}}}')
    return "[" + ",".join(parts) + "]"


def _plain_batch(ops: Sequence[WireOp]) -> str | None:
    """The batch from the template, or None when a string field would need escaping: a
    quote or a backslash in a string field shows as one more than the template and the
    values and bases (JSON already, sent as they are) hold; a control character (a byte
    below 0x20 in UTF-8) may not be in the text at all."""
    try:
        # numbers must be numbers, the free texts text (in any other field, what is not
        # text fails the field's rule as its text does)
        if not all(type(op.device_seq) is int and type(op.schema_version) is int
                   and type(op.author) is str and type(op.entity_id) is str for op in ops):
            return None
        raw = "".join([op.value + op.base for op in ops])
        text = "[" + ",".join([_TEMPLATE % op for op in ops]) + "]"
    except TypeError:  # a value or base that is not text: the encoder's way
        return None
    if (text.count('"') != _QUOTES * len(ops) + raw.count('"')
            or text.count("\\") != raw.count("\\")):
        return None
    data = text.encode()
    if len(data.translate(None, _CONTROL)) != len(data):
        return None
    return text


def push_pg(conn: Connection, ops: Sequence[WireOp]) -> PushResult:
    """``lvv_push`` in the caller's transaction: one call, or, for a push of at least two
    :data:`PART`\\ s, one call per part, pipelined: this side writes a part's text while
    the server checks and stores the part before it (and the server takes a smaller array
    for less per op). Parts stored (or already there) answer as one call would; on any
    refusal the parts are undone (a savepoint) and the whole batch goes again as one
    call, whose answer is the push's: every refused op with its reason, recorded once."""
    raw = conn.connection.driver_connection  # the same transaction
    if len(ops) < 2 * PART:
        return _answer(ops, _call(raw, [ops])[0])
    parts = [ops[i:i + PART] for i in range(0, len(ops), PART)]
    raw.execute("SAVEPOINT lvv_push_parts")
    with raw.pipeline():
        answers = _call(raw, parts)
    results = [_answer(part, rows, whole=False) for part, rows in zip(parts, answers,
                                                                      strict=True)]
    if any(r.refused for r in results):
        raw.execute("ROLLBACK TO SAVEPOINT lvv_push_parts")
        return _answer(ops, _call(raw, [ops])[0])
    raw.execute("RELEASE SAVEPOINT lvv_push_parts")
    return _merged(results)


def _call(raw: Any, batches: Sequence[Sequence[WireOp]]) -> list[list[tuple]]:
    """The rows of a call of ``lvv_push`` per batch, sent one after the other (in a
    pipeline, each is on its way before the next one's text is written)."""
    from psycopg import errors

    cursors = []
    try:
        for batch in batches:
            cur = raw.cursor()
            cursors.append(cur)
            cur.execute(_CALL, (batch_json(batch),))
        return [cur.fetchall() for cur in cursors]
    except (errors.InvalidTextRepresentation, errors.UntranslatableCharacter) as exc:
        raise BadBatch(str(exc)) from exc
    finally:
        for cur in cursors:
            cur.close()


def _answer(ops: Sequence[WireOp], rows: list[tuple], whole: bool = True) -> PushResult:
    """What one call of ``lvv_push`` on ``ops`` answered. ``whole``: the call was the
    whole batch, so a refusal stores nothing of it (a part's refusal is the caller's)."""
    result = PushResult()
    if len(rows) == 1 and rows[0][2] == IN_ORDER:
        # the whole batch was new and stored in order from this number on
        first, count = int(rows[0][1]), int(rows[0][3])
        if count != len(ops):
            raise ServerRefused(f"the server stored {count} of {len(ops)} ops")
        result.stored = [op.id for op in ops]
        result.first_seq, result.last_seq = first, first + count - 1
        return result
    low = 0
    for op_id, seq, status, reason in rows:
        if status == "stored":
            result.stored.append(op_id)
            result.last_seq = max(result.last_seq, int(seq))
            low = int(seq) if not low else min(low, int(seq))
        elif status == "already":
            result.already.append(op_id)
        elif op_id is None:
            raise ServerRefused(f"the server refused the batch: {reason}")
        else:
            result.refused[op_id] = reason
    if result.refused and whole:
        result.stored, result.already = [], []
    elif result.stored and result.last_seq - low + 1 == len(result.stored):
        result.first_seq = low  # one run of numbers, all ours
    return result


def _merged(results: Sequence[PushResult]) -> PushResult:
    """The parts' answers as one: an op sent twice is answered once (stored by one part,
    it is not also 'already there' by a later one); the numbers are one run when each
    part's is and they follow on."""
    out = PushResult()
    for r in results:
        out.stored += r.stored
        out.already += r.already
        out.last_seq = max(out.last_seq, r.last_seq)
    stored = set(out.stored)
    out.already = [op_id for op_id in dict.fromkeys(out.already) if op_id not in stored]
    runs = [(r.first_seq, len(r.stored)) for r in results if r.stored]
    if runs and all(first for first, _ in runs) and all(
            nxt[0] == first + n for (first, n), nxt in pairwise(runs)):
        out.first_seq = runs[0][0]
    return out


def refusals_in(ops: Sequence[WireOp]) -> dict[str, str]:
    """What the hub would refuse on sight: the rules of :mod:`db.wire_check`, an id twice
    with different contents, a device counter twice."""
    refused: dict[str, str] = {}
    first: dict[str, WireOp] = {}
    seqs: dict[tuple, str] = {}
    for op in ops:
        reason = check_op(op)
        if reason is not None:
            refused.setdefault(str(op.id), reason)
            continue
        seen = first.setdefault(op.id, op)
        if seen is not op and tuple(seen) != tuple(op):
            refused.setdefault(op.id, TWICE)
        other = seqs.setdefault((op.device_id, op.device_seq), op.id)
        if other != op.id:
            refused.setdefault(op.id, SEQ_TAKEN)
    return refused


def push_sqlite(conn: Connection, ops: Sequence[WireOp], pusher: str | None = None,
                ) -> PushResult:
    """The same protocol on a SQLite hub, checked here. ``pusher`` (the pushing laptop:
    a SQLite hub has no accounts) is stamped as ``pushed_by``, with ``received_at``."""
    result = PushResult()
    result.refused = refusals_in(ops)
    if result.refused:
        return result
    batch: dict[str, WireOp] = {}
    for op in ops:
        batch.setdefault(op.id, op)
    wire = [hub_ops.c[name] for name in WIRE_COLUMNS]
    held: dict[str, bool] = {}
    ids = list(batch)
    for i in range(0, len(ids), 500):
        rows = conn.execute(
            select(*wire).where(hub_ops.c.id.in_(bindparam("ids", expanding=True))),
            {"ids": ids[i:i + 500]},
        ).all()
        held.update((r[0], tuple(r) == tuple(batch[r[0]])) for r in rows)
    refused = {op_id: ID_TAKEN for op_id, same in held.items() if not same}
    by_device: dict[str, list[WireOp]] = {}
    for op in batch.values():
        if op.id not in held:
            by_device.setdefault(op.device_id, []).append(op)
    for device, mine in by_device.items():
        low, high = min(o.device_seq for o in mine), max(o.device_seq for o in mine)
        taken = dict(conn.execute(
            select(hub_ops.c.device_seq, hub_ops.c.id).where(
                hub_ops.c.device_id == device, hub_ops.c.device_seq.between(low, high))).all())
        for o in mine:
            if taken.get(o.device_seq, o.id) != o.id:
                refused[o.id] = SEQ_TAKEN
    if refused:
        result.refused = refused
        return result
    new = [op for op in batch.values() if op.id not in held]
    result.already = [op_id for op_id in held]
    top = int(conn.exec_driver_sql("SELECT coalesce(max(server_seq), 0) FROM ops")
              .scalar_one())
    if new:
        import datetime as dt

        at = dt.datetime.now(dt.UTC).isoformat()
        conn.execute(hub_ops.insert(), [
            {"server_seq": top + n, **op._asdict(), "pushed_by": pusher, "received_at": at}
            for n, op in enumerate(new, start=1)])
        result.stored = [op.id for op in new]
        result.first_seq = top + 1
        result.last_seq = top + len(new)
    return result


__all__ = ["BadBatch", "batch_json", "push_pg", "push_sqlite", "refusals_in"]
