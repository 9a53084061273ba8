"""The sync protocol against both hubs: PostgreSQL (real) and a SQLite file."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sync_helpers import FakeDevice, hub_rows, seed_meeting

from db import domain as d
from db.clock import now_ms
from db.projection import WireOp
from db.sync import Hub, sync_once

STEPS = ["push:sent", "push:committed", "push:acked", "pull:fetched", "pull:applied"]


class Crash(Exception):
    """Stands for the process dying at a step."""


def crash_at(step: str, nth: int = 1):  # noqa: ANN201
    seen = {"n": 0}

    def hook(name: str) -> None:
        if name == step:
            seen["n"] += 1
            if seen["n"] == nth:
                raise Crash(step)

    return hook


def assert_gapless(url: str) -> list[tuple[int, str]]:
    rows = hub_rows(url)
    assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))
    assert len({op_id for _, op_id in rows}) == len(rows)
    return rows


def test_round_trip_two_laptops(hub_url: str, laptops) -> None:
    a, b = laptops("A"), laptops("B")
    seed_meeting(a)
    first = sync_once(a, hub_url)
    assert first.pushed == a.op_count() and first.pulled == 0
    assert a.sync_counts(first.key).unsynced == 0
    got = sync_once(b, hub_url)
    assert got.pulled == a.op_count() and got.pushed == 0
    assert a.dump() == b.dump()
    assert b.check() == []
    again = sync_once(b, hub_url)
    assert (again.pushed, again.pulled, again.duplicates) == (0, 0, 0)
    assert len(assert_gapless(hub_url)) == a.op_count()


@pytest.mark.parametrize("step", STEPS)
def test_crash_at_each_step_loses_nothing_and_applies_nothing_twice(
        hub_url: str, laptops, step: str) -> None:
    a, b = laptops("A"), laptops("B")
    seed_meeting(a)
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    # both laptops work offline, then sync in small batches and die at `step` (2nd batch)
    _, meeting_id, item_id = seed_meeting(a)
    b_overleg = b.overleggen()[0]
    b_meeting = b.meetings(b_overleg.id)[0]
    for n in range(12):
        b.update_meeting(b_meeting.id, place=f"Zaal {n}")
    a_before, b_before = a.dump(), b.dump()
    for laptop, before, other in ((a, a_before, b), (b, b_before, a)):
        if step.startswith("pull"):
            # a laptop never pulls back its own ops: give it the other's to pull, numbered
            # before its own (so the pull also skips its own run of numbers)
            sync_once(other, hub_url)
        with pytest.raises(Crash):
            sync_once(laptop, hub_url, batch=5, checkpoint=crash_at(step, 2))
        assert laptop.check() == []
        if step.startswith("push"):
            assert laptop.dump() == before  # a push never changes local state
    for _ in range(2):
        for laptop in (a, b):
            report = sync_once(laptop, hub_url, batch=5)
            assert report.rejected == [] and report.alarms == 0
    rows = assert_gapless(hub_url)
    assert a.dump() == b.dump()
    assert a.op_count() == b.op_count() == len(rows)
    assert {op.id for op in a.all_ops()} == {op_id for _, op_id in rows}
    assert a.sync_counts().unsynced == b.sync_counts().unsynced == 0
    assert a.check() == [] and b.check() == []
    assert b.meeting(b_meeting.id).place == "Zaal 11"
    assert len(a.agenda(meeting_id)) >= 1 and item_id


def test_resent_op_with_other_payload_is_refused_and_reported(hub_url: str, laptops) -> None:
    a = laptops("A")
    seed_meeting(a)
    sync_once(a, hub_url)
    original = a.all_ops()[-1]
    forged = WireOp(**{**original.as_dict(), "value": json.dumps("vervalst")})
    with Hub(hub_url) as hub:
        result = hub.push([forged])
        assert result.rejected == [original.id] and result.stored == []
        # the same op twice in one batch, differently: the second is refused too
        dev = FakeDevice(original.overleg_id)
        op = dev.op()
        twin = WireOp(**{**op.as_dict(), "value": json.dumps("anders")})
        result = hub.push([op, twin])  # refused whole: nothing of the batch is stored
        assert result.stored == [] and result.rejected == [op.id]
        assert result.refused[op.id] == "id twice in the batch with different contents"
        assert hub.push([op]).stored == [op.id]
        pulled, _ = hub.pull(0, 10_000)
    held = {o.id: o for o in pulled}
    assert held[original.id] == original  # never overwritten
    # a laptop that holds the forged op unpushed: refused, reported, kept unpushed
    m = laptops("M")
    m.bulk_import([forged], pushed=False)
    report = sync_once(m, hub_url)
    assert report.rejected == [original.id]
    assert m.sync_counts().unsynced == 1
    assert report.alarms == 1  # and the server's version is set aside locally, not applied
    assert [x["op_id"] for x in m.alarms()] == [original.id]
    assert len(assert_gapless(hub_url)) == a.op_count() + 1


def test_two_laptops_edit_one_decision_offline(hub_url: str, laptops) -> None:
    a, b = laptops("Anna"), laptops("Bram")
    _, _, item_id = seed_meeting(a)
    a.decide(item_id, d.Perspective.RETURN, "terugkeer voorbereiden")
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    a.decide(item_id, d.Perspective.RETURN, "terugkeer met IOM, [bold]A[/bold]")
    b.decide(item_id, d.Perspective.RETURN, "eerst medisch onderzoek")
    for laptop in (a, b, a):
        sync_once(laptop, hub_url)
    conflicts_a, conflicts_b = a.conflicts(), b.conflicts()
    assert conflicts_a == conflicts_b and len(conflicts_a) == 1
    conflict = conflicts_a[0]
    assert (conflict.entity, conflict.field) == ("decision", "rationale")
    assert {v.value for v in conflict.values} == {"terugkeer met IOM, [bold]A[/bold]",
                                                 "eerst medisch onderzoek"}
    assert {v.author for v in conflict.values} == {"Anna", "Bram"}
    assert all(v.written_at.year >= 2026 for v in conflict.values)
    b.resolve_conflict(conflict, "terugkeer met IOM na medisch onderzoek")
    sync_once(b, hub_url)
    assert a.conflicts() != []  # not before the next sync
    sync_once(a, hub_url)
    assert a.conflicts() == [] and b.conflicts() == []
    assert a.decision(item_id).rationale == "terugkeer met IOM na medisch onderzoek"
    assert a.dump() == b.dump()


def test_clock_skew_is_flagged_and_does_not_reorder(hub_url: str, laptops) -> None:
    a, b, c = laptops("A"), laptops("B"), laptops("C")
    _, meeting_id, _ = seed_meeting(a)
    for laptop in (a, b, c):
        sync_once(laptop, hub_url)
    ahead = 3 * 3600 * 1000
    c._clock._wall = lambda: now_ms() + ahead  # this laptop's clock runs 3 hours ahead
    c.update_meeting(meeting_id, start_time="11:00")
    skewed_ids = {op.id for op in c.unpushed_ops()}
    sync_once(c, hub_url)
    report = sync_once(b, hub_url)
    assert report.skewed == len(skewed_ids)
    assert set(b.skewed_ops()) == skewed_ids
    assert b._clock.last.wall < now_ms() + 60_000  # not dragged forward
    b.update_meeting(meeting_id, place="Zaal B")
    sync_once(b, hub_url)
    sync_once(a, hub_url)
    assert set(a.skewed_ops()) == skewed_ids
    # later edits by A win over B's and over C's (A has seen both), whatever C's clock says
    a.update_meeting(meeting_id, place="Zaal A", start_time="09:30")
    for laptop in (a, b, c, a, b):
        sync_once(laptop, hub_url)
    for laptop in (a, b, c):
        meeting = laptop.meeting(meeting_id)
        assert (meeting.place, meeting.start_time) == ("Zaal A", "09:30")
        assert laptop.conflicts() == []
    assert a.dump() == b.dump() == c.dump()
    assert set(c.skewed_ops()) == set()  # its own ops are not skewed on its own clock


def test_small_demo_to_an_empty_laptop_dumps_identically(hub_url: str, small_demo,
                                                         laptops) -> None:
    report = sync_once(small_demo, hub_url, batch=500)
    assert report.pushed == small_demo.op_count()
    empty = laptops("Leeg")
    got = sync_once(empty, hub_url, batch=500)
    assert got.pulled == small_demo.op_count()
    assert empty.dump() == small_demo.dump()
    assert empty.check() == []


KILLER = textwrap.dedent("""
    import os, sys
    from db.store import Store
    from db.sync import sync_once
    path, url, step, nth = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    seen = [0]
    def hook(name):
        if name == step:
            seen[0] += 1
            if seen[0] == nth:
                os._exit(9)  # no cleanup, no commit, no finally: like kill -9
    store = Store.open(path, "test-passphrase", create=True)
    sync_once(store, url, batch=200, checkpoint=hook)
    os._exit(0)
""")


@pytest.mark.parametrize("step", ["push:committed", "pull:fetched"])
def test_killed_sync_of_small_demo_then_rerun(hub_url: str, tmp_path: Path, step: str) -> None:
    from db.demo import generate
    from db.store import Store

    source, target = tmp_path / "first.db", tmp_path / "second.db"
    with Store.open(source, "test-passphrase", author="Demo", create=True) as demo:
        generate(demo, scale="small", seed=1)
    for path in (source, target):
        killed = subprocess.run([sys.executable, "-c", KILLER, str(path), hub_url, step, "2"],
                                capture_output=True, text=True, timeout=120)
        # the first laptop is killed at its 2nd batch; the empty one has nothing to push,
        # and the first nothing to pull (it never pulls back its own ops)
        idle = path == (target if step.startswith("push") else source)
        assert killed.returncode == (0 if idle else 9), killed.stderr
        done = subprocess.run([sys.executable, "-c", KILLER, str(path), hub_url, "never", "1"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    with Store.open(source, "test-passphrase") as s, Store.open(target, "test-passphrase") as t:
        assert s.dump() == t.dump()
        assert t.check() == [] and s.check() == []
        assert t.op_count() == s.op_count() == len(assert_gapless(hub_url))


def test_dates_of_conflict_values_are_the_writers_clock(hub_url: str, laptops) -> None:
    a, b = laptops("A"), laptops("B")
    _, meeting_id, _ = seed_meeting(a)
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    a.update_meeting(meeting_id, place="Zaal 1")
    b.update_meeting(meeting_id, place="Zaal 2")
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    (conflict,) = b.conflicts()
    today = dt.datetime.now(dt.UTC).date()
    assert {v.written_at.date() for v in conflict.values} == {today}
    assert {v.device_id for v in conflict.values} == {a.device_id, b.device_id}


def test_encrypted_sqlite_hub(tmp_path: Path, laptops) -> None:
    from db.sync import ServerRefused

    a, b = laptops("A"), laptops("B")
    seed_meeting(a)
    url = f"sqlite+pysqlcipher://:hub-secret@/{tmp_path / 'hub.db'}"
    assert sync_once(a, url).pushed == a.op_count()
    assert sync_once(b, url).pulled == a.op_count()
    assert a.dump() == b.dump()
    assert b"Teststad" not in (tmp_path / "hub.db").read_bytes()  # the overleg's name
    assert not (tmp_path / "hub.db").read_bytes().startswith(b"SQLite format 3")
    for wrong in (f"sqlite+pysqlcipher://:wrong@/{tmp_path / 'hub.db'}",
                  f"sqlite:///{tmp_path / 'hub.db'}"):
        with pytest.raises(ServerRefused, match="not a database"):
            sync_once(b, wrong)


def test_a_foreign_sqlite_file_is_not_made_a_hub(tmp_path: Path, laptops) -> None:
    import sqlite3

    from db.sync import ServerRefused

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
    before = other.read_bytes()
    with pytest.raises(ServerRefused, match="not an lvv-tui hub"):
        sync_once(laptops("A"), f"sqlite:///{other}")
    assert other.read_bytes() == before
