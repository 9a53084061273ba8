"""The tables of records that run across meetings: a case's stays (intake to exit) and its
escalation threads. Part of the one SQLModel definition of the tables (see :mod:`db.tables`)."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class EscalationRecord(SQLModel, table=True):
    """An escalation thread (MRT, stuurgroep, programmaraad, bestuurlijk overleg): sent, the
    advice that came back, adopted or not by the LSO, closed or taken to the next level.

    ``advice_reasoning`` is a field of its own so that an audience rule can narrow it.
    """

    __tablename__ = "escalation"
    id: str = Field(primary_key=True)
    overleg_id: str = Field(index=True)
    deleted: bool = False
    case_id: str | None = Field(default=None, index=True)
    decision_id: str | None = None
    meeting_id: str | None = None
    previous_id: str | None = None
    level: str | None = None
    question: str | None = None
    positions: str | None = None  # JSON list of {"organisation_id", "reason"}
    members: str | None = None  # JSON list of {"organisation_id", "new_to_case"}
    status: str | None = None
    opened_on: str | None = None
    sent_on: str | None = None
    sent_item_id: str | None = None
    advice_on: str | None = None
    advice: str | None = None
    advice_reasoning: str | None = None
    advice_item_id: str | None = None
    adopted: bool | None = None
    adoption_reasons: str | None = None
    adoption_on: str | None = None
    adoption_item_id: str | None = None
    closed_on: str | None = None
    closed_item_id: str | None = None


class Stay(SQLModel, table=True):
    """One stay of a case in the LVV: intake steps, admission, exit (the case mirrors the
    dates of its latest stay)."""

    __tablename__ = "stay"
    __table_args__ = (Index("ix_stay_overleg_intake", "overleg_id", "intake_date"),)
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    case_id: str | None = Field(default=None, index=True)
    number: int | None = None
    put_forward_by: str | None = None
    put_forward_on: str | None = None
    lvv_verdict: str | None = None
    lvv_reason: str | None = None
    lvv_item_id: str | None = None
    lvv_decided_on: str | None = None
    ind_dossier_on: str | None = None
    dtenv_dossier_on: str | None = None
    scenario: str | None = None
    scenario_item_id: str | None = None
    scenario_on: str | None = None
    intake_date: str | None = None
    exit_date: str | None = None
    outcome_subtype: str | None = None
    outcome_category: str | None = None
    exit_item_id: str | None = None


class CaseDetail(SQLModel, table=True):
    """A partner's sensitive details of a case (health, police information), with its own
    audience like a view's note (issue 10). id = ``case_id/organisation_id``."""

    __tablename__ = "case_detail"
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    case_id: str | None = Field(default=None, index=True)
    organisation_id: str | None = None
    topic: str | None = None  # health, police, other
    text: str | None = None
    audience: str | None = None
