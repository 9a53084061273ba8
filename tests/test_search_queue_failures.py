"""Review of issue 11 (the search index queue): a catch-up that cannot run (the disk,
another program's long write lock) must not take search down, and ``check`` says that the
index is behind instead of nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

import db.store.search as store_search
from db import domain as d
from db.store import Store
from tests.conftest import PASSPHRASE
from tests.test_search import _seed, found


def _busy(raw: object) -> int:
    raise sqlcipher.OperationalError("database is locked")


def test_search_works_while_the_catch_up_cannot(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(tmp_path / "s.db", PASSPHRASE, author="A", create=True) as s:
        seed = _seed(s)
        monkeypatch.setattr(store_search, "catch_up", _busy)
        view = s.record_view(seed.i2.id, seed.ngo.id, d.Position.STAY, "Kievitsbloem.")
        # the seeded view's note replaced: its stale entry must not be a hit
        old = s.record_view(seed.i1.id, seed.gem.id, d.Position.STAY, "Boterbloem.")
        # what was indexed before is still found; the rows behind are not (yet)
        assert found(s, "doormigratie") == {("action", seed.act.id)}
        assert found(s, "kievitsbloem") == set()
        assert found(s, "verantwoord") == set()
        assert found(s, "verantwoord", date_from=seed.spring.date) == set()
        monkeypatch.undo()
        assert found(s, "kievitsbloem") == {("view", view.id)}
        assert found(s, "boterbloem", date_from=seed.spring.date) == {("view", old.id)}
        assert found(s, "verantwoord") == set()


def test_check_says_so_when_the_index_cannot_catch_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(tmp_path / "s.db", PASSPHRASE, author="A", create=True) as s:
        seed = _seed(s)
        monkeypatch.setattr(store_search, "catch_up", _busy)
        s.record_view(seed.i2.id, seed.ngo.id, d.Position.STAY, "Kievitsbloem.")
        faults = s.check()
        assert len(faults) == 1 and faults[0].startswith("search index: 1 changed row"), faults
        monkeypatch.undo()
        assert s.check() == []
