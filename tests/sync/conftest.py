"""Fixtures for the sync tests: a real PostgreSQL (one fresh database per test), SQLite hubs,
and laptops (stores).

PostgreSQL comes from ``LVV_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``,
a superuser with trust auth). Without it the PostgreSQL tests skip, saying how to enable them;
under CI they fail instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PASSPHRASE = "test-passphrase"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pg_base_url() -> str:
    return os.environ.get("LVV_TEST_PG", DEFAULT_PG)


def with_database(url: str, name: str, user: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(database=name)
    if user is not None:
        parsed = parsed.set(username=user, password=None)
    return parsed.render_as_string(hide_password=False)


def _libpq(url: str) -> str:
    """A SQLAlchemy-style URL as a libpq URL for psycopg."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The admin URL of a reachable PostgreSQL, or skip (fail under CI)."""
    import psycopg

    url = pg_base_url()
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        message = (f"PostgreSQL not reachable at {url} ({type(exc).__name__}); start it or "
                   "set LVV_TEST_PG=postgresql://superuser@host:port/postgres to run the "
                   "sync tests against PostgreSQL")
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return url


class PgCluster:
    """Creates databases and login roles with random names; drops them at teardown."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.databases: list[str] = []
        self.roles: list[str] = []

    def _admin(self):  # noqa: ANN202
        import psycopg

        return psycopg.connect(_libpq(self.admin_url), autocommit=True)

    def database(self, template: str | None = None) -> str:
        """A new empty database; returns its admin URL."""
        name = "lvv_t_" + secrets.token_hex(6)
        with self._admin() as conn:
            tpl = f" TEMPLATE {template}" if template else ""
            conn.execute(f"CREATE DATABASE {name}{tpl}")
        self.databases.append(name)
        return with_database(self.admin_url, name)

    def role(self, prefix: str = "lvv_u") -> str:
        """A new login role (no password: the test server trusts local connections)."""
        name = f"{prefix}_{secrets.token_hex(4)}"
        with self._admin() as conn:
            conn.execute(f"CREATE ROLE {name} LOGIN")
        self.roles.append(name)
        return name

    def as_role(self, db_url: str, role: str) -> str:
        from sqlalchemy.engine import make_url

        return with_database(self.admin_url, make_url(db_url).database, user=role)

    def drop_database(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self._admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if name in self.databases:
            self.databases.remove(name)

    def cleanup(self) -> None:
        with self._admin() as conn:
            for name in self.databases:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            for role in self.roles:
                conn.execute(f"DROP ROLE IF EXISTS {role}")
        self.databases.clear()
        self.roles.clear()


@pytest.fixture
def pg(pg_server: str) -> Iterator[PgCluster]:
    cluster = PgCluster(pg_server)
    try:
        yield cluster
    finally:
        cluster.cleanup()


@pytest.fixture
def pg_hub(pg: PgCluster) -> str:
    """The admin URL of a fresh database with ``server init`` done."""
    from db.server import init_server

    url = pg.database()
    init_server(url)
    return url


@pytest.fixture(params=["postgresql", "sqlite"])
def hub_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh hub of each kind (the PostgreSQL one as its owner)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return request.getfixturevalue("pg_hub")


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[Callable[..., object]]:
    """``laptops("A")`` opens a fresh store (a laptop) whose author is "A"."""
    from db.store import Store

    opened: list[Store] = []

    def make(author: str, name: str | None = None) -> Store:
        path = tmp_path / f"{name or author}-{len(opened)}.db"
        store = Store.open(path, PASSPHRASE, author=author, create=True)
        opened.append(store)
        return store

    try:
        yield make
    finally:
        for store in opened:
            store.close()
