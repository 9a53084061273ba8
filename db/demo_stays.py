"""Demo stays: the intake steps, cases in intake or not admitted, exits in every subtype,
and comings back (part of :mod:`db.demo`, which calls these while it builds an overleg).

Everything here draws from ``gen.side``, a generator of its own, so that the meetings,
agendas and views that :mod:`db.demo` draws from ``gen.rng`` stay as they were.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from db import domain as d
from db.demo_data import NATIONALITIES, OUTCOMES, POSITION_TO_PERSPECTIVE, _Case

if TYPE_CHECKING:
    from db.demo import _Gen


def _stay(gen: _Gen, c: _Case, oid: str, orgs: list[tuple[str, d.OrgKind]]) -> str:
    """The first stay of a demo case: put forward, admitted, dossiers, rusttermijn, scenario."""
    rng = gen.side
    sid = gen.side_id(c.intake)
    put = c.intake - dt.timedelta(days=rng.randint(7, 28))
    ind = c.intake + dt.timedelta(days=rng.randint(5, 30))
    dtenv = c.intake + dt.timedelta(days=rng.randint(5, 40))
    values: dict[str, Any] = {
        "case_id": c.id, "number": 1, "put_forward_by": rng.choice(["Gemeente", "NGO"]),
        "put_forward_on": put.isoformat(), "lvv_decided_on": c.intake.isoformat(),
        "intake_date": c.intake.isoformat(), "lvv_verdict": "yes",
    }
    if rng.random() < 0.06:
        values.update(lvv_verdict="exception", lvv_reason="Uitzondering op voorstel van de "
                      "stuurgroep (fictief).")
    end = c.leave or gen.today
    if ind < end:
        values["ind_dossier_on"] = ind.isoformat()
    if dtenv < end:
        values["dtenv_dossier_on"] = dtenv.isoformat()
    scenario_on = max(ind, dtenv) + dt.timedelta(days=14 + rng.randint(0, 14))
    if scenario_on < end:
        values.update(scenario=POSITION_TO_PERSPECTIVE[c.lean].value,
                      scenario_on=scenario_on.isoformat())
    gen.side_set("stay", sid, oid, put, values)
    return sid


def _put_forward_only(gen: _Gen, oid: str, prefix: str, orgs: list[tuple[str, d.OrgKind]],
                      total: int) -> None:
    """Cases in intake now (put forward, not decided) and cases that were not admitted."""
    rng = gen.side
    for n in range(max(3, total // 40)):
        admitted_no = n % 3 == 0
        put = gen.today - dt.timedelta(days=rng.randint(40, 900) if admitted_no
                                       else rng.randint(1, 20))
        cid, sid = gen.side_id(put), gen.side_id(put)
        gen.side_set("casus", cid, oid, put, {
            "code": f"DEMO-{prefix}-A{n:03d}", "nationality": gen.side_pick(NATIONALITIES),
            "perspective": d.Perspective.UNDECIDED.value,
            "status": (d.CaseStatus.NOT_ADMITTED if admitted_no else d.CaseStatus.INTAKE).value,
            "put_forward_by": orgs[0][0]})
        values: dict[str, Any] = {"case_id": cid, "number": 1, "put_forward_by": "Gemeente",
                                  "put_forward_on": put.isoformat()}
        if admitted_no:
            decided = put + dt.timedelta(days=rng.randint(7, 21))
            values.update(lvv_verdict="no", lvv_decided_on=decided.isoformat(),
                          lvv_reason="Nog in een lopende procedure; geen LVV-zaak (fictief).")
        gen.side_set("stay", sid, oid, put, values)
        gen.count("cases")


def _history(gen: _Gen, oid: str, prefix: str, orgs: list[tuple[str, d.OrgKind]]) -> None:
    """The small demo's past: three years of people who came and left, in every outcome
    subtype, so that the monitoring report has something to show."""
    rng = gen.side
    subtypes = [s for s, _w in OUTCOMES]
    for n in range(72):
        intake = gen.today - dt.timedelta(days=rng.randint(120, 3 * 365))
        leave = intake + dt.timedelta(days=int(rng.expovariate(1 / 300)) + 30)
        if leave >= gen.today - dt.timedelta(days=3):
            leave = gen.today - dt.timedelta(days=rng.randint(3, 60))
        outcome = subtypes[n] if n < len(subtypes) else gen.side_pick(OUTCOMES)
        c = _Case(gen.side_id(intake), f"DEMO-{prefix}-H{n:03d}", intake, leave,
                  rng.choice(list(POSITION_TO_PERSPECTIVE)), outcome)
        gen.side_set("casus", c.id, oid, intake, {
            "code": c.code, "nationality": gen.side_pick(NATIONALITIES),
            "perspective": POSITION_TO_PERSPECTIVE[c.lean].value,
            "status": d.CaseStatus.ACTIVE.value, "put_forward_by": orgs[0][0],
            "intake_date": intake.isoformat()})
        c.stay = _stay(gen, c, oid, orgs)
        gen.side_set("casus", c.id, oid, leave, {
            "status": d.CaseStatus.LEFT.value, "exit_date": leave.isoformat(),
            "outcome_subtype": outcome.value, "outcome_category": outcome.category.value})
        gen.side_set("stay", c.stay, oid, leave, {
            "exit_date": leave.isoformat(), "outcome_subtype": outcome.value,
            "outcome_category": outcome.category.value})
        gen.count("cases")
        _come_back(gen, c, oid, orgs)


def _come_back(gen: _Gen, c: _Case, oid: str, orgs: list[tuple[str, d.OrgKind]]) -> None:
    """One in eight who left without a solution comes back: a second stay."""
    rng = gen.side
    if c.outcome is None or c.outcome.category is not d.OutcomeCategory.NONE or \
            c.leave is None or rng.random() >= 0.125:
        return
    again = c.leave + dt.timedelta(days=rng.randint(30, 240))
    if again >= gen.today - dt.timedelta(days=30):
        return
    sid = gen.side_id(again)
    gen.side_set("stay", sid, oid, again - dt.timedelta(days=14), {
        "case_id": c.id, "number": 2, "put_forward_by": "NGO",
        "put_forward_on": (again - dt.timedelta(days=14)).isoformat(), "lvv_verdict": "yes",
        "lvv_decided_on": again.isoformat(), "intake_date": again.isoformat()})
    gen.side_set("casus", c.id, oid, again, {
        "status": d.CaseStatus.ACTIVE.value, "intake_date": again.isoformat(),
        "exit_date": None, "outcome_subtype": None, "outcome_category": None})
    gen.count("returns")
