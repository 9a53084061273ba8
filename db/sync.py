"""Sync with a shared database (a "hub"): one protocol for PostgreSQL and a SQLite file.

The hub holds one table, ``ops``: the twelve wire columns of an op plus ``server_seq``,
a gapless number in commit order. A round is

1. **push**: unpushed local ops go up in batches, each batch one server transaction that
   first serialises with the other pushers (``pg_advisory_xact_lock`` on PostgreSQL,
   ``BEGIN IMMEDIATE`` on SQLite), then inserts the ops it does not hold yet with
   ``server_seq = max + 1, …`` (``INSERT … ON CONFLICT (id) DO NOTHING``). An id the hub
   already holds with the same payload is acknowledged; with a *different* payload it is
   refused and reported, never overwritten. Local ops are marked pushed only after the
   server committed.
2. **pull**: the window ``cursor < server_seq <= min(cursor + n, top)`` in order (``top`` the
   highest committed number); every batch is applied and the new cursor stored in one local
   transaction (:meth:`db.store.Store.apply_remote`). Ops this round just pushed are not
   applied again.

Because numbers are handed out under a lock held until commit, a reader that sees number
``n`` has every number below it too: a cursor never skips a row. Stopping a round anywhere
loses nothing: an unacknowledged push is re-sent and recognised, an unapplied pull is
fetched again, and applying an op twice is a no-op.

SQLAlchemy Core throughout; on PostgreSQL the bulk steps use the driver's own COPY and
cursor in the same transaction (see :meth:`Hub._push_pg`). psycopg is imported when a
PostgreSQL hub is opened, never at start-up. The SQLite hub may be encrypted with SQLCipher:
``sqlite+pysqlcipher://:passphrase@/path``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    Table,
    Text,
    bindparam,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from db.projection import WireOp
from db.tables import WIRE_COLUMNS

#: Version of the hub schema this code reads and writes.
HUB_SCHEMA_VERSION = 1
#: Key of the advisory lock that serialises pushers on PostgreSQL ("LVVOPS" in ASCII).
ADVISORY_LOCK_KEY = 0x4C56564F5053
#: The channel a push notifies on commit (PostgreSQL).
NOTIFY_CHANNEL = "lvv_ops"
#: Ops per push or pull batch (one server transaction, one local transaction each).
BATCH = 10000
#: Seconds to wait for a PostgreSQL server before calling it offline.
CONNECT_TIMEOUT = 5

hub_metadata = MetaData()

#: The hub's op table: the wire columns plus ``server_seq``.
hub_ops = Table(
    "ops",
    hub_metadata,
    Column("server_seq", BigInteger, nullable=False, unique=True),
    Column("id", Text, primary_key=True),
    Column("device_id", Text, nullable=False),
    Column("device_seq", BigInteger, nullable=False),
    Column("hlc", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("overleg_id", Text, nullable=False),
    Column("entity", Text, nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("field", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("base", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
)

#: Hub facts: ``hub_id`` (random, names the hub in local cursors), ``schema_version``.
hub_meta = Table(
    "lvv_hub",
    hub_metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

_WIRE = [hub_ops.c[name] for name in WIRE_COLUMNS]
_COLS = ", ".join(WIRE_COLUMNS)
_PG_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS lvv_push (ord integer NOT NULL, id text NOT NULL, "
    "device_id text, device_seq bigint, hlc text, author text, overleg_id text, entity text, "
    "entity_id text, field text, value text, base text, schema_version integer) "
    "ON COMMIT DELETE ROWS"
)
_PG_HELD = f"SELECT {_COLS} FROM ops WHERE id = ANY(%s)"
_PG_INSERT = (
    f"INSERT INTO ops (server_seq, {_COLS}) SELECT %s + row_number() OVER (ORDER BY p.ord), "
    + ", ".join(f"p.{c}" for c in WIRE_COLUMNS)
    + " FROM lvv_push p ORDER BY p.ord ON CONFLICT (id) DO NOTHING"
)
_PG_INSERT_ALL = _PG_INSERT.replace(" ON CONFLICT (id) DO NOTHING", "")
_PG_PULL = (
    f"SELECT server_seq, {_COLS} FROM ops WHERE server_seq > %s AND server_seq <= %s "
    "ORDER BY server_seq"
)


def _driver_errors() -> tuple[type[BaseException], ...]:
    """psycopg's base error, when psycopg is loaded (a PostgreSQL hub is open)."""
    import sys

    psycopg = sys.modules.get("psycopg")
    return (psycopg.Error,) if psycopg is not None else ()


# ---------------------------------------------------------------------------------------
# errors and results
# ---------------------------------------------------------------------------------------


class SyncError(Exception):
    """A sync round that could not finish. The message is one line, safe to show."""


class BadServerURL(SyncError):
    """The server URL is not a PostgreSQL or ``sqlite:///`` URL."""


class ServerUnavailable(SyncError):
    """The server did not answer (offline, down, share not mounted, busy)."""


class ServerRefused(SyncError):
    """The server answered but said no (login, rights, row-level security, no schema).

    ``forbidden`` is True when it was a matter of rights (SQLSTATE 42501): e.g. ops of an
    overleg this account has no access to.
    """

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden


@dataclass
class PushResult:
    """What one push batch did on the hub."""

    stored: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    last_seq: int = 0


@dataclass
class SyncReport:
    """What moved in one round."""

    server: str
    key: str
    pushed: int = 0
    already: int = 0
    rejected: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    """Overleg ids whose ops this account may not write: kept unpushed, not sent."""
    withheld: int = 0
    """Local ops not sent because their overleg is forbidden."""
    pulled: int = 0
    duplicates: int = 0
    alarms: int = 0
    skewed: int = 0
    cursor: int = 0
    changes: list = field(default_factory=list)
    """What the pull applied (:class:`~db.domain.RecordChange`), for live screens."""

    @property
    def moved(self) -> bool:
        return bool(self.pushed or self.pulled)


#: A hook called at each step of a round (for crash tests): push:sent (inside the server
#: transaction, before its commit), push:committed (server committed, not yet acknowledged
#: locally), push:acked, pull:fetched (before the local commit), pull:applied.
Checkpoint = Callable[[str], None]


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
            if "hub_id" not in rows:
                raise ServerRefused(f"{self.display}: the server has no lvv-tui schema yet "
                                    "(run: lvv-tui server init URL)")
            if int(rows.get("schema_version", "0")) > HUB_SCHEMA_VERSION:
                raise ServerRefused(f"{self.display}: the server was set up by a newer "
                                    "lvv-tui; update this laptop first")
            self._key = f"hub:{rows['hub_id']}" + (f"/{user}" if user else "")
        return self._key

    # -- push and pull ------------------------------------------------------------------

    def push(self, ops: Sequence[WireOp], before_commit: Callable[[], None] | None = None,
             ) -> PushResult:
        """Store ``ops`` in one server transaction; see the module docstring."""
        result = PushResult()
        batch: dict[str, WireOp] = {}
        for op in ops:
            first = batch.setdefault(op.id, op)
            if first is not op and first.as_tuple() != op.as_tuple():
                result.rejected.append(op.id)
        conn = self.connect()
        try:
            with conn.begin():
                if self.is_pg:
                    new, top, landed = self._push_pg(conn, batch, result)
                else:
                    new, top, landed = self._push_core(conn, batch, result)
                if new:
                    if landed != len(new):
                        raise ServerRefused(
                            f"{self.display}: {len(new) - landed} op id(s) collide with ops "
                            "this account cannot see; nothing was stored")
                    top += len(new)
                    if self.is_pg:
                        conn.execute(text("SELECT pg_notify(:c, :p)"),
                                     {"c": NOTIFY_CHANNEL, "p": str(top)})
                result.stored = [op.id for op in new]
                result.last_seq = top
                if before_commit is not None:
                    before_commit()
        except (sa_exc.SQLAlchemyError, *_driver_errors()) as exc:
            self._drop_broken()
            raise translate(exc, self.display) from exc
        return result

    def _classify(self, batch: dict[str, WireOp], held: dict[str, bool],
                  result: PushResult) -> list[WireOp]:
        """Split a batch by what the hub holds: id -> same payload (True) or not (False)."""
        new: list[WireOp] = []
        for op_id, op in batch.items():
            same = held.get(op_id)
            if same is None:
                new.append(op)
            elif same:
                result.already.append(op_id)
            else:
                result.rejected.append(op_id)
        return new

    def _push_core(self, conn: Connection, batch: dict[str, WireOp],
                   result: PushResult) -> tuple[list[WireOp], int, int]:
        """Portable push body (SQLite hub): look up, then INSERT … ON CONFLICT DO NOTHING."""
        held: dict[str, bool] = {}
        ids = list(batch)
        for i in range(0, len(ids), 500):
            rows = conn.execute(
                select(*_WIRE).where(hub_ops.c.id.in_(bindparam("ids", expanding=True))),
                {"ids": ids[i:i + 500]},
            ).all()
            held.update((r[0], tuple(r) == batch[r[0]].as_tuple()) for r in rows)
        new = self._classify(batch, held, result)
        top = self._max_seq(conn)
        landed = 0
        if new:
            conn.execute(self._insert(), [
                {"server_seq": top + n, **op.as_dict()} for n, op in enumerate(new, start=1)
            ])
            landed = conn.execute(
                select(text("count(*)")).select_from(hub_ops).where(hub_ops.c.server_seq > top)
            ).scalar_one()
        return new, top, landed

    def _push_pg(self, conn: Connection, batch: dict[str, WireOp],
                 result: PushResult) -> tuple[list[WireOp], int, int]:
        """PostgreSQL push body: the batch goes in by COPY to a temporary table (before the
        lock, so pushers copy in parallel), then one
        ``INSERT … SELECT … ON CONFLICT (id) DO NOTHING`` numbers the ops in order. When
        some ids are held already (a re-send), that insert is undone to a savepoint, the
        held ids are compared and taken out, and the rest numbered. Same protocol as
        :meth:`_push_core`, in the server's own bulk path (COPY into ``ops`` itself is not
        allowed under row-level security)."""
        raw = conn.connection.driver_connection  # the same transaction
        with raw.cursor() as cur:
            cur.execute(_PG_STAGING)
            with cur.copy(f"COPY lvv_push (ord, {_COLS}) FROM STDIN") as copy:
                for n, op in enumerate(batch.values()):
                    copy.write_row((n, *op.as_tuple()))
            # numbers are handed out under this lock, held until commit: gapless, in order
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
            cur.execute("SELECT lvv_max_seq()")
            top = int(cur.fetchone()[0])
            # the usual case, nothing re-sent: number and insert the whole batch at once (a
            # plain INSERT: a quarter cheaper than the speculative one of ON CONFLICT)
            from psycopg.errors import UniqueViolation

            cur.execute("SAVEPOINT lvv_push_all")
            try:
                cur.execute(_PG_INSERT_ALL, (top,))
            except UniqueViolation:
                # some ids are on the hub already: undo, sort them out, number the rest
                cur.execute("ROLLBACK TO SAVEPOINT lvv_push_all")
            else:
                cur.execute("RELEASE SAVEPOINT lvv_push_all")
                return self._classify(batch, {}, result), top, len(batch)
            cur.execute(_PG_HELD, (list(batch),))  # an index probe per id, never a scan
            held = {r[0]: tuple(r) == batch[r[0]].as_tuple() for r in cur.fetchall()}
            new = self._classify(batch, held, result)
            if held:
                cur.execute("DELETE FROM lvv_push WHERE id = ANY(%s)", (list(held),))
            landed = 0
            if new:
                cur.execute(_PG_INSERT, (top,))
                landed = cur.rowcount
        return new, top, landed

    def pull(self, cursor: int, limit: int = BATCH) -> tuple[list[WireOp], int]:
        """Ops after ``cursor`` in commit order, and the cursor after them.

        Reads the window ``cursor < server_seq <= min(cursor + limit, top)``, where ``top``
        is the highest committed number: numbers are gapless and committed in order, so every
        op of that window is committed and visible, and the cursor may move to its end even
        when row-level security hides some (or all) of its ops. A range, not
        ``ORDER BY … LIMIT``: the server never sorts what lies beyond the window.
        """
        conn = self.connect()
        try:
            with conn.begin():
                if self.is_pg:  # the driver's own cursor: rows as plain tuples
                    with conn.connection.driver_connection.cursor() as cur:
                        cur.execute("SELECT lvv_max_seq()")
                        end = min(cursor + limit, int(cur.fetchone()[0]))
                        if end <= cursor:
                            return [], cursor
                        cur.execute(_PG_PULL, (cursor, end))
                        rows = cur.fetchall()
                else:
                    end = min(cursor + limit, self._max_seq(conn))
                    if end <= cursor:
                        return [], cursor
                    rows = conn.execute(
                        select(hub_ops.c.server_seq, *_WIRE)
                        .where(hub_ops.c.server_seq > cursor, hub_ops.c.server_seq <= end)
                        .order_by(hub_ops.c.server_seq)
                    ).all()
        except (sa_exc.SQLAlchemyError, *_driver_errors()) as exc:
            self._drop_broken()
            raise translate(exc, self.display) from exc
        return [WireOp.from_row(r[1:]) for r in rows], end

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

    def _insert(self) -> Any:
        if self.is_pg:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(hub_ops).on_conflict_do_nothing(index_elements=["id"])

    def _drop_broken(self) -> None:
        """Forget the connection (closing it if it still can be): the next call reconnects."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(sa_exc.SQLAlchemyError):  # a broken connection may not close
                conn.close()


# ---------------------------------------------------------------------------------------
# one round
# ---------------------------------------------------------------------------------------


def sync_once(
    store: Any,
    server: str | Hub,
    *,
    batch: int = BATCH,
    checkpoint: Checkpoint | None = None,
) -> SyncReport:
    """Push everything unpushed, then pull everything new. Raises a :class:`SyncError`.

    ``store`` is a :class:`db.store.Store`. Whatever happens, local data only ever grows
    by whole, committed batches.
    """
    hook = checkpoint or (lambda _step: None)
    own = not isinstance(server, Hub)
    hub = Hub(server) if isinstance(server, str) else server
    try:
        report = SyncReport(server=hub.display, key=hub.key)
        rejected: set[str] = set()
        skipped: set[str] = set()  # not to send again this round: refused or forbidden
        forbidden: set[str] = set()  # overleg ids the server does not let us write
        one_overleg = False  # after a refusal for rights: one overleg per batch
        sent: set[str] = set()  # acknowledged this round: the hub holds exactly our payload
        while True:
            limit = batch + len(skipped)
            window = store.unpushed_ops(limit)
            skipped.update(op.id for op in window if op.overleg_id in forbidden)
            ops = [op for op in window if op.id not in skipped][:batch]
            if not ops:
                if len(window) < limit:
                    break
                continue
            if one_overleg:
                ops = [op for op in ops if op.overleg_id == ops[0].overleg_id]
            try:
                result = hub.push(ops, before_commit=lambda: hook("push:sent"))
            except ServerRefused as exc:
                if not exc.forbidden:
                    raise
                if one_overleg or len({op.overleg_id for op in ops}) == 1:
                    forbidden.add(ops[0].overleg_id)
                one_overleg = True
                continue
            hook("push:committed")
            acked = result.stored + result.already
            if acked:
                store.mark_pushed(acked)
                sent.update(acked)
            hook("push:acked")
            report.pushed += len(result.stored)
            report.already += len(result.already)
            rejected.update(result.rejected)
            skipped.update(result.rejected)
        report.rejected = sorted(rejected)
        report.forbidden = sorted(forbidden)
        report.withheld = len(skipped - rejected)
        cursor = store.cursor(report.key)
        while True:
            ops, new_cursor = hub.pull(cursor, batch)
            if new_cursor == cursor:
                break
            hook("pull:fetched")
            fresh = [op for op in ops if op.id not in sent] if sent else ops
            applied = store.apply_remote(fresh, server=report.key, cursor=new_cursor,
                                         source=hub.display)
            hook("pull:applied")
            cursor = new_cursor
            report.pulled += applied.applied
            report.duplicates += applied.duplicates + len(ops) - len(fresh)
            report.alarms += applied.alarms
            report.skewed += applied.skewed
            report.changes.extend(applied.changes)
        report.cursor = cursor
        store.record_sync(report.key)
        return report
    finally:
        if own:
            hub.close()
