"""Review of issue 11 (the search index queue): an erasure leaves no erased word in the
index, its queue or the file, also when every catch-up before it failed (the disk, a lock)
and when the erasure arrives through a pull."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from retention_helpers import SECRETS, decrypted_pages, old_case
from sqlcipher3 import dbapi2 as sqlcipher

import db.store.search as store_search
from db.store import Store
from db.sync import sync_once

TODAY = dt.date(2026, 1, 5)
PASSPHRASE = "test-passphrase"


def _fail(raw: object) -> int:
    raise sqlcipher.OperationalError("database or disk is full")


def _queued(s: Store) -> int:
    with s._read() as conn:  # noqa: SLF001 - the test reads the queue itself
        return int(conn.exec_driver_sql("SELECT count(*) FROM search_pending").scalar_one())


def test_erasure_after_failed_catch_ups_leaves_no_word(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "laptop.db"
    with Store.open(path, PASSPHRASE, author="Secretaris", create=True) as store:
        with monkeypatch.context() as m:
            m.setattr(store_search, "catch_up", _fail)
            made = old_case(store)
        assert _queued(store) > 0
        store.redact_cases([made["case"].id], TODAY)
        assert _queued(store) == 0
        for word in SECRETS.values():
            assert store.search(word).hits == [], word
        pages, frames = decrypted_pages(path, PASSPHRASE)
        after = b"".join(pages + frames)
        for word in SECRETS.values():
            assert word.encode() not in after, word
        assert store.check() == []


def test_erasure_through_a_pull_after_failed_catch_ups_leaves_no_word(
        laptops, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    a = laptops("Secretaris")
    b = laptops("Partner")
    hub = f"sqlite:///{tmp_path / 'hub.db'}"
    a.create_overleg("LSO Eerst", "Eerst")
    sync_once(a, hub)
    sync_once(b, hub)  # b joins before the case is written: it arrives by pulls
    made = old_case(a)
    sync_once(a, hub)
    with monkeypatch.context() as m:
        m.setattr(store_search, "catch_up", _fail)
        sync_once(b, hub)
        assert _queued(b) > 0
    a.redact_cases([made["case"].id], TODAY)
    sync_once(a, hub)
    sync_once(b, hub)
    assert _queued(b) == 0
    for word in SECRETS.values():
        assert b.search(word).hits == [], word
    pages, frames = decrypted_pages(b.path, PASSPHRASE)
    after = b"".join(pages + frames)
    for word in SECRETS.values():
        assert word.encode() not in after, word
    assert b.check() == []
