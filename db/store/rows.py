"""Rows of the projection as domain objects."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from db import domain as d
from db.rules import (
    _date,
)

_NONE: frozenset = frozenset()

# ---------------------------------------------------------------------------------------
# rows -> domain objects
# ---------------------------------------------------------------------------------------


def _org(r: Mapping[str, Any]) -> d.Organisation:
    return d.Organisation(r["id"], r["overleg_id"], r["name"] or "",
                          d.OrgKind(r["kind"] or "other"), r["sort"] or 0)


def _case(r: Mapping[str, Any], seen: frozenset = _NONE, conflicts: frozenset = _NONE) -> d.Case:
    return d.Case(
        id=r["id"], overleg_id=r["overleg_id"], code=r["code"] or "",
        v_number=r["v_number"], nationality=r["nationality"],
        intake_date=_date(r["intake_date"]), stay_term_days=r["stay_term_days"],
        health_flag=bool(r["health_flag"]), identity_established=bool(r["identity_established"]),
        cooperation=d.Cooperation(r["cooperation"] or "unknown"), procedure=r["procedure"],
        perspective=d.Perspective(r["perspective"] or "undecided"),
        status=d.CaseStatus(r["status"] or "intake"), put_forward_by=r["put_forward_by"],
        exit_date=_date(r["exit_date"]),
        outcome_subtype=d.OutcomeSubtype(r["outcome_subtype"]) if r["outcome_subtype"] else None,
        seen=seen, conflicts=conflicts,
    )


def _meeting(r: Mapping[str, Any]) -> d.Meeting:
    return d.Meeting(
        id=r["id"], overleg_id=r["overleg_id"], date=_date(r["date"]) or dt.date.min,
        start_time=r["start_time"], place=r["place"], chair=r["chair"],
        secretary=r["secretary"], status=d.MeetingStatus(r["status"] or "planned"),
        minutes_status=d.MinutesStatus(r["minutes_status"] or "concept"),
        approved_in=r["approved_in"], approved_on=_date(r["approved_on"]),
    )


def _item(r: Mapping[str, Any]) -> d.AgendaItem:
    return d.AgendaItem(
        id=r["id"], meeting_id=r["meeting_id"], position=r["position"] or 0,
        kind=d.ItemKind(r["kind"] or "other"), case_id=r["case_id"], title=r["title"],
        timebox_min=r["timebox_min"], status=d.ItemStatus(r["status"] or "open"),
        confidential=bool(r["confidential"]), has_decision=bool(r.get("has_decision")),
    )


def _view(r: Mapping[str, Any], seen: frozenset = _NONE, conflicts: frozenset = _NONE) -> d.View:
    return d.View(r["id"], r["agenda_item_id"], r["case_id"], r["organisation_id"],
                  d.Position(r["position"] or "none"), r["note"] or "", bool(r["confidential"]),
                  seen, conflicts, r.get("audience") or "overleg")


def _decision(r: Mapping[str, Any], seen: frozenset = _NONE, conflicts: frozenset = _NONE) -> d.Decision:
    dissent = tuple(
        d.Dissent(x.get("organisation_id", ""), x.get("reason", ""))
        for x in json.loads(r["dissent"] or "[]")
    )
    return d.Decision(
        id=r["id"], agenda_item_id=r["agenda_item_id"], meeting_id=r["meeting_id"],
        case_id=r["case_id"], perspective=d.Perspective(r["perspective"] or "undecided"),
        rationale=r["rationale"] or "", consensus=d.Consensus(r["consensus"] or "unanimous"),
        dissent=dissent, escalation_level=d.Escalation(r["escalation_level"] or "none"),
        escalation_question=r["escalation_question"],
        escalation_date=_date(r["escalation_date"]),
        escalation_advice=r["escalation_advice"], review_date=_date(r["review_date"]),
        seen=seen, conflicts=conflicts,
    )


def _action(r: Mapping[str, Any], seen: frozenset = _NONE, conflicts: frozenset = _NONE) -> d.Action:
    return d.Action(
        id=r["id"], overleg_id=r["overleg_id"], case_id=r["case_id"],
        meeting_id=r["meeting_id"], agenda_item_id=r["agenda_item_id"],
        owner_organisation_id=r["owner_organisation_id"], text=r["text"] or "",
        due_date=_date(r["due_date"]), status=d.ActionStatus(r["status"] or "open"),
        closed_on=_date(r["closed_on"]), owner_person=r.get("owner_person") or None,
        seen=seen, conflicts=conflicts,
    )
