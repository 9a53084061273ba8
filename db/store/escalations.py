"""Escalation threads: opened from a decision without consensus, sent, advice, adoption by
the LSO at a later meeting's item, closed or taken to the next level.

Every step is ops like any other (they sync, and concurrent edits show as conflicts). The
state rules live in :mod:`db.escalation_rules` and are checked here on every write; a step
recorded at an agenda item obeys the meeting lock (approved minutes change only by a
recorded correction).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.engine import Connection

from db import domain as d
from db import escalation_rules as er
from db.clock import uuid7
from db.rules import (
    NotFound,
    ValidationError,
    _date,
    _enum,
    _iso,
    check_text,
    check_unlocked,
    parse_date,
)
from db.store.escalation_reads import EscalationReadsMixin
from db.store.rows import _item

S = d.EscalationStatus


def _positions(dissent: Iterable[d.Dissent]) -> list[dict[str, str]]:
    return [{"organisation_id": x.organisation_id,
             "reason": check_text(x.reason, "positions")} for x in dissent]


class EscalationsMixin(EscalationReadsMixin):
    """Escalation threads: opening and every step (reading: :mod:`.escalation_reads`)."""

    # -- helpers ------------------------------------------------------------------------

    def _esc_write(self, conn: Connection, row: Mapping[str, Any],
                   values: Mapping[str, Any]) -> None:
        self._set(conn, "escalation", row["id"], row["overleg_id"], values)

    @staticmethod
    def _unlocked(meeting: Mapping[str, Any]) -> None:
        check_unlocked(meeting)  # the one lock rule of db.rules

    def _step_item(self, conn: Connection, item_id: str | None, case_id: str | None,
                   ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The agenda item a step is recorded at (of the same case; its meeting unlocked)."""
        if not item_id:
            return None
        item = self._row(conn, "agenda_item", item_id)
        if item["deleted"] or item["case_id"] != case_id:
            raise ValidationError("item", "escalation.error.other_case")
        meeting = self._row(conn, "meeting", item["meeting_id"])
        self._unlocked(meeting)
        return item, meeting

    def _check_recorded_at_unlocked(self, conn: Connection, item_id: str | None) -> None:
        """Changing a step that was recorded at a meeting item obeys that meeting's lock."""
        if item_id:
            item = self._row(conn, "agenda_item", item_id)
            self._unlocked(self._row(conn, "meeting", item["meeting_id"]))

    def _org_ids(self, conn: Connection, overleg_id: str) -> set[str]:
        return {r[0] for r in conn.exec_driver_sql(
            "SELECT id FROM organisation WHERE overleg_id = ? AND deleted = 0", (overleg_id,))}

    def _live_from_decision(self, conn: Connection, decision_id: str) -> dict[str, Any] | None:
        rows = self._rows(
            conn, "SELECT * FROM escalation WHERE decision_id = ? AND deleted = 0 "
            "AND status NOT IN ('closed', 'escalated') ORDER BY opened_on DESC, id DESC",
            (decision_id,))
        return rows[0] if rows else None

    # -- opening ------------------------------------------------------------------------

    def open_escalation(
        self,
        item_id: str,
        level: d.Escalation | str | None = None,
        question: str | None = None,
        *,
        sent_on: dt.date | str | None = None,
        today: dt.date | None = None,
        positions: Iterable[d.Dissent] | None = None,
        members: Iterable[d.MrtMember] = (),
    ) -> d.EscalationThread:
        """Open a thread from the decision of a case item without consensus.

        Level, question and date default to the decision's escalation fields; the
        positions to weigh default to its dissent. Without ``sent_on`` it is a draft.
        """
        with self._tx() as conn:
            eid = self._open(conn, item_id, level, question, sent_on, positions, members,
                             today)
            return self._one(conn, eid)

    def _open(self, conn: Connection, item_id: str, level: Any, question: str | None,
              sent_on: Any, positions: Iterable[d.Dissent] | None,
              members: Iterable[d.MrtMember], today: dt.date | None = None) -> str:
        try:
            decision = self._row(conn, "decision", item_id)
        except NotFound:
            raise ValidationError("decision", "escalation.error.no_decision") from None
        if decision["deleted"]:
            raise ValidationError("decision", "escalation.error.no_decision")
        if decision["consensus"] != d.Consensus.NONE.value:
            raise ValidationError("consensus", "escalation.error.consensus")
        lvl = _enum(d.Escalation, level or decision["escalation_level"] or "none", "level")
        er.check_level(lvl)
        question = check_text(question if question is not None
                              else decision["escalation_question"], "question", required=True)
        sent = parse_date(sent_on, "sent_on")
        er.check_not_after_today(sent, today, "sent_on")
        if positions is None:
            positions = [d.Dissent(x.get("organisation_id", ""), x.get("reason", ""))
                         for x in json.loads(decision["dissent"] or "[]")]
        if self._live_from_decision(conn, item_id) is not None:
            raise ValidationError("decision", "escalation.error.exists")
        meeting = self._row(conn, "meeting", decision["meeting_id"])
        self._unlocked(meeting)
        overleg = decision["overleg_id"]
        member_rows = er.check_members(lvl, members, self._org_ids(conn, overleg))
        opened = _date(meeting["date"]) or dt.date.today()
        if sent is not None and sent < opened:
            raise ValidationError("sent_on", "escalation.error.before_opened")
        eid = uuid7()
        self._set(conn, "escalation", eid, overleg, {
            "case_id": decision["case_id"], "decision_id": item_id,
            "meeting_id": decision["meeting_id"], "level": lvl.value, "question": question,
            "positions": _positions(positions), "members": member_rows,
            "status": (S.SENT if sent else S.DRAFT).value, "opened_on": opened.isoformat(),
            "sent_on": _iso(sent), "sent_item_id": item_id if sent else None,
        })
        return eid

    def escalation_from_decision(self, item_id: str, today: dt.date | None = None
                                 ) -> d.EscalationThread | None:
        """After the decision form: open the thread its escalation fields ask for, or let a
        thread not yet answered follow the changed level, question and date. A case whose
        thread (from an earlier decision) still runs keeps that one. None when there is no
        thread."""
        with self._tx() as conn:
            decision = self._row(conn, "decision", item_id)
            live = self._live_from_decision(conn, item_id)
            asks = (decision["consensus"] == d.Consensus.NONE.value
                    and decision["escalation_level"] not in (None, d.Escalation.NONE.value)
                    and bool((decision["escalation_question"] or "").strip()))
            if live is None:
                running = self._rows(
                    conn, "SELECT id FROM escalation WHERE case_id = ? AND deleted = 0 AND "
                    "status NOT IN ('closed', 'escalated') ORDER BY opened_on DESC, id DESC",
                    (decision["case_id"],)) if decision["case_id"] else []
                if running:  # the case's running thread carries on; no second one
                    return self._one(conn, running[0]["id"])
                if not asks:
                    return None
                try:
                    eid = self._open(conn, item_id, None, None, decision["escalation_date"],
                                     None, (), today)
                except ValidationError as exc:  # the decision form's field
                    if exc.field != "sent_on":
                        raise
                    raise ValidationError("escalation_date", exc.code) from None
                return self._one(conn, eid)
            if asks and er.status_of(live) in er.FOLLOWS_DECISION:
                sent = decision["escalation_date"]
                values: dict[str, Any] = {
                    "level": decision["escalation_level"],
                    "question": decision["escalation_question"],
                    "positions": json.loads(decision["dissent"] or "[]"),
                }
                if decision["escalation_level"] != d.Escalation.MRT.value:
                    values["members"] = []
                if sent:
                    er.check_not_after_today(parse_date(sent, "sent_on"), today,
                                             "escalation_date")
                    values.update(status=S.SENT.value, sent_on=sent,
                                  sent_item_id=live["sent_item_id"] or item_id)
                self._esc_write(conn, live, values)
            return self._one(conn, live["id"])

    # -- steps --------------------------------------------------------------------------

    def send_escalation(self, esc_id: str, sent_on: dt.date | str, *, item_id: str | None = None,
                        members: Iterable[d.MrtMember] | None = None,
                        today: dt.date | None = None) -> d.EscalationThread:
        sent = parse_date(sent_on, "sent_on")
        if sent is None:
            raise ValidationError("sent_on", "error.required")
        er.check_not_after_today(sent, today, "sent_on")
        with self._tx() as conn:
            row = self._esc(conn, esc_id)
            er.check_may_send(row)
            self._step_item(conn, item_id, row["case_id"])
            self._check_recorded_at_unlocked(conn, row["sent_item_id"])
            if sent < (_date(row["opened_on"]) or sent):
                raise ValidationError("sent_on", "escalation.error.before_opened")
            values: dict[str, Any] = {"status": S.SENT.value, "sent_on": sent.isoformat(),
                                      "sent_item_id": item_id or row["sent_item_id"]}
            if members is not None:
                values["members"] = er.check_members(
                    d.Escalation(row["level"]), members, self._org_ids(conn, row["overleg_id"]))
            self._esc_write(conn, row, values)
            return self._one(conn, esc_id)

    def set_mrt_members(self, esc_id: str,
                        members: Iterable[d.MrtMember]) -> d.EscalationThread:
        """The MRT's members (organisation, new to the case or not); while no advice came."""
        with self._tx() as conn:
            row = self._esc(conn, esc_id)
            er.check_may_send(row)
            rows = er.check_members(d.Escalation(row["level"]), members,
                                    self._org_ids(conn, row["overleg_id"]))
            self._esc_write(conn, row, {"members": rows})
            return self._one(conn, esc_id)

    def record_advice(self, esc_id: str, advice: str, reasoning: str = "", *,
                      received_on: dt.date | str | None = None,
                      item_id: str | None = None,
                      today: dt.date | None = None) -> d.EscalationThread:
        """The advice that came back (the reasoning is a field of its own: need-to-know)."""
        advice = check_text(advice, "advice", required=True)
        reasoning = check_text(reasoning, "advice_reasoning")
        received = parse_date(received_on, "advice_on")
        with self._tx() as conn:
            row = self._esc(conn, esc_id)
            er.check_may_record_advice(row)
            at = self._step_item(conn, item_id, row["case_id"])
            self._check_recorded_at_unlocked(conn, row["advice_item_id"])
            if received is None:
                received = _date(at[1]["date"]) if at else dt.date.today()
            er.check_not_after_today(received, today, "advice_on")
            sent = _date(row["sent_on"])
            if sent is not None and received is not None and received < sent:
                raise ValidationError("advice_on", "escalation.error.before_sent")
            self._esc_write(conn, row, {
                "status": S.ADVICE.value, "advice": advice, "advice_reasoning": reasoning or None,
                "advice_on": _iso(received), "advice_item_id": item_id or row["advice_item_id"],
            })
            return self._one(conn, esc_id)

    def record_adoption(self, esc_id: str, item_id: str, adopted: bool, reasons: str = "", *,
                        on: dt.date | str | None = None) -> d.EscalationThread:
        """The LSO adopts the advice or not, at a later meeting's item of the case; not
        adopting needs the reasons."""
        reasons = check_text(reasons, "adoption_reasons", required=not adopted)
        when = parse_date(on, "adoption_on")
        with self._tx() as conn:
            row = self._esc(conn, esc_id)
            er.check_may_adopt(row)
            at = self._step_item(conn, item_id, row["case_id"])
            if at is None:
                raise ValidationError("item", "error.required")
            self._check_recorded_at_unlocked(conn, row["adoption_item_id"])
            item, meeting = at
            opened_in = self._row(conn, "meeting", row["meeting_id"])
            if meeting["id"] == opened_in["id"] or (meeting["date"] or "") < (
                    opened_in["date"] or ""):
                raise ValidationError("item", "escalation.error.later_meeting")
            when = when or _date(meeting["date"])
            advice_on = _date(row["advice_on"])
            if when is not None and advice_on is not None and when < advice_on:
                raise ValidationError("adoption_on", "escalation.error.before_advice")
            self._esc_write(conn, row, {
                "status": (S.ADOPTED if adopted else S.NOT_ADOPTED).value,
                "adopted": bool(adopted), "adoption_reasons": reasons or None,
                "adoption_on": _iso(when), "adoption_item_id": item["id"],
            })
            return self._one(conn, esc_id)

    def close_escalation(self, esc_id: str, *, on: dt.date | str | None = None,
                         item_id: str | None = None) -> d.EscalationThread:
        when = parse_date(on, "closed_on")
        with self._tx() as conn:
            row = self._esc(conn, esc_id)
            er.check_may_close(row)
            at = self._step_item(conn, item_id, row["case_id"])
            when = when or (_date(at[1]["date"]) if at else dt.date.today())
            self._esc_write(conn, row, {"status": S.CLOSED.value, "closed_on": _iso(when),
                                        "closed_item_id": item_id})
            return self._one(conn, esc_id)

    def escalate_further(
        self,
        esc_id: str,
        level: d.Escalation | str,
        question: str | None = None,
        *,
        sent_on: dt.date | str | None = None,
        item_id: str | None = None,
        members: Iterable[d.MrtMember] = (),
        on: dt.date | str | None = None,
        today: dt.date | None = None,
    ) -> d.EscalationThread:
        """Take a thread whose advice was not adopted to a higher level: a new thread that
        names this one as its previous; this one becomes ``escalated``."""
        lvl = _enum(d.Escalation, level, "level")
        sent = parse_date(sent_on, "sent_on")
        er.check_not_after_today(sent, today, "sent_on")
        when = parse_date(on, "opened_on")
        with self._tx() as conn:
            row = self._esc(conn, esc_id)
            er.check_may_go_higher(row, lvl)
            question = check_text(question if question is not None else row["question"],
                                  "question", required=True)
            at = self._step_item(conn, item_id, row["case_id"])
            opened = when or (_date(at[1]["date"]) if at else dt.date.today())
            if sent is not None and opened is not None and sent < opened:
                raise ValidationError("sent_on", "escalation.error.before_opened")
            overleg = row["overleg_id"]
            member_rows = er.check_members(lvl, members, self._org_ids(conn, overleg))
            eid = uuid7()
            self._set(conn, "escalation", eid, overleg, {
                "case_id": row["case_id"], "decision_id": row["decision_id"],
                "meeting_id": at[1]["id"] if at else row["meeting_id"],
                "previous_id": row["id"], "level": lvl.value, "question": question,
                "positions": json.loads(row["positions"] or "[]"), "members": member_rows,
                "status": (S.SENT if sent else S.DRAFT).value, "opened_on": _iso(opened),
                "sent_on": _iso(sent), "sent_item_id": item_id if sent else None,
            })
            values: dict[str, Any] = {"status": S.ESCALATED.value}
            if not row["closed_on"]:
                values["closed_on"] = _iso(opened)
                values["closed_item_id"] = item_id
            self._esc_write(conn, row, values)
            return self._one(conn, eid)

    def put_escalation_on_agenda(self, esc_id: str,
                                 today: dt.date | None = None) -> d.AgendaItem:
        """The case of a thread on the next meeting's agenda (the first meeting from today,
        after the one it was opened at, whose minutes are not approved); the item already
        there when the case is on it."""
        today = today or dt.date.today()
        with self._read() as conn:
            row = self._esc(conn, esc_id)
            opened_in = self._row(conn, "meeting", row["meeting_id"])
            meetings = self._rows(
                conn, "SELECT * FROM meeting WHERE overleg_id = ? AND deleted = 0 "
                "AND date >= ? AND date > ? AND coalesce(minutes_status, '') != ? "
                "ORDER BY date, id",
                (row["overleg_id"], today.isoformat(), opened_in["date"] or "",
                 d.MinutesStatus.APPROVED.value))
            if not meetings:
                raise ValidationError("meeting", "escalation.error.no_next_meeting")
            meeting = meetings[0]
            there = self._rows(
                conn, "SELECT * FROM agenda_item WHERE meeting_id = ? AND case_id = ? "
                "AND deleted = 0 ORDER BY position", (meeting["id"], row["case_id"]))
        if there:
            there[0]["has_decision"] = False
            return _item(there[0])
        return self.add_agenda_item(
            meeting["id"], d.ItemKind.CASE, case_id=row["case_id"])
