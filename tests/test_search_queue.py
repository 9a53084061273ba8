"""The search index follows a write in a transaction of its own (issue 11): the write
commits its rows and a queue row durably, the index catches up right after. A crash between
the two leaves the queue, and the next open repairs the index."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from db import domain as d
from db import search_index
from db.store import Store
from tests.conftest import PASSPHRASE
from tests.test_search import _seed, found

ROOT = Path(__file__).resolve().parent.parent

# Records a view and is killed after its durable commit, before the index catches up.
KILLED = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, sys.argv[4])
    from db.store import Store
    store = Store.open(sys.argv[1], sys.argv[2])
    store.catch_up_index = lambda: os._exit(9)  # like kill -9 between the two
    item_id, org_id = sys.argv[3].split("/")
    store.record_view(item_id, org_id, "stay", "Zwaluwstaart boven het dossier.")
    os._exit(0)
""")


def _index(s: Store) -> tuple[set, set, int]:
    """What the index holds, what a rebuild would hold, and the rows in the queue."""
    with s._read() as conn:  # noqa: SLF001 - the test compares the index itself
        queued = conn.exec_driver_sql("SELECT count(*) FROM search_pending").scalar_one()
        return search_index.snapshot(conn), search_index.expected(conn), int(queued)


def test_a_write_is_indexed_before_it_returns(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db", PASSPHRASE, author="A", create=True) as s:
        seed = _seed(s)
        s.record_view(seed.i2.id, seed.ngo.id, d.Position.STAY, "Zwaluwstaart gezien.")
        held, wanted, queued = _index(s)
        assert queued == 0 and held == wanted
        assert found(s, "zwaluwstaart") == {("view", f"{seed.i2.id}/{seed.ngo.id}")}


def test_killed_between_the_write_and_the_catch_up_the_open_repairs_the_index(
        tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store.open(path, PASSPHRASE, author="A", create=True) as s:
        seed = _seed(s)
    vid = f"{seed.i2.id}/{seed.ngo.id}"
    killed = subprocess.run([sys.executable, "-c", KILLED, str(path), PASSPHRASE, vid,
                             str(ROOT)], capture_output=True, text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    with Store.open(path, PASSPHRASE) as s:
        held, wanted, queued = _index(s)
        assert queued == 0 and held == wanted
        assert found(s, "zwaluwstaart") == {("view", vid)}
        assert [v.note for v in s.views(seed.i2.id) if v.id == vid] == [
            "Zwaluwstaart boven het dossier."]
        assert s.check() == []


def test_a_queue_left_behind_is_no_fault_and_search_catches_it_up(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db", PASSPHRASE, author="A", create=True) as s:
        seed = _seed(s)
        s.index_later = True
        s.record_view(seed.i1.id, seed.gem.id, d.Position.STAY, "Kievitsbloem.")
        held, wanted, queued = _index(s)
        assert queued > 0 and held != wanted
        assert s.search_index_faults() == []  # behind, not wrong: check leaves it be
        assert found(s, "kievitsbloem") == {("view", f"{seed.i1.id}/{seed.gem.id}")}
        held, wanted, queued = _index(s)
        assert queued == 0 and held == wanted


def test_purge_catches_the_queue_up_first(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db", PASSPHRASE, author="A", create=True) as s:
        seed = _seed(s)
        s.index_later = True
        s.record_view(seed.i1.id, seed.ngo.id, d.Position.STAY, "Vervangen notitie.")
        with s._tx() as conn:  # noqa: SLF001
            search_index.purge(conn)
            blocks = conn.exec_driver_sql("SELECT block FROM search_index_data").fetchall()
        assert b"psychiatrisch" not in b"".join(r[0] or b"" for r in blocks)
        held, wanted, queued = _index(s)
        assert queued == 0 and held == wanted


def test_a_rebuild_empties_the_queue(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db", PASSPHRASE, author="A", create=True) as s:
        seed = _seed(s)
        s.index_later = True
        s.record_view(seed.i1.id, seed.ngo.id, d.Position.STAY, "Vervangen notitie.")
        s.rebuild()
        held, wanted, queued = _index(s)
        assert queued == 0 and held == wanted and s.check() == []


def test_a_failed_catch_up_does_not_fail_the_durable_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import db.store.search as store_search

    def busy(raw: object) -> int:
        raise sqlcipher.OperationalError("database is locked")

    with Store.open(tmp_path / "s.db", PASSPHRASE, author="A", create=True) as s:
        seed = _seed(s)
        with monkeypatch.context() as m:
            m.setattr(store_search, "catch_up", busy)
            view = s.record_view(seed.i2.id, seed.ngo.id, d.Position.STAY, "Kievitsbloem.")
        assert [v.note for v in s.views(seed.i2.id) if v.id == view.id] == ["Kievitsbloem."]
        assert _index(s)[2] > 0  # the queue waits
        assert found(s, "kievitsbloem") == {("view", view.id)}
        held, wanted, queued = _index(s)
        assert queued == 0 and held == wanted
