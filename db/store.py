"""The store: the only door to data. Use cases in, plain domain objects out.

Every change becomes ops (see :mod:`db.projection`); writing the ops and updating their
projection happen in one transaction, committed with ``synchronous=FULL`` before the call
returns: when a screen says "saved", it is on disk.

The store is thread-safe (one connection behind a lock) so screens can call it from
thread workers; it never touches the event loop.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection, Engine

from db import domain as d
from db.clock import HybridClock, is_skewed, new_device_id, now_ms, uuid7
from db.engine import StoreError, open_engine
from db.projection import (
    SCHEMA_VERSION_OPS,
    WireOp,
    apply_op,
    dumps,
    next_local_seq,
    project,
    projection_as_stored,
    read_projection,
    write_projection,
)
from db.tables import DELETED, ENTITIES, WIRE_COLUMNS, entity_fields

#: Longest text a note, rationale or summary may hold (characters).
MAX_TEXT = 20_000
#: Longest short text (a code, a name, a place).
MAX_SHORT = 200

V_NUMBER_RE = re.compile(r"^\d{10}$")


class ValidationError(StoreError, ValueError):
    """Bad input for one field. ``field`` names it, ``code`` is an i18n key."""

    def __init__(self, field: str, code: str, **params: Any) -> None:
        self.field = field
        self.code = code
        self.params = params
        super().__init__(f"{field}: {code} {params}" if params else f"{field}: {code}")


class NotFound(StoreError):
    """No row with that id (or it was deleted)."""


class Locked(StoreError):
    """Approved minutes: changes only through a recorded correction."""


# ---------------------------------------------------------------------------------------
# validation helpers (public: the screens validate with the same rules)
# ---------------------------------------------------------------------------------------


def parse_date(text: str | dt.date | None, field: str = "date") -> dt.date | None:
    """A date from ``YYYY-MM-DD`` or ``DD-MM-YYYY``; None for empty."""
    if text is None or isinstance(text, dt.date):
        return text
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(field, "error.date")


def check_v_number(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    text = text.strip()
    if not V_NUMBER_RE.match(text):
        raise ValidationError("v_number", "error.v_number")
    return text


def check_text(text: str | None, field: str, limit: int = MAX_TEXT, required: bool = False) -> str:
    text = "" if text is None else str(text)
    if required and not text.strip():
        raise ValidationError(field, "error.required")
    if len(text) > limit:
        raise ValidationError(field, "error.too_long", limit=limit, length=len(text))
    return text


def check_time(text: str | None, field: str = "start_time") -> str | None:
    if text is None or not text.strip():
        return None
    text = text.strip()
    m = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValidationError(field, "error.time")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _enum(cls: type, value: Any, field: str) -> Any:
    try:
        return cls(value)
    except ValueError as exc:
        raise ValidationError(field, "error.choice") from exc


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyResult:
    applied: int
    duplicates: int
    alarms: int
    skewed: int


# A delete is in conflict with every edit of the same entity that it did not see.
_DELETE_CONFLICTS = (
    "SELECT DISTINCT t.entity, t.entity_id, 'deleted' FROM tombstone t "  # CROSS JOIN: SQLite
    "CROSS JOIN field_head x ON x.entity = t.entity AND x.entity_id = t.entity_id "  # starts
    "AND x.field = 'deleted' AND x.value = 'true' "  # from the few tombstones
    "CROSS JOIN field_head h ON h.entity = t.entity AND h.entity_id = t.entity_id "
    "AND h.field != 'deleted' "
    "WHERE NOT EXISTS (SELECT 1 FROM op_base b WHERE b.op_id = x.op_id AND b.base_id = h.op_id)"
)


def _raw(conn: Connection) -> Any:
    """The DB-API connection under ``conn``: the hot paths skip SQLAlchemy's result layer."""
    return conn.connection.dbapi_connection


class Store:
    """Use cases on one local database. Open with :meth:`open`; close when done."""

    def __init__(self, engine: Engine, path: Path, author: str | None = None) -> None:
        self.path = path
        self._engine = engine
        self._conn: Connection = engine.connect()
        self._lock = threading.RLock()
        meta = dict(self._conn.exec_driver_sql("SELECT key, value FROM meta").fetchall())
        self._conn.commit()
        fresh = "device_id" not in meta
        self.device_id: str = meta.get("device_id") or new_device_id()
        self._next_seq = int(meta.get("device_seq", "1"))
        self._clock = HybridClock(meta.get("hlc"))
        self.author: str = author or meta.get("author") or "onbekend"
        if fresh or (author and author != meta.get("author")):
            with self._tx() as conn:
                self._save_meta(conn)

    # -- lifecycle ------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, passphrase: str, *, author: str | None = None, create: bool = False
    ) -> Store:
        """Open the database; raises a :class:`~db.engine.StoreError` with a clear message."""
        path = Path(path)
        engine = open_engine(path, passphrase, create=create)
        return cls(engine, path, author)

    def close(self) -> None:
        with self._lock:
            try:
                self._conn.close()
            finally:
                self._engine.dispose()  # StaticPool: closes the one DB-API connection

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._lock:
            seq, clock = self._next_seq, self._clock.last
            try:
                with self._conn.begin():
                    yield self._conn
            except BaseException:
                self._next_seq, self._clock.last = seq, clock
                raise

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._lock:
            try:
                yield self._conn
            finally:
                if self._conn.in_transaction():
                    self._conn.commit()

    def _save_meta(self, conn: Connection) -> None:
        _raw(conn).executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [
                ("device_id", self.device_id),
                ("device_seq", str(self._next_seq)),
                ("hlc", self._clock.last.encode()),
                ("author", self.author),
            ],
        )

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
        )
        self._next_seq += 1
        apply_op(conn, op, local_seq=next_local_seq(conn), pushed=False, fresh=True, sole=sole)
        return op

    def _set(
        self,
        conn: Connection,
        entity: str,
        entity_id: str,
        overleg_id: str,
        values: Mapping[str, Any],
    ) -> int:
        """Write the fields that changed; returns the number of ops written."""
        allowed = entity_fields(entity)
        heads = self._heads(conn, entity, entity_id)
        written = 0
        for field, value in values.items():
            if field not in allowed:
                raise ValueError(f"{entity} has no field {field}")
            value_json = dumps(value)
            current = heads.get(field, [])
            if current:
                winner = max(current, key=lambda h: (h[1], h[2], h[0]))
                distinct = {h[3] for h in current}
                if len(distinct) == 1 and winner[3] == value_json:
                    continue
                base = [winner[0]]
            else:
                base = []
            # an ordinary edit supersedes the shown value only: a conflict stays open
            self._emit(conn, entity, entity_id, overleg_id, field, value_json, base,
                       sole=len(current) <= 1)
            written += 1
        if written:
            self._save_meta(conn)
        return written

    def _delete(self, conn: Connection, entity: str, entity_id: str, overleg_id: str) -> None:
        heads = self._heads(conn, entity, entity_id)
        base = [h[0] for hs in heads.values() for h in hs]
        self._emit(conn, entity, entity_id, overleg_id, DELETED, "true", base, sole=True)
        self._save_meta(conn)

    def _row(self, conn: Connection, entity: str, entity_id: str) -> dict[str, Any]:
        table = ENTITIES[entity].__tablename__
        cur = _raw(conn).execute(f"SELECT * FROM {table} WHERE id = ?", (entity_id,))
        row = cur.fetchone()
        if row is None:
            raise NotFound(f"{entity} {entity_id}")
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def _rows(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        return [dict(r) for r in conn.exec_driver_sql(sql, tuple(params)).mappings()]

    # -- overleg and organisations ----------------------------------------------------

    def create_overleg(self, name: str, municipality: str, places: int | None = None) -> d.Overleg:
        name = check_text(name, "name", MAX_SHORT, required=True)
        municipality = check_text(municipality, "municipality", MAX_SHORT, required=True)
        oid = uuid7()
        with self._tx() as conn:
            self._set(conn, "overleg", oid, oid, {"name": name, "municipality": municipality,
                                                  "places": places})
        return d.Overleg(oid, name, municipality, places)

    def overleggen(self) -> list[d.Overleg]:
        with self._read() as conn:
            rows = self._rows(conn, "SELECT * FROM overleg WHERE deleted = 0 ORDER BY name")
        return [d.Overleg(r["id"], r["name"] or "", r["municipality"] or "", r["places"])
                for r in rows]

    def add_organisation(
        self, overleg_id: str, name: str, kind: d.OrgKind | str, sort: int = 0
    ) -> d.Organisation:
        name = check_text(name, "name", MAX_SHORT, required=True)
        kind = _enum(d.OrgKind, kind, "kind")
        oid = uuid7()
        with self._tx() as conn:
            self._set(conn, "organisation", oid, overleg_id,
                      {"name": name, "kind": kind.value, "sort": sort})
        return d.Organisation(oid, overleg_id, name, kind, sort)

    def organisations(self, overleg_id: str) -> list[d.Organisation]:
        with self._read() as conn:
            rows = self._rows(
                conn,
                "SELECT * FROM organisation WHERE overleg_id = ? AND deleted = 0 "
                "ORDER BY sort, name",
                (overleg_id,),
            )
        return [_org(r) for r in rows]

    # -- cases ------------------------------------------------------------------------

    def _case_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in values.items():
            if key == "code":
                out[key] = check_text(value, "code", 40, required=True).strip()
            elif key == "v_number":
                out[key] = check_v_number(value)
            elif key in ("intake_date", "exit_date"):
                out[key] = _iso(parse_date(value, key))
            elif key == "stay_term_days":
                if value in (None, ""):
                    out[key] = None
                else:
                    try:
                        days = int(value)
                    except (TypeError, ValueError) as exc:
                        raise ValidationError(key, "error.number") from exc
                    if not 0 <= days <= 3650:
                        raise ValidationError(key, "error.range", low=0, high=3650)
                    out[key] = days
            elif key in ("health_flag", "identity_established"):
                out[key] = bool(value)
            elif key == "cooperation":
                out[key] = _enum(d.Cooperation, value, key).value
            elif key == "perspective":
                out[key] = _enum(d.Perspective, value, key).value
            elif key == "status":
                out[key] = _enum(d.CaseStatus, value, key).value
            elif key == "outcome_subtype":
                if value in (None, ""):
                    out[key] = None
                    out["outcome_category"] = None
                else:
                    sub = _enum(d.OutcomeSubtype, value, key)
                    out[key] = sub.value
                    out["outcome_category"] = sub.category.value
            elif key in ("nationality", "procedure", "put_forward_by"):
                out[key] = check_text(value, key, MAX_SHORT) or None
            else:
                raise ValueError(f"case has no field {key}")
        return out

    def create_case(self, overleg_id: str, code: str, **fields: Any) -> d.Case:
        values = self._case_values({"code": code, **fields})
        values.setdefault("status", d.CaseStatus.INTAKE.value)
        values.setdefault("perspective", d.Perspective.UNDECIDED.value)
        cid = uuid7()
        with self._tx() as conn:
            clash = conn.exec_driver_sql(
                "SELECT 1 FROM casus WHERE overleg_id = ? AND code = ? AND deleted = 0",
                (overleg_id, values["code"]),
            ).fetchone()
            if clash:
                raise ValidationError("code", "error.code_taken")
            self._set(conn, "casus", cid, overleg_id, values)
            row = self._row(conn, "casus", cid)
        return _case(row)

    def update_case(self, case_id: str, **fields: Any) -> d.Case:
        values = self._case_values(fields)
        with self._tx() as conn:
            row = self._row(conn, "casus", case_id)
            if "code" in values and values["code"] != row["code"]:
                clash = conn.exec_driver_sql(
                    "SELECT 1 FROM casus WHERE overleg_id = ? AND code = ? AND deleted = 0 "
                    "AND id != ?",
                    (row["overleg_id"], values["code"], case_id),
                ).fetchone()
                if clash:
                    raise ValidationError("code", "error.code_taken")
            self._set(conn, "casus", case_id, row["overleg_id"], values)
            row = self._row(conn, "casus", case_id)
        return _case(row)

    def case(self, case_id: str) -> d.Case:
        with self._read() as conn:
            return _case(self._row(conn, "casus", case_id))

    def cases(
        self,
        overleg_id: str,
        *,
        search: str | None = None,
        status: str | None = None,
        perspective: str | None = None,
        nationality: str | None = None,
        limit: int | None = None,
    ) -> list[d.Case]:
        sql = "SELECT * FROM casus WHERE overleg_id = ? AND deleted = 0"
        params: list[Any] = [overleg_id]
        if search:
            sql += " AND (code LIKE ? ESCAPE '\\' OR nationality LIKE ? ESCAPE '\\')"
            like = "%" + re.sub(r"([%_\\])", r"\\\1", search.strip()) + "%"
            params += [like, like]
        if status:
            sql += " AND status = ?"
            params.append(status)
        if perspective:
            sql += " AND perspective = ?"
            params.append(perspective)
        if nationality:
            sql += " AND nationality = ?"
            params.append(nationality)
        sql += " ORDER BY code"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self._read() as conn:
            return [_case(r) for r in self._rows(conn, sql, params)]

    def nationalities(self, overleg_id: str) -> list[str]:
        with self._read() as conn:
            return [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT DISTINCT nationality FROM casus WHERE overleg_id = ? AND deleted = 0 "
                    "AND nationality IS NOT NULL ORDER BY 1",
                    (overleg_id,),
                )
            ]

    def case_history(self, case_id: str, before_meeting_id: str | None = None) -> d.CaseHistory:
        """The case, its decisions of earlier meetings (newest first) and open actions."""
        with self._read() as conn:
            case = _case(self._row(conn, "casus", case_id))
            sql = (
                "SELECT d.*, m.date AS meeting_date FROM decision d JOIN meeting m "
                "ON m.id = d.meeting_id WHERE d.case_id = ? AND d.deleted = 0 AND m.deleted = 0"
            )
            params: list[Any] = [case_id]
            if before_meeting_id:
                sql += " AND m.date < (SELECT date FROM meeting WHERE id = ?)"
                params.append(before_meeting_id)
            sql += " ORDER BY m.date DESC"
            decisions = tuple(
                d.PastDecision(_date(r["meeting_date"]), _decision(r))  # type: ignore[arg-type]
                for r in self._rows(conn, sql, params)
            )
            actions = tuple(
                _action(r)
                for r in self._rows(
                    conn,
                    "SELECT * FROM action_item WHERE case_id = ? AND deleted = 0 "
                    "AND status = 'open' ORDER BY due_date",
                    (case_id,),
                )
            )
        return d.CaseHistory(case, decisions, actions)

    # -- meetings ---------------------------------------------------------------------

    def _meeting_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in values.items():
            if key == "date":
                parsed = parse_date(value, "date")
                if parsed is None:
                    raise ValidationError("date", "error.required")
                out[key] = parsed.isoformat()
            elif key == "start_time":
                out[key] = check_time(value)
            elif key in ("place", "chair", "secretary"):
                out[key] = check_text(value, key, MAX_SHORT) or None
            elif key == "status":
                out[key] = _enum(d.MeetingStatus, value, key).value
            else:
                raise ValueError(f"meeting has no field {key}")
        return out

    def create_meeting(
        self,
        overleg_id: str,
        date: dt.date | str,
        start_time: str | None = None,
        place: str | None = None,
        chair: str | None = None,
        secretary: str | None = None,
        *,
        standard_agenda: bool = True,
    ) -> d.Meeting:
        """A new meeting; with ``standard_agenda`` the usual general items are added."""
        values = self._meeting_values(
            {"date": date, "start_time": start_time, "place": place, "chair": chair,
             "secretary": secretary}
        )
        values["status"] = d.MeetingStatus.PLANNED.value
        values["minutes_status"] = d.MinutesStatus.CONCEPT.value
        mid = uuid7()
        with self._tx() as conn:
            self._set(conn, "meeting", mid, overleg_id, values)
            if standard_agenda:
                for pos, kind in enumerate(
                    (d.ItemKind.OPENING, d.ItemKind.ANNOUNCEMENTS, d.ItemKind.PREVIOUS_MINUTES,
                     d.ItemKind.AOB, d.ItemKind.CLOSING),
                    start=1,
                ):
                    self._set(conn, "agenda_item", uuid7(), overleg_id, {
                        "meeting_id": mid, "position": pos * 10, "kind": kind.value,
                        "status": d.ItemStatus.OPEN.value, "timebox_min": 5,
                    })
            row = self._row(conn, "meeting", mid)
        return _meeting(row)

    def update_meeting(self, meeting_id: str, **fields: Any) -> d.Meeting:
        values = self._meeting_values(fields)
        with self._tx() as conn:
            row = self._row(conn, "meeting", meeting_id)
            self._set(conn, "meeting", meeting_id, row["overleg_id"], values)
            row = self._row(conn, "meeting", meeting_id)
        return _meeting(row)

    def meeting(self, meeting_id: str) -> d.Meeting:
        with self._read() as conn:
            return _meeting(self._row(conn, "meeting", meeting_id))

    def meetings(self, overleg_id: str, today: dt.date | None = None) -> list[d.Meeting]:
        """Upcoming meetings first (soonest first), then past ones (latest first)."""
        today = today or dt.date.today()
        with self._read() as conn:
            rows = self._rows(
                conn,
                "SELECT * FROM meeting WHERE overleg_id = ? AND deleted = 0 ORDER BY date",
                (overleg_id,),
            )
        items = [_meeting(r) for r in rows]
        upcoming = [m for m in items if m.date >= today]
        past = [m for m in items if m.date < today]
        return upcoming + past[::-1]

    def meeting_stats(self, meeting_id: str) -> tuple[int, int]:
        """(number of agenda items, number of decisions) of a meeting."""
        with self._read() as conn:
            items = conn.exec_driver_sql(
                "SELECT count(*) FROM agenda_item WHERE meeting_id = ? AND deleted = 0",
                (meeting_id,),
            ).scalar_one()
            decisions = conn.exec_driver_sql(
                "SELECT count(*) FROM decision WHERE meeting_id = ? AND deleted = 0",
                (meeting_id,),
            ).scalar_one()
        return int(items), int(decisions)

    # -- attendance -------------------------------------------------------------------

    def attendance(self, meeting_id: str) -> list[d.AttendanceRow]:
        """One row per organisation of the overleg (unknown where nothing is recorded)."""
        with self._read() as conn:
            meeting = self._row(conn, "meeting", meeting_id)
            orgs = self._rows(
                conn,
                "SELECT id FROM organisation WHERE overleg_id = ? AND deleted = 0 "
                "ORDER BY sort, name",
                (meeting["overleg_id"],),
            )
            recorded = {
                r["organisation_id"]: r
                for r in self._rows(
                    conn, "SELECT * FROM attendance WHERE meeting_id = ? AND deleted = 0",
                    (meeting_id,),
                )
            }
        out = []
        for org in orgs:
            r = recorded.get(org["id"])
            status = d.Attendance(r["status"]) if r and r["status"] else d.Attendance.UNKNOWN
            out.append(d.AttendanceRow(meeting_id, org["id"], status, r["names"] if r else None))
        return out

    def set_attendance(
        self, meeting_id: str, organisation_id: str, status: d.Attendance | str,
        names: str | None = None,
    ) -> d.AttendanceRow:
        status = _enum(d.Attendance, status, "status")
        values: dict[str, Any] = {"meeting_id": meeting_id, "organisation_id": organisation_id,
                                  "status": status.value}
        if names is not None:
            values["names"] = check_text(names, "names", MAX_SHORT) or None
        with self._tx() as conn:
            meeting = self._row(conn, "meeting", meeting_id)
            self._set(conn, "attendance", f"{meeting_id}/{organisation_id}",
                      meeting["overleg_id"], values)
        return d.AttendanceRow(meeting_id, organisation_id, status, values.get("names"))

    # -- agenda -----------------------------------------------------------------------

    def agenda(self, meeting_id: str) -> list[d.AgendaItem]:
        with self._read() as conn:
            rows = self._rows(
                conn,
                "SELECT a.*, EXISTS (SELECT 1 FROM decision x WHERE x.id = a.id "
                "AND x.deleted = 0) AS has_decision FROM agenda_item a "
                "WHERE a.meeting_id = ? AND a.deleted = 0 ORDER BY a.position, a.id",
                (meeting_id,),
            )
        return [_item(r) for r in rows]

    def agenda_item(self, item_id: str) -> d.AgendaItem:
        with self._read() as conn:
            row = self._row(conn, "agenda_item", item_id)
            row["has_decision"] = conn.exec_driver_sql(
                "SELECT 1 FROM decision WHERE id = ? AND deleted = 0", (item_id,)
            ).fetchone() is not None
        return _item(row)

    def add_agenda_item(
        self,
        meeting_id: str,
        kind: d.ItemKind | str,
        *,
        case_id: str | None = None,
        title: str | None = None,
        timebox_min: int | None = None,
        confidential: bool = False,
    ) -> d.AgendaItem:
        """Add an item; case items go before the closing general items (rondvraag, sluiting)."""
        kind = _enum(d.ItemKind, kind, "kind")
        title = check_text(title, "title", MAX_SHORT) or None
        if kind is d.ItemKind.CASE and not case_id:
            raise ValidationError("case_id", "error.required")
        if timebox_min is not None and not 0 <= int(timebox_min) <= 600:
            raise ValidationError("timebox_min", "error.range", low=0, high=600)
        iid = uuid7()
        with self._tx() as conn:
            meeting = self._row(conn, "meeting", meeting_id)
            self._check_unlocked(meeting)
            rows = self._rows(
                conn,
                "SELECT id, position, kind FROM agenda_item WHERE meeting_id = ? AND deleted = 0 "
                "ORDER BY position, id",
                (meeting_id,),
            )
            tail = [r for r in rows if r["kind"] in ("aob", "closing")]
            if tail and kind not in (d.ItemKind.AOB, d.ItemKind.CLOSING):
                before = [r for r in rows if r not in tail]
                last = before[-1]["position"] if before else 0
                first_tail = tail[0]["position"]
                if first_tail - last >= 2:
                    position = (last + first_tail) // 2
                else:  # no room: shift the tail down
                    for n, r in enumerate(tail, start=1):
                        self._set(conn, "agenda_item", r["id"], meeting["overleg_id"],
                                  {"position": last + 10 * (n + 1)})
                    position = last + 10
            else:
                position = (rows[-1]["position"] if rows else 0) + 10
            self._set(conn, "agenda_item", iid, meeting["overleg_id"], {
                "meeting_id": meeting_id, "position": position, "kind": kind.value,
                "case_id": case_id, "title": title, "timebox_min": timebox_min,
                "status": d.ItemStatus.OPEN.value, "confidential": bool(confidential),
            })
            row = self._row(conn, "agenda_item", iid)
        row["has_decision"] = False
        return _item(row)

    def move_agenda_item(self, item_id: str, delta: int) -> list[d.AgendaItem]:
        """Move an item up (delta < 0) or down by swapping positions with its neighbour."""
        with self._tx() as conn:
            row = self._row(conn, "agenda_item", item_id)
            rows = self._rows(
                conn,
                "SELECT id, position FROM agenda_item WHERE meeting_id = ? AND deleted = 0 "
                "ORDER BY position, id",
                (row["meeting_id"],),
            )
            ids = [r["id"] for r in rows]
            i = ids.index(item_id)
            j = i + (1 if delta > 0 else -1)
            if 0 <= j < len(rows):
                a, b = rows[i], rows[j]
                pa, pb = b["position"], a["position"]
                if pa == pb:
                    pa, pb = (pa + 1, pb) if j > i else (pa, pb + 1)
                self._set(conn, "agenda_item", a["id"], row["overleg_id"], {"position": pa})
                self._set(conn, "agenda_item", b["id"], row["overleg_id"], {"position": pb})
        return self.agenda(row["meeting_id"])

    def update_agenda_item(self, item_id: str, **fields: Any) -> d.AgendaItem:
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key == "status":
                values[key] = _enum(d.ItemStatus, value, key).value
            elif key == "timebox_min":
                if value in (None, ""):
                    values[key] = None
                else:
                    try:
                        minutes = int(value)
                    except (TypeError, ValueError) as exc:
                        raise ValidationError(key, "error.number") from exc
                    if not 0 <= minutes <= 600:
                        raise ValidationError(key, "error.range", low=0, high=600)
                    values[key] = minutes
            elif key == "title":
                values[key] = check_text(value, key, MAX_SHORT) or None
            elif key == "confidential":
                values[key] = bool(value)
            else:
                raise ValueError(f"agenda item has no field {key}")
        with self._tx() as conn:
            row = self._row(conn, "agenda_item", item_id)
            self._set(conn, "agenda_item", item_id, row["overleg_id"], values)
        return self.agenda_item(item_id)

    def defer_item(self, item_id: str) -> d.AgendaItem:
        return self.update_agenda_item(item_id, status=d.ItemStatus.DEFERRED)

    def remove_agenda_item(self, item_id: str) -> None:
        with self._tx() as conn:
            row = self._row(conn, "agenda_item", item_id)
            self._delete(conn, "agenda_item", item_id, row["overleg_id"])

    # -- views ------------------------------------------------------------------------

    def views(self, item_id: str) -> list[d.View]:
        with self._read() as conn:
            rows = self._rows(
                conn, "SELECT * FROM partner_view WHERE agenda_item_id = ? AND deleted = 0",
                (item_id,),
            )
        return [_view(r) for r in rows]

    def record_view(
        self,
        item_id: str,
        organisation_id: str,
        position: d.Position | str,
        note: str = "",
        confidential: bool = False,
    ) -> d.View:
        """Record (or change) an organisation's view on a case item; durable on return."""
        position = _enum(d.Position, position, "position")
        note = check_text(note, "note")
        with self._tx() as conn:
            item = self._row(conn, "agenda_item", item_id)
            vid = f"{item_id}/{organisation_id}"
            self._set(conn, "partner_view", vid, item["overleg_id"], {
                "agenda_item_id": item_id, "case_id": item["case_id"],
                "organisation_id": organisation_id, "position": position.value,
                "note": note, "confidential": bool(confidential),
            })
        return d.View(vid, item_id, item["case_id"], organisation_id, position, note,
                      bool(confidential))

    # -- decisions --------------------------------------------------------------------

    def decision(self, item_id: str) -> d.Decision | None:
        with self._read() as conn:
            rows = self._rows(conn, "SELECT * FROM decision WHERE id = ? AND deleted = 0",
                              (item_id,))
        return _decision(rows[0]) if rows else None

    def decide(
        self,
        item_id: str,
        perspective: d.Perspective | str,
        rationale: str = "",
        consensus: d.Consensus | str = d.Consensus.UNANIMOUS,
        dissent: Iterable[d.Dissent] = (),
        escalation_level: d.Escalation | str = d.Escalation.NONE,
        escalation_question: str | None = None,
        escalation_date: dt.date | str | None = None,
        escalation_advice: str | None = None,
        review_date: dt.date | str | None = None,
    ) -> d.Decision:
        """Record the table's decision on an item; the case takes its perspective."""
        perspective = _enum(d.Perspective, perspective, "perspective")
        consensus = _enum(d.Consensus, consensus, "consensus")
        escalation = _enum(d.Escalation, escalation_level, "escalation_level")
        rationale = check_text(rationale, "rationale")
        dissent = tuple(dissent)
        for x in dissent:
            check_text(x.reason, "dissent", MAX_TEXT)
        if consensus is d.Consensus.UNANIMOUS and dissent:
            raise ValidationError("dissent", "error.dissent_unanimous")
        values = {
            "perspective": perspective.value,
            "rationale": rationale,
            "consensus": consensus.value,
            "dissent": [{"organisation_id": x.organisation_id, "reason": x.reason}
                        for x in dissent],
            "escalation_level": escalation.value,
            "escalation_question": check_text(escalation_question, "escalation_question")
            or None,
            "escalation_date": _iso(parse_date(escalation_date, "escalation_date")),
            "escalation_advice": check_text(escalation_advice, "escalation_advice") or None,
            "review_date": _iso(parse_date(review_date, "review_date")),
        }
        with self._tx() as conn:
            item = self._row(conn, "agenda_item", item_id)
            meeting = self._row(conn, "meeting", item["meeting_id"])
            self._check_unlocked(meeting)
            self._set(conn, "decision", item_id, item["overleg_id"], {
                "agenda_item_id": item_id, "meeting_id": item["meeting_id"],
                "case_id": item["case_id"], **values,
            })
            if item["case_id"]:
                case = self._row(conn, "casus", item["case_id"])
                change: dict[str, Any] = {"perspective": perspective.value}
                if case["status"] == d.CaseStatus.INTAKE.value:
                    change["status"] = d.CaseStatus.ACTIVE.value
                self._set(conn, "casus", item["case_id"], item["overleg_id"], change)
            if item["status"] == d.ItemStatus.OPEN.value:
                self._set(conn, "agenda_item", item_id, item["overleg_id"],
                          {"status": d.ItemStatus.DISCUSSED.value})
            row = self._row(conn, "decision", item_id)
        return _decision(row)

    def decisions(self, meeting_id: str) -> list[d.Decision]:
        with self._read() as conn:
            rows = self._rows(
                conn,
                "SELECT d.* FROM decision d JOIN agenda_item a ON a.id = d.agenda_item_id "
                "WHERE d.meeting_id = ? AND d.deleted = 0 AND a.deleted = 0 "
                "ORDER BY a.position, a.id",
                (meeting_id,),
            )
        return [_decision(r) for r in rows]

    # -- actions ----------------------------------------------------------------------

    def add_action(
        self,
        item_id: str,
        owner_organisation_id: str | None,
        text: str,
        due_date: dt.date | str | None = None,
    ) -> d.Action:
        text = check_text(text, "text", MAX_TEXT, required=True)
        due = _iso(parse_date(due_date, "due_date"))
        aid = uuid7()
        with self._tx() as conn:
            item = self._row(conn, "agenda_item", item_id)
            self._set(conn, "action_item", aid, item["overleg_id"], {
                "case_id": item["case_id"], "meeting_id": item["meeting_id"],
                "agenda_item_id": item_id, "owner_organisation_id": owner_organisation_id,
                "text": text, "due_date": due, "status": d.ActionStatus.OPEN.value,
            })
            row = self._row(conn, "action_item", aid)
        return _action(row)

    def update_action(self, action_id: str, **fields: Any) -> d.Action:
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key == "text":
                values[key] = check_text(value, key, MAX_TEXT, required=True)
            elif key == "due_date":
                values[key] = _iso(parse_date(value, key))
            elif key == "owner_organisation_id":
                values[key] = value
            elif key == "status":
                status = _enum(d.ActionStatus, value, key)
                values[key] = status.value
                values["closed_on"] = (
                    dt.date.today().isoformat() if status is d.ActionStatus.DONE else None
                )
            else:
                raise ValueError(f"action has no field {key}")
        with self._tx() as conn:
            row = self._row(conn, "action_item", action_id)
            self._set(conn, "action_item", action_id, row["overleg_id"], values)
            row = self._row(conn, "action_item", action_id)
        return _action(row)

    def close_action(self, action_id: str) -> d.Action:
        return self.update_action(action_id, status=d.ActionStatus.DONE)

    def actions(
        self,
        *,
        overleg_id: str | None = None,
        case_id: str | None = None,
        item_id: str | None = None,
        meeting_id: str | None = None,
        open_only: bool = False,
    ) -> list[d.Action]:
        sql = "SELECT * FROM action_item WHERE deleted = 0"
        params: list[Any] = []
        for col, value in (("overleg_id", overleg_id), ("case_id", case_id),
                           ("agenda_item_id", item_id), ("meeting_id", meeting_id)):
            if value is not None:
                sql += f" AND {col} = ?"
                params.append(value)
        if open_only:
            sql += " AND status = 'open'"
        sql += " ORDER BY due_date IS NULL, due_date, id"
        with self._read() as conn:
            return [_action(r) for r in self._rows(conn, sql, params)]

    def open_actions_for_meeting(self, meeting_id: str) -> list[d.Action]:
        """Carry-over: open actions of the cases on this meeting's agenda, from other meetings."""
        with self._read() as conn:
            rows = self._rows(
                conn,
                "SELECT * FROM action_item WHERE deleted = 0 AND status = 'open' "
                "AND (meeting_id IS NULL OR meeting_id != ?) AND case_id IN (SELECT case_id "
                "FROM agenda_item WHERE meeting_id = ? AND deleted = 0 AND case_id IS NOT NULL) "
                "ORDER BY due_date IS NULL, due_date, id",
                (meeting_id, meeting_id),
            )
        return [_action(r) for r in rows]

    # -- minutes ----------------------------------------------------------------------

    def _check_unlocked(self, meeting: Mapping[str, Any]) -> None:
        if meeting.get("minutes_status") == d.MinutesStatus.APPROVED.value:
            raise Locked("minutes approved: record a correction instead")

    def minutes_texts(self, meeting_id: str) -> dict[str | None, str]:
        """Summaries by agenda item id (None: the meeting as a whole)."""
        with self._read() as conn:
            rows = self._rows(
                conn, "SELECT agenda_item_id, text FROM minutes_text "
                "WHERE meeting_id = ? AND deleted = 0", (meeting_id,),
            )
        return {r["agenda_item_id"]: r["text"] or "" for r in rows}

    def set_minutes_text(self, meeting_id: str, item_id: str | None, text: str) -> None:
        text = check_text(text, "summary")
        with self._tx() as conn:
            meeting = self._row(conn, "meeting", meeting_id)
            self._check_unlocked(meeting)
            mid = f"{meeting_id}/{item_id or '-'}"
            self._set(conn, "minutes_text", mid, meeting["overleg_id"],
                      {"meeting_id": meeting_id, "agenda_item_id": item_id, "text": text})

    def approve_minutes(self, meeting_id: str, in_meeting_id: str | None = None,
                        on: dt.date | None = None) -> d.Meeting:
        """Mark minutes vastgesteld (approved), optionally in a later meeting."""
        with self._tx() as conn:
            meeting = self._row(conn, "meeting", meeting_id)
            self._set(conn, "meeting", meeting_id, meeting["overleg_id"], {
                "minutes_status": d.MinutesStatus.APPROVED.value,
                "approved_in": in_meeting_id,
                "approved_on": (on or dt.date.today()).isoformat(),
            })
            row = self._row(conn, "meeting", meeting_id)
        return _meeting(row)

    def add_correction(self, meeting_id: str, text: str, item_id: str | None = None,
                       on: dt.date | None = None) -> d.Correction:
        text = check_text(text, "correction", required=True)
        cid = uuid7()
        made_on = (on or dt.date.today()).isoformat()
        with self._tx() as conn:
            meeting = self._row(conn, "meeting", meeting_id)
            self._set(conn, "minutes_correction", cid, meeting["overleg_id"], {
                "meeting_id": meeting_id, "agenda_item_id": item_id, "text": text,
                "made_on": made_on, "made_by": self.author,
            })
        return d.Correction(cid, meeting_id, item_id, text, _date(made_on), self.author)

    def corrections(self, meeting_id: str) -> list[d.Correction]:
        with self._read() as conn:
            rows = self._rows(
                conn, "SELECT * FROM minutes_correction WHERE meeting_id = ? AND deleted = 0 "
                "ORDER BY made_on, id", (meeting_id,),
            )
        return [d.Correction(r["id"], r["meeting_id"], r["agenda_item_id"], r["text"] or "",
                             _date(r["made_on"]), r["made_by"]) for r in rows]

    def minutes_conflicts(self, meeting_id: str) -> set[str | None]:
        """Agenda item ids (None: the meeting as a whole) whose summary has an open conflict.

        A narrow, index-range form of :meth:`conflicts` for the minutes screen.
        """
        prefix = f"{meeting_id}/"
        with self._read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT entity_id FROM field_head WHERE entity = 'minutes_text' "
                "AND entity_id >= ? AND entity_id < ? AND field = 'text' "
                "GROUP BY entity_id HAVING count(DISTINCT value) > 1",
                (prefix, f"{meeting_id}0"),
            ).fetchall()
        out: set[str | None] = set()
        for (entity_id,) in rows:
            item = entity_id[len(prefix):]
            out.add(None if item == "-" else item)
        return out

    # -- conflicts --------------------------------------------------------------------

    def conflicts(self, overleg_id: str | None = None) -> list[d.Conflict]:
        """Every open conflict: concurrent values of one field, or a delete vs an edit."""
        with self._read() as conn:
            keys = conn.exec_driver_sql(
                "SELECT entity, entity_id, field FROM conflict_key"
            ).fetchall()
            delete_keys = conn.exec_driver_sql(_DELETE_CONFLICTS).fetchall()
            out = []
            for entity, entity_id, field in sorted(set(map(tuple, keys)) | set(
                    map(tuple, delete_keys))):
                if field == DELETED:
                    sql = (
                        "SELECT o.id, o.value, o.author, o.device_id, o.hlc, o.overleg_id "
                        "FROM field_head h JOIN op o ON o.id = h.op_id WHERE h.entity = ? "
                        "AND h.entity_id = ?"
                    )
                    params: tuple = (entity, entity_id)
                else:
                    sql = (
                        "SELECT o.id, o.value, o.author, o.device_id, o.hlc, o.overleg_id "
                        "FROM field_head h JOIN op o ON o.id = h.op_id WHERE h.entity = ? "
                        "AND h.entity_id = ? AND h.field = ?"
                    )
                    params = (entity, entity_id, field)
                rows = conn.exec_driver_sql(sql, params).fetchall()
                if overleg_id and rows[0][5] != overleg_id:
                    continue
                rows.sort(key=lambda r: (r[4], r[3], r[0]), reverse=True)
                values = tuple(
                    d.ConflictValue(r[0], json.loads(r[1]), r[2], r[3], r[4]) for r in rows
                )
                out.append(d.Conflict(entity, entity_id, field, rows[0][5], values))
        return out

    def resolve_conflict(self, conflict: d.Conflict, value: Any) -> None:
        """Write ``value`` with a base naming every value of the conflict; clears it."""
        base = [v.op_id for v in conflict.values]
        field = conflict.field
        if field == DELETED:
            value = bool(value)
        allowed = entity_fields(conflict.entity)
        if field not in allowed:
            raise ValueError(f"{conflict.entity} has no field {field}")
        with self._tx() as conn:
            heads = self._heads(conn, conflict.entity, conflict.entity_id)
            if field == DELETED and value:
                # keeping the delete settles the entity's open field conflicts as shown, so
                # that no edit stays behind that the delete has not seen
                for other, hs in heads.items():
                    if other != DELETED and len({h[3] for h in hs}) > 1:
                        winner = max(hs, key=lambda h: (h[1], h[2], h[0]))
                        self._emit(conn, conflict.entity, conflict.entity_id,
                                   conflict.overleg_id, other, winner[3],
                                   [h[0] for h in hs], sole=True)
                heads = self._heads(conn, conflict.entity, conflict.entity_id)
                base = [*base, *(h[0] for hs in heads.values() for h in hs)]
            # every head of the field itself (also one that arrived since the listing), so
            # the resolution is its only head; for a delete conflict also the edits shown
            current = heads.get(field, [])
            base = sorted(set(base) | {h[0] for h in current})
            self._emit(conn, conflict.entity, conflict.entity_id, conflict.overleg_id, field,
                       dumps(value), base, sole=True)
            self._save_meta(conn)

    # -- audit ------------------------------------------------------------------------

    def history(self, entity: str, entity_id: str) -> list[dict[str, Any]]:
        """Who set what, when, on which device: the op log of one entity, oldest first."""
        with self._read() as conn:
            return self._rows(
                conn,
                "SELECT id, hlc, author, device_id, field, value FROM op WHERE entity = ? "
                "AND entity_id = ? ORDER BY hlc, device_id, id",
                (entity, entity_id),
            )

    # -- sync support -------------------------------------------------------------------

    def unpushed_ops(self, limit: int = 1000) -> list[WireOp]:
        with self._read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT " + ", ".join(WIRE_COLUMNS) + " FROM op WHERE pushed = 0 "
                "ORDER BY local_seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [WireOp.from_row(r) for r in rows]

    def mark_pushed(self, op_ids: Sequence[str]) -> None:
        with self._tx() as conn:
            conn.exec_driver_sql("UPDATE op SET pushed = 1 WHERE id = ?", [(i,) for i in op_ids])

    def cursor(self, server: str) -> int:
        with self._read() as conn:
            row = conn.exec_driver_sql(
                "SELECT cursor FROM sync_cursor WHERE server = ?", (server,)
            ).fetchone()
        return int(row[0]) if row else 0

    def apply_remote(
        self, ops: Sequence[WireOp], *, server: str | None = None, cursor: int | None = None,
        source: str = "sync",
    ) -> ApplyResult:
        """Apply ops from elsewhere and (optionally) advance a pull cursor, in one transaction.

        Ops already held with the same payload are skipped; a known id with a different
        payload is kept aside in ``op_alarm`` and never applied. Ops stamped more than five
        minutes ahead of our clock are kept but flagged, and do not move our clock.
        """
        applied = duplicates = alarms = skewed = 0
        wall = now_ms()
        with self._tx() as conn:
            seq = next_local_seq(conn)
            for op in ops:
                skew = is_skewed(op.hlc, wall)
                status = apply_op(conn, op, local_seq=seq, pushed=True, skewed=skew)
                if status == "applied":
                    seq += 1
                    applied += 1
                    if skew:
                        skewed += 1
                    else:
                        self._clock.observe(op.hlc)
                elif status == "duplicate":
                    duplicates += 1
                else:
                    alarms += 1
                    conn.exec_driver_sql(
                        "INSERT INTO op_alarm (op_id, source, payload, at_ms) VALUES (?, ?, ?, ?)",
                        (op.id, source, dumps(op.as_dict()), wall),
                    )
            if server is not None and cursor is not None:
                conn.exec_driver_sql(
                    "INSERT INTO sync_cursor (server, cursor, last_sync_ms) VALUES (?, ?, ?) "
                    "ON CONFLICT(server) DO UPDATE SET cursor = excluded.cursor, "
                    "last_sync_ms = excluded.last_sync_ms",
                    (server, cursor, wall),
                )
            self._save_meta(conn)
        return ApplyResult(applied, duplicates, alarms, skewed)

    def record_sync(self, server: str) -> None:
        """Note a successful round with ``server`` (for 'synced hh:mm')."""
        with self._tx() as conn:
            conn.exec_driver_sql(
                "INSERT INTO sync_cursor (server, cursor, last_sync_ms) VALUES (?, 0, ?) "
                "ON CONFLICT(server) DO UPDATE SET last_sync_ms = excluded.last_sync_ms",
                (server, now_ms()),
            )

    def unsynced_count(self) -> int:
        """Ops not yet acknowledged by the server (cheap: no conflict scan)."""
        with self._read() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM op WHERE pushed = 0")
                       .scalar_one())

    def sync_counts(self, server: str | None = None) -> d.SyncCounts:
        with self._read() as conn:
            unsynced = conn.exec_driver_sql("SELECT count(*) FROM op WHERE pushed = 0").scalar_one()
            last = None
            if server:
                row = conn.exec_driver_sql(
                    "SELECT last_sync_ms FROM sync_cursor WHERE server = ?", (server,)
                ).fetchone()
                last = row[0] if row else None
        return d.SyncCounts(int(unsynced), self.conflict_count(), last)

    def conflict_count(self) -> int:
        """How many open conflicts there are (cheap: reads the conflict index only)."""
        with self._read() as conn:
            fields = conn.exec_driver_sql("SELECT count(*) FROM conflict_key").scalar_one()
            deletes = len(conn.exec_driver_sql(_DELETE_CONFLICTS).fetchall())
        return int(fields) + deletes

    def alarms(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            return self._rows(conn, "SELECT op_id, source, at_ms FROM op_alarm ORDER BY id")

    def skewed_ops(self) -> list[str]:
        with self._read() as conn:
            return [r[0] for r in conn.exec_driver_sql("SELECT id FROM op WHERE skewed = 1")]

    def all_ops(self) -> list[WireOp]:
        with self._read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT " + ", ".join(WIRE_COLUMNS) + " FROM op ORDER BY local_seq"
            ).fetchall()
        return [WireOp.from_row(r) for r in rows]

    def op_count(self) -> int:
        with self._read() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM op").scalar_one())

    # -- bulk import (demo data) -----------------------------------------------------------

    def bulk_import(self, ops: Sequence[WireOp], *, pushed: bool = False) -> None:
        """Load many fresh ops at once (an empty database): log and projection together."""
        with self._tx() as conn:
            if conn.exec_driver_sql("SELECT count(*) FROM op").scalar_one():
                raise StoreError("bulk import needs an empty database")
            cols = ", ".join(WIRE_COLUMNS)
            conn.exec_driver_sql(
                f"INSERT INTO op ({cols}, local_seq, pushed, skewed) VALUES "
                f"({', '.join('?' * len(WIRE_COLUMNS))}, ?, ?, 0)",
                [(*op.as_tuple(), n, int(pushed)) for n, op in enumerate(ops, start=1)],
            )
            edges = [(op.id, b) for op in ops for b in op.base_ids]
            if edges:
                conn.exec_driver_sql(
                    "INSERT OR IGNORE INTO op_base (op_id, base_id) VALUES (?, ?)", edges
                )
            write_projection(conn, project(ops))
            mine = [op for op in ops if op.device_id == self.device_id]
            if mine:
                self._next_seq = max(op.device_seq for op in mine) + 1
            for op in ops:
                if op.hlc > self._clock.last.encode():
                    self._clock.observe(op.hlc)
            self._save_meta(conn)

    def op_factory(self, rand: Callable[[], int] | None = None) -> OpFactory:
        """Makes ops as this device would, without writing them (for bulk import).

        ``rand`` returns 80 random bits for op ids (reproducible demo data).
        """
        return OpFactory(self, rand)

    # -- integrity ----------------------------------------------------------------------

    def check(self) -> list[str]:
        """Faults found: device_seq gaps, projection vs rebuild, SQLite integrity."""
        faults: list[str] = []
        with self._read() as conn:
            integrity = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
            if [r[0] for r in integrity] != ["ok"]:
                faults.append("sqlite integrity_check: " + "; ".join(r[0] for r in integrity[:5]))
            gaps = conn.exec_driver_sql(
                "SELECT device_id, count(*), min(device_seq), max(device_seq) FROM op "
                "GROUP BY device_id"
            ).fetchall()
            for device_id, count, low, high in gaps:
                if device_id == self.device_id and (low != 1 or high != count):
                    faults.append(f"device_seq of this device {device_id} is not gapless "
                                  f"({count} ops, {low}..{high})")
                elif device_id == self.device_id and high >= self._next_seq:
                    faults.append(f"device_seq counter behind the log ({high} >= "
                                  f"{self._next_seq})")
                elif count != high - low + 1:
                    faults.append(f"device {device_id}: device_seq has gaps "
                                  f"({count} ops, {low}..{high})")
            ops = [WireOp.from_row(r) for r in conn.exec_driver_sql(
                "SELECT " + ", ".join(WIRE_COLUMNS) + " FROM op")]
            stored = read_projection(conn)
        want = projection_as_stored(project(ops))
        stored_rows, want_rows = stored.rows, want.rows
        if stored.heads != want.heads:
            faults.append(f"field heads differ from a rebuild "
                          f"({len(stored.heads ^ want.heads)} differences)")
        if stored.conflict_keys != want.conflict_keys:
            faults.append(f"open conflicts differ from a rebuild "
                          f"({len(stored.conflict_keys ^ want.conflict_keys)} differences)")
        if stored.tombstones != want.tombstones:
            faults.append(f"deletes differ from a rebuild "
                          f"({len(stored.tombstones ^ want.tombstones)} differences)")
        for entity in sorted(set(stored_rows) | set(want_rows)):
            a, b = stored_rows.get(entity, {}), want_rows.get(entity, {})
            if a != b:
                diff = sum(1 for k in set(a) | set(b) if a.get(k) != b.get(k))
                faults.append(f"projection {entity} differs from a rebuild ({diff} rows)")
        return faults

    def rebuild(self) -> None:
        """Recompute every projection from the log."""
        with self._tx() as conn:
            ops = [WireOp.from_row(r) for r in conn.exec_driver_sql(
                "SELECT " + ", ".join(WIRE_COLUMNS) + " FROM op")]
            write_projection(conn, project(ops))

    # -- dump ---------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """The current state, canonical: sorted, stable, no device-local fields."""
        with self._read() as conn:
            rows = read_projection(conn).rows
            conflict_heads = conn.exec_driver_sql(
                "SELECT h.entity, h.entity_id, h.field, h.op_id FROM conflict_key k "
                "CROSS JOIN field_head h ON h.entity = k.entity AND h.entity_id = k.entity_id "
                "AND h.field = k.field ORDER BY 1, 2, 3, 4"
            ).fetchall()
            n_ops = conn.exec_driver_sql("SELECT count(*) FROM op").scalar_one()
        state = {
            entity: [rows[entity][k] for k in sorted(rows[entity])] for entity in sorted(rows)
        }
        return {
            "format": "lvv-tui-dump/1",
            "ops": int(n_ops),
            "state": state,
            "conflicts": [list(r) for r in conflict_heads],
        }


class OpFactory:
    """Builds ops for bulk import with this device's id, sequence and clock."""

    def __init__(self, store: Store, rand: Callable[[], int] | None = None) -> None:
        self.store = store
        self._rand = rand
        self.ops: list[WireOp] = []
        self._seq = store._next_seq
        self._last: dict[tuple[str, str, str], str] = {}

    def set(self, entity: str, entity_id: str, overleg_id: str, values: Mapping[str, Any],
            *, hlc_ms: int | None = None) -> None:
        for field, value in values.items():
            key = (entity, entity_id, field)
            prev = self._last.get(key)
            if hlc_ms is not None:
                hlc = self.store._clock.advance_to(hlc_ms)
            else:
                hlc = self.store._clock.tick()
            op = WireOp(
                id=uuid7(int(hlc.split("-")[0]), self._rand() if self._rand else None),
                device_id=self.store.device_id,
                device_seq=self._seq,
                hlc=hlc,
                author=self.store.author,
                overleg_id=overleg_id,
                entity=entity,
                entity_id=entity_id,
                field=field,
                value=dumps(value),
                base=dumps([prev] if prev else []),
                schema_version=SCHEMA_VERSION_OPS,
            )
            self._seq += 1
            self._last[key] = op.id
            self.ops.append(op)


# ---------------------------------------------------------------------------------------
# rows -> domain objects
# ---------------------------------------------------------------------------------------


def _org(r: Mapping[str, Any]) -> d.Organisation:
    return d.Organisation(r["id"], r["overleg_id"], r["name"] or "",
                          d.OrgKind(r["kind"] or "other"), r["sort"] or 0)


def _case(r: Mapping[str, Any]) -> d.Case:
    return d.Case(
        id=r["id"], overleg_id=r["overleg_id"], code=r["code"] or "",
        v_number=r["v_number"], nationality=r["nationality"],
        intake_date=_date(r["intake_date"]), stay_term_days=r["stay_term_days"],
        health_flag=bool(r["health_flag"]), identity_established=bool(r["identity_established"]),
        cooperation=d.Cooperation(r["cooperation"] or "unknown"), procedure=r["procedure"],
        perspective=d.Perspective(r["perspective"] or "undecided"),
        status=d.CaseStatus(r["status"] or "intake"), put_forward_by=r["put_forward_by"],
        exit_date=_date(r["exit_date"]),
        outcome_subtype=d.OutcomeSubtype(r["outcome_subtype"]) if r["outcome_subtype"] else None,
    )


def _meeting(r: Mapping[str, Any]) -> d.Meeting:
    return d.Meeting(
        id=r["id"], overleg_id=r["overleg_id"], date=_date(r["date"]) or dt.date.min,
        start_time=r["start_time"], place=r["place"], chair=r["chair"],
        secretary=r["secretary"], status=d.MeetingStatus(r["status"] or "planned"),
        minutes_status=d.MinutesStatus(r["minutes_status"] or "concept"),
        approved_in=r["approved_in"], approved_on=_date(r["approved_on"]),
    )


def _item(r: Mapping[str, Any]) -> d.AgendaItem:
    return d.AgendaItem(
        id=r["id"], meeting_id=r["meeting_id"], position=r["position"] or 0,
        kind=d.ItemKind(r["kind"] or "other"), case_id=r["case_id"], title=r["title"],
        timebox_min=r["timebox_min"], status=d.ItemStatus(r["status"] or "open"),
        confidential=bool(r["confidential"]), has_decision=bool(r.get("has_decision")),
    )


def _view(r: Mapping[str, Any]) -> d.View:
    return d.View(r["id"], r["agenda_item_id"], r["case_id"], r["organisation_id"],
                  d.Position(r["position"] or "none"), r["note"] or "", bool(r["confidential"]))


def _decision(r: Mapping[str, Any]) -> d.Decision:
    dissent = tuple(
        d.Dissent(x.get("organisation_id", ""), x.get("reason", ""))
        for x in json.loads(r["dissent"] or "[]")
    )
    return d.Decision(
        id=r["id"], agenda_item_id=r["agenda_item_id"], meeting_id=r["meeting_id"],
        case_id=r["case_id"], perspective=d.Perspective(r["perspective"] or "undecided"),
        rationale=r["rationale"] or "", consensus=d.Consensus(r["consensus"] or "unanimous"),
        dissent=dissent, escalation_level=d.Escalation(r["escalation_level"] or "none"),
        escalation_question=r["escalation_question"],
        escalation_date=_date(r["escalation_date"]),
        escalation_advice=r["escalation_advice"], review_date=_date(r["review_date"]),
    )


def _action(r: Mapping[str, Any]) -> d.Action:
    return d.Action(
        id=r["id"], overleg_id=r["overleg_id"], case_id=r["case_id"],
        meeting_id=r["meeting_id"], agenda_item_id=r["agenda_item_id"],
        owner_organisation_id=r["owner_organisation_id"], text=r["text"] or "",
        due_date=_date(r["due_date"]), status=d.ActionStatus(r["status"] or "open"),
        closed_on=_date(r["closed_on"]),
    )
