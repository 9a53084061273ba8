"""Demo escalation threads, in every state: from the demo's decisions without consensus that
escalate. The older a thread, the further along; one MRT thread whose advice the LSO did not
adopt goes on to the landelijke programmaraad.

Called by :mod:`db.demo` with the decisions it made; writes ops through the demo's factory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from db import domain as d

ADVICE = [
    "Terugkeer is op dit moment niet verantwoord; eerst medisch onderzoek (fictief).",
    "Identiteit eerst vaststellen via taalanalyse; daarna terugkeer opnieuw bezien.",
    "Regulier verblijf op medische gronden laten toetsen; begeleiding daarop richten.",
    "Vertrek met ondersteuning blijft haalbaar; intensiveer het vertrekgesprek.",
]
REASONING = "Onderbouwing (fictief): medische informatie en dossieronderzoek van het team."
REJECT = "Het LSO ziet geen zicht op de voorgestelde route; de partners blijven verdeeld."
ADOPT = "Het LSO volgt het advies."
#: a decision on the advice older than this is closed in the demo
_SETTLED = dt.timedelta(weeks=8)


class _Gen(Protocol):
    rng: Any
    today: dt.date

    def id(self, when: dt.date) -> str: ...
    def set(self, entity: str, eid: str, overleg: str, when: dt.date | None,
            values: dict[str, Any]) -> None: ...
    def count(self, what: str, n: int = 1) -> None: ...


@dataclass
class Escalated:
    """A demo decision that escalates, and the case's later items (meeting, date, item)."""

    meeting_id: str
    date: dt.date
    item_id: str
    case_id: str
    level: d.Escalation
    question: str
    sent_on: dt.date
    dissent: list[dict[str, str]]
    later: list[tuple[str, dt.date, str]] = field(default_factory=list)
    left: dt.date | None = None


def _members(orgs: list[tuple[str, d.OrgKind]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    ngo = False
    for org_id, kind in orgs:
        if kind is d.OrgKind.GEMEENTE:
            out.append({"organisation_id": org_id, "new_to_case": False})
        elif kind is d.OrgKind.NGO and not ngo:
            ngo = True
            out.append({"organisation_id": org_id, "new_to_case": False})
        elif kind is d.OrgKind.IND:
            out += [{"organisation_id": org_id, "new_to_case": True}] * 2
        elif kind is d.OrgKind.DTENV:
            out.append({"organisation_id": org_id, "new_to_case": True})
    return out


def _rich(e: Escalated) -> bool:
    """The LSO met on the case after the advice could have come back."""
    return bool(e.later) and (e.later[0][1] - e.sent_on).days >= 2


def _on_agenda(gen: _Gen, oid: str, e: Escalated, after: dt.date,
               held: list[tuple[str, dt.date, int]]) -> bool:
    """An advice that came back a month ago puts the case on the next held meeting's agenda
    (before the rondvraag), as the chair would ask; False when there is none before it left."""
    if after > gen.today - dt.timedelta(days=28):
        return False
    meeting = next((m for m in held if m[1] > after), None)
    if meeting is None or (e.left is not None and meeting[1] >= e.left):
        return False
    mid, when, position = meeting
    iid = gen.id(when)
    gen.set("agenda_item", iid, oid, when - dt.timedelta(days=7), {
        "meeting_id": mid, "position": position - 5, "kind": d.ItemKind.CASE.value,
        "case_id": e.case_id, "title": None, "timebox_min": 10,
        "status": d.ItemStatus.DISCUSSED.value, "confidential": False})
    gen.count("agenda items")
    e.later = [*e.later, (mid, when, iid)]
    return True


def add_threads(gen: _Gen, oid: str, orgs: list[tuple[str, d.OrgKind]],
                escalated: list[Escalated], held: list[tuple[str, dt.date, int]]) -> None:
    """A thread for every escalating decision, as far along as its age allows."""
    rng, today = gen.rng, gen.today
    members = _members(orgs)
    ordered = sorted(escalated, key=lambda e: (e.date, e.item_id))
    # one MRT thread goes on to the programmaraad: the oldest that can
    rich = [e for e in ordered if _rich(e)]
    chain = next((e for e in rich if e.level is d.Escalation.MRT), rich[0] if rich else None)
    if chain is not None and chain.level is not d.Escalation.MRT:
        chain.level = d.Escalation.MRT  # the demo shows an MRT thread going higher
        gen.set("decision", chain.item_id, oid, chain.date,
                {"escalation_level": d.Escalation.MRT.value})
    plan = ["rejected", "adopted", "adopted_closed", "rejected_closed", "adopted_closed"]
    n_rich = 0
    firsts = list({e.case_id: e for e in reversed(ordered)}.values())  # never skipped
    newest = max(firsts, key=lambda e: (e.date, e.item_id)) if firsts else None
    busy: dict[str, dt.date | None] = {}  # case -> the day its thread closed (None: open)
    for e in ordered:
        if e.case_id in busy and (busy[e.case_id] is None or busy[e.case_id] >= e.date):
            continue  # the case's thread is still running: no second one
        busy[e.case_id] = None
        eid = gen.id(e.date)
        sent = e.sent_on if e.sent_on <= today and e is not newest else None
        gen.set("escalation", eid, oid, e.date, {
            "case_id": e.case_id, "decision_id": e.item_id, "meeting_id": e.meeting_id,
            "level": e.level.value, "question": e.question, "positions": e.dissent,
            "members": members if e.level is d.Escalation.MRT else [],
            "status": d.EscalationStatus.DRAFT.value, "opened_on": e.date.isoformat(),
        })
        gen.count("escalations")
        if sent is None:
            continue
        gen.set("escalation", eid, oid, sent, {
            "status": d.EscalationStatus.SENT.value, "sent_on": sent.isoformat()})
        wait = rng.randint(10, 30)
        if _rich(e):
            wait = min(wait, (e.later[0][1] - sent).days - 1)
        advice_on = sent + dt.timedelta(days=wait)
        if advice_on > today - dt.timedelta(days=3):
            continue  # still waiting for the advice
        gen.set("escalation", eid, oid, advice_on, {
            "status": d.EscalationStatus.ADVICE.value, "advice": rng.choice(ADVICE),
            "advice_reasoning": REASONING, "advice_on": advice_on.isoformat()})
        if not _rich(e) and not _on_agenda(gen, oid, e, advice_on, held):
            continue  # advice received, the LSO has not met on it yet
        mid, when, iid = e.later[0]
        kind = "chain" if e is chain else plan[n_rich % len(plan)]
        n_rich += kind != "chain"
        adopted = kind.startswith("adopted")
        gen.set("escalation", eid, oid, when, {
            "status": (d.EscalationStatus.ADOPTED if adopted
                       else d.EscalationStatus.NOT_ADOPTED).value,
            "adopted": adopted, "adoption_reasons": ADOPT if adopted else REJECT,
            "adoption_on": when.isoformat(), "adoption_item_id": iid})
        if kind.endswith("_closed") or (kind != "chain" and when < today - _SETTLED):
            busy[e.case_id] = when
            gen.set("escalation", eid, oid, when, {
                "status": d.EscalationStatus.CLOSED.value, "closed_on": when.isoformat(),
                "closed_item_id": iid})
        if kind == "chain":
            _programmaraad(gen, oid, e, eid, e.later[0],
                           e.later[1] if len(e.later) > 1 else None)


def _programmaraad(gen: _Gen, oid: str, e: Escalated, eid: str,
                   at: tuple[str, dt.date, str],
                   next_at: tuple[str, dt.date, str] | None) -> None:
    """The MRT's advice was not adopted: on to the landelijke programmaraad, whose advice
    comes back before the case's next meeting."""
    mid, when, iid = at
    nid = gen.id(when)
    gen.set("escalation", nid, oid, when, {
        "case_id": e.case_id, "decision_id": e.item_id, "meeting_id": mid,
        "previous_id": eid, "level": d.Escalation.PROGRAMMARAAD.value,
        "question": e.question, "positions": e.dissent, "members": [],
        "status": d.EscalationStatus.SENT.value, "opened_on": when.isoformat(),
        "sent_on": when.isoformat(), "sent_item_id": iid})
    gen.set("escalation", eid, oid, when, {
        "status": d.EscalationStatus.ESCALATED.value, "closed_on": when.isoformat(),
        "closed_item_id": iid})
    gen.count("escalations")
    days = (next_at[1] - when).days - 1 if next_at else 21
    advice_on = when + dt.timedelta(days=max(1, days))
    if advice_on < gen.today:
        gen.set("escalation", nid, oid, advice_on, {
            "status": d.EscalationStatus.ADVICE.value, "advice": ADVICE[2],
            "advice_reasoning": REASONING, "advice_on": advice_on.isoformat()})
