"""Shared fixtures. Tests never see a developer's own config or data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

PASSPHRASE = "test-passphrase"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config and data dirs in tmp; a fixed passphrase; Dutch; no server."""
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "data").mkdir(parents=True)
    monkeypatch.setenv("LVV_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("LVV_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("LVV_PASSPHRASE", PASSPHRASE)
    for var in ("LVV_DB", "LVV_LANG", "LVV_SERVER", "LVV_AUTHOR", "LVV_SYNC_INTERVAL"):
        monkeypatch.delenv(var, raising=False)
    from lvv_tui import i18n

    i18n.set_language("nl")
    return home


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def store(db_file: Path) -> Iterator:
    from db.store import Store

    s = Store.open(db_file, PASSPHRASE, author="Tester", create=True)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def small_demo(tmp_path: Path) -> Iterator:
    """A store filled with the small demo (seed 1)."""
    from db.demo import generate
    from db.store import Store

    s = Store.open(tmp_path / "demo.db", PASSPHRASE, author="Demo", create=True)
    generate(s, scale="small", seed=1)
    try:
        yield s
    finally:
        s.close()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
