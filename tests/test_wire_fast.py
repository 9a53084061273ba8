"""The fast path of the pull's checks accepts nothing that check_op refuses, and screens a
list exactly as check_op alone would."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from db.clock import HybridClock, new_device_id, uuid7
from db.projection import SCHEMA_VERSION_OPS, WireOp
from db.wire_check import canonical_value, check_op
from db.wire_fast import passes_plainly, screen

DEVICE, OVERLEG = new_device_id(), new_device_id()
CLOCK = HybridClock()
FIELDS = [("meeting", "place"), ("meeting", "deleted"), ("agenda_item", "position"),
          ("decision", "dissent"), ("meeting", "nope"), ("nothing", "place")]


def plain(entity: str = "meeting", field: str = "place", value: str = '"Zaal 1"',
          base: str = "[]") -> WireOp:
    return WireOp(uuid7(), DEVICE, 1, CLOCK.tick(), "Robot", OVERLEG, entity, "m1", field,
                  value, base, SCHEMA_VERSION_OPS)


VALUES = st.one_of(
    st.text(max_size=30).map(json.dumps),
    st.text(max_size=30).map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.integers(min_value=-(2**60), max_value=2**60).map(str),
    st.sampled_from(["true", "false", "null", "1.5", "-0", "01", "1e3", '"a\\"', "[]",
                     '{"a": 1}', '["x"]', "", " 1", '"\x01"', '"tab\t"', "\"x\"\n"]),
    st.text(max_size=12),
)
BASES = st.one_of(
    st.lists(st.just(None).map(lambda _: uuid7()), max_size=3).map(json.dumps),
    st.lists(st.just(None).map(lambda _: uuid7()), max_size=3).map(
        lambda b: json.dumps(b, separators=(",", ":"))),
    st.sampled_from(["[]", "", "[1]", '["x"]', "[ ]", '["' + uuid7().upper() + '"]',
                     "null", "[" * 3]),
)
TWEAKS = st.sampled_from([
    {}, {"hlc": "not-a-clock"}, {"hlc": "0001764316800000-00000\n"}, {"device_seq": 0},
    {"device_seq": True}, {"schema_version": 2}, {"author": ""}, {"author": "x" * 300},
    {"entity_id": ""}, {"id": "x"}, {"overleg_id": OVERLEG.upper()}, {"device_id": 5},
])


def by_check_op(op: WireOp) -> tuple[list[WireOp], list[tuple[WireOp, str]]]:
    """What screening ``op`` must give: check_op's verdict, a structured value canonical."""
    reason = check_op(op)
    if reason is not None:
        return [], [(op, reason)]
    return [op._replace(value=canonical_value(op.value))], []


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(FIELDS), VALUES, BASES, TWEAKS)
def test_the_fast_path_accepts_only_what_check_op_accepts(key, value, base, tweak) -> None:  # noqa: ANN001
    op = plain(key[0], key[1], value, base)._replace(**tweak)
    if passes_plainly(op):
        assert check_op(op) is None
    assert screen([op]) == by_check_op(op)


def test_the_plain_forms_take_the_fast_path() -> None:
    for op in (plain(), plain(value="null"), plain(field="deleted", value="true"),
               plain("agenda_item", "position", "12"),
               plain(base=json.dumps([uuid7(), uuid7()]))):
        assert check_op(op) is None and passes_plainly(op)
    structured = plain("decision", "dissent", '{"b": 1,  "a": 2}')
    assert not passes_plainly(structured)
    assert screen([structured])[0][0].value == '{"a":2,"b":1}'
