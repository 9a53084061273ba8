"""The case timeline in the core: every kind of entry, newest first, each with its meeting."""

from __future__ import annotations

import datetime as dt

from db import domain as d
from db.store import Store


def test_the_whole_story_newest_first(store: Store) -> None:
    ov = store.create_overleg_with_partners("LSO Tijdstad", "Tijdstad", 40)
    orgs = store.organisations(ov.id)
    case = store.create_case(ov.id, "T-001", intake_date="2025-01-06")
    other = store.create_case(ov.id, "T-002")
    m1 = store.create_meeting(ov.id, "2025-02-03")
    m2 = store.create_meeting(ov.id, "2025-03-03")
    i1 = store.add_agenda_item(m1.id, d.ItemKind.CASE, case_id=case.id)
    store.add_agenda_item(m1.id, d.ItemKind.CASE, case_id=other.id)
    store.record_view(i1.id, orgs[1].id, d.Position.RETURN, "Terugkeer haalbaar")
    store.record_view(i1.id, orgs[4].id, d.Position.STAY, "Medisch")
    store.decide(i1.id, d.Perspective.RETURN, "Meerderheid", consensus=d.Consensus.NONE,
                 dissent=[d.Dissent(orgs[4].id, "Medische zorg ontbreekt")],
                 escalation_level=d.Escalation.MRT, escalation_question="Is terugkeer haalbaar?",
                 escalation_date="2025-02-10")
    thread = store.open_escalation(i1.id)
    store.send_escalation(thread.id, "2025-02-10")
    store.record_advice(thread.id, "Terugkeer niet haalbaar", received_on="2025-02-24")
    action = store.add_action(i1.id, orgs[2].id, "Vertrekgesprek", "2025-02-17")
    i2 = store.add_agenda_item(m2.id, d.ItemKind.CASE, case_id=case.id)
    store.defer_item(i2.id)
    timeline = store.case_timeline(case.id)
    kinds = [(e.kind, e.value if e.kind == "escalation" else None) for e in timeline]
    assert kinds[0] == ("deferred", None)
    assert ("escalation", "advice") in kinds
    assert kinds[-1] == ("intake", None)
    dates = [e.on for e in timeline]
    assert dates == sorted(dates, reverse=True)
    advice = next(e for e in timeline if e.kind == "escalation" and e.value == "advice")
    assert (advice.text, advice.level, advice.on) == ("Terugkeer niet haalbaar", "mrt",
                                                      dt.date(2025, 2, 24))
    views = [e for e in timeline if e.kind == "view"]
    assert {(e.who, e.text, e.meeting_id, e.item_id) for e in views} == {
        (orgs[1].id, "Terugkeer haalbaar", m1.id, i1.id), (orgs[4].id, "Medisch", m1.id, i1.id)}
    decision = next(e for e in timeline if e.kind == "decision")
    assert (decision.value, decision.level, decision.meeting_id) == ("return", "mrt", m1.id)
    assert [e.text for e in timeline if e.kind == "action"] == ["Vertrekgesprek"]
    store.close_action(action.id)
    assert [e.kind for e in store.case_timeline(case.id)][0] == "action_closed"
    # nothing of the other case
    assert all(e.meeting_id in (None, m1.id, m2.id) for e in timeline)
    assert len([e for e in timeline if e.kind == "view"]) == 2
