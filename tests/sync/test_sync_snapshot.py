"""Issue 11 item 2: a new laptop joins from the hub's snapshot (PostgreSQL and SQLite hub).

The joined laptop equals one that pulled window by window; row-level security and the
pull's quarantine apply; later pulls go on from the snapshot's cursor; a join cut off at
any point leaves the laptop empty, and the next round joins completely.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest
from sync_helpers import ANY_ORG, FakeDevice, hub_rows, seed_meeting

from db.clock import uuid7
from db.hub_snapshot import open_snapshot
from db.server import grant
from db.sync import Hub, sync_once

COLS = ("server_seq, id, device_id, device_seq, hlc, author, overleg_id, entity, entity_id, "
        "field, value, base, schema_version")


class Crash(Exception):
    """Stands for the process dying at a step."""


def _progress() -> tuple[list[tuple[int, int]], object]:
    seen: list[tuple[int, int]] = []
    return seen, lambda done, total: seen.append((done, total))


def test_join_equals_a_window_by_window_pull_and_pulls_go_on(hub_url: str, small_demo,
                                                              laptops) -> None:
    sync_once(small_demo, hub_url, batch=500)
    top = len(hub_rows(hub_url))
    seen, progress = _progress()
    joined = laptops("Nieuw")
    report = sync_once(joined, hub_url, batch=700, progress=progress)
    assert report.pulled == small_demo.op_count() == top
    assert report.cursor == top and report.quarantined == 0
    assert seen[0] == (0, top) and seen[-1] == (top, top) and len(seen) > 2  # in chunks
    pulled = laptops("Oud")
    assert sync_once(pulled, hub_url, batch=700, snapshot=False).pulled == top
    assert joined.dump() == pulled.dump() == small_demo.dump()
    assert joined.check() == []
    assert joined.sync_counts(report.key).unsynced == 0
    # later pulls continue from the snapshot's cursor: only what is new arrives
    meeting = small_demo.meetings(small_demo.overleggen()[0].id)[0]
    small_demo.update_meeting(meeting.id, place="Na de momentopname")
    sync_once(small_demo, hub_url)
    seen.clear()
    again = sync_once(joined, hub_url, progress=progress)
    assert (again.pulled, again.duplicates, again.cursor) == (1, 0, top + 1)
    assert seen == []  # not empty any more: an ordinary pull
    assert joined.meeting(meeting.id).place == "Na de momentopname"
    # the joined laptop's own edits go up and reach the others
    joined.update_meeting(meeting.id, place="Van de nieuwe laptop")
    assert sync_once(joined, hub_url).pushed == 1
    sync_once(small_demo, hub_url)
    assert small_demo.dump() == joined.dump()


def test_a_psycopg_without_the_low_level_reader_joins_through_its_own(
        pg_hub: str, small_demo, laptops, monkeypatch: pytest.MonkeyPatch) -> None:
    """The snapshot's fast reader uses psycopg's low-level COPY parts; a psycopg that lacks
    them takes ``copy.rows()`` and joins to the same laptop."""
    import db.hub_snapshot as hub_snapshot

    sync_once(small_demo, pg_hub, batch=500)
    asked: list[int] = []

    def without(driver: object, copy: object) -> tuple[None, None]:
        asked.append(1)
        return None, None

    monkeypatch.setattr(hub_snapshot, "_low_level", without)
    joined = laptops("Nieuw")
    report = sync_once(joined, pg_hub, batch=700)
    assert asked == [1]
    assert report.pulled == small_demo.op_count() == len(hub_rows(pg_hub))
    assert joined.dump() == small_demo.dump()
    assert joined.check() == []


def test_a_join_cut_off_leaves_the_laptop_empty_then_completes(hub_url: str, small_demo,
                                                                laptops) -> None:
    sync_once(small_demo, hub_url, batch=500)
    laptop = laptops("Nieuw")
    calls = {"n": 0}

    def crash(step: str) -> None:
        if step == "pull:fetched":
            calls["n"] += 1
            if calls["n"] == 2:
                raise Crash(step)

    with pytest.raises(Crash):
        sync_once(laptop, hub_url, batch=300, checkpoint=crash)
    assert laptop.is_empty() and laptop.op_count() == 0
    assert laptop.dump()["state"] == {}
    with Hub(hub_url) as hub:
        assert laptop.cursor(hub.key) == 0
    report = sync_once(laptop, hub_url, batch=300)
    assert report.pulled == small_demo.op_count()
    assert laptop.dump() == small_demo.dump() and laptop.check() == []


KILLER = textwrap.dedent("""
    import os, sys
    from db.store import Store
    from db.sync import sync_once
    path, url, nth = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seen = [0]
    def hook(name):
        if name == "pull:fetched":
            seen[0] += 1
            if seen[0] == nth:
                os._exit(9)  # no cleanup, no commit, no finally: like kill -9
    store = Store.open(path, "test-passphrase", create=True)
    sync_once(store, url, batch=250, checkpoint=hook)
    os._exit(0)
""")


def test_a_join_killed_half_way_leaves_the_laptop_empty(hub_url: str, small_demo,
                                                         tmp_path: Path) -> None:
    from db.store import Store

    sync_once(small_demo, hub_url, batch=500)
    path = tmp_path / "nieuw.db"
    killed = subprocess.run([sys.executable, "-c", KILLER, str(path), hub_url, "3"],
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    with Store.open(path, "test-passphrase") as store:
        assert store.is_empty() and store.dump()["state"] == {}
        assert store.check() == []
    done = subprocess.run([sys.executable, "-c", KILLER, str(path), hub_url, "0"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with Store.open(path, "test-passphrase") as store:
        assert store.dump() == small_demo.dump() and store.check() == []


def _insert_rows(hub_url: str, rows: list[tuple]) -> None:
    """Rows put into the hub's table by its owner, past the checks of a push."""
    sql = f"INSERT INTO ops ({COLS}) VALUES ({', '.join(['%s'] * 13)})"
    if hub_url.startswith("sqlite"):
        with sqlite3.connect(hub_url.removeprefix("sqlite:///")) as conn:
            conn.executemany(sql.replace("%s", "?"), rows)
        return
    with psycopg.connect(hub_url.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        for row in rows:
            conn.execute(sql, row)
        conn.execute("UPDATE lvv_hub SET value = %s WHERE key = 'last_seq'",
                     (str(max(r[0] for r in rows)),))


def test_a_poisoned_row_in_the_snapshot_is_quarantined(hub_url: str, laptops) -> None:
    a = laptops("A")
    overleg, meeting_id, _ = seed_meeting(a)
    sync_once(a, hub_url)
    top = len(hub_rows(hub_url))
    dev = FakeDevice(overleg)
    _insert_rows(hub_url, [
        (top + 1, uuid7(), dev.device_id, 1, "not-a-clock", "X", overleg, "meeting",
         meeting_id, "place", "{kapot", "[]", 1)])
    a.update_meeting(meeting_id, place="Na het gif")
    sync_once(a, hub_url)
    fresh = laptops("F")
    seen, progress = _progress()
    report = sync_once(fresh, hub_url, progress=progress)
    assert seen[-1] == (top + 2, top + 2)  # the poison came with the snapshot
    assert report.quarantined == 1 and report.cursor == top + 2
    assert report.pulled == a.op_count()
    assert [q["reason"] for q in fresh.quarantined()] == ["hlc is not a clock reading"]
    assert fresh.meeting(meeting_id).place == "Na het gif"
    assert fresh.dump() == a.dump() and fresh.check() == []
    assert sync_once(fresh, hub_url).quarantined == 0  # never pulled again


def test_the_snapshot_keeps_to_row_level_security(pg, pg_hub: str, laptops) -> None:  # noqa: ANN001
    ra, rb = pg.role("lvv_ra"), pg.role("lvv_rb")
    a, b = laptops("A"), laptops("B")
    overleg_a, _, _ = seed_meeting(a)
    overleg_b, _, _ = seed_meeting(b)
    grant(pg_hub, ra, overleg_a, org=ANY_ORG)
    grant(pg_hub, rb, overleg_b, org=ANY_ORG)
    url_a, url_b = pg.as_role(pg_hub, ra), pg.as_role(pg_hub, rb)
    sync_once(a, url_a)
    sync_once(b, url_b)
    top = a.op_count() + b.op_count()
    # the COPY itself, as a member role: only that role's overleg, the cursor at the top
    with Hub(url_b) as hub, open_snapshot(hub) as snap:
        ops = [op for chunk in snap.chunks(7) for op in chunk]
        assert (snap.top, snap.total, len(ops)) == (top, b.op_count(), b.op_count())
        assert {op.overleg_id for op in ops} == {overleg_b}
    with Hub(pg_hub) as hub, open_snapshot(hub) as snap:  # the owner sees every op
        assert snap.total == top
    b2 = laptops("B2")
    report = sync_once(b2, url_b, batch=3)
    assert report.pulled == b.op_count() and report.cursor == top
    assert {op.overleg_id for op in b2.all_ops()} == {overleg_b}
    assert b2.dump() == b.dump() and b2.check() == []
    # a member of another overleg only gets an empty snapshot; its cursor still moves on
    rc = pg.role("lvv_rc")
    grant(pg_hub, rc, "0191f0c2-0000-7000-8000-000000000000", org=ANY_ORG)
    c = laptops("C")
    empty = sync_once(c, pg.as_role(pg_hub, rc))
    assert (empty.pulled, empty.cursor) == (0, top) and c.op_count() == 0


def test_the_cli_shows_a_bar_for_a_big_snapshot_only() -> None:
    from lvv_tui.commands.sync_progress import PROGRESS_FROM, JoinProgress

    with JoinProgress() as small:
        small(0, 10)
        small(10, 10)
    assert small.bar is None
    with JoinProgress() as big:
        for done in (0, PROGRESS_FROM // 2, PROGRESS_FROM):
            big(done, PROGRESS_FROM)
        task = big.bar.tasks[0]
        assert task.completed == PROGRESS_FROM
        assert task.description == "Overzichten opbouwen"  # every op in: the rebuild
