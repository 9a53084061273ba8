"""Meetings with their attendance and agenda.

Every write here changes the record of one meeting, so each one is refused with
:class:`~db.rules.Locked` once that meeting's minutes are approved (see :mod:`db.rules`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from db import domain as d
from db.clock import uuid7
from db.rules import (
    MAX_SHORT,
    Refusal,
    ValidationError,
    _enum,
    check_case_not_on_agenda,
    check_text,
    check_time,
    check_timebox,
    parse_date,
    why_locked,
)
from db.store.base import StoreBase
from db.store.rows import _item, _meeting


class MeetingsMixin(StoreBase):
    """Meetings with their attendance and agenda."""

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
            row = self._unlocked_meeting(conn, meeting_id)
            self._set(conn, "meeting", meeting_id, row["overleg_id"], values)
            row = self._row(conn, "meeting", meeting_id)
        return _meeting(row)

    def meeting(self, meeting_id: str) -> d.Meeting:
        with self._read() as conn:
            return _meeting(self._row(conn, "meeting", meeting_id))

    def why_locked(self, meeting_id: str) -> Refusal | None:
        """Why the record of this meeting cannot change (approved minutes), or None.

        Screens ask this before they open a form that the store would refuse.
        """
        with self._read() as conn:
            return why_locked(self._row(conn, "meeting", meeting_id))

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
            meeting = self._unlocked_meeting(conn, meeting_id)
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
        timebox_min = check_timebox(timebox_min)
        iid = uuid7()
        with self._tx() as conn:
            meeting = self._unlocked_meeting(conn, meeting_id)
            rows = self._rows(
                conn,
                "SELECT id, position, kind, case_id FROM agenda_item WHERE meeting_id = ? "
                "AND deleted = 0 ORDER BY position, id",
                (meeting_id,),
            )
            if case_id is not None:
                case = self._row(conn, "casus", case_id)
                if case["overleg_id"] != meeting["overleg_id"]:
                    raise ValidationError("case_id", "error.choice")
                check_case_not_on_agenda(case_id, (r["case_id"] for r in rows),
                                         case_code=case["code"] or "")
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
            self._unlocked_meeting(conn, row["meeting_id"])
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
                values[key] = check_timebox(value, key)
            elif key == "title":
                values[key] = check_text(value, key, MAX_SHORT) or None
            elif key == "confidential":
                values[key] = bool(value)
            else:
                raise ValueError(f"agenda item has no field {key}")
        with self._tx() as conn:
            row = self._row(conn, "agenda_item", item_id)
            self._unlocked_meeting(conn, row["meeting_id"])
            self._set(conn, "agenda_item", item_id, row["overleg_id"], values)
        return self.agenda_item(item_id)

    def defer_item(self, item_id: str) -> d.AgendaItem:
        return self.update_agenda_item(item_id, status=d.ItemStatus.DEFERRED)

    def remove_agenda_item(self, item_id: str) -> None:
        with self._tx() as conn:
            row = self._row(conn, "agenda_item", item_id)
            self._unlocked_meeting(conn, row["meeting_id"])
            self._delete(conn, "agenda_item", item_id, row["overleg_id"])

