"""The pull's checks (:func:`db.wire_check.check_op`) with a fast path, for big pulls.

A snapshot holds a million ops, nearly all of the plainest forms: a JSON string, number,
boolean or null as value, ``[]`` or a list of op ids as base. :func:`passes_plainly`
recognises exactly those forms with a few regular expressions, no JSON parsing; an op it
does not recognise (a structured value, an escape in a string, anything odd) goes through
:func:`db.wire_check.check_op`, the one authority. So the fast path never lets through
what ``check_op`` would refuse: it accepts a subset (a test holds it to that).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from db.projection import WireOp
from db.rules import AUDIENCES, MAX_SHORT, MAX_TEXT
from db.wire_check import (
    HLC_RE,
    KNOWN_SCHEMA_VERSIONS,
    MAX_BASE,
    MAX_DEVICE_SEQ,
    UUID_RE,
    _kinds,
    canonical_value,
    check_op,
)

_U = UUID_RE[1:-1]
_UUID = re.compile(UUID_RE)
_HLC = re.compile(HLC_RE)
# a list of op ids as a laptop writes it (json.dumps, compact or with ", ")
_BASE = re.compile(rf'\[(?:"{_U}"(?:, ?"{_U}")*)?\]')
# a JSON string without escapes or control characters: its text is the part in quotes
_PLAIN_STRING = re.compile(r'"[^"\\\x00-\x1f]*"')
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})")
_LITERAL = {"null": None, "true": "bool", "false": "bool"}


def passes_plainly(op: WireOp) -> bool:
    """True when ``op`` is of a plain form and passes every check (False: ask
    :func:`check_op`, which may still accept it)."""
    (op_id, device_id, device_seq, hlc, author, overleg_id, entity, entity_id, field,
     value, base, schema_version, audience, org_id) = op
    # the audience rule of db.wire_check, in its plainest form
    if not (org_id == "" and audience == "overleg" or type(org_id) is str
            and audience in AUDIENCES and _UUID.match(org_id)):
        return False
    if not (type(op_id) is str and _UUID.match(op_id) and type(device_id) is str
            and _UUID.match(device_id) and type(overleg_id) is str
            and _UUID.match(overleg_id) and type(hlc) is str and _HLC.match(hlc)):
        return False
    if not (type(device_seq) is int and 1 <= device_seq <= MAX_DEVICE_SEQ
            and type(schema_version) is int and schema_version in KNOWN_SCHEMA_VERSIONS):
        return False
    if not (type(author) is str and 0 < len(author) <= MAX_SHORT and type(entity_id) is str
            and 0 < len(entity_id) <= MAX_SHORT):
        return False
    if type(base) is not str or not (base == "[]" or (
            _BASE.fullmatch(base) and base.count('"') <= 2 * MAX_BASE)):
        return False
    kind = _kinds().get((entity, field)) if type(entity) is str and type(field) is str \
        else None
    if kind is None or type(value) is not str:
        return False
    if value == "null":
        return True
    if kind == "text":
        return len(value) <= MAX_TEXT + 2 and _PLAIN_STRING.fullmatch(value) is not None
    if kind == "int":
        return _INT.fullmatch(value) is not None
    if kind == "bool":
        return _LITERAL.get(value) == "bool"
    return False


def screen_fast(ops: Sequence[WireOp]) -> tuple[list[WireOp], list[tuple[WireOp, str]]]:
    """As :func:`db.sync.screen`: the ops that pass (structured values canonical) and those
    to quarantine with the reason; plain ops without parsing their JSON."""
    good: list[WireOp] = []
    bad: list[tuple[WireOp, str]] = []
    for op in ops:
        if passes_plainly(op):
            good.append(op)
            continue
        reason = check_op(op)
        if reason is not None:
            bad.append((op, reason))
        elif op.value[:1] in ("[", "{"):
            good.append(op._replace(value=canonical_value(op.value)))
        else:
            good.append(op)
    return good, bad


__all__ = ["passes_plainly", "screen_fast"]
