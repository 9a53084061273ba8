"""Closing a meeting (the checklist), carrying deferred items on, and the action list.

The checklist is computed here, in the core, so the meeting screen, the minutes screen and
the CLI show the same points; :meth:`ClosingMixin.close_meeting` refuses while a blocking
point is open unless the chair confirms it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from db import domain as d
from db.clock import uuid7
from db.rules import RuleViolation
from db.store.base import StoreBase
from db.store.rows import _action, _meeting

#: The kinds of checklist point, in the order they are listed.
CHECK_KINDS = ("item_open", "no_decision", "attendance_unknown", "no_summary")


@dataclass(frozen=True)
class CheckPoint:
    """One point of the checklist before closing or approving a meeting.

    ``kind`` is one of :data:`CHECK_KINDS`; ``item_id`` or ``organisation_id`` names where
    it is (a screen goes there); ``position`` is the item's number on the agenda (1-based).
    """

    kind: str
    item_id: str | None = None
    organisation_id: str | None = None
    position: int | None = None
    blocking: bool = True


@dataclass(frozen=True)
class CarriedItem:
    """A deferred item put on the agenda of the next meeting."""

    from_item_id: str
    to_item_id: str
    to_meeting_id: str


class ClosingMixin(StoreBase):
    """The checklist, closing a meeting, deferred items, the overleg's action list."""

    def meeting_checklist(self, meeting_id: str) -> list[CheckPoint]:
        """What is still open in a meeting: items, decisions, attendance, summaries.

        Items still open, case items discussed without a decision and organisations whose
        attendance is unknown are blocking; items without a summary are not (the secretary
        may write them after the meeting).
        """
        agenda = self.agenda(meeting_id)
        texts = self.minutes_texts(meeting_id)
        out: list[CheckPoint] = []
        for n, item in enumerate(agenda, start=1):
            if item.status is d.ItemStatus.OPEN:
                out.append(CheckPoint("item_open", item_id=item.id, position=n))
        for n, item in enumerate(agenda, start=1):
            if (item.kind is d.ItemKind.CASE and item.status is d.ItemStatus.DISCUSSED
                    and not item.has_decision):
                out.append(CheckPoint("no_decision", item_id=item.id, position=n))
        for row in self.attendance(meeting_id):
            if row.status is d.Attendance.UNKNOWN:
                out.append(CheckPoint("attendance_unknown", organisation_id=row.organisation_id))
        for n, item in enumerate(agenda, start=1):
            if (item.kind is d.ItemKind.CASE and item.status is not d.ItemStatus.DEFERRED
                    and not (texts.get(item.id) or "").strip()):
                out.append(CheckPoint("no_summary", item_id=item.id, position=n,
                                      blocking=False))
        return out

    def close_meeting(self, meeting_id: str, *, confirmed: bool = False) -> d.Meeting:
        """Mark the meeting held. Refused while the checklist has blocking points, unless
        ``confirmed`` (the chair saw them and closes anyway)."""
        blocking = [p for p in self.meeting_checklist(meeting_id) if p.blocking]
        if blocking and not confirmed:
            raise RuleViolation("status", "error.checklist_open", count=len(blocking))
        with self._tx() as conn:
            row = self._unlocked_meeting(conn, meeting_id)
            self._set(conn, "meeting", meeting_id, row["overleg_id"],
                      {"status": d.MeetingStatus.HELD.value})
            row = self._row(conn, "meeting", meeting_id)
        return _meeting(row)

    def next_meeting(self, meeting_id: str) -> d.Meeting | None:
        """The first meeting of the same overleg after this one (by date), or None."""
        with self._read() as conn:
            row = self._row(conn, "meeting", meeting_id)
            rows = self._rows(
                conn, "SELECT * FROM meeting WHERE overleg_id = ? AND deleted = 0 AND date > ? "
                "ORDER BY date, id LIMIT 1", (row["overleg_id"], row["date"]))
        return _meeting(rows[0]) if rows else None

    def carry_deferred(self, meeting_id: str, to_meeting_id: str | None = None
                       ) -> list[CarriedItem]:
        """Put this meeting's deferred case items on the next meeting's agenda (one
        transaction). A case already on that agenda is not added twice."""
        target = to_meeting_id or getattr(self.next_meeting(meeting_id), "id", None)
        if target is None:
            raise RuleViolation("meeting", "error.no_next_meeting")
        out: list[CarriedItem] = []
        with self._tx() as conn:
            source = self._row(conn, "meeting", meeting_id)
            meeting = self._unlocked_meeting(conn, target)
            if meeting["overleg_id"] != source["overleg_id"] or target == meeting_id:
                raise RuleViolation("meeting", "error.choice")
            deferred = self._rows(
                conn, "SELECT * FROM agenda_item WHERE meeting_id = ? AND deleted = 0 "
                "AND status = 'deferred' ORDER BY position, id", (meeting_id,))
            for item in deferred:
                rows = self._rows(
                    conn, "SELECT id, position, kind, case_id FROM agenda_item "
                    "WHERE meeting_id = ? AND deleted = 0 ORDER BY position, id", (target,))
                if item["case_id"] and any(r["case_id"] == item["case_id"] for r in rows):
                    continue
                iid = uuid7()
                self._set(conn, "agenda_item", iid, meeting["overleg_id"], {
                    "meeting_id": target, "position": self._slot(conn, rows, meeting),
                    "kind": item["kind"], "case_id": item["case_id"], "title": item["title"],
                    "timebox_min": item["timebox_min"], "status": d.ItemStatus.OPEN.value,
                    "confidential": bool(item["confidential"]),
                })
                out.append(CarriedItem(item["id"], iid, target))
        return out

    def _slot(self, conn: Any, rows: list[dict], meeting: dict) -> int:
        """A position before the closing general items (rondvraag, sluiting)."""
        tail = [r for r in rows if r["kind"] in ("aob", "closing")]
        if not tail:
            return (rows[-1]["position"] if rows else 0) + 10
        before = [r for r in rows if r not in tail]
        last = before[-1]["position"] if before else 0
        if tail[0]["position"] - last >= 2:
            return (last + tail[0]["position"]) // 2
        for n, r in enumerate(tail, start=1):
            self._set(conn, "agenda_item", r["id"], meeting["overleg_id"],
                      {"position": last + 10 * (n + 1)})
        return last + 10

    # -- the action list --------------------------------------------------------------

    def action_list(
        self,
        overleg_id: str,
        *,
        owner_organisation_id: str | None = None,
        owner_person: str | None = None,
        overdue: bool = False,
        case_id: str | None = None,
        meeting_id: str | None = None,
        today: dt.date | None = None,
        sort: str = "due",
    ) -> list[d.Action]:
        """Every open action of the overleg, filtered; sorted by ``due`` (no date last),
        ``owner`` (organisation, then person), ``person``, ``case`` or ``meeting``.
        ``owner_person`` matches the named person without regard to case or spacing."""
        today = today or dt.date.today()
        person = " ".join(owner_person.split()).casefold() if owner_person else None
        out = [
            a for a in self.actions(overleg_id=overleg_id, open_only=True)
            if (owner_organisation_id is None or a.owner_organisation_id == owner_organisation_id)
            and (person is None or _person_key(a) == person)
            and (case_id is None or a.case_id == case_id)
            and (meeting_id is None or a.meeting_id == meeting_id)
            and (not overdue or (a.due_date is not None and a.due_date < today))
        ]
        keys = {
            "due": lambda a: (a.due_date is None, a.due_date or dt.date.max, a.id),
            "owner": lambda a: (a.owner_organisation_id or "", _person_key(a),
                                a.due_date or dt.date.max),
            "person": lambda a: (not a.owner_person, _person_key(a), a.due_date or dt.date.max),
            "case": lambda a: (a.case_id or "", a.due_date or dt.date.max),
            "meeting": lambda a: (a.meeting_id or "", a.due_date or dt.date.max),
        }
        return sorted(out, key=keys.get(sort, keys["due"]))

    def reopen_action(self, action_id: str) -> d.Action:
        """Undo a close: the action is open again (closed_on cleared)."""
        return self.update_action(action_id, status=d.ActionStatus.OPEN)

    def actions_closed_since_previous(self, meeting_id: str) -> list[d.Action]:
        """Actions of the overleg closed after the previous meeting, up to this one's date."""
        with self._read() as conn:
            row = self._row(conn, "meeting", meeting_id)
            prev = conn.exec_driver_sql(
                "SELECT max(date) FROM meeting WHERE overleg_id = ? AND deleted = 0 "
                "AND date < ?", (row["overleg_id"], row["date"])).scalar_one()
            rows = self._rows(
                conn, "SELECT * FROM action_item WHERE overleg_id = ? AND deleted = 0 "
                "AND status = 'done' AND closed_on IS NOT NULL AND closed_on > ? "
                "AND closed_on <= ? ORDER BY closed_on, id",
                (row["overleg_id"], prev or "0000-00-00", row["date"]))
        return [_action(r) for r in rows]


def _person_key(a: d.Action) -> str:
    """An action's named person as compared: spaces folded, case ignored ('' for none)."""
    return " ".join((a.owner_person or "").split()).casefold()
