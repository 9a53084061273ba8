"""The projection depends on the set of ops only: any order, with duplicates, same result."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import db.tables  # noqa: F401 - registers the tables
from db.projection import (
    Stored,
    WireOp,
    apply_op,
    dumps,
    project,
    projection_as_stored,
    read_projection,
)

DEVICES = ["dev-a", "dev-b", "dev-c"]
TARGETS = [
    ("casus", "c1", "perspective"), ("casus", "c1", "code"), ("decision", "i1", "rationale"),
    ("decision", "i1", "dissent"), ("partner_view", "i1/o1", "note"), ("casus", "c1", "deleted"),
]


@st.composite
def op_histories(draw: st.DrawFn) -> list[WireOp]:
    """A plausible history: each op's base names ops already made (what its device saw)."""
    n = draw(st.integers(1, 18))
    ops: list[WireOp] = []
    seqs = {dv: 0 for dv in DEVICES}
    for i in range(n):
        device = draw(st.sampled_from(DEVICES))
        entity, entity_id, field = draw(st.sampled_from(TARGETS))
        same_field = [o.id for o in ops if (o.entity, o.entity_id, o.field) ==
                      (entity, entity_id, field)]
        base = draw(st.lists(st.sampled_from(same_field), unique=True, max_size=2)) \
            if same_field else []
        if field == "deleted":
            value = draw(st.booleans())
        elif field == "dissent":
            value = draw(st.lists(st.sampled_from(["o1", "o2"]), max_size=2))
        else:
            value = draw(st.sampled_from(["return", "stay", "[bold]x[/bold]", ""]))
        seqs[device] += 1
        ops.append(WireOp(
            id=f"op-{i:03d}", device_id=device, device_seq=seqs[device],
            hlc=f"{draw(st.integers(1, 6)):016d}-{draw(st.integers(0, 2)):05d}",
            author=device.upper(), overleg_id="ov", entity=entity, entity_id=entity_id,
            field=field, value=dumps(value), base=dumps(sorted(base)), schema_version=1,
        ))
    return ops


def _apply_all(ops: list[WireOp]) -> Stored:
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        SQLModel.metadata.create_all(conn)
        seq = 1
        for op in ops:
            if apply_op(conn, op, local_seq=seq, pushed=False) == "applied":
                seq += 1
        return read_projection(conn)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=op_histories(), data=st.data())
def test_any_order_with_duplicates_gives_the_same_projection(ops: list[WireOp],
                                                             data: st.DataObject) -> None:
    dupes = data.draw(st.lists(st.sampled_from(ops), max_size=5))
    shuffled = data.draw(st.permutations(ops + dupes))
    reference = _apply_all(ops)
    assert _apply_all(shuffled) == reference
    # and the incremental SQL projection equals the from-scratch Python one
    assert projection_as_stored(project(shuffled)) == reference


def test_concurrent_values_are_a_conflict_until_a_resolution_names_both() -> None:
    def op(i: str, device: str, hlc: str, value: str, base: list[str]) -> WireOp:
        return WireOp(i, device, 1 if i != "r" else 2, hlc, device, "ov", "decision", "i1",
                      "rationale", dumps(value), dumps(base), 1)

    a = op("a", "dev-a", "0000000000000002-00000", "terugkeer", [])
    b = op("b", "dev-b", "0000000000000001-00000", "verblijf", [])
    stored = _apply_all([a, b])
    assert {h[3] for h in stored.heads} == {"a", "b"}  # both values kept
    assert stored.rows["decision"]["i1"]["rationale"] == "terugkeer"  # greatest hlc shown
    assert stored.conflict_keys == {("decision", "i1", "rationale")}
    r = op("r", "dev-b", "0000000000000003-00000", "samengevoegd", ["a", "b"])
    stored = _apply_all([r, b, a])
    assert {h[3] for h in stored.heads} == {"r"}
    assert stored.rows["decision"]["i1"]["rationale"] == "samengevoegd"
    assert stored.conflict_keys == set()


def test_a_later_edit_that_saw_a_skewed_op_wins_over_it() -> None:
    # dev-b's clock ran hours ahead; dev-a saw its value and changed it later
    skewed = WireOp("s", "dev-b", 1, "0000000099999999-00000", "B", "ov", "casus", "c1",
                    "perspective", dumps("return"), "[]", 1)
    later = WireOp("l", "dev-a", 1, "0000000000000005-00000", "A", "ov", "casus", "c1",
                   "perspective", dumps("stay"), json.dumps(["s"]), 1)
    assert _apply_all([later, skewed]).rows["casus"]["c1"]["perspective"] == "stay"


@pytest.mark.parametrize("order", [0, 1])
def test_unknown_fields_are_kept_in_the_log_but_not_projected(order: int) -> None:
    known = WireOp("k", "d", 1, "0000000000000001-00000", "A", "ov", "casus", "c1", "code",
                   dumps("X-1"), "[]", 1)
    future = WireOp("f", "d", 2, "0000000000000002-00000", "A", "ov", "casus", "c1",
                    "new_field_of_v9", dumps(1), "[]", 2)
    ops = [known, future] if order == 0 else [future, known]
    stored = _apply_all(ops)
    assert stored.rows["casus"]["c1"]["code"] == "X-1"
    assert projection_as_stored(project(ops)) == stored


def _apply_batched(ops: list[WireOp], cuts: list[int]) -> tuple[Stored, list[str]]:
    from db.projection_batch import apply_batch

    engine = create_engine("sqlite://")
    statuses: list[str] = []
    with engine.begin() as conn:
        SQLModel.metadata.create_all(conn)
        raw = conn.connection.dbapi_connection
        seq = 1
        for start, end in zip([0, *cuts], [*cuts, len(ops)], strict=True):
            got = apply_batch(raw, ops[start:end], first_seq=seq, pushed=False)
            seq += got.count("applied")
            statuses += got
        return read_projection(conn), statuses


def _rebuilt(ops: list[WireOp]) -> Stored:
    from db.projection_sql import rebuild

    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        SQLModel.metadata.create_all(conn)
        seq = 1
        for op in ops:
            if apply_op(conn, op, local_seq=seq, pushed=False) == "applied":
                seq += 1
        raw = conn.connection.dbapi_connection
        raw.execute("DELETE FROM field_head")  # damage that a rebuild must repair
        raw.execute("UPDATE casus SET code = 'beschadigd'")
        raw.execute("INSERT INTO tombstone (entity, entity_id) VALUES ('decision', 'i1')")
        rebuild(raw)
        return read_projection(conn)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=op_histories(), data=st.data())
def test_batches_equal_one_at_a_time_equal_a_rebuild(ops: list[WireOp],
                                                     data: st.DataObject) -> None:
    dupes = data.draw(st.lists(st.sampled_from(ops), max_size=5))
    forged = [op._replace(value=dumps("vervalst")) for op in
              data.draw(st.lists(st.sampled_from(ops), max_size=2))]
    stream = data.draw(st.permutations(ops + dupes + forged))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(stream) - 1)), max_size=4)))
    one_by_one = _apply_all(stream)
    batched, statuses = _apply_batched(stream, [c for c in cuts if c < len(stream)])
    assert batched == one_by_one
    assert _rebuilt(stream) == one_by_one
    # the same ops are applied, skipped and kept aside as one at a time would
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        SQLModel.metadata.create_all(conn)
        expected = []
        for n, op in enumerate(stream, start=1):
            expected.append(apply_op(conn, op, local_seq=n, pushed=False))
    assert statuses == expected
    assert statuses.count("applied") == len({op.id for op in stream})
