"""The pull's checks (:func:`db.wire_check.check_op`) with a fast path, for every pull and snapshot.

A snapshot holds a million ops, nearly all of the plainest forms: a JSON string, number,
boolean or null as value, ``[]`` or a list of op ids as base. :func:`passes_plainly`
recognises exactly those forms (ids and readings by a byte translation compared with
their shape, strings by a few C-level tests), no JSON parsing; an op it
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
    KNOWN_SCHEMA_VERSIONS,
    MAX_BASE,
    MAX_DEVICE_SEQ,
    UUID_RE,
    _kinds,
    canonical_value,
    check_op,
)

_U = UUID_RE[1:-1]
# the shapes of ids and readings, checked by a byte translation and one comparison
# (no regular expression: these run a million times in a join): hex digits become "x",
# other digits "9" in the reading, anything else "?", so a string of exactly the shape
# ``UUID_RE`` or ``HLC_RE`` describes translates to its template and nothing else does
_HEX = bytes(0x78 if chr(b) in "0123456789abcdef" else b if b == 0x2D else 0x3F
             for b in range(256))
_DIGIT = bytes(0x39 if chr(b) in "0123456789" else b if b == 0x2D else 0x3F
               for b in range(256))
_UUID_SHAPE = b"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
_THREE_UUIDS = _UUID_SHAPE * 3
_HLC_SHAPE = b"9999999999999999-99999"


def _uuids(text: str, shape: bytes) -> bool:
    """``text`` (ASCII) is one or more lowercase UUIDs back to back, as ``shape``."""
    return text.isascii() and text.encode("ascii").translate(_HEX) == shape


# a list of op ids as a laptop writes it (json.dumps, compact or with ", ")
_BASE = re.compile(rf'\[(?:"{_U}"(?:, ?"{_U}")*)?\]').fullmatch
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})").fullmatch
_LITERAL = {"null": None, "true": "bool", "false": "bool"}


def passes_plainly(op: WireOp) -> bool:
    """True when ``op`` is of a plain form and passes every check (False: ask
    :func:`check_op`, which may still accept it)."""
    (op_id, device_id, device_seq, hlc, author, overleg_id, entity, entity_id, field,
     value, base, schema_version, audience, org_id) = op
    if not (type(op_id) is str and type(device_id) is str and type(overleg_id) is str
            and type(hlc) is str and type(org_id) is str and type(author) is str
            and type(entity_id) is str and type(value) is str and type(base) is str
            and type(entity) is str and type(field) is str and type(audience) is str):
        return False
    # the audience rule of db.wire_check, in its plainest form
    if org_id == "":
        if audience != "overleg":
            return False
    elif audience not in AUDIENCES or not _uuids(org_id, _UUID_SHAPE):
        return False
    if not (len(op_id) == len(device_id) == len(overleg_id) == 36
            and _uuids(op_id + device_id + overleg_id, _THREE_UUIDS) and hlc.isascii()
            and hlc.encode("ascii").translate(_DIGIT) == _HLC_SHAPE):
        return False
    if not (type(device_seq) is int and 1 <= device_seq <= MAX_DEVICE_SEQ
            and type(schema_version) is int and schema_version in KNOWN_SCHEMA_VERSIONS):
        return False
    if not (0 < len(author) <= MAX_SHORT and 0 < len(entity_id) <= MAX_SHORT):
        return False
    if base != "[]" and not (_BASE(base) and base.count('"') <= 2 * MAX_BASE):
        return False
    kind = _kinds().get((entity, field))
    if kind is None:
        return False
    if value == "null":
        return True
    if kind == "text":
        # a JSON string without escapes or control characters (printable is stricter)
        return (len(value) <= MAX_TEXT + 2 and len(value) >= 2 and value[0] == '"'
                and value[-1] == '"' and '"' not in value[1:-1] and "\\" not in value
                and value.isprintable())
    if kind == "int":
        return _INT(value) is not None
    if kind == "bool":
        return _LITERAL.get(value) == "bool"
    return False


def screen(ops: Sequence[WireOp]) -> tuple[list[WireOp], list[tuple[WireOp, str]]]:
    """Split pulled ops (a window or a snapshot's chunk) into those that pass the checks
    (structured values in the form a laptop writes) and those to quarantine, with the
    reason; plain ops without parsing their JSON."""
    good: list[WireOp] = []
    bad: list[tuple[WireOp, str]] = []
    plainly = passes_plainly
    keep = good.append
    for op in ops:
        if plainly(op):
            keep(op)
            continue
        reason = check_op(op)
        if reason is not None:
            bad.append((op, reason))
        elif op.value[:1] in ("[", "{"):
            keep(op._replace(value=canonical_value(op.value)))
        else:
            keep(op)
    return good, bad


__all__ = ["passes_plainly", "screen"]
