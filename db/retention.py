"""Retention (issue 10, item 3): a case that left more than its overleg's term ago is
anonymised on every replica by one op, ``casus.redacted`` (the month it was done).

What is kept, what is erased, per record about the case (:data:`KEEP_AS`):

* erased (the op's value becomes JSON ``null``): free text, the V-number and the personal
  details of the case (nationality, health, identity, cooperation, procedure, who put it
  forward), the notes of views, the decision's reasoning, actions' text, the summaries and
  corrections of its agenda items, escalation questions and reasons, a partner's
  sensitive details, a partner's input before the meeting (feiten, oordeel, what was
  withheld and why, inzet);
* by month (a date becomes the first of its month): the dates of the case, its stays,
  escalations, actions and decisions;
* kept as they are: the overleg, the case code, status, perspective, outcome category and
  subtype, positions, ids, meetings.

A replica erases **in its op log and its tables** (ops, field heads, projection rows, the
search index, the quarantine and alarm lists): the erasure is a pure function of each op,
so replicas that hold the same ops dump identically, and ``check`` (the projection is a
rebuild of the log) still passes. Ops of an anonymised case that arrive later (pulled, or
written on this laptop) are erased before they are stored (:func:`redact_ops`).

This module is plain SQL on the DB-API connection, inside the caller's transaction; the
store (:mod:`db.store.retention`) adds the secure delete and the WAL checkpoint.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from db.projection import WireOp, dumps

#: the term when an overleg has none of its own (months after a case left)
DEFAULT_MONTHS = 24
#: the bounds an administrator may set
MIN_MONTHS, MAX_MONTHS = 1, 240

ERASE, MONTH = "erase", "month"

#: entity -> field -> how it is kept (fields not listed are kept as they are)
KEEP_AS: dict[str, dict[str, str]] = {
    "casus": {**dict.fromkeys(("v_number", "nationality", "health_flag",
                               "identity_established", "cooperation", "procedure",
                               "put_forward_by", "stay_term_days"), ERASE),
              "intake_date": MONTH, "exit_date": MONTH},
    "agenda_item": {"title": ERASE},
    "partner_view": {"note": ERASE},
    "decision": {**dict.fromkeys(("rationale", "dissent", "escalation_question",
                                  "escalation_advice"), ERASE),
                 "review_date": MONTH, "escalation_date": MONTH},
    "action_item": {"text": ERASE, "due_date": MONTH, "closed_on": MONTH},
    "minutes_text": {"text": ERASE},
    "minutes_correction": {"text": ERASE, "made_by": ERASE},
    "escalation": {**dict.fromkeys(("question", "positions", "advice_reasoning",
                                    "adoption_reasons"), ERASE),
                   **{f: MONTH for f in ("opened_on", "sent_on", "advice_on", "adoption_on",
                                         "closed_on")}},
    "stay": {"lvv_reason": ERASE, "put_forward_by": ERASE,
             **dict.fromkeys(("put_forward_on", "lvv_decided_on", "ind_dossier_on",
                              "dtenv_dossier_on", "scenario_on", "intake_date", "exit_date"),
                             MONTH)},
    "case_detail": {"text": ERASE, "topic": ERASE},
    # a partner's input before the meeting (issue 15): its texts; the position is kept
    "partner_input": {**dict.fromkeys(("feiten", "oordeel", "withheld", "withheld_reason",
                                       "inzet"), ERASE), "submitted_on": MONTH},
}
#: records that name their case in a ``case_id`` field
CASE_ENTITIES = ("agenda_item", "partner_view", "decision", "action_item", "escalation",
                 "stay", "case_detail", "partner_input")
#: records that name the agenda item they belong to (an item of the case)
ITEM_ENTITIES = ("minutes_text", "minutes_correction")


def kept_value(how: str, value_json: str) -> str:
    """The op value (JSON text) as retention keeps it. The server does the same in SQL
    (db.retention_sql): a month is the first 7 characters of a text value + ``-01``."""
    if how == ERASE:
        return "null"
    try:
        value = json.loads(value_json)
    except ValueError:
        return "null"
    if isinstance(value, str) and len(value) >= 7:
        return dumps(value[:7] + "-01")
    return "null"


def _column_sql(col: str, how: str) -> str:
    """The projection column as :func:`kept_value` keeps its op (same rule, on the column)."""
    if how == ERASE:
        return "NULL"
    return (f"CASE WHEN typeof({col}) = 'text' AND length({col}) >= 7 "
            f"THEN substr({col}, 1, 7) || '-01' ELSE NULL END")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the last day of a shorter month)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def check_term(months: Any) -> int:
    """A retention term in months, within the bounds."""
    from db.rules import ValidationError

    if isinstance(months, bool) or not isinstance(months, int) or not (
            MIN_MONTHS <= months <= MAX_MONTHS):
        raise ValidationError("retention_months", "error.choice")
    return months


def _chunks(items: Sequence[Any], n: int = 400) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), n):
        yield items[start:start + n]


def records(raw: Any, case_ids: Iterable[str], table: str = "op") -> dict[str, set[str]]:
    """Every record about the cases, by entity, from the op log (deleted ones too);
    ``table``: ``ops`` for a SQLite hub."""
    cases = sorted(set(case_ids))
    out: dict[str, set[str]] = {"casus": set(cases)}
    for entity in (*CASE_ENTITIES, *ITEM_ENTITIES):
        out[entity] = set()
    keys = [dumps(c) for c in cases]
    for chunk in _chunks(keys):
        marks = ",".join("?" * len(chunk))
        for entity, eid in raw.execute(
                f"SELECT DISTINCT entity, entity_id FROM {table} WHERE field = 'case_id' AND "
                f"value IN ({marks})", chunk):
            if entity in out:
                out[entity].add(eid)
    items = [dumps(i) for i in sorted(out["agenda_item"])]
    for chunk in _chunks(items):
        marks = ",".join("?" * len(chunk))
        for entity, eid in raw.execute(
                f"SELECT DISTINCT entity, entity_id FROM {table} WHERE field = 'agenda_item_id' "
                f"AND entity IN ('minutes_text', 'minutes_correction') AND value IN ({marks})",
                chunk):
            out[entity].add(eid)
    return out


def erase(raw: Any, case_ids: Iterable[str]) -> int:
    """Erase what retention does not keep of the cases and every record about them, in the
    op log, the field heads, the projection and the kept-aside lists; merge the search index
    so no erased word lingers in it. Returns the number of op values changed. Idempotent."""
    from db import search_index
    from db.projection import _table

    changed = 0
    for entity, ids in records(raw, case_ids).items():
        fields = KEEP_AS.get(entity)
        if not fields or not ids:
            continue
        names = sorted(fields)
        fmarks = ",".join("?" * len(names))
        table = _table(entity)
        for chunk in _chunks(sorted(ids)):
            marks = ",".join("?" * len(chunk))
            where = f"entity = ? AND entity_id IN ({marks}) AND field IN ({fmarks})"
            args = [entity, *chunk, *names]
            ops = [(new, seq) for seq, field, value in raw.execute(
                f"SELECT local_seq, field, value FROM op WHERE {where}", args)
                if (new := kept_value(fields[field], value)) != value]
            raw.executemany("UPDATE op SET value = ? WHERE local_seq = ?", ops)
            changed += len(ops)
            heads = [(new, e, i, f, o) for e, i, f, o, value in raw.execute(
                f"SELECT entity, entity_id, field, op_id, value FROM field_head WHERE {where}",
                args) if (new := kept_value(fields[f], value)) != value]
            raw.executemany("UPDATE field_head SET value = ? WHERE entity = ? AND "
                            "entity_id = ? AND field = ? AND op_id = ?", heads)
            sets = ", ".join(f"{f} = {_column_sql(f, fields[f])}" for f in names)
            raw.execute(f"UPDATE {table} SET {sets} WHERE id IN ({marks})", chunk)
            # a conflict whose values are now the same is no longer a conflict
            raw.execute(
                f"DELETE FROM conflict_key WHERE {where} AND (SELECT count(DISTINCT h.value) "
                "FROM field_head h WHERE h.entity = conflict_key.entity AND h.entity_id = "
                "conflict_key.entity_id AND h.field = conflict_key.field) <= 1", args)
            for kept_aside in ("op_alarm", "op_quarantine"):
                raw.execute(
                    f"DELETE FROM {kept_aside} WHERE json_valid(payload) AND "
                    "json_extract(payload, '$.entity') = ? AND "
                    f"json_extract(payload, '$.entity_id') IN ({marks})", [entity, *chunk])
    search_index.purge_raw(raw)  # the queue caught up first: no erased word left behind
    return changed


def redacted_cases(raw: Any) -> set[str]:
    """The cases anonymised on this replica."""
    return {r[0] for r in raw.execute("SELECT id FROM casus WHERE redacted IS NOT NULL")}


def _lookup(raw: Any, table: str, col: str, ids: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in _chunks(sorted(ids)):
        marks = ",".join("?" * len(chunk))
        for eid, value in raw.execute(
                f"SELECT id, {col} FROM {table} WHERE id IN ({marks}) AND {col} IS NOT NULL",
                chunk):
            out[eid] = value
    return out


def redact_ops(raw: Any, ops: Sequence[WireOp],
               known: set[str] | None = None) -> tuple[list[WireOp], set[str]]:
    """``ops`` as a replica stores them: a value retention does not keep, of a record about
    an anonymised case (here, or by a redaction op among ``ops``), erased before it is
    written. Returns the ops and the cases newly anonymised by them. One query when no case
    is anonymised; none when the caller passes ``known``: the anonymised ones among every
    case the ops concern (a form that read its record's case in the same transaction)."""
    new = {op.entity_id for op in ops if op.entity == "casus" and op.field == "redacted"
           and op.value != "null"}
    cases = (redacted_cases(raw) if known is None else known) | new
    if not cases:
        return list(ops), new
    case_of: dict[tuple[str, str], str] = {}
    item_of: dict[tuple[str, str], str] = {}
    for op in ops:
        if op.field == "case_id" and op.entity in CASE_ENTITIES:
            case_of[(op.entity, op.entity_id)] = json.loads(op.value) or ""
        elif op.field == "agenda_item_id" and op.entity in ITEM_ENTITIES:
            item_of[(op.entity, op.entity_id)] = json.loads(op.value) or ""
    wanted: dict[str, set[str]] = {}
    for op in ops:
        if op.field in KEEP_AS.get(op.entity, {}) and op.entity != "casus":
            if op.entity in CASE_ENTITIES and (op.entity, op.entity_id) not in case_of:
                wanted.setdefault(op.entity, set()).add(op.entity_id)
            if op.entity in ITEM_ENTITIES and (op.entity, op.entity_id) not in item_of:
                wanted.setdefault(op.entity, set()).add(op.entity_id)
    for entity, ids in wanted.items():
        from db.projection import _table

        col = "case_id" if entity in CASE_ENTITIES else "agenda_item_id"
        target = case_of if entity in CASE_ENTITIES else item_of
        for eid, value in _lookup(raw, _table(entity), col, ids).items():
            target[(entity, eid)] = value
    items = {v for v in item_of.values() if ("agenda_item", v) not in case_of}
    for eid, value in _lookup(raw, "agenda_item", "case_id", items).items():
        case_of[("agenda_item", eid)] = value
    out: list[WireOp] = []
    for op in ops:
        how = KEEP_AS.get(op.entity, {}).get(op.field)
        if how is not None:
            if op.entity == "casus":
                case = op.entity_id
            elif op.entity in ITEM_ENTITIES:
                case = case_of.get(("agenda_item", item_of.get((op.entity, op.entity_id), "")))
            else:
                case = case_of.get((op.entity, op.entity_id))
            if case in cases:
                op = op._replace(value=kept_value(how, op.value))
        out.append(op)
    return out, new


__all__ = ["CASE_ENTITIES", "DEFAULT_MONTHS", "ERASE", "KEEP_AS", "MAX_MONTHS", "MIN_MONTHS",
           "MONTH", "add_months", "check_term", "erase", "kept_value", "records",
           "redact_ops", "redacted_cases"]
