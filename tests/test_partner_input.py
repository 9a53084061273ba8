"""Partners' input before the meeting (issue 15 item 3): drafted offline, submitted, synced,
shown to the chair; the audience of oordeel and withheld reason (default: own organisation);
and the agenda's version 2 with its change list on the partner's laptop after a sync."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from db import domain as d
from db.partner_inputs import Audience
from db.store import RuleViolation, Store
from db.sync import sync_once
from tests.sync.conftest import hub_url, laptops, pg, pg_hub, pg_server  # noqa: F401


def _table(store: Store):  # noqa: ANN202
    ov = store.create_overleg("LSO Teststad", "Teststad")
    orgs = {k: store.add_organisation(ov.id, name, k) for k, name in (
        (d.OrgKind.GEMEENTE, "Gemeente"), (d.OrgKind.DTENV, "DTenV"), (d.OrgKind.NGO, "NGO"))}
    case = store.create_case(ov.id, "TS-0001")
    meeting = store.create_meeting(ov.id, dt.date(2026, 4, 1))
    item = store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
    return ov, orgs, case, meeting, item


def test_input_needs_a_published_agenda_and_a_case_item(store: Store) -> None:
    ov, orgs, case, meeting, item = _table(store)
    ngo = orgs[d.OrgKind.NGO].id
    with pytest.raises(RuleViolation) as err:
        store.save_input(item.id, ngo, feiten="x")
    assert err.value.code == "error.input_not_published"
    store.publish_agenda(meeting.id, today=dt.date(2026, 3, 20))
    opening = store.agenda(meeting.id)[0]
    with pytest.raises(RuleViolation):
        store.save_input(opening.id, ngo, feiten="x")
    with pytest.raises(RuleViolation):
        store.submit_input(item.id, ngo)  # nothing to submit yet


def test_audience_rules_for_reader(store: Store) -> None:
    ov, orgs, case, meeting, item = _table(store)
    gem, dtv, ngo = (orgs[k].id for k in (d.OrgKind.GEMEENTE, d.OrgKind.DTENV, d.OrgKind.NGO))
    store.publish_agenda(meeting.id, today=dt.date(2026, 3, 20))
    store.save_input(item.id, ngo, position=d.Position.STAY, feiten="Ziekenhuisopname.",
                     oordeel="Terugkeer niet verantwoord.", withheld="Medisch dossier",
                     withheld_reason="Beroepsgeheim arts", inzet="Begeleiding naar art. 64")
    assert store.partner_inputs(item.id, gem) == []  # a draft stays with the NGO
    (own,) = store.partner_inputs(item.id, ngo)
    assert own.oordeel == "Terugkeer niet verantwoord." and not own.submitted
    store.submit_input(item.id, ngo, today=dt.date(2026, 3, 25))
    (chair,) = store.partner_inputs(item.id, gem)
    assert (chair.feiten, chair.oordeel, chair.withheld, chair.withheld_reason) == (
        "Ziekenhuisopname.", None, "Medisch dossier", None)
    store.save_input(item.id, ngo, oordeel_audience=Audience.CHAIR)
    (chair,) = store.partner_inputs(item.id, gem)
    (dtenv,) = store.partner_inputs(item.id, dtv)
    assert chair.oordeel == "Terugkeer niet verantwoord."
    assert dtenv.oordeel is None and dtenv.withheld_reason is None
    assert store.submitted_inputs(meeting.id) == {item.id: [ngo]}


def test_version_2_and_submitted_input_reach_the_other_laptop(
        hub_url: str, laptops: Callable[..., Store]) -> None:  # noqa: F811
    chair, partner = laptops("Voorzitter"), laptops("NGO")
    ov, orgs, case, meeting, item = _table(chair)
    ngo = orgs[d.OrgKind.NGO].id
    chair.publish_agenda(meeting.id, today=dt.date(2026, 3, 20))
    sync_once(chair, hub_url)
    sync_once(partner, hub_url)
    assert partner.agenda_publication(meeting.id).version == 1
    # the partner drafts offline, then submits; the chair changes the agenda meanwhile
    partner.save_input(item.id, ngo, position=d.Position.STAY, feiten="Feiten van de NGO.",
                       inzet="Zoekt opvang.")
    partner.submit_input(item.id, ngo, today=dt.date(2026, 3, 24))
    case2 = chair.create_case(ov.id, "TS-0002")
    chair.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case2.id)
    for store in (chair, partner, chair):
        sync_once(store, hub_url)
    pub = partner.agenda_publication(meeting.id)
    assert pub.version == 2
    assert [(c.change, c.label) for c in pub.changes] == [("added", "TS-0002")]
    gem = orgs[d.OrgKind.GEMEENTE].id
    (got,) = chair.partner_inputs(item.id, gem)
    assert (got.feiten, got.inzet, got.submitted) == ("Feiten van de NGO.", "Zoekt opvang.", True)
    assert chair.submitted_inputs(meeting.id) == {item.id: [ngo]}
    assert chair.check() == [] and partner.check() == []


def test_each_op_of_an_input_carries_its_audience(store: Store) -> None:
    """A draft stays with the organisation; submitted, the table fields go to the overleg
    and the oordeel and withheld reason to their own audience (op-level, issue 10)."""
    ov, orgs, case, meeting, item = _table(store)
    ngo = orgs[d.OrgKind.NGO].id
    store.publish_agenda(meeting.id, today=dt.date(2026, 3, 20))

    def wire() -> dict[str, tuple[str, str]]:
        latest: dict[str, tuple[str, str]] = {}
        for op in store.all_ops():
            if op.entity == "partner_input":
                latest[op.field] = (op.audience, op.org_id)
        return latest

    store.save_input(item.id, ngo, position=d.Position.STAY, feiten="F", oordeel="O",
                     withheld="W", withheld_reason="R", inzet="I")
    assert set(wire().values()) == {("organisation", ngo)}  # the draft: nobody else
    store.submit_input(item.id, ngo, today=dt.date(2026, 3, 25))
    now = wire()
    assert now["oordeel"] == now["withheld_reason"] == ("organisation", ngo)
    for name in ("position", "feiten", "withheld", "inzet", "status", "case_id"):
        assert now[name] == ("overleg", ngo), name
    store.save_input(item.id, ngo, oordeel_audience=Audience.CHAIR)
    assert wire()["oordeel"] == ("chair", ngo)  # written again for the wider audience
    assert wire()["withheld_reason"] == ("organisation", ngo)
    assert store.partner_inputs(item.id, ngo)[0].oordeel == "O"


def test_the_server_accepts_the_fields_of_the_new_entities() -> None:
    from db.wire_check import field_kinds

    kinds = field_kinds()
    for field in ("position", "feiten", "oordeel", "oordeel_audience", "withheld_reason",
                  "status", "submitted_on"):
        assert kinds[("partner_input", field)] == "text"
    assert kinds[("agenda_version", "version")] == "int"
    assert kinds[("agenda_version", "late")] == "bool"
    assert kinds[("overleg", "agenda_lead_days")] == "int"


def test_retention_erases_the_texts_of_a_partner_input(store: Store) -> None:
    """An anonymised case keeps no input text (issue 10's retention): erased in the op log
    and the table, the position kept."""
    import json

    ov, orgs, case, meeting, item = _table(store)
    ngo = orgs[d.OrgKind.NGO].id
    store.publish_agenda(meeting.id, today=dt.date(2026, 3, 20))
    words = {"feiten": "Zeldzaamfeit", "oordeel": "Zeldzaamoordeel", "withheld": "Zeldzaamdossier",
             "withheld_reason": "Zeldzaamreden", "inzet": "Zeldzaaminzet"}
    store.save_input(item.id, ngo, position=d.Position.STAY, **words)
    store.submit_input(item.id, ngo, today=dt.date(2026, 3, 25))
    store.redact_cases([case.id], dt.date(2029, 1, 1))
    text = json.dumps(store.dump(), ensure_ascii=False) + json.dumps(
        [op.as_dict() for op in store.all_ops()], ensure_ascii=False)
    assert not [w for w in words.values() if w in text]
    (kept,) = store.partner_inputs(item.id, ngo)
    assert kept.position is d.Position.STAY and kept.submitted_on == dt.date(2026, 3, 1)
    assert store.check() == []
