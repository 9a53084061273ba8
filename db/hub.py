"""A connection to one shared database (a "hub"): PostgreSQL or a SQLite file.

The hub holds the table ``ops``: the twelve wire columns of an op plus ``server_seq``, a
gapless number in commit order, handed out by the hub alone. On PostgreSQL members write
only through ``lvv_push`` (see :mod:`db.server_sql`), which checks, numbers and stamps
every op; a SQLite hub has no roles (one trust domain) and runs the same checks here, in
the client (:mod:`db.hub_push`). Pulls read a window of numbers up to the highest
committed one. SQLAlchemy Core throughout; psycopg is imported when a PostgreSQL hub is
opened, never at start-up. A SQLite hub may be encrypted:
``sqlite+pysqlcipher://:passphrase@/path``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import (
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from db.hub_schema import (
    BadServerURL,
    PushResult,
    ServerRefused,
    ServerUnavailable,
    SyncError,
    hub_meta,
    hub_metadata,
    hub_ops,
)
from db.projection import WireOp
from db.server_sql import HUB_SCHEMA_VERSION
from db.tables import WIRE_COLUMNS

#: Ops per push or pull batch (one server transaction, one local transaction each).
BATCH = 10000
#: Seconds to wait for a PostgreSQL server before calling it offline.
CONNECT_TIMEOUT = 5

_WIRE = [hub_ops.c[name] for name in WIRE_COLUMNS]
_COLS = ", ".join(WIRE_COLUMNS)
_PG_PULL = (
    f"SELECT server_seq, {_COLS}, pushed_by, received_at::text FROM ops "
    "WHERE server_seq > %s AND server_seq <= %s ORDER BY server_seq"
)
#: the top number, and received_at as text in one form (ISO, UTC) for this transaction
_PG_TOP = ("SELECT lvv_max_seq(), set_config('datestyle', 'ISO', true), "
           "set_config('timezone', 'UTC', true)")
_N = len(WIRE_COLUMNS)
#: op id -> (pushed_by, received_at), as the hub stamped them
Origins = dict[str, tuple[str, str]]


def _driver_errors() -> tuple[type[BaseException], ...]:
    """psycopg's base error, when psycopg is loaded (a PostgreSQL hub is open)."""
    import sys

    psycopg = sys.modules.get("psycopg")
    return (psycopg.Error,) if psycopg is not None else ()




def _iso(at: Any) -> Any:
    """A hub's received_at as ISO 8601 text (PostgreSQL's ISO output, e.g.
    ``2026-11-30 03:10:35.5+00``, or a SQLite hub's own text), None as None."""
    import datetime as dt

    if at is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(at)).isoformat()
    except ValueError:  # not ours to judge: keep what the hub said
        return str(at)


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: a window is tens of thousands of new tuples
    (rows, then ops; no cycles), and the collector, run every few hundred of them over
    everything alive (the caller's ops too), cost more than reading them."""
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _pull_pg(conn: Connection, cursor: int, limit: int) -> tuple[int, list[Any]]:
    """(end of the window, its rows) on PostgreSQL, in the caller's transaction, through
    the driver's own cursor (rows as plain tuples). The rows and the pull's log entry go
    in one pipeline: the server writes the log while this side reads the rows."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(_PG_TOP)
        end = min(cursor + limit, int(cur.fetchone()[0]))
        if end <= cursor:
            return cursor, []
        with raw.pipeline(), raw.cursor() as log:
            cur.execute(_PG_PULL, (cursor, end))
            # every pull is logged on the server (who read which window)
            log.execute("SELECT lvv_log_pull(%s, %s)", (cursor, end))
            rows = cur.fetchall()
    return end, rows


def _origins(rows: Sequence[Any]) -> Origins:
    """op id -> (pushed_by, received_at as ISO 8601 text) for the rows that have them (a
    row put in by hand, or pushed before they were kept, may not)."""
    texts: dict[Any, str] = {}  # one push stamps one time: convert each once
    out: Origins = {}
    for r in rows:
        by, at = r[_N + 1], r[_N + 2]
        if by is None and at is None:
            continue
        when = texts.get(at)
        if when is None:
            when = texts[at] = _iso(at)
        out[r[1]] = (by, when)
    return out


# ---------------------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------------------


def parse_url(url: str) -> URL:
    """A SQLAlchemy URL for a hub: ``postgresql://…`` (any libpq options, e.g. sslmode,
    pass through to psycopg) or ``sqlite:///path``."""
    try:
        parsed = make_url(url.strip())
    except (sa_exc.ArgumentError, ValueError) as exc:
        raise BadServerURL(f"not a server URL: {_redact(url)}") from exc
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
        if "connect_timeout" not in parsed.query:
            parsed = parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT)})
        return parsed
    if backend == "sqlite":
        if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "sqlite+pysqlcipher"):
            raise BadServerURL("a SQLite hub is a file: use sqlite:///path, or "
                               "sqlite+pysqlcipher://:passphrase@/path for an encrypted one")
        if not parsed.database or parsed.database == ":memory:":
            raise BadServerURL("a SQLite hub needs a file: sqlite:///path/to/hub.db")
        if parsed.drivername == "sqlite+pysqlcipher":
            return parsed
        return parsed.set(drivername="sqlite")
    raise BadServerURL(
        f"unsupported server URL {_redact(url)}: use postgresql://… or sqlite:///path"
    )


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url.strip()).render_as_string(hide_password=True)
    except (sa_exc.ArgumentError, ValueError):
        return _redact(url)


def _redact(url: str) -> str:
    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url.strip())


# ---------------------------------------------------------------------------------------
# the hub
# ---------------------------------------------------------------------------------------


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "sqlstate", None)


def translate(exc: BaseException, where: str) -> SyncError:
    """A SQLAlchemy or driver error as ServerUnavailable (no answer) or ServerRefused (an
    answer: no)."""
    state = _sqlstate(exc)
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    if state is None:
        if type(orig).__name__ in ("OperationalError", "InterfaceError") or isinstance(
                exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            lowered = first.lower()
            if "no such table" in lowered or "readonly" in lowered:
                return ServerRefused(f"{where}: {first}")
            full = str(orig)
            if "FATAL:" in full and not any(w in full for w in (
                    "starting up", "shutting down", "too many", "recovery mode")):
                # the server answered at login: wrong role, password, database, pg_hba
                reason = full.split("FATAL:", 1)[1].strip().splitlines()[0]
                return ServerRefused(f"{where}: {reason}")
            return ServerUnavailable(f"{where}: {first}")
        return ServerRefused(f"{where}: {first}")
    if state.startswith("08") or state in ("57P01", "57P02", "57P03", "53300"):
        return ServerUnavailable(f"{where}: {first}")
    if state == "42P01":
        return ServerRefused(f"{where}: the server has no lvv-tui schema yet "
                             "(run: lvv-tui server init URL)")
    if state == "42501":
        return ServerRefused(f"{where}: not allowed ({first}); ask the administrator "
                             "for access (lvv-tui server grant ROLE OVERLEG)", forbidden=True)
    return ServerRefused(f"{where}: {first}")


class Hub:
    """A connection to one shared database. Use as a context manager."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = parse_url(url)
        self.display = display_url(url)
        self.is_pg = self.url.get_backend_name() == "postgresql"
        self._engine = self._make_engine(create)
        self._conn: Connection | None = None
        self._key: str | None = None

    # -- connection -------------------------------------------------------------------

    def _make_engine(self, create: bool) -> Engine:
        if self.is_pg:
            return create_engine(self.url, poolclass=NullPool)
        path = Path(self.url.database or "").expanduser()
        if not path.parent.is_dir():
            raise ServerUnavailable(f"{self.display}: folder {path.parent} is not there "
                                    "(share not mounted?)")
        if not path.exists() and not create:
            raise ServerUnavailable(f"{self.display}: no hub file at {path}")
        engine = create_engine(
            self.url.set(database=str(path)), poolclass=NullPool,
            connect_args={"timeout": 30, "isolation_level": None},
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA synchronous=FULL")

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def connect(self) -> Connection:
        if self._conn is None:
            try:
                self._conn = self._engine.connect()
            except sa_exc.SQLAlchemyError as exc:
                raise translate(exc, self.display) from exc
        return self._conn

    def close(self) -> None:
        self._drop_broken()
        self._engine.dispose()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """SQLite hub: create the tables on first use. PostgreSQL: see :mod:`db.server`."""
        conn = self.connect()
        try:
            with conn.begin():
                names = {r[0] for r in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                if names and "lvv_hub" not in names:
                    raise ServerRefused(f"{self.display}: this file holds other tables; "
                                        "it is not an lvv-tui hub (nothing was changed)")
                hub_metadata.create_all(conn)
                version = conn.execute(
                    select(hub_meta.c.value).where(hub_meta.c.key == "schema_version")
                ).scalar_one_or_none()
                if version is not None and int(version) > HUB_SCHEMA_VERSION:
                    raise ServerRefused(f"{self.display}: the hub was made by a newer "
                                        "lvv-tui; update this laptop first")
                if version is None:
                    from db.clock import new_device_id

                    conn.execute(hub_meta.insert(), [
                        {"key": "hub_id", "value": new_device_id()},
                        {"key": "schema_version", "value": str(HUB_SCHEMA_VERSION)},
                    ])
                elif int(version) < HUB_SCHEMA_VERSION:
                    # version 2: every push is checked (an older lvv-tui would not check)
                    conn.execute(hub_meta.update().where(hub_meta.c.key == "schema_version")
                                 .values(value=str(HUB_SCHEMA_VERSION)))
                cols = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(ops)")}
                for col, default in (("audience", "overleg"), ("org_id", "")):
                    if col not in cols:  # a hub made before ops carried an audience
                        conn.exec_driver_sql(f"ALTER TABLE ops ADD COLUMN {col} TEXT NOT NULL "
                                             f"DEFAULT '{default}'")
                conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ops_device_seq ON ops "
                                     "(device_id, device_seq)")
                have = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(ops)")}
                for column in ("pushed_by", "received_at"):
                    if column not in have:  # a hub made before they were kept
                        conn.exec_driver_sql(f"ALTER TABLE ops ADD COLUMN {column} TEXT")
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, self.display) from exc

    @property
    def key(self) -> str:
        """Names this hub (and, on PostgreSQL, the role) in the local pull cursor."""
        if self._key is None:
            if not self.is_pg:
                self.ensure_schema()
            conn = self.connect()
            try:
                with conn.begin():
                    rows = dict(conn.execute(select(hub_meta.c.key, hub_meta.c.value)).all())
                    user = (conn.exec_driver_sql("SELECT current_user").scalar_one()
                            if self.is_pg else "")
            except sa_exc.SQLAlchemyError as exc:
                raise translate(exc, self.display) from exc
            if "hub_id" not in rows or (self.is_pg and "last_seq" not in rows):
                raise ServerRefused(f"{self.display}: the server has no lvv-tui schema yet "
                                    "(run: lvv-tui server init URL)")
            if int(rows.get("schema_version", "0")) > HUB_SCHEMA_VERSION:
                raise ServerRefused(f"{self.display}: the server was set up by a newer "
                                    "lvv-tui; update this laptop first")
            self._key = f"hub:{rows['hub_id']}" + (f"/{user}" if user else "")
        return self._key

    # -- push and pull ------------------------------------------------------------------

    def push(self, ops: Sequence[WireOp], before_commit: Callable[[], None] | None = None,
             pusher: str | None = None) -> PushResult:
        """Store ``ops`` in one server transaction, all or nothing.

        Every op is checked (:mod:`db.wire_check`; on PostgreSQL by ``lvv_push`` on the
        server). When any op is refused, nothing is stored: :attr:`PushResult.refused`
        names each refused op id with its reason, and the caller may send the rest again.
        ``pusher`` names the pushing laptop on a SQLite hub, which has no accounts (on
        PostgreSQL the server stamps the session user).
        """
        from db import hub_push

        conn = self.connect()
        try:
            with conn.begin():
                if self.is_pg:
                    result = hub_push.push_pg(conn, ops)
                else:
                    result = hub_push.push_sqlite(conn, ops, pusher)
                if before_commit is not None and not result.refused:
                    before_commit()
        except hub_push.BadBatch as exc:
            # a local op that is not JSON spoiled the whole batch text: name it
            refused = hub_push.refusals_in(ops)
            if not refused:
                raise ServerRefused(f"{self.display}: {exc}") from exc
            return PushResult(refused=refused)
        except (sa_exc.SQLAlchemyError, *_driver_errors()) as exc:
            self._drop_broken()
            raise translate(exc, self.display) from exc
        return result

    def pull(self, cursor: int, limit: int = BATCH) -> tuple[list[WireOp], int]:
        """Ops after ``cursor`` in commit order, and the cursor after them (see
        :meth:`pull_origin`)."""
        ops, _origins, end = self.pull_origin(cursor, limit, origins=False)
        return ops, end

    def pull_origin(self, cursor: int, limit: int = BATCH, *, origins: bool = True,
                    ) -> tuple[list[WireOp], Origins, int]:
        """Ops after ``cursor`` in commit order, who pushed each and when, and the cursor
        after them.

        Reads the window ``cursor < server_seq <= min(cursor + limit, top)``, where ``top``
        is the highest committed number: numbers are gapless and committed in order, so every
        op of that window is committed and visible, and the cursor may move to its end even
        when row-level security hides some (or all) of its ops. A range, not
        ``ORDER BY … LIMIT``: the server never sorts what lies beyond the window.
        """
        with _no_gc():
            end, rows = self._window(cursor, limit)
            if end <= cursor:
                return [], {}, cursor
            make = WireOp._make
            ops = [make(r[1:_N + 1]) for r in rows]
            found = _origins(rows) if origins else {}
            del rows  # freed before the collector runs again: it never sees them
        return ops, found, end

    def _window(self, cursor: int, limit: int) -> tuple[int, list[Any]]:
        """(end, rows) of the window after ``cursor``, in one transaction."""
        conn = self.connect()
        try:
            with conn.begin():
                if self.is_pg:
                    return _pull_pg(conn, cursor, limit)
                end = min(cursor + limit, self._max_seq(conn))
                if end <= cursor:
                    return cursor, []
                return end, list(conn.execute(
                    select(hub_ops.c.server_seq, *_WIRE, hub_ops.c.pushed_by,
                           hub_ops.c.received_at)
                    .where(hub_ops.c.server_seq > cursor, hub_ops.c.server_seq <= end)
                    .order_by(hub_ops.c.server_seq)
                ).all())
        except (sa_exc.SQLAlchemyError, *_driver_errors()) as exc:
            self._drop_broken()
            raise translate(exc, self.display) from exc

    def count(self) -> int:
        """Ops this account can see on the hub."""
        conn = self.connect()
        try:
            with conn.begin():
                return int(conn.execute(select(text("count(*)")).select_from(hub_ops))
                           .scalar_one())
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, self.display) from exc

    def _max_seq(self, conn: Connection) -> int:
        if self.is_pg:
            # a SECURITY DEFINER function: row-level security would hide other overleggen
            return int(conn.exec_driver_sql("SELECT lvv_max_seq()").scalar_one())
        return int(conn.exec_driver_sql(
            "SELECT coalesce(max(server_seq), 0) FROM ops").scalar_one())

    def _drop_broken(self) -> None:
        """Forget the connection (closing it if it still can be): the next call reconnects."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(sa_exc.SQLAlchemyError):  # a broken connection may not close
                conn.close()

