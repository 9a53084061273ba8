"""Issue 9: the shared server trusts no laptop. Every attack a member with plain SQL tried,
as a test on the real PostgreSQL (and the SQLite hub where it applies)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg
import pytest
from sync_helpers import ANY_ORG, FakeDevice, seed_meeting

from db.clock import uuid7
from db.hub_push import batch_json
from db.server import grant
from db.server_sql import DEVICE_TAKEN, FORBIDDEN, ID_TAKEN, TABLES
from db.sync import Hub, ServerUnavailable, sync_once


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True)


def _push(url: str, batch: str) -> list[tuple]:
    """lvv_push as a member would call it by hand."""
    with _connect(url) as conn:
        return conn.execute("SELECT op_id, server_seq, status, reason FROM lvv_push(%s::jsonb)",
                            (batch,)).fetchall()


def _op_json(op, **extra) -> dict:  # noqa: ANN001
    data = json.loads(batch_json([op]))[0]
    data.update(extra)
    return data


def _count(owner_url: str) -> int:
    with _connect(owner_url) as conn:
        return conn.execute("SELECT count(*) FROM ops").fetchone()[0]


@pytest.fixture
def world(pg, pg_hub: str, laptops):  # noqa: ANN001, ANN201
    """A server with two laptops of one overleg (roles ra and rb) in sync, and a member
    role ``rm`` of that overleg who plays the attacker."""
    a, b = laptops("A"), laptops("B")
    overleg, meeting_id, _ = seed_meeting(a)
    ra, rb, rm = pg.role("lvv_ra"), pg.role("lvv_rb"), pg.role("lvv_rm")
    for role in (ra, rb, rm):
        grant(pg_hub, role, overleg, org=ANY_ORG)
    url_a, url_b = pg.as_role(pg_hub, ra), pg.as_role(pg_hub, rb)
    sync_once(a, url_a)
    sync_once(b, url_b)
    return {"owner": pg_hub, "a": a, "b": b, "url_a": url_a, "url_b": url_b,
            "url_m": pg.as_role(pg_hub, rm), "overleg": overleg, "meeting": meeting_id,
            "pg": pg, "laptops": laptops}


def _still_fine(world) -> None:  # noqa: ANN001
    """After an attack: the honest laptops still sync to identical dumps, check passes, and
    a fresh laptop joins cleanly."""
    a, b = world["a"], world["b"]
    a.update_meeting(world["meeting"], place="Na de aanval")
    for _ in range(2):
        assert sync_once(a, world["url_a"]).rejected == []
        assert sync_once(b, world["url_b"]).rejected == []
    assert a.dump() == b.dump()
    assert a.check() == [] and b.check() == []
    fresh = world["laptops"]("F")
    report = sync_once(fresh, world["url_b"])
    assert report.quarantined == 0 and fresh.dump() == a.dump()
    assert b.meeting(world["meeting"]).place == "Na de aanval"


def test_a_member_has_no_dml_on_any_table(world) -> None:  # noqa: ANN001
    with _connect(world["owner"]) as owner:
        columns = {t: owner.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position", (t,)).fetchone()[0] for t in TABLES}
    before = _count(world["owner"])
    with _connect(world["url_m"]) as conn:
        for table, col in columns.items():
            for sql in (f"INSERT INTO {table} ({col}) VALUES (NULL)",
                        f"UPDATE {table} SET {col} = {col}",
                        f"DELETE FROM {table}",
                        f"TRUNCATE {table}"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
        # the owner's helpers are not for members either
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT lvv_try_jsonb('1')")
    assert _count(world["owner"]) == before
    _still_fine(world)


def test_a_huge_server_seq_is_ignored(world) -> None:  # noqa: ANN001
    dev = FakeDevice(world["overleg"])
    top = _count(world["owner"])
    op = dev.op()
    rows = _push(world["url_m"], json.dumps([_op_json(op, server_seq=9223372036854775807)]))
    assert rows == [(op.id, top + 1, "stored", None)]
    with _connect(world["owner"]) as owner:
        seq, pushed_by, received = owner.execute(
            "SELECT server_seq, pushed_by, received_at FROM ops WHERE id = %s", (op.id,)
        ).fetchone()
    assert seq == top + 1 and pushed_by == world["url_m"].split("//")[1].split("@")[0]
    assert received is not None
    _still_fine(world)


def test_each_bad_op_is_refused_with_its_reason_and_nothing_of_its_batch_stored(
        world) -> None:  # noqa: ANN001
    dev = FakeDevice(world["overleg"])
    good = dev.op()
    attacks = {
        "hlc is not a clock reading": dev.op()._replace(hlc="9999-bad"),
        "unknown entity or field": dev.op(field="server_seq"),
        "id is not a UUID": dev.op()._replace(id="not-a-uuid"),
        "base is not a list of op ids": dev.op()._replace(base='["x", 1]'),
        "unknown schema_version": dev.op()._replace(schema_version=99),
        FORBIDDEN: FakeDevice(uuid7()).op(),
    }
    oversized = dev.op(value="x" * 5_000_000)
    wrong_type = dev.op(field="place", value=12)
    before = _count(world["owner"])
    for reason, bad in attacks.items():
        rows = _push(world["url_m"], batch_json([good, bad]))
        assert rows == [(bad.id, None, "refused", reason)]
    for bad in (oversized, wrong_type):
        rows = _push(world["url_m"], batch_json([good, bad]))
        assert rows == [(bad.id, None, "refused", "value is not valid for the field")]
    # a value that is not JSON makes the batch no JSON at all: the server parses nothing
    broken = dev.op()._replace(value="{niet json")
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        _push(world["url_m"], batch_json([good, broken]))
    with Hub(world["url_m"]) as hub:  # the client names the op that spoiled its batch
        assert hub.push([good, broken]).refused == {
            broken.id: "value is not valid for the field"}
    # not a list, and an op that is not an object
    assert _push(world["url_m"], '{"id": 1}')[0][2] == "refused"
    assert _push(world["url_m"], '[1]') == [("#1", None, "refused", "malformed op")]
    assert _count(world["owner"]) == before  # nothing of any refused batch
    with _connect(world["owner"]) as owner:
        logged = owner.execute("SELECT count(*) FROM lvv_refusal").fetchone()[0]
    assert logged >= len(attacks) + 2
    _still_fine(world)


def test_another_laptops_device_is_refused_and_recorded(world) -> None:  # noqa: ANN001
    a = world["a"]
    mine = max(op.device_seq for op in a.all_ops() if op.device_id == a.device_id)
    forged = FakeDevice(world["overleg"], author="Iemand anders").op(
        entity_id=world["meeting"], field="place", value="Vervalst")._replace(
        device_id=a.device_id, device_seq=mine + 1)
    before = _count(world["owner"])
    with Hub(world["url_m"]) as hub:
        assert hub.push([forged]).refused == {forged.id: DEVICE_TAKEN}
    assert _count(world["owner"]) == before
    with _connect(world["owner"]) as owner:
        assert owner.execute("SELECT reason FROM lvv_refusal WHERE op_id = %s",
                             (forged.id,)).fetchall() == [(DEVICE_TAKEN,)]
    _still_fine(world)
    assert world["b"].meeting(world["meeting"]).place == "Na de aanval"


def test_a_hidden_id_is_refused_in_the_same_words(world) -> None:  # noqa: ANN001
    pg = world["pg"]
    other = world["laptops"]("O")
    other_overleg, _, _ = seed_meeting(other)
    ro = pg.role("lvv_ro")
    grant(world["owner"], ro, other_overleg, org=ANY_ORG)
    sync_once(other, pg.as_role(world["owner"], ro))
    hidden = other.all_ops()[0]
    visible = world["a"].all_ops()[0]
    dev = FakeDevice(world["overleg"])
    with Hub(world["url_m"]) as hub:
        probe = dev.op()._replace(id=hidden.id)
        clash = dev.op()._replace(id=visible.id)
        assert hub.push([probe]).refused == {hidden.id: ID_TAKEN}
        assert hub.push([clash]).refused == {visible.id: ID_TAKEN}
        # even the exact hidden op, with its own overleg: refused, not "already there"
        assert hub.push([hidden]).refused == {hidden.id: FORBIDDEN}
    _still_fine(world)


def test_a_poison_row_by_the_owner_is_quarantined_and_the_rest_arrives(
        world, capsys) -> None:  # noqa: ANN001
    from lvv_tui.cli import main

    dev = FakeDevice(world["overleg"])
    with _connect(world["owner"]) as owner:
        top = owner.execute("SELECT lvv_max_seq()").fetchone()[0]
        cols = "server_seq, id, device_id, device_seq, hlc, author, overleg_id, entity, " \
               "entity_id, field, value, base, schema_version"
        poison = [(top + 1, uuid7(), dev.device_id, 1, "not-a-clock", "X", world["overleg"],
                   "meeting", world["meeting"], "place", "{kapot", "[]", 1),
                  (9223372036854775807, uuid7(), dev.device_id, 2, "0001764316800000-00000",
                   "X", world["overleg"], "meeting", world["meeting"], "place", '"far"', "[]",
                   1)]
        for row in poison:
            owner.execute(f"INSERT INTO ops ({cols}) VALUES ({', '.join(['%s'] * 13)})", row)
    # pushes after the poison go on, numbered after it
    a = world["a"]
    a.update_meeting(world["meeting"], place="Na het gif")
    assert sync_once(a, world["url_a"]).pushed == 1
    b = world["b"]
    b.close()
    assert main(["sync", "--db", str(b.path), "--server", world["url_b"]]) == 3
    err = capsys.readouterr().err
    assert "quarantaine" in err
    assert main(["sync", "--db", str(b.path), "--server", world["url_b"]]) == 0
    assert main(["check", "--db", str(b.path)]) == 0
    out = capsys.readouterr().out
    assert "1 ontvangen wijzigingen in quarantaine" in out and "hlc is not a clock" in out
    fresh = world["laptops"]("F2")
    report = sync_once(fresh, world["url_b"], batch=3)
    assert report.quarantined == 1 and report.cursor == top + 2
    assert fresh.quarantine_count() == 1 and fresh.sync_counts().quarantined == 1
    assert fresh.meeting(world["meeting"]).place == "Na het gif"
    assert fresh.dump() == a.dump() and fresh.check() == []


def test_sqlite_hub_runs_the_same_checks_in_the_client(tmp_path: Path, laptops) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b = laptops("A"), laptops("B")
    overleg, _, _ = seed_meeting(a)
    sync_once(a, url)
    dev = FakeDevice(overleg)
    good, bad = dev.op(), dev.op()._replace(hlc="morgen")
    with Hub(url) as hub:
        result = hub.push([good, bad])
        assert result.refused == {bad.id: "hlc is not a clock reading"} and not result.stored
        assert hub.push([dev.op(value="x" * 20_001)]).refused
    # a poison row written into the file by hand is quarantined, the rest applied
    with sqlite3.connect(tmp_path / "hub.db") as raw:
        top = raw.execute("SELECT max(server_seq) FROM ops").fetchone()[0]
        raw.execute("INSERT INTO ops (server_seq, id, device_id, device_seq, hlc, author, "
                        "overleg_id, entity, entity_id, field, value, base, schema_version) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (top + 1, uuid7(), dev.device_id, 7, "x", "X", overleg, "meeting", "m1",
                     "place", 12345, "[]", 1))
    a.update_meeting(a.meetings(overleg)[0].id, place="Later")
    sync_once(a, url)
    report = sync_once(b, url)
    assert report.quarantined == 1
    assert b.dump() == a.dump() and b.check() == []


def test_a_round_cut_off_says_what_moved(pg_hub: str, laptops) -> None:
    from lvv_tui.commands.sync import EXIT_OFFLINE, _fail

    a = laptops("A")
    for n in range(3):
        seed_meeting(a)
        del n
    total = a.unsynced_count()
    calls = {"n": 0}

    def cut(step: str) -> None:
        if step == "push:acked":
            calls["n"] += 1
            if calls["n"] == 2:
                raise ServerUnavailable("server weg")

    with pytest.raises(ServerUnavailable) as caught:
        sync_once(a, pg_hub, batch=5, checkpoint=cut)
    report = caught.value.report
    assert report.pushed == 10 and report.to_push == total
    error = _fail(caught.value)
    assert error.status == EXIT_OFFLINE
    assert f"10 van {total} wijzigingen verstuurd" in str(error)
    assert "niets veranderd" not in str(error)


@pytest.mark.parametrize("command", [["dump"], ["meetings"], ["check"],
                                     ["export", "--meeting", "2026-01-01", "--format", "md",
                                      "-o", "-"]])
def test_read_only_commands_refuse_an_empty_file(tmp_path: Path, command: list[str],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture) -> None:
    from lvv_tui.cli import main

    monkeypatch.setenv("LVV_PASSPHRASE", "x")
    empty = tmp_path / "leeg.db"
    empty.write_bytes(b"")
    assert main([command[0], "--db", str(empty), *command[1:]]) == 1
    assert "een leeg bestand" in capsys.readouterr().err
    assert empty.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("leeg")) == ["leeg.db"]


def test_the_client_twin_gives_the_servers_reasons(world) -> None:  # noqa: ANN001
    """db.wire_check.check_op (SQLite hub, pull quarantine) and lvv_push agree, op by op."""
    from db.wire_check import check_op

    dev = FakeDevice(world["overleg"])
    cases = [
        dev.op()._replace(id="0191F0C2-0000-7000-8000-000000000000"),  # upper case
        dev.op()._replace(device_id="x"),
        dev.op()._replace(device_seq=0),
        dev.op()._replace(hlc="0001764316800000-0000x"),
        dev.op()._replace(hlc="0001764316800000-00001\n"),  # Python's $ let this through
        dev.op()._replace(device_id=dev.op().device_id + "\n"),
        dev.op()._replace(author=""),
        dev.op()._replace(overleg_id="LSO Den Haag"),
        dev.op()._replace(entity_id="e" * 201),
        dev.op()._replace(entity="ops"),
        dev.op(field="timebox_min", value=True)._replace(entity="agenda_item"),
        dev.op(field="deleted", value="ja"),
        dev.op(value="x" * 20_001),
        dev.op()._replace(base='["0191f0c2-0000-7000-8000-00000000000"]'),
        dev.op()._replace(schema_version=0),
    ]
    with Hub(world["url_m"]) as hub:
        for op in cases:
            reason = check_op(op)
            assert reason is not None
            assert hub.push([op]).refused == {op.id: reason}
        fine = dev.op(field="timebox_min", value=15)._replace(entity="agenda_item")
        assert check_op(fine) is None and hub.push([fine]).stored == [fine.id]
