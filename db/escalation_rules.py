"""The rules of an escalation thread that need no database (the store calls them on every
write path; a screen may call them first to say why a step is not offered).

States: draft -> sent -> advice received -> adopted / not adopted (by the LSO, at a later
meeting's item) -> closed; a thread whose advice was not adopted may instead go on to the
next level (a new thread, linked to this one; this one becomes ``escalated``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from db import domain as d
from db.rules import ValidationError

S = d.EscalationStatus

#: the states a step may start from (editing a step is allowed while the next one is not
#: recorded yet)
SEND_FROM = frozenset({S.DRAFT, S.SENT})
ADVICE_FROM = frozenset({S.SENT, S.ADVICE})
ADOPTION_FROM = frozenset({S.ADVICE, S.ADOPTED, S.NOT_ADOPTED})
CLOSE_FROM = frozenset({S.ADOPTED, S.NOT_ADOPTED})
#: open threads that still follow the decision form's level, question and date
FOLLOWS_DECISION = frozenset({S.DRAFT, S.SENT})


class EscalationStateError(ValidationError):
    """A step the thread's state does not allow (``code`` is an i18n key)."""

    def __init__(self, code: str, status: str) -> None:
        super().__init__("status", code, status=status)


def status_of(row: Mapping[str, Any]) -> d.EscalationStatus:
    return d.EscalationStatus(row.get("status") or "draft")


def check_may_send(row: Mapping[str, Any]) -> None:
    if status_of(row) not in SEND_FROM:
        raise EscalationStateError("escalation.error.not_sendable", status_of(row).value)


def check_may_record_advice(row: Mapping[str, Any]) -> None:
    """No advice on an escalation that was not sent (nor after the LSO took its decision)."""
    status = status_of(row)
    if status is S.DRAFT:
        raise EscalationStateError("escalation.error.not_sent", status.value)
    if status not in ADVICE_FROM:
        raise EscalationStateError("escalation.error.advice_settled", status.value)


def check_may_adopt(row: Mapping[str, Any]) -> None:
    """Adoption (or not) only once an advice came back, and not after closing."""
    status = status_of(row)
    if status in (S.DRAFT, S.SENT):
        raise EscalationStateError("escalation.error.no_advice", status.value)
    if status not in ADOPTION_FROM:
        raise EscalationStateError("escalation.error.closed", status.value)


def check_may_close(row: Mapping[str, Any]) -> None:
    if status_of(row) not in CLOSE_FROM:
        raise EscalationStateError("escalation.error.not_closable", status_of(row).value)


def check_may_go_higher(row: Mapping[str, Any], level: d.Escalation) -> None:
    """A next level only from a thread whose advice was not adopted (closed or not), and
    only to a higher level than this one."""
    status = status_of(row)
    rejected = row.get("adopted") in (False, 0) and status in (S.NOT_ADOPTED, S.CLOSED)
    if not rejected:
        raise EscalationStateError("escalation.error.not_rejected", status.value)
    check_higher(d.Escalation(row["level"]), level)


def check_level(level: d.Escalation) -> None:
    if level is d.Escalation.NONE:
        raise ValidationError("level", "escalation.error.level")


def check_higher(current: d.Escalation, level: d.Escalation) -> None:
    check_level(level)
    order = d.ESCALATION_ORDER
    if order.index(level) <= order.index(current):
        raise ValidationError("level", "escalation.error.not_higher")


def check_members(level: d.Escalation, members: Iterable[d.MrtMember],
                  organisation_ids: set[str]) -> list[dict[str, Any]]:
    """MRT members as JSON-ready dicts; members belong to an MRT only, at most five."""
    out = [{"organisation_id": m.organisation_id, "new_to_case": bool(m.new_to_case)}
           for m in members]
    if out and level is not d.Escalation.MRT:
        raise ValidationError("members", "escalation.error.members_mrt_only")
    if len(out) > 5:
        raise ValidationError("members", "escalation.error.members_max", limit=5)
    if any(m["organisation_id"] not in organisation_ids for m in out):
        raise ValidationError("members", "escalation.error.members_org")
    return out


def check_not_after_today(day: dt.date | None, today: dt.date | None, field: str) -> None:
    """A date a step happened on (sent, advice received) may not lie after today: the
    escalation screen counts a thread as open from the day it was sent."""
    if day is not None and day > (today or dt.date.today()):
        raise ValidationError(field, "escalation.error.after_today",
                              today=(today or dt.date.today()).isoformat())
