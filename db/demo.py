"""Synthetic, clearly fictional demo data.

``small``: one overleg, a handful of past meetings and today's meeting with an agenda.
``pilot``: five municipalities at the scale of the LVV pilot (1,070 places: Amsterdam 360,
Groningen 300, Utrecht 215, Eindhoven 150, Rotterdam 45), weekly meetings over five
years, about 2,300 people who left and some 590 still in, with views, decisions, dissent,
escalations and actions.

Every case code starts with ``DEMO-`` and no person in it exists. The data is built in
memory as ops of this device and loaded in one transaction (:meth:`Store.bulk_loader`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from db import domain as d
from db.clock import uuid7
from db.demo_data import NATIONALITIES, OUTCOMES, POSITION_TO_PERSPECTIVE, _Case
from db.demo_escalations import Escalated, add_threads
from db.projection import WireOp
from db.store import Store

PROCEDURES = [
    "Geen lopende procedure", "Herhaalde asielaanvraag in voorbereiding",
    "Artikel 64 aangevraagd", "Regulier verblijf aangevraagd", "Bezwaar loopt",
    "Beroep bij de rechtbank", "Dublin-overdracht onderzocht", "Vertrektraject IOM",
]
ORGS = [
    ("Gemeente {city}", d.OrgKind.GEMEENTE),
    ("IND", d.OrgKind.IND),
    ("DTenV", d.OrgKind.DTENV),
    ("Politie AVIM", d.OrgKind.POLITIE),
    ("Stichting Voorbeeldhulp (fictief)", d.OrgKind.NGO),
    ("Demo Rechtshulp (fictief)", d.OrgKind.NGO),
]
CITIES = [("Amsterdam", 360), ("Groningen", 300), ("Utrecht", 215), ("Eindhoven", 150),
          ("Rotterdam", 45)]

NOTES: dict[d.Position, list[str]] = {
    d.Position.RETURN: [
        "Vertrekgesprek gevoerd; betrokkene staat open voor terugkeer met ondersteuning.",
        "Identiteitsdocumenten aangevraagd bij de ambassade; terugkeer lijkt haalbaar.",
        "Geen nieuwe feiten of omstandigheden; terugkeer blijft het perspectief.",
    ],
    d.Position.ONWARD: [
        "Familie in een ander EU-land; doormigratie wordt onderzocht.",
        "Verblijfsrecht in ander land mogelijk; contact gelegd via IOM.",
    ],
    d.Position.STAY: [
        "Medische situatie (fictief) maakt terugkeer niet verantwoord; artikel 64 onderzoeken.",
        "Schrijnende omstandigheden; kans op regulier verblijf na nieuw advies.",
        "Buitenschuldvergunning lijkt kansrijk; dossier wordt aangevuld.",
    ],
    d.Position.RESEARCH: [
        "Eerst medisch advies afwachten voordat een perspectief wordt bepaald.",
        "Nationaliteit nog niet vastgesteld; taalanalyse aangevraagd.",
    ],
    d.Position.END: [
        "Betrokkene werkt al maanden niet mee; beëindiging traject voorstellen.",
        "Niet verschenen op afspraken; gemeente overweegt beëindiging.",
    ],
    d.Position.NONE: ["Geen informatie om een standpunt op te baseren."],
}
ACTIONS: dict[d.OrgKind, list[str]] = {
    d.OrgKind.GEMEENTE: ["Verlenging verblijfstermijn voorleggen", "Casus agenderen voor stuurgroep",
                         "Huisvesting en begeleiding evalueren"],
    d.OrgKind.IND: ["Toetsing kansen regulier verblijf", "Dossier aanvullen met medisch advies",
                    "Status herhaalde aanvraag nagaan"],
    d.OrgKind.DTENV: ["Vertrekgesprek plannen", "Presentatie bij ambassade regelen",
                      "Terugkeerondersteuning bespreken"],
    d.OrgKind.POLITIE: ["Identiteit verifiëren", "Meldplicht controleren"],
    d.OrgKind.NGO: ["Begeleiding naar medische zorg", "Juridisch advies inwinnen",
                    "Vertrouwensgesprek over perspectief"],
    d.OrgKind.OTHER: ["Terugkoppeling in volgend overleg"],
}
RATIONALES: dict[d.Perspective, str] = {
    d.Perspective.RETURN: "Geen zicht op verblijf; betrokkene werkt mee aan vertrek.",
    d.Perspective.ONWARD: "Reëel perspectief op verblijf in een ander land.",
    d.Perspective.STAY: "Kansrijke aanvraag op reguliere gronden; begeleiding daarop richten.",
    d.Perspective.RESEARCH: "Eerst aanvullende informatie; herbespreking na onderzoek.",
    d.Perspective.END: "Geen medewerking; traject wordt afgesloten volgens afspraken.",
    d.Perspective.UNDECIDED: "Nog onvoldoende informatie.",
}
class _Gen:
    def __init__(self, store: Store, seed: int, today: dt.date,
                 sink: Callable[[list[WireOp]], None]) -> None:
        self.rng = random.Random(seed)
        self.store = store
        self.today = today
        self.f = store.op_factory(rand=lambda: self.rng.getrandbits(80), sink=sink)
        self.counts: dict[str, int] = {}
        self.escalated: list[tuple[Escalated, _Case]] = []
        self.held: list[tuple[str, dt.date, int]] = []  # meeting, date, position of rondvraag
        # stays, intake and history draw from their own generator, so that the meetings,
        # agendas and views drawn from ``rng`` stay what they were before stays existed
        self.side = random.Random(seed * 7919 + 12)
        self.aside = random.Random(seed * 104729 + 10)  # view audiences, for the same reason

    def side_pick(self, weighted: list[tuple[Any, int]]) -> Any:
        values, weights = zip(*weighted, strict=True)
        return self.side.choices(values, weights)[0]

    def side_id(self, when: dt.date) -> str:
        return uuid7(_ms(when), self.side.getrandbits(80))

    def side_set(self, entity: str, eid: str, overleg: str, when: dt.date,
                 values: dict[str, Any], rng: random.Random | None = None,
                 wire: dict[str, tuple[str, str]] | None = None) -> None:
        main = self.f._rand
        self.f._rand = lambda: (rng or self.side).getrandbits(80)
        try:
            self.f.set(entity, eid, overleg, values, hlc_ms=_ms(when), wire=wire)
        finally:
            self.f._rand = main

    def id(self, when: dt.date) -> str:
        return uuid7(_ms(when), self.rng.getrandbits(80))

    def set(self, entity: str, eid: str, overleg: str, when: dt.date | None,
            values: dict[str, Any], wire: dict[str, tuple[str, str]] | None = None) -> None:
        self.f.set(entity, eid, overleg, values, hlc_ms=_ms(when) if when else None, wire=wire)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def pick(self, weighted: list[tuple[Any, int]]) -> Any:
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights)[0]


#: a partner's sensitive details of a case in the demo (issue 10): topic, text, audience
DETAILS: dict[d.OrgKind, tuple[str, str, str]] = {
    d.OrgKind.POLITIE: ("police", "Eerdere melding bekend; details bij de wijkagent.",
                        "organisation"),
    d.OrgKind.NGO: ("health", "Medische zorg loopt via de huisarts; art. 64 wordt bekeken.",
                    "chair"),
}


def _audience(kind: d.OrgKind, item_id: str) -> str:
    """Who reads a demo view's note (issue 10), from the item id, not the random stream."""
    n = int(item_id.replace("-", "")[-4:], 16) % 10
    if kind is d.OrgKind.NGO:
        return "organisation" if n < 2 else "chair" if n < 4 else "overleg"
    narrow = kind in (d.OrgKind.IND, d.OrgKind.POLITIE)
    return {9: "chair", 8: "organisation"}.get(n, "overleg") if narrow else "overleg"


def _ms(day: dt.date) -> int:
    moment = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def generate(
    store: Store, scale: str = "small", seed: int = 1, today: dt.date | None = None
) -> dict[str, int]:
    """Fill an empty store with demo data; returns counts of what was made."""
    if scale not in ("small", "pilot"):
        raise ValueError(f"unknown scale {scale!r}")
    today = today or dt.date.today()
    if scale == "small":
        cities = [("Utrecht", 40)]
        start = today - dt.timedelta(weeks=10)
        active_share = 1.0
    else:
        cities = CITIES
        start = today - dt.timedelta(days=5 * 365)
        active_share = 589 / 1070
    # ops go to the database in chunks as they are made (one transaction), so memory
    # holds one chunk and the per-field bases of one overleg, not the whole log
    with store.bulk_loader() as load:
        gen = _Gen(store, seed, today, load)
        _build(gen, cities, start, active_share, small=scale == "small")
        gen.f.flush()
    gen.counts["ops"] = gen.f.made
    return gen.counts


def _build(gen: _Gen, cities: list[tuple[str, int]], start: dt.date, active_share: float,
           *, small: bool) -> None:
    from db.demo_stays import _come_back, _history, _put_forward_only, _stay

    rng = gen.rng
    today = gen.today
    weeks = (today - start).days // 7
    for city, places in cities:
        oid = gen.id(start)
        gen.set("overleg", oid, oid, start, {
            "name": f"LSO {city} (demo)", "municipality": city, "places": places})
        gen.count("overleggen")
        orgs: list[tuple[str, d.OrgKind]] = []
        for n, (name, kind) in enumerate(ORGS):
            org_id = gen.id(start)
            gen.set("organisation", org_id, oid, start,
                    {"name": name.format(city=city), "kind": kind.value, "sort": n})
            orgs.append((org_id, kind))
        # People who pass through: total exits over five years ~ places * 2.15 (pilot),
        # intakes spread over the period; small: everyone still in.
        if small:
            total = places
        else:
            total = round(places * (2300 + 589) / 1070)
        cases: list[_Case] = []
        prefix = city[:3].upper()
        for n in range(1, total + 1):
            if small:
                intake = start - dt.timedelta(days=rng.randint(0, 300))
                leave = None
            else:
                intake = start + dt.timedelta(days=rng.randint(0, (today - start).days - 30))
                stay = int(rng.expovariate(1 / 330)) + 30
                leave = intake + dt.timedelta(days=stay)
                if leave >= today:
                    leave = None
            outcome = gen.pick(OUTCOMES) if leave else None
            lean = gen.pick([(d.Position.RETURN, 30), (d.Position.STAY, 35),
                             (d.Position.ONWARD, 8), (d.Position.RESEARCH, 20),
                             (d.Position.END, 7)])
            cid = gen.id(intake)
            c = _Case(cid, f"DEMO-{prefix}-{n:04d}", intake, leave, lean, outcome)
            gen.set("casus", cid, oid, intake, {
                "code": c.code,
                "v_number": "".join(str(rng.randint(0, 9)) for _ in range(10))
                if rng.random() < 0.6 else None,
                "nationality": gen.pick(NATIONALITIES),
                "intake_date": intake.isoformat(),
                "stay_term_days": rng.choice([180, 270, 365, 365, 540]),
                "health_flag": rng.random() < 0.35,
                "identity_established": rng.random() < 0.55,
                "cooperation": gen.pick([("yes", 50), ("partly", 30), ("no", 12),
                                         ("unknown", 8)]),
                "procedure": rng.choice(PROCEDURES),
                "perspective": d.Perspective.UNDECIDED.value,
                "status": d.CaseStatus.INTAKE.value,
                "put_forward_by": orgs[0][0] if rng.random() < 0.6 else orgs[4][0],
            })
            c.stay = _stay(gen, c, oid, orgs)
            cases.append(c)
        gen.count("cases", len(cases))
        _put_forward_only(gen, oid, prefix, orgs, total)
        if small:
            _history(gen, oid, prefix, orgs)
        _meetings(gen, oid, city, orgs, cases, start, weeks, small)
        for e, c in gen.escalated:
            e.later = [x for x in c.items if x[1] > e.date]
            e.left = c.leave
        add_threads(gen, oid, orgs, [e for e, _c in gen.escalated], gen.held)
        gen.escalated, gen.held = [], []
        for c in cases:
            if c.leave:
                gen.set("casus", c.id, oid, c.leave, {
                    "status": d.CaseStatus.LEFT.value, "exit_date": c.leave.isoformat(),
                    "outcome_subtype": c.outcome.value,  # type: ignore[union-attr]
                    "outcome_category": c.outcome.category.value,  # type: ignore[union-attr]
                })
                gen.side_set("stay", c.stay, oid, c.leave, {
                    "exit_date": c.leave.isoformat(),
                    "outcome_subtype": c.outcome.value,  # type: ignore[union-attr]
                    "outcome_category": c.outcome.category.value,  # type: ignore[union-attr]
                })
                for aid in c.open_actions:  # a case that leaves takes its actions along
                    gen.set("action_item", aid, oid, c.leave,
                            {"status": d.ActionStatus.DONE.value,
                             "closed_on": c.leave.isoformat()})
                _come_back(gen, c, oid, orgs)
        gen.f.forget()  # every op of this overleg is made: its fields are set no more


def _meetings(gen: _Gen, oid: str, city: str, orgs: list[tuple[str, d.OrgKind]],
              cases: list[_Case], start: dt.date, weeks: int, small: bool) -> None:
    rng = gen.rng
    today = gen.today
    chair = f"Voorzitter {city} (demo)"
    secretary = f"Secretaris {city} (demo)"
    # meetings on the same weekday as today, weekly, then today's and next week's
    dates = [today - dt.timedelta(weeks=w) for w in range(weeks, 0, -1)]
    upcoming = [today, today + dt.timedelta(weeks=1)]
    previous: str | None = None
    for mdate in dates + upcoming:
        held = mdate < today
        mid = gen.id(mdate)
        creation = mdate - dt.timedelta(days=7) if held else None
        gen.set("meeting", mid, oid, creation, {
            "date": mdate.isoformat(), "start_time": "10:00",
            "place": f"Stadskantoor {city}, zaal 2.14", "chair": chair, "secretary": secretary,
            "status": d.MeetingStatus.PLANNED.value, "minutes_status": d.MinutesStatus.CONCEPT.value,
        })
        gen.count("meetings")
        # who is in the LVV now, who is due for discussion
        live = [c for c in cases if c.intake <= mdate and (c.leave is None or c.leave > mdate)]
        due = [c for c in live if c.discussed == 0] + [c for c in live if c.discussed]
        rng.shuffle(due)
        due.sort(key=lambda c: (c.discussed > 0, c.discussed))
        n_items = 8 if small else max(2, min(14, len(live) // 9))
        chosen = due[:n_items]
        pos = 10
        items: list[tuple[str, d.ItemKind, _Case | None]] = []
        general = [d.ItemKind.OPENING, d.ItemKind.ANNOUNCEMENTS, d.ItemKind.PREVIOUS_MINUTES]
        for kind in general:
            items.append((gen.id(mdate), kind, None))
        for c in chosen:
            items.append((gen.id(mdate), d.ItemKind.CASE, c))
        items += [(gen.id(mdate), d.ItemKind.AOB, None), (gen.id(mdate), d.ItemKind.CLOSING, None)]
        for iid, kind, c in items:
            gen.set("agenda_item", iid, oid, creation, {
                "meeting_id": mid, "position": pos, "kind": kind.value,
                "case_id": c.id if c else None, "title": None,
                "timebox_min": 15 if c else 5, "status": d.ItemStatus.OPEN.value,
                "confidential": False,
            })
            pos += 10
        gen.count("agenda items", len(items))
        if not held:
            continue
        gen.held.append((mid, mdate, pos - 20))
        # attendance
        present: list[tuple[str, d.OrgKind]] = []
        for org_id, kind in orgs:
            roll = rng.random()
            status = "present" if roll < 0.85 else ("apologies" if roll < 0.95 else "absent")
            if kind in (d.OrgKind.GEMEENTE, d.OrgKind.DTENV):
                status = "present"
            if status == "present":
                present.append((org_id, kind))
            gen.set("attendance", f"{mid}/{org_id}", oid, mdate,
                    {"meeting_id": mid, "organisation_id": org_id, "status": status})
        for iid, _kind, c in items:
            if c is None:
                gen.set("agenda_item", iid, oid, mdate, {"status": d.ItemStatus.DISCUSSED.value})
                continue
            if rng.random() < 0.05:
                gen.set("agenda_item", iid, oid, mdate, {"status": d.ItemStatus.DEFERRED.value})
                continue
            _discuss(gen, oid, mid, mdate, iid, c, present)
        gen.set("meeting", mid, oid, mdate, {"status": d.MeetingStatus.HELD.value})
        if previous:
            gen.set("meeting", previous, oid, mdate, {
                "minutes_status": d.MinutesStatus.APPROVED.value, "approved_in": mid,
                "approved_on": mdate.isoformat()})
        previous = mid


def _discuss(gen: _Gen, oid: str, mid: str, mdate: dt.date, iid: str, c: _Case,
             present: list[tuple[str, d.OrgKind]]) -> None:
    rng = gen.rng
    c.discussed += 1
    positions: dict[str, d.Position] = {}
    for org_id, kind in present:
        if kind is d.OrgKind.POLITIE and rng.random() < 0.5:
            continue  # the police often has no view on a case
        lean = c.lean
        if kind is d.OrgKind.NGO and lean in (d.Position.RETURN, d.Position.END):
            lean = d.Position.STAY if rng.random() < 0.4 else lean
        if kind is d.OrgKind.DTENV and lean is d.Position.STAY and rng.random() < 0.3:
            lean = d.Position.RETURN
        if rng.random() < 0.1:
            lean = d.Position.RESEARCH
        positions[org_id] = lean
        audience = _audience(kind, iid)  # the note's op carries it; its own op only if narrow
        gen.set("partner_view", f"{iid}/{org_id}", oid, mdate, {
            "agenda_item_id": iid, "case_id": c.id, "organisation_id": org_id,
            "position": lean.value, "note": rng.choice(NOTES[lean]),
            "confidential": kind is d.OrgKind.POLITIE and rng.random() < 0.3,
        }, wire={"note": (audience, org_id)})
        if audience != "overleg":  # from its own generator: the rest of the demo stays as is
            gen.side_set("partner_view", f"{iid}/{org_id}", oid, mdate, {"audience": audience},
                         rng=gen.aside)
        if c.discussed == 1 and kind in DETAILS and audience != "overleg":
            topic, text, detail_audience = DETAILS[kind]  # sensitive details, narrowed
            wire = {"text": (detail_audience, org_id), "topic": (detail_audience, org_id)}
            gen.side_set("case_detail", f"{c.id}/{org_id}", oid, mdate, {
                "case_id": c.id, "organisation_id": org_id, "topic": topic, "text": text,
                "audience": detail_audience}, rng=gen.aside, wire=wire)
        gen.count("views")
    tally: dict[d.Position, int] = {}
    for p in positions.values():
        tally[p] = tally.get(p, 0) + 1
    majority = max(tally, key=lambda p: (tally[p], p.value)) if tally else d.Position.RESEARCH
    perspective = POSITION_TO_PERSPECTIVE[majority]
    dissenters = [o for o, p in positions.items() if p is not majority]
    if not dissenters:
        consensus = d.Consensus.UNANIMOUS
    elif len(dissenters) == 1 and rng.random() < 0.5:
        consensus = d.Consensus.RESERVATION
    else:
        consensus = d.Consensus.NONE
    escalation = d.Escalation.NONE
    if consensus is d.Consensus.NONE:
        escalation = gen.pick([(d.Escalation.NONE, 40), (d.Escalation.MRT, 35),
                               (d.Escalation.STUURGROEP, 18), (d.Escalation.PROGRAMMARAAD, 6),
                               (d.Escalation.BESTUURLIJK, 1)])
    values: dict[str, Any] = {
        "agenda_item_id": iid, "meeting_id": mid, "case_id": c.id,
        "perspective": perspective.value, "rationale": RATIONALES[perspective],
        "consensus": consensus.value,
        "dissent": [] if consensus is d.Consensus.UNANIMOUS else [
            {"organisation_id": o, "reason": NOTES[positions[o]][0]} for o in dissenters],
        "escalation_level": escalation.value,
        "review_date": (mdate + dt.timedelta(weeks=rng.choice([4, 6, 8, 12]))).isoformat(),
    }
    if escalation is not d.Escalation.NONE:
        values["escalation_question"] = "Is terugkeer binnen afzienbare tijd realistisch, " \
            "gezien de medische en de identiteitssituatie?"
        values["escalation_date"] = (mdate + dt.timedelta(days=rng.randint(7, 28))).isoformat()
        if mdate + dt.timedelta(days=35) < gen.today:
            values["escalation_advice"] = "Advies: " + RATIONALES[perspective]
    gen.set("decision", iid, oid, mdate, values)
    c.items.append((mid, mdate, iid))
    if escalation is not d.Escalation.NONE:
        gen.escalated.append((Escalated(
            mid, mdate, iid, c.id, escalation, values["escalation_question"],
            dt.date.fromisoformat(values["escalation_date"]), values["dissent"]), c))
    gen.count("decisions")
    case_values: dict[str, Any] = {"perspective": perspective.value}
    if c.discussed == 1:
        case_values["status"] = d.CaseStatus.ACTIVE.value
    gen.set("casus", c.id, oid, mdate, case_values)
    gen.set("agenda_item", iid, oid, mdate, {"status": d.ItemStatus.DISCUSSED.value})
    # close earlier actions of this case, add one or two new
    for aid in c.open_actions:
        if rng.random() < 0.8:
            gen.set("action_item", aid, oid, mdate,
                    {"status": d.ActionStatus.DONE.value, "closed_on": mdate.isoformat()})
    c.open_actions = [a for a in c.open_actions if rng.random() < 0.2]
    for _ in range(rng.choice([1, 1, 2])):
        org_id, kind = rng.choice(present)
        aid = gen.id(mdate)
        gen.set("action_item", aid, oid, mdate, {
            "case_id": c.id, "meeting_id": mid, "agenda_item_id": iid,
            "owner_organisation_id": org_id, "text": rng.choice(ACTIONS[kind]),
            "due_date": (mdate + dt.timedelta(weeks=rng.choice([2, 3, 4, 6]))).isoformat(),
            "status": d.ActionStatus.OPEN.value,
        })
        c.open_actions.append(aid)
        gen.count("actions")
