"""Fixtures for the screen tests: a small demo on a fixed date, an app, and waiting helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from screen_helpers import TODAY

from tests.conftest import PASSPHRASE


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    """A file with the small demo (seed 1), made as of :data:`TODAY`; closed again."""
    from db.demo import generate
    from db.store import Store

    path = tmp_path / "demo.db"
    store = Store.open(path, PASSPHRASE, author="Demo", create=True)
    try:
        generate(store, scale="small", seed=1, today=TODAY)
    finally:
        store.close()
    return path


@pytest.fixture
def reader(demo_db: Path) -> Iterator:
    """A second, independent connection to the demo file (to check what is on disk)."""
    from db.store import Store

    def open_store():  # noqa: ANN202
        return Store.open(demo_db, PASSPHRASE)

    yield open_store


