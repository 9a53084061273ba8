"""Stays as domain objects, and the rules of an exit (no database needed): shared by the
store's intake use cases (:mod:`db.store.intake`) and the import of case lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from db import domain as d
from db.rules import ValidationError, _date, _enum

#: case fields that belong to its latest stay (the case form may still send them)
STAY_FIELDS = ("intake_date", "exit_date", "outcome_subtype", "status")


def _stay(r: Mapping[str, Any]) -> d.Stay:
    return d.Stay(
        id=r["id"], case_id=r["case_id"], overleg_id=r["overleg_id"], number=r["number"] or 1,
        put_forward_by=r["put_forward_by"], put_forward_on=_date(r["put_forward_on"]),
        lvv_verdict=d.LvvVerdict(r["lvv_verdict"]) if r["lvv_verdict"] else None,
        lvv_reason=r["lvv_reason"], lvv_item_id=r["lvv_item_id"],
        lvv_decided_on=_date(r["lvv_decided_on"]), ind_dossier_on=_date(r["ind_dossier_on"]),
        dtenv_dossier_on=_date(r["dtenv_dossier_on"]),
        scenario=d.Perspective(r["scenario"]) if r["scenario"] else None,
        scenario_item_id=r["scenario_item_id"], scenario_on=_date(r["scenario_on"]),
        intake_date=_date(r["intake_date"]), exit_date=_date(r["exit_date"]),
        outcome_subtype=d.OutcomeSubtype(r["outcome_subtype"]) if r["outcome_subtype"] else None,
        exit_item_id=r["exit_item_id"],
    )


def check_exit(intake: dt.date | None, exit_date: dt.date | None,
               subtype: d.OutcomeSubtype | None) -> None:
    """The rules of an exit: it needs a subtype (and a subtype an exit), an admitted stay,
    and it is not before the intake. Raises :class:`ValidationError`."""
    if exit_date is not None and subtype is None:
        raise ValidationError("outcome_subtype", "error.exit_needs_outcome")
    if subtype is not None and exit_date is None:
        raise ValidationError("exit_date", "error.outcome_needs_exit")
    if exit_date is not None and intake is None:
        raise ValidationError("intake_date", "error.exit_needs_intake")
    if exit_date is not None and intake is not None and exit_date < intake:
        raise ValidationError("exit_date", "error.exit_before_intake")


def _subtype(value: Any) -> d.OutcomeSubtype | None:
    if value in (None, ""):
        return None
    return _enum(d.OutcomeSubtype, value, "outcome_subtype")
