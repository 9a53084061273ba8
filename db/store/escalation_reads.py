"""Reading escalation threads: lists, the steps of a thread (for minutes and the case
timeline), and the monitoring figures."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection

from db import domain as d
from db.rules import NotFound, _date
from db.store.base import StoreBase

S = d.EscalationStatus


def _thread(r: Mapping[str, Any], next_id: str | None = None) -> d.EscalationThread:
    positions = tuple(d.Dissent(x.get("organisation_id", ""), x.get("reason", ""))
                      for x in json.loads(r["positions"] or "[]"))
    members = tuple(d.MrtMember(x.get("organisation_id", ""), bool(x.get("new_to_case")))
                    for x in json.loads(r["members"] or "[]"))
    adopted = r["adopted"]
    return d.EscalationThread(
        id=r["id"], overleg_id=r["overleg_id"], case_id=r["case_id"] or "",
        decision_id=r["decision_id"] or "", meeting_id=r["meeting_id"] or "",
        level=d.Escalation(r["level"] or "mrt"), question=r["question"] or "",
        status=S(r["status"] or "draft"), positions=positions, members=members,
        previous_id=r["previous_id"], opened_on=_date(r["opened_on"]),
        sent_on=_date(r["sent_on"]), sent_item_id=r["sent_item_id"],
        advice_on=_date(r["advice_on"]), advice=r["advice"],
        advice_reasoning=r["advice_reasoning"], advice_item_id=r["advice_item_id"],
        adopted=None if adopted is None else bool(adopted),
        adoption_reasons=r["adoption_reasons"], adoption_on=_date(r["adoption_on"]),
        adoption_item_id=r["adoption_item_id"], closed_on=_date(r["closed_on"]),
        closed_item_id=r["closed_item_id"], next_id=next_id,
    )



class EscalationReadsMixin(StoreBase):
    """Reading escalation threads and their monitoring figures."""

    def _esc(self, conn: Connection, esc_id: str) -> dict[str, Any]:
        row = self._row(conn, "escalation", esc_id)
        if row["deleted"]:
            raise NotFound(f"escalation {esc_id}")
        return row

    def _next_ids(self, conn: Connection) -> dict[str, str]:
        return {prev: nid for nid, prev in conn.exec_driver_sql(
            "SELECT id, previous_id FROM escalation WHERE deleted = 0 "
            "AND previous_id IS NOT NULL ORDER BY opened_on, id")}

    # -- reading ------------------------------------------------------------------------

    def _one(self, conn: Connection, esc_id: str) -> d.EscalationThread:
        row = self._esc(conn, esc_id)
        nxt = conn.exec_driver_sql(
            "SELECT id FROM escalation WHERE previous_id = ? AND deleted = 0 "
            "ORDER BY opened_on, id LIMIT 1", (esc_id,)).fetchone()
        return _thread(row, nxt[0] if nxt else None)

    def escalation(self, esc_id: str) -> d.EscalationThread:
        with self._read() as conn:
            return self._one(conn, esc_id)

    def escalations(self, overleg_id: str | None = None, *, case_id: str | None = None,
                    open_only: bool = False) -> list[d.EscalationThread]:
        """Threads, oldest first (by the date sent, else opened)."""
        sql = "SELECT * FROM escalation WHERE deleted = 0"
        params: list[Any] = []
        if overleg_id is not None:
            sql += " AND overleg_id = ?"
            params.append(overleg_id)
        if case_id is not None:
            sql += " AND case_id = ?"
            params.append(case_id)
        if open_only:
            sql += " AND status NOT IN ('closed', 'escalated')"
        sql += " ORDER BY coalesce(sent_on, opened_on), opened_on, id"
        with self._read() as conn:
            nexts = self._next_ids(conn)
            return [_thread(r, nexts.get(r["id"])) for r in self._rows(conn, sql, params)]

    def case_escalations(self, case_id: str) -> list[d.EscalationThread]:
        """Every thread of a case, oldest first (the item screen and the case timeline)."""
        return self.escalations(case_id=case_id)

    def escalation_steps(self, *, meeting_id: str | None = None, case_id: str | None = None,
                         ) -> list[d.EscalationStep]:
        """Each step of the threads (of a case, or recorded at a meeting), in date order.

        A step belongs to a meeting when it was recorded at one of its items (opening: the
        decision's meeting)."""
        with self._read() as conn:
            if meeting_id is not None:
                meeting = self._row(conn, "meeting", meeting_id)
                items = {r[0] for r in conn.exec_driver_sql(
                    "SELECT id FROM agenda_item WHERE meeting_id = ?", (meeting_id,))}
                overleg = meeting["overleg_id"]
            else:
                items, overleg = set(), None
        threads = self.escalations(overleg, case_id=case_id)
        with self._read() as conn:
            where = {r[0]: r[1] for r in conn.exec_driver_sql(
                "SELECT id, meeting_id FROM agenda_item WHERE id IN (SELECT sent_item_id FROM "
                "escalation UNION SELECT advice_item_id FROM escalation UNION SELECT "
                "adoption_item_id FROM escalation UNION SELECT closed_item_id FROM escalation)")}
        steps: list[d.EscalationStep] = []
        by_id = {x.id: x for x in threads}
        for x in threads:
            opened = "escalated" if x.previous_id else "opened"
            # a next level is opened at the item where the previous thread went higher
            prev = by_id.get(x.previous_id or "")
            candidates = [
                (opened, x.opened_on, x.meeting_id,
                 (prev.closed_item_id if prev else None) if x.previous_id else x.decision_id),
                ("sent", x.sent_on, where.get(x.sent_item_id or ""), x.sent_item_id),
                ("advice", x.advice_on, where.get(x.advice_item_id or ""), x.advice_item_id),
                ("adoption", x.adoption_on, where.get(x.adoption_item_id or ""),
                 x.adoption_item_id),
                ("closed", x.closed_on if x.status is S.CLOSED else None,
                 where.get(x.closed_item_id or ""), x.closed_item_id),
            ]
            for kind, on, mid, iid in candidates:
                if on is None and mid is None:
                    continue
                if (kind == "sent" and x.sent_on is None) or (
                        kind == "closed" and x.status is not S.CLOSED):
                    continue
                if meeting_id is not None and mid != meeting_id and iid not in items:
                    continue
                steps.append(d.EscalationStep(x, kind, on, mid, iid))
        order = {"opened": 0, "escalated": 0, "sent": 1, "advice": 2, "adoption": 3, "closed": 4}
        steps.sort(key=lambda s: (s.on or dt.date.min, s.escalation.opened_on or dt.date.min,
                                  s.escalation.id, order[s.kind]))
        return steps

    # -- monitoring ---------------------------------------------------------------------

    def escalation_stats(self, overleg_id: str | None = None, *, start: dt.date | None = None,
                         end: dt.date | None = None) -> d.EscalationStats:
        """Open threads on ``end`` (default today) by level and age since sending; advice
        adopted or not, and days from sending to advice, for steps within [start, end]
        (definitions: :mod:`db.escalation_stats`, the same as the monitoring report's)."""
        from db.escalation_stats import escalation_stats

        return escalation_stats(self.escalations(overleg_id), start, end or dt.date.today())

    def escalations_open(self, overleg_id: str | None = None,
                         on: dt.date | None = None) -> int:
        """How many threads are open on ``on`` (default today)."""
        return self.escalation_stats(overleg_id, end=on).open_total

    def escalations_open_by_level(self, overleg_id: str | None = None,
                                  on: dt.date | None = None) -> dict[str, int]:
        return self.escalation_stats(overleg_id, end=on).open_by_level

    def escalation_adoption(self, overleg_id: str | None = None, *,
                            start: dt.date | None = None,
                            end: dt.date | None = None) -> dict[str, int]:
        """Advice adopted or not by the LSO within the period: {adopted, not_adopted}."""
        stats = self.escalation_stats(overleg_id, start=start, end=end)
        return {"adopted": stats.adopted, "not_adopted": stats.not_adopted}

    def escalation_advice_days(self, overleg_id: str | None = None, *,
                               start: dt.date | None = None,
                               end: dt.date | None = None) -> list[int]:
        """Days from sending to advice of each advice received within the period."""
        as_of = end or dt.date.today()
        return [
            (x.advice_on - x.sent_on).days for x in self.escalations(overleg_id)
            if x.advice_on is not None and x.sent_on is not None and x.advice_on <= as_of
            and (start is None or x.advice_on >= start)
        ]
