"""What is said at the table: views, decisions, actions.

Views, decisions and new actions are part of a meeting's record and are refused once its
minutes are approved; updating or closing an action stays allowed (see :mod:`db.rules`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from db import domain as d
from db.clock import uuid7
from db.rules import (
    MAX_TEXT,
    NotFound,
    _enum,
    check_audience,
    check_case_item,
    check_date,
    check_dissent,
    check_person,
    check_text,
    check_unlocked,
)
from db.store.base import StoreBase, _raw
from db.store.rows import _action, _decision, _view


def check_escalation_date(value: dt.date | str | None, today: dt.date | None) -> str | None:
    """The decision's escalation date (the day it was sent): a date, not after today."""
    from db.escalation_rules import check_not_after_today
    from db.rules import parse_date

    day = parse_date(value, "escalation_date")
    check_not_after_today(day, today, "escalation_date")
    return check_date(day, "escalation_date")


_VIEW_FACTS = (
    # what recording a view checks and needs, in one read: the item (a case item?), its
    # meeting (approved minutes lock it), the view as it is (its audience) and whether the
    # cases the view's ops concern (the item's, and the one the view row names now) are
    # anonymised (retention: the note is then erased before it is written)
    "SELECT a.kind, a.case_id, a.overleg_id, a.meeting_id, m.id, m.minutes_status, "
    "m.approved_on, v.id, v.audience, a.case_id, c.redacted, v.case_id, vc.redacted "
    "FROM agenda_item a LEFT JOIN meeting m ON m.id = a.meeting_id "
    "LEFT JOIN partner_view v ON v.id = ? "
    "LEFT JOIN casus c ON c.id = a.case_id LEFT JOIN casus vc ON vc.id = v.case_id "
    "WHERE a.id = ?"
)


class RecordMixin(StoreBase):
    """What is said at the table: views, decisions, actions."""

    # -- views ------------------------------------------------------------------------

    def views(self, item_id: str) -> list[d.View]:
        with self._read() as conn:
            rows = self._rows(
                conn, "SELECT * FROM partner_view WHERE agenda_item_id = ? AND deleted = 0",
                (item_id,),
            )
            return self._models(conn, "partner_view", rows, _view)

    def record_view(
        self,
        item_id: str,
        organisation_id: str,
        position: d.Position | str,
        note: str = "",
        confidential: bool = False,
        seen: Collection[str] | None = None,
        audience: str = "overleg",
    ) -> d.View:
        """Record (or change) an organisation's view on a case item; durable on return.

        ``seen``: the op ids the form showed (``View.seen``); see :meth:`_set`.
        ``audience`` (overleg, chair, organisation) says who may read the note: its op
        carries it, and the server hands it to no other organisation. Narrowing it later
        cannot recall a note already pulled.
        """
        position = _enum(d.Position, position, "position")
        note = check_text(note, "note")
        audience = check_audience(audience)
        vid = f"{item_id}/{organisation_id}"
        with self._tx() as conn:
            row = _raw(conn).execute(_VIEW_FACTS, (vid, item_id)).fetchone()
            if row is None:
                raise NotFound(f"agenda_item {item_id}")
            (kind, case_id, overleg_id, meeting_id, meeting, minutes_status, approved_on,
             exists, old_audience, *cases) = row
            check_case_item({"kind": kind, "case_id": case_id})
            if meeting is None:
                raise NotFound(f"meeting {meeting_id}")
            check_unlocked({"minutes_status": minutes_status, "approved_on": approved_on})
            changed = exists is not None and (old_audience or "overleg") != audience
            values = {
                "agenda_item_id": item_id, "case_id": case_id,
                "organisation_id": organisation_id, "position": position.value,
                "note": note, "confidential": bool(confidential),
            }
            if changed or audience != "overleg":
                values["audience"] = audience
            self._set(conn, "partner_view", vid, overleg_id, values, seen,
                      wire={"note": (audience, organisation_id)},
                      force=frozenset({"note"}) if changed else frozenset(),
                      redacted={c for c, when in zip(cases[::2], cases[1::2], strict=True)
                                if when is not None})
        return d.View(vid, item_id, case_id, organisation_id, position, note,
                      bool(confidential), audience=audience)

    # -- decisions --------------------------------------------------------------------

    def decision(self, item_id: str) -> d.Decision | None:
        with self._read() as conn:
            rows = self._rows(conn, "SELECT * FROM decision WHERE id = ? AND deleted = 0",
                              (item_id,))
            return self._models(conn, "decision", rows, _decision)[0] if rows else None

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
        seen: Collection[str] | None = None,
        today: dt.date | None = None,
    ) -> d.Decision:
        """Record the table's decision on an item; the case takes its perspective.

        ``seen``: the op ids the form showed (``Decision.seen``); see :meth:`_set`.
        The escalation date (when it was sent) may not lie after ``today``.
        """
        perspective = _enum(d.Perspective, perspective, "perspective")
        consensus = _enum(d.Consensus, consensus, "consensus")
        escalation = _enum(d.Escalation, escalation_level, "escalation_level")
        rationale = check_text(rationale, "rationale")
        dissent = tuple(dissent)
        check_dissent(consensus, dissent)
        values = {
            "perspective": perspective.value,
            "rationale": rationale,
            "consensus": consensus.value,
            "dissent": [{"organisation_id": x.organisation_id, "reason": x.reason}
                        for x in dissent],
            "escalation_level": escalation.value,
            "escalation_question": check_text(escalation_question, "escalation_question")
            or None,
            "escalation_date": check_escalation_date(escalation_date, today),
            "escalation_advice": check_text(escalation_advice, "escalation_advice") or None,
            "review_date": check_date(review_date, "review_date"),
        }
        with self._tx() as conn:
            item = self._row(conn, "agenda_item", item_id)
            check_case_item(item)
            self._unlocked_meeting(conn, item["meeting_id"])
            self._set(conn, "decision", item_id, item["overleg_id"], {
                "agenda_item_id": item_id, "meeting_id": item["meeting_id"],
                "case_id": item["case_id"], **values,
            }, seen)
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
            return self._models(conn, "decision", [row], _decision)[0]

    def decisions(self, meeting_id: str) -> list[d.Decision]:
        with self._read() as conn:
            rows = self._rows(
                conn,
                "SELECT d.* FROM decision d JOIN agenda_item a ON a.id = d.agenda_item_id "
                "WHERE d.meeting_id = ? AND d.deleted = 0 AND a.deleted = 0 "
                "ORDER BY a.position, a.id",
                (meeting_id,),
            )
            return self._models(conn, "decision", rows, _decision)

    # -- actions ----------------------------------------------------------------------

    def add_action(
        self,
        item_id: str,
        owner_organisation_id: str | None,
        text: str,
        due_date: dt.date | str | None = None,
        *,
        owner_person: str | None = None,
    ) -> d.Action:
        """A new action; ``owner_person``: a named person of the owner organisation."""
        text = check_text(text, "text", MAX_TEXT, required=True)
        due = check_date(due_date, "due_date")
        person = check_person(owner_person)
        aid = uuid7()
        with self._tx() as conn:
            item = self._row(conn, "agenda_item", item_id)
            self._unlocked_meeting(conn, item["meeting_id"])
            self._set(conn, "action_item", aid, item["overleg_id"], {
                "case_id": item["case_id"], "meeting_id": item["meeting_id"],
                "agenda_item_id": item_id, "owner_organisation_id": owner_organisation_id,
                "text": text, "due_date": due, "status": d.ActionStatus.OPEN.value,
                **({"owner_person": person} if person else {}),
            })
            row = self._row(conn, "action_item", aid)
        return _action(row)

    def update_action(
        self, action_id: str, *, seen: Collection[str] | None = None, **fields: Any
    ) -> d.Action:
        """Change an action; ``seen``: the op ids the form showed (``Action.seen``)."""
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key == "text":
                values[key] = check_text(value, key, MAX_TEXT, required=True)
            elif key == "due_date":
                values[key] = check_date(value, key)
            elif key == "owner_organisation_id":
                values[key] = value
            elif key == "owner_person":
                values[key] = check_person(value)
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
            self._set(conn, "action_item", action_id, row["overleg_id"], values, seen)
            row = self._row(conn, "action_item", action_id)
            return self._models(conn, "action_item", [row], _action)[0]

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
            return self._models(conn, "action_item", self._rows(conn, sql, params), _action)

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
            return self._models(conn, "action_item", rows, _action)

