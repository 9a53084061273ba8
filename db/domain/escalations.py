"""Escalation threads as plain domain objects (re-exported by :mod:`db.domain`)."""


from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from db.domain.core import Dissent, Escalation
from db.placing import ConflictMarks, ConflictPlace, RecordChange  # noqa: F401 - domain

# ---------------------------------------------------------------------------------------
# escalations (a thread of its own, opened from a decision without consensus)


class EscalationStatus(StrEnum):
    """Where an escalation thread stands; see :data:`ESCALATION_NEXT`."""

    DRAFT = "draft"  # opened at the table, not yet sent
    SENT = "sent"
    ADVICE = "advice_received"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    CLOSED = "closed"
    ESCALATED = "escalated"  # went on to the next level (a new thread)


#: escalation levels from low to high; a next level must be higher than the last one
ESCALATION_ORDER: tuple[Escalation, ...] = (
    Escalation.MRT, Escalation.STUURGROEP, Escalation.PROGRAMMARAAD, Escalation.BESTUURLIJK)


@dataclass(frozen=True)
class MrtMember:
    """A member of a Multidisciplinair Review Team: from which organisation, new or not."""

    organisation_id: str
    new_to_case: bool = False


@dataclass(frozen=True)
class EscalationThread:
    """One escalation: the question sent up, the advice that came back, what the LSO did."""

    id: str
    overleg_id: str
    case_id: str
    decision_id: str  # the agenda item (= decision id) it was opened from
    meeting_id: str  # the meeting of that decision
    level: Escalation
    question: str
    status: EscalationStatus = EscalationStatus.DRAFT
    positions: tuple[Dissent, ...] = ()
    members: tuple[MrtMember, ...] = ()
    previous_id: str | None = None
    opened_on: dt.date | None = None
    sent_on: dt.date | None = None
    sent_item_id: str | None = None
    advice_on: dt.date | None = None
    advice: str | None = None
    advice_reasoning: str | None = None
    advice_item_id: str | None = None
    adopted: bool | None = None
    adoption_reasons: str | None = None
    adoption_on: dt.date | None = None
    adoption_item_id: str | None = None
    closed_on: dt.date | None = None
    closed_item_id: str | None = None
    next_id: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status not in (EscalationStatus.CLOSED, EscalationStatus.ESCALATED)

    @property
    def may_go_higher(self) -> bool:
        """A next level only from a thread whose advice the LSO did not adopt."""
        return self.adopted is False and self.status in (
            EscalationStatus.NOT_ADOPTED, EscalationStatus.CLOSED)

    @property
    def waiting_for(self) -> str:
        """Who must act next: ``table`` (the LSO), ``level`` (the body asked), or ``none``."""
        if self.status is EscalationStatus.SENT:
            return "level"
        return "table" if self.is_open else "none"

    @property
    def next_step(self) -> str:
        """The next step as a code: send, advice, adoption, close, or none."""
        return {
            EscalationStatus.DRAFT: "send", EscalationStatus.SENT: "advice",
            EscalationStatus.ADVICE: "adoption", EscalationStatus.ADOPTED: "close",
            EscalationStatus.NOT_ADOPTED: "close",
        }.get(self.status, "none")

    def age_days(self, today: dt.date) -> int:
        """Days since it was sent (or opened, while still a draft)."""
        start = self.sent_on or self.opened_on or today
        return max(0, (today - start).days)


@dataclass(frozen=True)
class EscalationStep:
    """One step of a thread, where and when it was recorded (minutes, timeline)."""

    escalation: EscalationThread
    kind: str  # opened, sent, advice, adoption, closed, escalated
    on: dt.date | None
    meeting_id: str | None
    agenda_item_id: str | None


@dataclass(frozen=True)
class EscalationStats:
    """The monitoring figures of escalations (one overleg, or all)."""

    open_by_level: dict[str, int]
    #: open threads by age band (``lt28``, ``28to90``, ``gt90`` days since sending)
    open_by_age: dict[str, int]
    oldest_open_days: int | None
    adopted: int
    not_adopted: int
    awaiting_decision: int
    advice_count: int
    advice_days_mean: float | None
    advice_days_median: float | int | None

    @property
    def open_total(self) -> int:
        return sum(self.open_by_level.values())
