"""A case's stays in the LVV (intake steps and exit) as plain domain objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.domain.core import (
    REST_PERIOD_DAYS,
    Case,
    IntakeStep,
    LvvVerdict,
    OutcomeCategory,
    OutcomeSubtype,
    Perspective,
)


@dataclass(frozen=True)
class Stay:
    """One stay of a case in the LVV, from being put forward to leaving.

    A case that left and comes back gets a new stay (``number`` + 1) with its own dates.
    """

    id: str
    case_id: str
    overleg_id: str
    number: int = 1
    put_forward_by: str | None = None
    put_forward_on: dt.date | None = None
    lvv_verdict: LvvVerdict | None = None
    lvv_reason: str | None = None
    lvv_item_id: str | None = None
    lvv_decided_on: dt.date | None = None
    ind_dossier_on: dt.date | None = None
    dtenv_dossier_on: dt.date | None = None
    scenario: Perspective | None = None
    scenario_item_id: str | None = None
    scenario_on: dt.date | None = None
    intake_date: dt.date | None = None
    exit_date: dt.date | None = None
    outcome_subtype: OutcomeSubtype | None = None
    exit_item_id: str | None = None

    @property
    def outcome_category(self) -> OutcomeCategory | None:
        return self.outcome_subtype.category if self.outcome_subtype else None

    @property
    def admitted(self) -> bool:
        return self.lvv_verdict in (LvvVerdict.YES, LvvVerdict.EXCEPTION) or (
            self.lvv_verdict is None and self.intake_date is not None)

    @property
    def rest_period_end(self) -> dt.date | None:
        """The day the rusttermijn ends: 14 days after the later of the two dossiers; the
        scenario can be set from that day on."""
        if self.ind_dossier_on is None or self.dtenv_dossier_on is None:
            return None
        return max(self.ind_dossier_on, self.dtenv_dossier_on) + dt.timedelta(
            days=REST_PERIOD_DAYS)

    def step(self, today: dt.date) -> IntakeStep:
        """Where this stay stands on ``today``."""
        if self.exit_date is not None:
            return IntakeStep.LEFT
        if self.lvv_verdict is LvvVerdict.NO:
            return IntakeStep.NOT_ADMITTED
        if not self.admitted:
            return IntakeStep.PUT_FORWARD
        if self.scenario is not None:
            return IntakeStep.GUIDANCE
        end = self.rest_period_end
        if end is None:
            return IntakeStep.DOSSIERS
        if today < end:
            return IntakeStep.REST_PERIOD
        return IntakeStep.SCENARIO


@dataclass(frozen=True)
class IntakeRow:
    """A case in intake, for the overview: where it stands and what comes next."""

    case: Case
    stay: Stay
    step: IntakeStep
