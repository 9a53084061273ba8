"""The checks every op must pass to enter a hub, or a laptop from a hub.

One table of rules, :data:`CHECKS`, read three ways:

* :func:`check_op` in Python: the SQLite hub's push (no roles there, one trust domain) and
  every pull on a laptop (an op that fails is quarantined, never applied);
* :func:`sql_refusal` as one SQL ``CASE`` over the parsed batch: the PostgreSQL function
  ``lvv_push`` (see :mod:`db.server_sql`), set-based, no per-op loop;
* :func:`field_kinds`: the entity/field list with the kind of value each field takes,
  generated from :mod:`db.tables` and written to the server at ``server init``.

A rule is ``(reason, sql, python)``; the reason is the text a refusal gives (the same words
on the server and here). A new wire column (an ``audience``, say) is one more line in
:data:`WIRE_FIELDS` and one more rule in :data:`CHECKS`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from db.rules import AUDIENCES, MAX_SHORT, MAX_TEXT

#: Op format versions this code knows (ops of other versions are refused / quarantined).
KNOWN_SCHEMA_VERSIONS: tuple[int, ...] = (1,)
#: Longest JSON text of a structured value (a decision's dissent: a reason per partner).
MAX_JSON = 20 * MAX_TEXT
#: Most op ids an op's base may name.
MAX_BASE = 1000
#: Highest device_seq accepted (JSON numbers stay exact below 2**53).
MAX_DEVICE_SEQ = 2**53

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
HLC_RE = r"^[0-9]{16}-[0-9]{5}$"  # db.clock.Timestamp.encode
# \Z, not $: Python's $ also matches before a final newline, PostgreSQL's does not, and
# the laptop must refuse what the server refuses
_UUID = re.compile(UUID_RE[:-1] + r"\Z")
_HLC = re.compile(HLC_RE[:-1] + r"\Z")

#: wire field -> JSON type it travels as ("string" / "integer" / "any" JSON value / "array")
WIRE_FIELDS: dict[str, str] = {
    "id": "string",
    "device_id": "string",
    "device_seq": "integer",
    "hlc": "string",
    "author": "string",
    "overleg_id": "string",
    "entity": "string",
    "entity_id": "string",
    "field": "string",
    "value": "json",
    "base": "json",
    "schema_version": "integer",
    "audience": "string",
    "org_id": "string",
}

#: fields whose value is structured JSON text in a text column. A text field not listed
#: here also takes a list or an object (at most MAX_JSON characters): a new structured
#: field of another feature must not have its ops refused by a server set up before it.
_JSON_FIELDS = {("decision", "dissent"), ("escalation", "positions"),
                ("escalation", "members")}


def field_kinds() -> dict[tuple[str, str], str]:
    """(entity, field) -> kind of value: ``text``, ``int``, ``bool`` or ``json``."""
    from sqlalchemy import Boolean, Integer

    from db.tables import ENTITIES, entity_fields

    kinds: dict[tuple[str, str], str] = {}
    for entity, model in ENTITIES.items():
        table = model.__table__  # type: ignore[attr-defined]
        for name in entity_fields(entity):
            col_type = table.columns[name].type
            if (entity, name) in _JSON_FIELDS:
                kind = "json"
            elif isinstance(col_type, Boolean):
                kind = "bool"
            elif isinstance(col_type, Integer):
                kind = "int"
            else:
                kind = "text"
            kinds[(entity, name)] = kind
    return kinds


_KINDS: dict[tuple[str, str], str] | None = None


def _kinds() -> dict[tuple[str, str], str]:
    global _KINDS
    if _KINDS is None:
        _KINDS = field_kinds()
    return _KINDS


# ---------------------------------------------------------------------------------------
# the rules
# ---------------------------------------------------------------------------------------


def _is_int(x: Any) -> bool:
    return type(x) is int


def _short(x: Any) -> bool:
    return type(x) is str and 0 < len(x) <= MAX_SHORT


def _value_ok(kind: str | None, value: Any, text: str) -> bool:
    if value is None:
        return True
    if kind == "text":
        if isinstance(value, list | dict):
            return len(text) <= MAX_JSON
        return type(value) is str and len(value) <= MAX_TEXT
    if kind == "int":
        return _is_int(value) and -(2**53) < value < 2**53
    if kind == "bool":
        return type(value) is bool
    if kind == "json":
        return isinstance(value, list | dict) and len(text) <= MAX_JSON
    return False


# SQL predicates see the parsed batch row ``p`` (text columns, NULL where the JSON type was
# wrong) and ``f.kind`` (NULL for an unknown entity/field). Python predicates see the op as
# a dict of its wire fields (raw, as received) plus "_value" and "_base" (parsed, or
# _BAD when not JSON).
_BAD = object()

# In SQL a UUID is checked with ``lvv_is_uuid(x)``, written out by :func:`_uuids` as a cast
# and back (``x::uuid::text = x``, several times cheaper per row than a regular
# expression), which raises on a malformed one; lvv_push then runs the rules again in the
# safe form (a regular expression) to name the op.
_SQL_BASE = (
    "CASE WHEN json_typeof(p.base) <> 'array' THEN false "
    "WHEN json_array_length(p.base) = 0 THEN true "
    "WHEN json_array_length(p.base) = 1 THEN json_typeof(p.base->0) = 'string' AND "
    "lvv_is_uuid(p.base->>0) "
    f"WHEN json_array_length(p.base) > {MAX_BASE} THEN false "
    "ELSE (SELECT bool_and(json_typeof(b) = 'string' AND lvv_is_uuid(b #>> '{}')) "
    "FROM json_array_elements(p.base) b) END"
)

CHECKS: list[tuple[str, str, Callable[[dict[str, Any]], bool]]] = [
    ("id is not a UUID", "lvv_is_uuid(p.id)",
     lambda o: type(o["id"]) is str and bool(_UUID.match(o["id"]))),
    ("device_id is not a UUID", "lvv_is_uuid(p.device_id)",
     lambda o: type(o["device_id"]) is str and bool(_UUID.match(o["device_id"]))),
    ("device_seq is not a counter", f"p.device_seq BETWEEN 1 AND {MAX_DEVICE_SEQ}",
     lambda o: _is_int(o["device_seq"]) and 1 <= o["device_seq"] <= MAX_DEVICE_SEQ),
    ("hlc is not a clock reading",
     "p.hlc LIKE '________________-_____' AND p.hlc !~ '[^0-9-]' AND strpos(p.hlc, '-') = 17 "
     "AND strpos(right(p.hlc, 5), '-') = 0",
     lambda o: type(o["hlc"]) is str and bool(_HLC.match(o["hlc"]))),
    ("author is not a short text", f"length(p.author) BETWEEN 1 AND {MAX_SHORT}",
     lambda o: _short(o["author"])),
    ("overleg_id is not a UUID", "lvv_is_uuid(p.overleg_id)",
     lambda o: type(o["overleg_id"]) is str and bool(_UUID.match(o["overleg_id"]))),
    ("entity_id is not a short text", f"length(p.entity_id) BETWEEN 1 AND {MAX_SHORT}",
     lambda o: _short(o["entity_id"])),
    ("unknown entity or field", "f.kind IS NOT NULL",
     lambda o: (o["entity"], o["field"]) in _kinds()),
    ("value is not valid for the field",
     # jsonb_to_recordset reads a JSON null (or no value at all) as SQL NULL: both are null
     "CASE WHEN p.value IS NULL OR json_typeof(p.value) = 'null' THEN true "
     "ELSE CASE f.kind "
     "WHEN 'text' THEN CASE WHEN json_typeof(p.value) = 'string' THEN "
     f"length(p.value #>> '{{}}') <= {MAX_TEXT} "
     "WHEN json_typeof(p.value) IN ('array', 'object') THEN "
     f"length(p.value::text) <= {MAX_JSON} ELSE false END "
     "WHEN 'int' THEN CASE WHEN json_typeof(p.value) = 'number' THEN "
     "(p.value #>> '{}') ~ '^-?[0-9]{1,15}$' ELSE false END "
     "WHEN 'bool' THEN json_typeof(p.value) = 'boolean' "
     "WHEN 'json' THEN CASE WHEN json_typeof(p.value) IN ('array', 'object') THEN "
     f"length(p.value::text) <= {MAX_JSON} ELSE false END ELSE false END END",
     lambda o: o["_value"] is not _BAD and _value_ok(
         _kinds().get((o["entity"], o["field"])), o["_value"], o["value"])),
    ("base is not a list of op ids",
     _SQL_BASE,
     lambda o: type(o["_base"]) is list and len(o["_base"]) <= MAX_BASE and all(
         type(b) is str and _UUID.match(b) for b in o["_base"])),
    ("unknown schema_version", "p.schema_version = ANY(known_versions)",
     lambda o: o["schema_version"] in KNOWN_SCHEMA_VERSIONS and _is_int(o["schema_version"])),
    ("audience is not valid",
     "CASE WHEN p.org_id = '' THEN p.audience = 'overleg' ELSE p.audience IN "
     "('overleg', 'chair', 'organisation') AND lvv_is_uuid(p.org_id) END",
     lambda o: type(o["org_id"]) is str and (
         o["audience"] == "overleg" if o["org_id"] == "" else
         o["audience"] in AUDIENCES and bool(_UUID.match(o["org_id"])))),
]


def sql_refusal(safe: bool = False) -> str:
    """One SQL expression: the reason the op in row ``p`` is refused, or NULL. ``safe``:
    never raises (slower), for a batch where the fast form met a malformed UUID."""
    whens = " ".join(
        f"WHEN NOT coalesce({sql}, false) THEN '{reason}'" for reason, sql, _ in CHECKS)
    return _uuids(f"CASE {whens} END", safe)


_IS_UUID = re.compile(r"lvv_is_uuid\(([^()]*)\)")


def _uuids(sql: str, safe: bool) -> str:
    """``lvv_is_uuid(x)`` written out: a cast and back (fast, raises on a malformed UUID),
    or with ``safe`` the regular expression."""
    if safe:
        return _IS_UUID.sub(lambda m: f"(({m[1]}) ~ '{UUID_RE}')", sql)
    return _IS_UUID.sub(lambda m: f"(({m[1]})::uuid::text = ({m[1]}))", sql)


def sql_passes() -> str:
    """One SQL condition: the op in row ``p`` passes every rule (may raise on a malformed
    UUID: lvv_push then takes its careful path)."""
    return _uuids(" AND ".join(f"({sql})" for _reason, sql, _ in CHECKS), safe=False)





def _loads(text: Any) -> Any:
    if type(text) is not str:
        return _BAD
    try:
        return json.loads(text)
    except ValueError:
        return _BAD


def check_op(op: Iterable[Any]) -> str | None:
    """Why ``op`` (a :class:`db.projection.WireOp` or a row in wire order) is refused, or
    None when it passes. Never raises, whatever the row holds."""
    from db.tables import WIRE_COLUMNS

    row = list(op)
    if len(row) != len(WIRE_COLUMNS):
        return "malformed op"
    o: dict[str, Any] = dict(zip(WIRE_COLUMNS, row, strict=True))
    if not all(type(o[k]) is str for k in ("entity", "field", "value", "base")):
        return "malformed op"
    o["_value"] = _loads(o["value"])
    o["_base"] = _loads(o["base"])
    for reason, _sql, check in CHECKS:
        try:
            ok = check(o)
        except Exception:  # noqa: BLE001 - a hostile row must never crash a pull
            ok = False
        if not ok:
            return reason
    return None


def canonical_value(value: str) -> str:
    """A structured value as the laptop writes it (sorted keys, no spaces), whatever form
    a server (an older one, a row put in by hand) holds it in."""
    if value[:1] in ("[", "{"):
        from db.projection import dumps

        return dumps(json.loads(value))
    return value


__all__ = ["AUDIENCES", "CHECKS", "KNOWN_SCHEMA_VERSIONS", "MAX_JSON", "WIRE_FIELDS",
           "canonical_value", "check_op", "field_kinds", "sql_passes",
           "sql_refusal"]
