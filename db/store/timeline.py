"""A case's whole story on one list: intake, views, decisions, escalations, actions, exit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from db import domain as d
from db.rules import _date
from db.store.base import StoreBase

#: Order of entries on the same day (newest first: the later step first).
_ORDER = {"exit": 0, "action_closed": 1, "escalation": 2, "decision": 3, "action": 4,
          "scenario": 5, "deferred": 6, "view": 7, "intake": 8, "put_forward": 9}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's timeline, in plain data (a screen puts it into words).

    ``kind``: put_forward, intake (the LSO's decision whether it is an LVV-zaak), scenario,
    view, deferred, decision, action, action_closed, escalation, exit — each step of every
    stay (a case that came back has two), at the item where it was recorded.
    ``value``: the enum value that fits the kind (a verdict, a position, a perspective, an
    escalation step kind, an outcome subtype); ``who``: an organisation id; ``text``: the
    user's text (who put it forward, a reason, a note, a rationale, an advice, an action);
    ``level``: an escalation's level.
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
            out += self._stay_entries(conn, case)
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

    def _stay_entries(self, conn: Connection, case: dict[str, Any]) -> list[TimelineEntry]:
        """Put forward, admitted (or not), scenario set and exit of each stay, each at the
        agenda item where it was decided; a case without stays from its own dates."""
        stays = self._rows(conn, "SELECT * FROM stay WHERE case_id = ? AND deleted = 0 "
                           "ORDER BY number, id", (case["id"],))
        if not stays:
            stays = [{"put_forward_on": None, "put_forward_by": None, "lvv_verdict": None,
                      "lvv_reason": None, "lvv_item_id": None, "lvv_decided_on": None,
                      "intake_date": case["intake_date"], "scenario": None,
                      "scenario_on": None, "scenario_item_id": None,
                      "exit_date": case["exit_date"], "exit_item_id": None,
                      "outcome_subtype": case["outcome_subtype"]}]
        meeting_of = {r[0]: r[1] for r in conn.exec_driver_sql(
            "SELECT id, meeting_id FROM agenda_item WHERE case_id = ?", (case["id"],))}
        out: list[TimelineEntry] = []
        for s in stays:
            if s["put_forward_on"]:
                out.append(TimelineEntry(_date(s["put_forward_on"]), "put_forward",
                                         text=s["put_forward_by"] or ""))
            decided = s["intake_date"] or s["lvv_decided_on"]
            if decided:
                item = s["lvv_item_id"]
                out.append(TimelineEntry(_date(decided), "intake", meeting_of.get(item or ""),
                                         item, value=s["lvv_verdict"],
                                         text=s["lvv_reason"] or ""))
            if s["scenario_on"]:
                item = s["scenario_item_id"]
                out.append(TimelineEntry(_date(s["scenario_on"]), "scenario",
                                         meeting_of.get(item or ""), item, value=s["scenario"]))
            if s["exit_date"]:
                item = s["exit_item_id"]
                out.append(TimelineEntry(_date(s["exit_date"]), "exit", meeting_of.get(item or ""),
                                         item, value=s["outcome_subtype"]))
        return out
