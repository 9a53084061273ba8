"""The pull's fast check (``passes_plainly``) never lets through an op that ``check_op``
refuses, and passes the ordinary ops sync moves."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from db.clock import HybridClock, new_device_id, uuid7
from db.projection import WireOp
from db.wire_check import check_op
from db.wire_fast import passes_plainly

_UUIDS = [uuid7(), new_device_id(), "not-a-uuid", uuid7().upper(), uuid7() + "\n", ""]
_VALUES = ['"x"', '"a\\"b"', "null", "true", "1", "-0", "01", "1.5", "[]", '{"a":1}',
           json.dumps("x" * 20_000), json.dumps("x" * 20_001), "", "nul", '"\x01"',
           "123456789012345", "1234567890123456", '"bare', "false"]
_FIELDS = [("meeting", "place"), ("meeting", "status"), ("decision", "dissent"),
           ("agenda_item", "position"), ("nope", "place"), ("meeting", "nope"),
           ("casus", "deleted")]
_BASES = ["[]", json.dumps([uuid7()]), json.dumps([uuid7(), uuid7()]),
          json.dumps([uuid7()], separators=(",", ":")), '["x"]', "[", "", '[1]',
          json.dumps([uuid7()] * 1001, separators=(",", ":"))]


def _plain_op(**changes: object) -> WireOp:
    op = WireOp(uuid7(), new_device_id(), 1, HybridClock().tick(), "Ann", uuid7(),
                "meeting", "m1", "place", '"Zaal"', "[]", 1)
    return op._replace(**changes)


_CHANGES = st.one_of(
    st.tuples(st.just("id"), st.sampled_from(_UUIDS)),
    st.tuples(st.just("device_id"), st.sampled_from(_UUIDS)),
    st.tuples(st.just("overleg_id"), st.sampled_from(_UUIDS)),
    st.tuples(st.just("device_seq"), st.sampled_from([0, 1, 2**53, 2**53 + 1, "1", True])),
    st.tuples(st.just("hlc"), st.sampled_from(
        ["0001764000000000-00000", "1-1", "0001764000000000-00000\n", 5])),
    st.tuples(st.just("author"), st.sampled_from(["Ann", "", "x" * 201, None])),
    st.tuples(st.just("entity_id"), st.sampled_from(["e", "", "x" * 201, 3])),
    st.tuples(st.just("key"), st.sampled_from(_FIELDS)),
    st.tuples(st.just("value"), st.sampled_from(_VALUES)),
    st.tuples(st.just("base"), st.sampled_from(_BASES)),
    st.tuples(st.just("schema_version"), st.sampled_from([1, 2, "1", True])),
    st.tuples(st.just("audience"), st.sampled_from(
        ["overleg", "chair", "organisation", "Overleg", "", None])),
    st.tuples(st.just("org_id"), st.sampled_from(_UUIDS + [None])),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_CHANGES, max_size=3))
def test_the_fast_check_never_passes_what_the_full_check_refuses(changes) -> None:
    op = _plain_op()
    for name, value in changes:
        if name == "key":
            op = op._replace(entity=value[0], field=value[1])
        else:
            op = op._replace(**{name: value})
    if passes_plainly(op):
        assert check_op(op) is None, op


def test_ordinary_ops_pass_the_fast_check() -> None:
    for changes in ({}, {"value": "null"}, {"field": "status", "value": '"gepland"'},
                    {"audience": "organisation", "org_id": uuid7()},
                    {"base": json.dumps([uuid7()], separators=(",", ":"))}):
        op = _plain_op(**changes)
        assert check_op(op) is None
        assert passes_plainly(op)
