"""What a hub serves a new laptop: every op the account may read, in bulk.

A laptop with an empty log does not need the server's history a window at a time: it
asks for a **snapshot**, one consistent read of every op it may see, and loads it in one
pass (:mod:`db.store.snapshot`). On PostgreSQL the read is one ``REPEATABLE READ, READ
ONLY`` transaction: the highest committed number (``lvv_max_seq()``), then a binary
``COPY (SELECT … FROM ops WHERE server_seq <= top ORDER BY server_seq) TO STDOUT``. A
``COPY`` of a query runs the query as the role, so row-level security hands out exactly
what a pull would. On a SQLite hub it is one deferred read transaction over the same
query. ``top`` is the snapshot's cursor: every op up to it is in the snapshot (numbers
are gapless and committed in order), so ordinary pulls go on from there.

The rows stream: memory holds one chunk at a time, whatever the size of the hub.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import exc as sa_exc

from db.hub import Hub, _driver_errors, _iso, translate
from db.projection import WireOp
from db.tables import WIRE_COLUMNS

_COLS = ", ".join(WIRE_COLUMNS)
#: PostgreSQL types of the wire columns, for the binary COPY
_PG_TYPES = ["int8" if c == "device_seq" else "int4" if c == "schema_version" else "text"
             for c in WIRE_COLUMNS] + ["text", "text"]  # pushed_by, received_at
_N = len(WIRE_COLUMNS)


@dataclass
class Snapshot:
    """An open snapshot: ``top`` (its cursor), ``total`` (ops in it for this account) and
    :meth:`chunks`, valid inside :func:`open_snapshot`'s block."""

    top: int
    total: int
    _rows: Iterator[tuple[Any, ...]]

    def chunks(self, size: int, origins: dict[str, tuple[str, str]] | None = None,
               ) -> Iterator[list[WireOp]]:
        """The ops in ``server_seq`` order, ``size`` at a time. ``origins``, when given, is
        filled before each chunk with op id -> (pushed_by, received_at) of that chunk."""
        make = WireOp._make
        # a push stamps all its ops with one received_at: each distinct text is read once
        iso: dict[Any, Any] = {None: None}
        while rows := list(islice(self._rows, size)):
            if origins is not None:
                origins.clear()
                for r in rows:
                    by, at = r[_N], r[_N + 1]
                    if by is not None or at is not None:
                        text = iso.get(at, iso)
                        if text is iso:
                            text = iso[at] = _iso(at)
                        origins[r[0]] = (by, text)
            yield [make(r[:_N]) for r in rows]
            if len(iso) > 4096:
                iso = {None: None}


def _select(top: int, pg: bool) -> str:
    at = "received_at::text" if pg else "received_at"
    return (f"SELECT {_COLS}, pushed_by, {at} FROM ops WHERE server_seq <= {int(top)} "
            "ORDER BY server_seq")


@contextmanager
def open_snapshot(hub: Hub) -> Iterator[Snapshot]:
    """One consistent read of every op this account may see, up to the top number."""
    conn = hub.connect()
    try:
        if hub.is_pg:
            with conn.begin():
                with _pg_snapshot(conn.connection.driver_connection) as snap:
                    yield snap
        else:
            with _sqlite_snapshot(conn.connection.driver_connection) as snap:
                yield snap
    except (sa_exc.SQLAlchemyError, *_driver_errors()) as exc:
        hub._drop_broken()
        raise translate(exc, hub.display) from exc


@contextmanager
def _pg_snapshot(driver: Any) -> Iterator[Snapshot]:
    with driver.cursor() as cur:
        # the first statement of the transaction: every read below sees one snapshot
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # received_at as text in one form (ISO, UTC) for this transaction
        cur.execute("SELECT lvv_max_seq(), set_config('datestyle', 'ISO', true), "
                    "set_config('timezone', 'UTC', true)")
        top = int(cur.fetchone()[0])
        cur.execute("SELECT count(*) FROM ops WHERE server_seq <= %s", (top,))
        total = int(cur.fetchone()[0])
        with cur.copy(f"COPY ({_select(top, True)}) TO STDOUT (FORMAT BINARY)") as copy:
            copy.set_types(_PG_TYPES)
            state = {"done": False}

            def rows() -> Iterator[tuple[Any, ...]]:
                yield from _copy_rows(driver, copy)
                state["done"] = True

            try:
                yield Snapshot(top, total, rows())
            finally:
                if not state["done"]:
                    _abandon(driver, copy)


def _copy_rows(driver: Any, copy: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of a binary ``COPY … TO STDOUT``, as ``copy.rows()`` gives them, without
    its round through psycopg's wait machinery for every row (a third of a big join's
    reading): rows libpq already holds are taken straight from it (``PQgetCopyData``,
    not blocking) and parsed by psycopg's own parser. Only when libpq holds no whole row
    does psycopg read (``copy.read``: it waits for the socket), and after the binary
    trailer psycopg ends the COPY (fetches its result, checks it)."""
    import psycopg

    get, parse = _low_level(driver, copy)
    if get is None or parse is None:  # a psycopg without these: its own, slower reader
        yield from copy.rows()
        return
    while True:
        nbytes, data = get(1)
        if nbytes == 0:  # nothing whole in the buffer: psycopg waits for the next row
            data = copy.read()
            if not data:
                return
        elif nbytes < 0:  # ended without the trailer: the server stopped it
            raise psycopg.OperationalError("the snapshot's COPY ended early")
        row = parse(data)
        if row is None:  # the trailer: psycopg reads the COPY's end and its result
            if copy.read():
                raise psycopg.OperationalError("data after the snapshot's COPY trailer")
            return
        yield row


def _low_level(driver: Any, copy: Any) -> tuple[Any, Any]:
    """libpq's ``get_copy_data`` and psycopg's row parser, where this psycopg has them
    (public but low-level: a later version may not); (None, None) where not."""
    get = getattr(driver.pgconn, "get_copy_data", None)
    parse = getattr(getattr(copy, "formatter", None), "parse_row", None)
    return get, parse


def _abandon(driver: Any, copy: Any) -> None:
    """Stop a COPY the caller left part-way (a crash, or it did not need the rows): the
    server is told to cancel and what it already sent is read and dropped, so that the
    connection can end its (read-only) transaction."""
    import psycopg

    driver.cancel_safe()
    with suppress(psycopg.Error):
        for _data in copy:
            continue


@contextmanager
def _sqlite_snapshot(driver: Any) -> Iterator[Snapshot]:
    # a plain BEGIN (the hub's own transactions are IMMEDIATE): a read that lets pushers on
    driver.execute("BEGIN")
    try:
        top = int(driver.execute("SELECT coalesce(max(server_seq), 0) FROM ops").fetchone()[0])
        total = int(driver.execute("SELECT count(*) FROM ops").fetchone()[0])
        cur = driver.execute(_select(top, False))
        try:
            yield Snapshot(top, total, iter(cur))
        finally:
            cur.close()
    finally:
        driver.execute("ROLLBACK")


__all__ = ["Snapshot", "open_snapshot"]
