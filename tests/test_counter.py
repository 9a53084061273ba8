"""This device's counter and clock are not written at every edit (issue 11): an open moves
the saved ones on past this device's ops in the log, so a process killed without closing
never reuses a ``device_seq`` or turns its clock back."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from db import domain as d
from db.store import Store, counter
from tests.conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parent.parent

# Records views and is killed (no close, no finally) after the last one's commit.
KILLED = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, sys.argv[4])
    from db.store import Store
    store = Store.open(sys.argv[1], sys.argv[2])
    item_id, org_id = sys.argv[3].split("/")
    for n in range(5):
        store.record_view(item_id, org_id, "stay", f"Notitie {n}.")
    os._exit(9)
""")


def _meta(s: Store) -> dict[str, str]:
    with s._read() as conn:  # noqa: SLF001 - the test reads the saved counter itself
        return dict(conn.exec_driver_sql("SELECT key, value FROM meta").fetchall())


def _seed(s: Store) -> tuple[str, str]:
    ov = s.create_overleg("LSO", "Stad")
    org = s.add_organisation(ov.id, "Gemeente", d.OrgKind.GEMEENTE)
    case = s.create_case(ov.id, "C-1")
    meeting = s.create_meeting(ov.id, "2026-03-02", "10:00", "Stadhuis")
    item = s.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
    return item.id, org.id


def test_killed_without_close_the_open_continues_the_counter_and_clock(
        tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store.open(path, PASSPHRASE, author="A", create=True) as s:
        item_id, org_id = _seed(s)
    with Store.open(path, PASSPHRASE) as s:
        saved = _meta(s)  # as the close saved it
    killed = subprocess.run([sys.executable, "-c", KILLED, str(path), PASSPHRASE,
                             f"{item_id}/{org_id}", str(ROOT)],
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    with Store.open(path, PASSPHRASE) as s:
        assert _meta(s)["device_seq"] == saved["device_seq"]  # no edit wrote it
        s.record_view(item_id, org_id, d.Position.RETURN, "Na de herstart.")
        ops = [o for o in s.all_ops() if o.device_id == s.device_id]
        assert [o.device_seq for o in ops] == list(range(1, len(ops) + 1))
        assert [o.hlc for o in ops] == sorted(o.hlc for o in ops)
        assert len({o.hlc for o in ops}) == len(ops)
        assert s.check() == []


def test_the_counter_is_saved_at_close_and_every_so_many_ops(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.db"
    monkeypatch.setattr(counter, "SAVE_EVERY", 4)
    with Store.open(path, PASSPHRASE, author="A", create=True) as s:
        item_id, org_id = _seed(s)
        before = int(_meta(s)["device_seq"])
        for n in range(3):
            s.record_view(item_id, org_id, d.Position.STAY, f"Notitie {n}.")
        assert int(_meta(s)["device_seq"]) > before  # saved on the way, not per edit
        s.record_view(item_id, org_id, d.Position.STAY, "Laatste.")
        last = s.all_ops()[-1]
    with Store.open(path, PASSPHRASE) as s:
        meta = _meta(s)
        assert int(meta["device_seq"]) == last.device_seq + 1
        assert meta["hlc"] == last.hlc
        assert int(meta["log_mark"]) == s.op_count()


def test_a_save_by_another_connection_does_not_hide_unsaved_own_ops(tmp_path: Path) -> None:
    """The app has made ops it has not saved the counter for, and a second process on the
    same file (the CLI: a sync, the laptop's name) saves its own, older counter and the log
    mark past them; the app is then killed. The next open must not reuse their numbers."""
    path = tmp_path / "s.db"
    with Store.open(path, PASSPHRASE, author="A", create=True) as s:
        item_id, org_id = _seed(s)
    app = Store.open(path, PASSPHRASE)
    cli = Store.open(path, PASSPHRASE)
    for n in range(3):
        app.record_view(item_id, org_id, d.Position.STAY, f"Notitie {n}.")
    cli.apply_remote([], server="hub", cursor=0)  # a pull of nothing saves cli's counter
    cli.close()
    app._saved_seq = app._next_seq  # noqa: SLF001 - killed: nothing saved at close
    app.close()
    with Store.open(path, PASSPHRASE) as s:
        s.record_view(item_id, org_id, d.Position.RETURN, "Na de herstart.")
        ops = [o for o in s.all_ops() if o.device_id == s.device_id]
        assert len({o.device_seq for o in ops}) == len(ops)
        assert s.check() == []


def test_an_op_under_this_device_id_from_far_ahead_does_not_become_its_clock(
        tmp_path: Path) -> None:
    """An op pulled under this device's id (a laptop restored from a backup, or one that
    claims to be it) stamped a year ahead is kept flagged: neither the save of the pull nor
    the next open takes its reading as this device's clock."""
    from db.clock import Timestamp, now_ms, uuid7

    path = tmp_path / "s.db"
    with Store.open(path, PASSPHRASE, author="A", create=True) as s:
        _seed(s)
        mine = s.all_ops()[-1]
        ahead = Timestamp(now_ms() + 365 * 86_400_000, 0).encode()
        op = mine._replace(id=uuid7(), hlc=ahead, device_seq=mine.device_seq + 1)
        assert s.apply_remote([op]).skewed == 1
        assert s._clock.last.encode() < ahead  # noqa: SLF001
        s.create_overleg("LSO Tweede", "Tweede")
    with Store.open(path, PASSPHRASE) as s:
        assert s._clock.last.encode() < ahead  # noqa: SLF001
        assert _meta(s)["hlc"] < ahead
