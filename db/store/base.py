"""The op-writing core of the store: one connection, transactions, ops."""

from __future__ import annotations

import functools
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlcipher3 import dbapi2 as sqlcipher

import db.store.counter as counter
from db import domain as d
from db import search_index
from db.clock import HybridClock, new_device_id, uuid7
from db.engine import READING, StoreError, open_engine
from db.projection import (
    SCHEMA_VERSION_OPS,
    WireOp,
    dumps,
)
from db.projection_batch import apply_batch
from db.rules import (
    NotFound,
    check_unlocked,
)
from db.tables import DELETED, ENTITIES, entity_fields

# ---------------------------------------------------------------------------------------


class StoreLocked(StoreError):
    """The store is locked (the app's idle lock; see :mod:`db.store.locking`)."""


@dataclass(frozen=True)
class ApplyResult:
    applied: int
    duplicates: int
    alarms: int
    skewed: int
    changes: tuple = ()
    """:class:`~db.domain.RecordChange` of every op applied (for live screens)."""


# A delete is in conflict with every edit of the same entity that it did not see.
_DELETE_CONFLICTS = (
    "SELECT DISTINCT t.entity, t.entity_id, 'deleted' FROM tombstone t "  # CROSS JOIN: SQLite
    "CROSS JOIN field_head x ON x.entity = t.entity AND x.entity_id = t.entity_id "  # starts
    "AND x.field = 'deleted' AND x.value = 'true' "  # from the few tombstones
    "CROSS JOIN field_head h ON h.entity = t.entity AND h.entity_id = t.entity_id "
    "AND h.field != 'deleted' "
    "WHERE NOT EXISTS (SELECT 1 FROM op_base b WHERE b.op_id = x.op_id AND b.base_id = h.op_id)"
)


_EMPTY: tuple = (None, "", False, [], {})
"""Values that write nothing when the author was shown no value for the field."""


_fields_of = functools.cache(entity_fields)
"""The settable fields of an entity (the tables do not change while the code runs)."""


def _order(head: tuple) -> tuple:
    """Sort key of a head ``(op_id, hlc, device_id, value)``: the winner is the greatest."""
    return (head[1], head[2], head[0])


def _raw(conn: Connection) -> Any:
    """The DB-API connection under ``conn``: the hot paths skip SQLAlchemy's result layer."""
    return conn.connection.dbapi_connection


class StoreBase:
    """The op-writing core: connection, transactions, device clock, ops and heads."""

    _locked: bool = False
    """True while the key is dropped (:mod:`db.store.locking`)."""

    index_later: bool = False
    """True: a write leaves the search index behind until :meth:`catch_up_index` is called
    (the benchmark times the two apart; the app never sets it)."""

    if TYPE_CHECKING:  # use cases of one aggregate that another calls (the Store has all)
        def add_agenda_item(self, meeting_id: str, kind: d.ItemKind | str, *,
                            case_id: str | None = None, title: str | None = None,
                            timebox_min: int | None = None,
                            confidential: bool = False) -> d.AgendaItem: ...
        def _case_values(self, values: Mapping[str, Any]) -> dict[str, Any]: ...
        def _case_model(self, conn: Any, row: Mapping[str, Any]) -> d.Case: ...
        def _sync_case(self, conn: Connection, case_id: str) -> d.Stay: ...
        def catch_up_index(self) -> int: ...
        def _follow_index(self) -> None: ...

    def __init__(self, engine: Engine, path: Path, author: str | None = None) -> None:
        self.path = path
        self._touched_items: set[str] = set()
        """Agenda items written in the current transaction (agenda versions, issue 15)."""
        self._engine = engine
        self._conn: Connection = engine.connect()
        self._lock = threading.RLock()
        self._queue = False  # the file has the index queue (not before schema 12)
        meta = dict(self._conn.exec_driver_sql("SELECT key, value FROM meta").fetchall())
        self._conn.commit()
        fresh = "device_id" not in meta
        self.device_id: str = meta.get("device_id") or new_device_id()
        with self._read() as conn:  # the counter and clock: meta moved on by the log
            self._next_seq, last = counter.derive(_raw(conn), meta, self.device_id)
        self._saved_seq = self._next_seq
        self._clock = HybridClock(last)
        self.author: str = author or meta.get("author") or "onbekend"
        if fresh or "log_mark" not in meta or (author and author != meta.get("author")):
            with self._tx() as conn:
                self._save_meta(conn, full=True)
        with self._read() as conn:  # a crash between a write and its index catch-up
            self._queue = search_index.queued(_raw(conn))
            behind = self._queue and search_index.pending(_raw(conn))
        if behind:
            self._follow_index()

    # -- lifecycle ------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, passphrase: str, *, author: str | None = None,
        create: bool = False, laptop: str | None = None,
    ) -> Self:
        """Open the database; raises a :class:`~db.engine.StoreError` with a clear message.

        ``laptop``: this laptop's human name (set-up); kept when it changes."""
        path = Path(path)
        engine = open_engine(path, passphrase, create=create)
        store = cls(engine, path, author)
        if laptop and hasattr(store, "set_device_name") and \
                laptop != getattr(store, "current_device_name", lambda: None)():
            store.set_device_name(laptop)
        return store

    def close(self) -> None:
        with self._lock:
            try:
                if self._next_seq != self._saved_seq and not self._locked:
                    with self._tx() as conn:  # the next open need not scan for it
                        self._save_meta(conn)
            except (DBAPIError, sqlcipher.Error):  # unsaved: the next open reads the log
                self._saved_seq = self._next_seq
            finally:
                try:
                    self._conn.close()
                finally:
                    self._engine.dispose()  # StaticPool: closes the one DB-API connection

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._lock:
            if self._locked:
                raise StoreLocked("the database is locked")
            seq, clock = self._next_seq, self._clock.last
            self._touched_items = set()
            try:
                with self._conn.begin():
                    yield self._conn
                    if self._touched_items:  # every agenda write path (issue 15)
                        self._after_agenda_write(self._conn, self._touched_items)
                    behind = self._queue and search_index.pending(_raw(self._conn))
            except BaseException:
                self._next_seq, self._clock.last = seq, clock
                raise
            if behind and not self.index_later:  # durable now; the index follows
                self._follow_index()

    @contextmanager
    def _not_waiting_for_disk(self) -> Iterator[None]:
        """Around a write a later one repairs if lost (the hub holds it, or it is derived):
        its commit does not wait for the disk (synchronous NORMAL; WAL keeps it in order)."""
        with self._lock:
            if self._locked:
                raise StoreLocked("the database is locked")
            raw = _raw(self._conn)
            raw.execute("PRAGMA synchronous = NORMAL")
            try:
                yield
            finally:
                raw.execute("PRAGMA synchronous = FULL")

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read: a plain (deferred) transaction, so a long read never blocks a writer,
        and one snapshot for all its statements (raw ones included)."""
        with self._lock:
            if self._locked:
                raise StoreLocked("the database is locked")
            self._conn.info[READING] = True
            try:
                if not self._conn.in_transaction():
                    self._conn.begin()
                yield self._conn
            finally:
                self._conn.info.pop(READING, None)
                if self._conn.in_transaction():
                    self._conn.commit()

    def _save_meta(self, conn: Connection, *, full: bool = False, scan: bool = True) -> None:
        """Persist the device counter and clock (and with ``full`` the device and author):
        not at every edit (see :mod:`db.store.counter`, also for ``scan``)."""
        clock = self._clock.last.encode()
        seq, hlc = counter.save(_raw(conn), device_id=self.device_id, seq=self._next_seq,
                                hlc=clock, author=self.author, full=full, scan=scan)
        self._next_seq = self._saved_seq = seq  # another connection's ops taken in
        if hlc > clock:
            self._clock.observe(hlc)

    def _counted(self, conn: Connection) -> None:
        """After own ops: the counter is saved every :data:`counter.SAVE_EVERY` ops only."""
        if self._next_seq - self._saved_seq >= counter.SAVE_EVERY:
            self._save_meta(conn)

    # -- writing ops ----------------------------------------------------------------

    def _heads(self, conn: Connection, entity: str, entity_id: str) -> dict[str, list[tuple]]:
        out: dict[str, list[tuple]] = {}
        for field, op_id, hlc, device_id, value in _raw(conn).execute(
            "SELECT field, op_id, hlc, device_id, value FROM field_head "
            "WHERE entity = ? AND entity_id = ?",
            (entity, entity_id),
        ):
            out.setdefault(field, []).append((op_id, hlc, device_id, value))
        return out

    def _make_op(self, entity: str, entity_id: str, overleg_id: str, field: str,
                 value_json: str, base: list[str],
                 audience: tuple[str, str] = ("overleg", "")) -> WireOp:
        """The next op of this device (not yet written); ``audience``: (who may read it,
        the record's organisation id), see db.wire_check.AUDIENCES."""
        op = WireOp(
            id=uuid7(),
            device_id=self.device_id,
            device_seq=self._next_seq,
            hlc=self._clock.tick(),
            author=self.author,
            overleg_id=overleg_id,
            entity=entity,
            entity_id=entity_id,
            field=field,
            value=value_json,
            base=dumps(sorted(base)),
            schema_version=SCHEMA_VERSION_OPS,
            audience=audience[0],
            org_id=audience[1],
        )
        self._next_seq += 1
        return op

    def _write_own(self, conn: Connection, ops: list[WireOp], sole: list[bool], *,
                   redacted: set[str] | None = None) -> None:
        """Write ops this device made as one batch: one insert, one row update per entity.
        A value of an anonymised case is erased before it is written (retention, issue 10);
        ``redacted``: the anonymised ones among the cases the ops concern, when the caller
        read them in this transaction (else every anonymised case is looked up)."""
        from db.retention import redact_ops

        raw = _raw(conn)
        ops, _ = redact_ops(raw, ops, redacted)
        apply_batch(raw, ops, first_seq=None, pushed=False, fresh=True, sole=sole)
        self._touched_items.update(op.entity_id for op in ops if op.entity == "agenda_item")

    def _emit(
        self,
        conn: Connection,
        entity: str,
        entity_id: str,
        overleg_id: str,
        field: str,
        value_json: str,
        base: list[str],
        *,
        sole: bool = False,
    ) -> WireOp:
        op = self._make_op(entity, entity_id, overleg_id, field, value_json, base)
        self._write_own(conn, [op], [sole])
        return op

    def _set(
        self,
        conn: Connection,
        entity: str,
        entity_id: str,
        overleg_id: str,
        values: Mapping[str, Any],
        seen: Collection[str] | None = None,
        *,
        wire: Mapping[str, tuple[str, str]] | None = None,
        force: frozenset[str] = frozenset(),
        redacted: set[str] | None = None,
    ) -> int:
        """Write the fields that changed; returns the number of ops written.

        ``seen`` names the ops whose values the author was shown (a read model's ``seen``):
        each op's ``base`` is then what the author saw, not what is current now, so an edit
        made on a stale screen becomes a conflict instead of a silent overwrite. A field left
        as it was shown is no edit and writes nothing. Without ``seen`` the base is the
        value shown now (a use case that reads and writes in one transaction).

        ``wire``: field -> (audience, organisation id) its op carries (need-to-know, issue
        10; default the whole overleg). A field in ``force`` is written even when its value
        is unchanged (its audience changed). ``redacted`` as for :meth:`_write_own`.
        """
        allowed = _fields_of(entity)
        heads = self._heads(conn, entity, entity_id)
        saw = None if seen is None else self._seen_heads(conn, entity, entity_id, seen)
        ops: list[WireOp] = []
        soles: list[bool] = []
        for field, value in values.items():
            if field not in allowed:
                raise ValueError(f"{entity} has no field {field}")
            value_json = dumps(value)
            current = heads.get(field, [])
            if saw is not None:
                shown = saw.get(field, [])
                if field in force:
                    pass_on = True  # its audience changed: written even if the same
                elif shown:
                    pass_on = value_json != max(shown, key=_order)[3]  # left as shown: no edit
                else:
                    pass_on = value not in _EMPTY  # empty when shown and still empty
                if not pass_on or (field not in force and current
                                   and {h[3] for h in current} == {value_json}):
                    continue  # not an edit, or already so everywhere: nothing to add
                base = [h[0] for h in shown]
                sole = {h[0] for h in current} <= set(base)
            else:
                agreed = len({h[3] for h in current}) <= 1
                if current:
                    winner = max(current, key=_order)
                    if agreed and winner[3] == value_json and field not in force:
                        continue
                    # heads that agree (two laptops set the same value) are all seen by this
                    # edit; with a conflict open an ordinary edit supersedes the shown value
                    base = [h[0] for h in current] if agreed else [winner[0]]
                else:
                    base = []
                sole = agreed
            ops.append(self._make_op(entity, entity_id, overleg_id, field, value_json, base,
                                     (wire or {}).get(field, ("overleg", ""))))
            soles.append(sole)
        if ops:
            self._write_own(conn, ops, soles, redacted=redacted)
            self._counted(conn)
        return len(ops)

    def _seen_heads(
        self, conn: Connection, entity: str, entity_id: str, seen: Collection[str]
    ) -> dict[str, list[tuple]]:
        """The ops of ``seen`` that belong to this entity, by field (as :meth:`_heads`)."""
        ids = list(seen)
        out: dict[str, list[tuple]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for op_id, field, hlc, device_id, value in _raw(conn).execute(
                f"SELECT id, field, hlc, device_id, value FROM op WHERE id IN ({marks}) "
                "AND entity = ? AND entity_id = ?",
                (*chunk, entity, entity_id),
            ):
                out.setdefault(field, []).append((op_id, hlc, device_id, value))
        return out

    def _seen_of(self, conn: Connection, entity: str, ids: Sequence[str]) -> dict[str, frozenset]:
        """What a screen shows of each record: the winning op id of every field."""
        best: dict[tuple[str, str], tuple] = {}
        id_list = list(ids)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for entity_id, field, op_id, hlc, device_id in _raw(conn).execute(
                "SELECT entity_id, field, op_id, hlc, device_id FROM field_head "
                f"WHERE entity = ? AND entity_id IN ({marks})",
                (entity, *chunk),
            ):
                key = (entity_id, field)
                cand = (op_id, hlc, device_id)
                old = best.get(key)
                if old is None or (hlc, device_id, op_id) > (old[1], old[2], old[0]):
                    best[key] = cand
        out: dict[str, set[str]] = {i: set() for i in id_list}
        for (entity_id, _field), cand in best.items():
            out[entity_id].add(cand[0])
        return {i: frozenset(s) for i, s in out.items()}

    def _models(self, conn: Connection, entity: str, rows: Sequence[Mapping[str, Any]],
                make: Any) -> list:
        """Domain objects of ``rows`` with what each shows (``seen``) and its conflicts."""
        ids = [r["id"] for r in rows]
        if not ids:
            return []
        seen = self._seen_of(conn, entity, ids)
        conflicts = self._conflicted(conn, entity, ids)
        return [make(r, seen[r["id"]], conflicts[r["id"]]) for r in rows]

    def _conflicted(self, conn: Connection, entity: str, ids: Sequence[str]) -> dict[str, frozenset]:
        """The fields of each record with an open conflict (``deleted`` for a delete)."""
        out: dict[str, set[str]] = {i: set() for i in ids}
        if not ids:
            return {}
        rows = _raw(conn).execute(
            "SELECT entity_id, field FROM conflict_key WHERE entity = ?", (entity,)
        ).fetchall()
        for entity_id, field in rows:
            if entity_id in out:
                out[entity_id].add(field)
        return {i: frozenset(s) for i, s in out.items()}

    def _delete(self, conn: Connection, entity: str, entity_id: str, overleg_id: str) -> None:
        heads = self._heads(conn, entity, entity_id)
        base = [h[0] for hs in heads.values() for h in hs]
        self._emit(conn, entity, entity_id, overleg_id, DELETED, "true", base, sole=True)
        self._counted(conn)

    def _after_agenda_write(self, conn: Connection, item_ids: set[str]) -> None:
        """Called in the transaction of every write to agenda items (versions: publication)."""

    def _row(self, conn: Connection, entity: str, entity_id: str) -> dict[str, Any]:
        table = ENTITIES[entity].__tablename__
        cur = _raw(conn).execute(f"SELECT * FROM {table} WHERE id = ?", (entity_id,))
        row = cur.fetchone()
        if row is None:
            raise NotFound(f"{entity} {entity_id}")
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def _unlocked_meeting(self, conn: Connection, meeting_id: str) -> dict[str, Any]:
        """The meeting's row; raises :class:`~db.rules.Locked` once its minutes are approved."""
        meeting = self._row(conn, "meeting", meeting_id)
        check_unlocked(meeting)
        return meeting

    def _rows(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        return [dict(r) for r in conn.exec_driver_sql(sql, tuple(params)).mappings()]

