"""A case's whole story on one list: intake, views, decisions, escalations, actions, exit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db import domain as d
from db.rules import _date
from db.store.base import StoreBase

#: Order of entries on the same day (newest first: the later step first).
_ORDER = {"exit": 0, "action_closed": 1, "escalation": 2, "decision": 3, "action": 4,
          "deferred": 5, "view": 6, "intake": 7}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's timeline, in plain data (a screen puts it into words).

    ``kind``: intake, view, deferred, decision, action, action_closed, escalation, exit.
    ``value``: the enum value that fits the kind (a position, a perspective, an escalation
    step kind, an outcome subtype); ``who``: an organisation id; ``text``: the user's text
    (a note, a rationale, an advice, an action); ``level``: an escalation's level.
    """

    on: dt.date | None
    kind: str
    meeting_id: str | None = None
    item_id: str | None = None
    who: str | None = None
    value: str | None = None
    text: str = ""
    level: str | None = None
    confidential: bool = False


class TimelineMixin(StoreBase):
    """The case timeline (reads only)."""

    def case_timeline(self, case_id: str) -> list[TimelineEntry]:
        """Everything recorded about a case, newest first; each line names its meeting."""
        out: list[TimelineEntry] = []
        with self._read() as conn:
            case = self._row(conn, "casus", case_id)
            if case["intake_date"]:
                out.append(TimelineEntry(_date(case["intake_date"]), "intake",
                                         who=case["put_forward_by"]))
            for r in self._rows(
                conn, "SELECT v.*, a.meeting_id AS mid, m.date AS day, a.confidential AS ic "
                "FROM partner_view v JOIN agenda_item a ON a.id = v.agenda_item_id "
                "JOIN meeting m ON m.id = a.meeting_id WHERE v.case_id = ? AND v.deleted = 0 "
                "AND a.deleted = 0", (case_id,)):
                out.append(TimelineEntry(
                    _date(r["day"]), "view", r["mid"], r["agenda_item_id"],
                    r["organisation_id"], r["position"], r["note"] or "",
                    confidential=bool(r["confidential"] or r["ic"])))
            for r in self._rows(
                conn, "SELECT a.id, a.meeting_id, m.date AS day FROM agenda_item a JOIN meeting "
                "m ON m.id = a.meeting_id WHERE a.case_id = ? AND a.deleted = 0 "
                "AND a.status = 'deferred'", (case_id,)):
                out.append(TimelineEntry(_date(r["day"]), "deferred", r["meeting_id"], r["id"]))
            for r in self._rows(
                conn, "SELECT x.*, m.date AS day FROM decision x JOIN meeting m "
                "ON m.id = x.meeting_id WHERE x.case_id = ? AND x.deleted = 0", (case_id,)):
                out.append(TimelineEntry(
                    _date(r["day"]), "decision", r["meeting_id"], r["agenda_item_id"],
                    value=r["perspective"], text=r["rationale"] or "",
                    level=r["escalation_level"]
                    if r["escalation_level"] not in (None, d.Escalation.NONE.value) else None))
            for r in self._rows(
                conn, "SELECT x.*, m.date AS day FROM action_item x LEFT JOIN meeting m "
                "ON m.id = x.meeting_id WHERE x.case_id = ? AND x.deleted = 0", (case_id,)):
                out.append(TimelineEntry(
                    _date(r["day"]), "action", r["meeting_id"], r["agenda_item_id"],
                    r["owner_organisation_id"], r["due_date"], r["text"] or ""))
                if r["status"] == d.ActionStatus.DONE.value and r["closed_on"]:
                    out.append(TimelineEntry(
                        _date(r["closed_on"]), "action_closed", r["meeting_id"],
                        r["agenda_item_id"], r["owner_organisation_id"], None, r["text"] or ""))
            if case["exit_date"]:
                out.append(TimelineEntry(_date(case["exit_date"]), "exit",
                                         value=case["outcome_subtype"]))
        steps = getattr(self, "escalation_steps", None)
        if callable(steps):  # escalation threads (db.store.escalations)
            for s in steps(case_id=case_id):
                x = s.escalation
                text = {"opened": x.question, "escalated": x.question,
                        "advice": x.advice or "", "adoption": x.adoption_reasons or ""
                        }.get(s.kind, "")
                out.append(TimelineEntry(s.on, "escalation", s.meeting_id, s.agenda_item_id,
                                         value=s.kind, text=text or "", level=x.level.value))
        out.sort(key=lambda e: (e.on or dt.date.min, -_ORDER[e.kind], e.item_id or "", e.who or "",
                                e.value or "", e.text or ""), reverse=True)
        return out
