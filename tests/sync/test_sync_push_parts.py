"""A push of several parts (db.hub_push.PART): one transaction, one pipeline of lvv_push
calls, answered as one call would be; any refusal refuses the whole batch, stores nothing
and records each refused op once (real PostgreSQL)."""

from __future__ import annotations

import json

import psycopg
import pytest
from sync_helpers import ANY_ORG, FakeDevice, hub_rows

from db import hub_push
from db.clock import uuid7
from db.server import grant
from db.sync import Hub


@pytest.fixture
def member(pg, pg_hub: str, monkeypatch):  # noqa: ANN001, ANN201
    """(owner URL, a member's URL, a device of the member's overleg); parts of 4 ops."""
    monkeypatch.setattr(hub_push, "PART", 4)
    overleg = uuid7()
    role = pg.role("lvv_parts")
    grant(pg_hub, role, overleg, org=ANY_ORG)
    return pg_hub, pg.as_role(pg_hub, role), FakeDevice(overleg)


def _refusals(owner: str) -> list[tuple[str, str]]:
    with psycopg.connect(owner.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute("SELECT op_id, reason FROM lvv_refusal ORDER BY id").fetchall()


def test_a_push_in_parts_is_numbered_in_order_as_one_run(member) -> None:  # noqa: ANN001
    owner, url, device = member
    ops = [device.op(field="place", value=f"v{i}") for i in range(10)]
    with Hub(url) as hub:
        result = hub.push(ops)
    assert result.stored == [op.id for op in ops] and result.already == []
    assert result.refused == {} and result.numbered() == (1, 10)
    assert hub_rows(owner) == [(n, op.id) for n, op in enumerate(ops, start=1)]


def test_a_refusal_in_a_later_part_refuses_the_batch_and_stores_nothing(member) -> None:  # noqa: ANN001
    owner, url, device = member
    ops = [device.op(field="place", value=f"v{i}") for i in range(10)]
    bad = ops[9] = ops[9]._replace(hlc="not-a-clock")
    with Hub(url) as hub:
        result = hub.push(ops)
    assert result.refused == {bad.id: "hlc is not a clock reading"}
    assert result.stored == [] and result.already == []
    assert hub_rows(owner) == []
    assert _refusals(owner) == [(bad.id, "hlc is not a clock reading")]  # once


def test_a_resend_in_parts_answers_already_for_what_is_there(member) -> None:  # noqa: ANN001
    owner, url, device = member
    ops = [device.op(field="place", value=f"v{i}") for i in range(9)]
    more = [device.op(field="place", value=f"w{i}") for i in range(3)]
    with Hub(url) as hub:
        assert hub.push(ops).numbered() == (1, 9)
        again = hub.push(ops + more + [ops[0]])
    assert again.stored == [op.id for op in more]
    assert again.already == [op.id for op in ops]
    assert again.numbered() == (10, 3)
    assert [seq for seq, _ in hub_rows(owner)] == list(range(1, 13))


def test_an_op_twice_in_two_parts_is_stored_once(member) -> None:  # noqa: ANN001
    owner, url, device = member
    ops = [device.op(field="place", value=f"v{i}") for i in range(9)]
    with Hub(url) as hub:
        result = hub.push([*ops, ops[2]])
    assert result.stored == [op.id for op in ops] and result.already == []
    assert result.numbered() == (1, 9)
    assert hub_rows(owner) == [(n, op.id) for n, op in enumerate(ops, start=1)]


def test_an_id_twice_with_other_contents_across_parts_is_refused_as_one_call_would(
        member) -> None:  # noqa: ANN001
    owner, url, device = member
    ops = [device.op(field="place", value=f"v{i}") for i in range(9)]
    twin = ops[1]._replace(value='"anders"')
    with Hub(url) as hub:
        result = hub.push([*ops, twin])
    assert result.refused == {twin.id: hub_push.TWICE}
    assert result.stored == [] and hub_rows(owner) == []


def test_an_op_that_is_no_json_in_a_later_part_is_named(member) -> None:  # noqa: ANN001
    owner, url, device = member
    ops = [device.op(field="place", value=f"v{i}") for i in range(10)]
    bad = ops[8] = ops[8]._replace(value="{niet json")
    with Hub(url) as hub:
        result = hub.push(ops)
    assert result.refused == {bad.id: "value is not valid for the field"}
    assert result.stored == [] and hub_rows(owner) == []


@pytest.mark.parametrize("author", ['a "quote"', "back\\slash", "tab\there", "nl\n", "é ok"])
def test_the_batch_text_escapes_what_a_json_string_must(author: str) -> None:
    device = FakeDevice(uuid7(), author=author)
    ops = [device.op(value=f'he said "{author}"') for _ in range(3)]
    decoded = json.loads(hub_push.batch_json(ops))
    assert [o["author"] for o in decoded] == [author] * 3
    assert [o["value"] for o in decoded] == [json.loads(op.value) for op in ops]
