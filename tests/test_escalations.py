"""Escalation threads: the state rules, enforced by the store (no screen involved), the
meeting lock, monitoring figures, and a thread across three meetings and two laptops."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from db import domain as d
from db.store import Locked, Store, ValidationError
from tests.sync.conftest import laptops  # noqa: F401 - the sync tests' laptops fixture

D1, D2, D3 = dt.date(2026, 3, 2), dt.date(2026, 3, 16), dt.date(2026, 3, 30)


@dataclass
class World:
    overleg: str
    orgs: dict[str, str]
    case: str
    meetings: list[str]
    items: list[str]  # the case's item at each meeting


def make_world(store: Store, *, decide: bool = True) -> World:
    ov = store.create_overleg("LSO Teststad", "Teststad")
    orgs = {kind.value: store.add_organisation(ov.id, kind.value.upper(), kind).id
            for kind in (d.OrgKind.GEMEENTE, d.OrgKind.IND, d.OrgKind.DTENV, d.OrgKind.NGO)}
    case = store.create_case(ov.id, "TS-001")
    meetings, items = [], []
    for day in (D1, D2, D3):
        m = store.create_meeting(ov.id, day, "10:00")
        meetings.append(m.id)
        items.append(store.add_agenda_item(m.id, d.ItemKind.CASE, case_id=case.id).id)
    if decide:
        store.decide(items[0], d.Perspective.RETURN, "Terugkeer", d.Consensus.NONE,
                     [d.Dissent(orgs["ngo"], "Medisch niet verantwoord")],
                     d.Escalation.MRT, "Is terugkeer verantwoord?", None)
    return World(ov.id, orgs, case.id, meetings, items)


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def codes(exc: pytest.ExceptionInfo) -> str:
    return exc.value.code  # type: ignore[attr-defined]


# -- the state rules ------------------------------------------------------------------


def test_a_thread_runs_from_decision_to_closed(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0])
    assert x.status is d.EscalationStatus.DRAFT
    assert x.level is d.Escalation.MRT and x.question == "Is terugkeer verantwoord?"
    assert x.positions == (d.Dissent(world.orgs["ngo"], "Medisch niet verantwoord"),)
    assert x.opened_on == D1 and x.next_step == "send"
    members = [d.MrtMember(world.orgs["gemeente"]), d.MrtMember(world.orgs["ngo"]),
               d.MrtMember(world.orgs["ind"], True), d.MrtMember(world.orgs["ind"], True),
               d.MrtMember(world.orgs["dtenv"], True)]
    x = store.send_escalation(x.id, D1 + dt.timedelta(days=2), members=members)
    assert x.status is d.EscalationStatus.SENT and x.waiting_for == "level"
    assert x.members == tuple(members)
    x = store.record_advice(x.id, "Geen terugkeer; artikel 64 onderzoeken",
                            "Medische rapportage (vertrouwelijk)", item_id=world.items[1])
    assert x.status is d.EscalationStatus.ADVICE and x.advice_on == D2
    assert x.advice_reasoning == "Medische rapportage (vertrouwelijk)"
    assert x.waiting_for == "table" and x.next_step == "adoption"
    x = store.record_adoption(x.id, world.items[2], True, "Het LSO volgt het advies")
    assert (x.status, x.adopted, x.adoption_on) == (d.EscalationStatus.ADOPTED, True, D3)
    x = store.close_escalation(x.id, item_id=world.items[2])
    assert x.status is d.EscalationStatus.CLOSED and x.closed_on == D3 and not x.is_open
    assert store.escalations(world.overleg, open_only=True) == []
    assert [s.kind for s in store.escalation_steps(case_id=world.case)] == [
        "opened", "sent", "advice", "adoption", "closed"]
    assert store.check() == []


def test_no_advice_on_an_unsent_escalation(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0])
    with pytest.raises(ValidationError) as exc:
        store.record_advice(x.id, "Advies")
    assert codes(exc) == "escalation.error.not_sent"
    assert store.escalation(x.id).advice is None


def test_adoption_only_after_advice(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0], sent_on=D1)
    with pytest.raises(ValidationError) as exc:
        store.record_adoption(x.id, world.items[1], True)
    assert codes(exc) == "escalation.error.no_advice"
    with pytest.raises(ValidationError) as exc:
        store.close_escalation(x.id)
    assert codes(exc) == "escalation.error.not_closable"
    assert store.escalation(x.id).status is d.EscalationStatus.SENT


def test_adoption_at_a_later_meeting_of_the_same_case(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0], sent_on=D1)
    store.record_advice(x.id, "Advies", received_on=D1 + dt.timedelta(days=5))
    with pytest.raises(ValidationError) as exc:
        store.record_adoption(x.id, world.items[0], True)
    assert codes(exc) == "escalation.error.later_meeting"
    other = store.create_case(world.overleg, "TS-002")
    elsewhere = store.add_agenda_item(world.meetings[1], d.ItemKind.CASE, case_id=other.id)
    with pytest.raises(ValidationError) as exc:
        store.record_adoption(x.id, elsewhere.id, True)
    assert codes(exc) == "escalation.error.other_case"
    with pytest.raises(ValidationError) as exc:
        store.record_adoption(x.id, world.items[1], False, "  ")
    assert exc.value.field == "adoption_reasons"
    assert store.escalation(x.id).status is d.EscalationStatus.ADVICE


def test_next_level_only_from_a_rejected_advice(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0], sent_on=D1)
    with pytest.raises(ValidationError) as exc:
        store.escalate_further(x.id, d.Escalation.PROGRAMMARAAD)
    assert codes(exc) == "escalation.error.not_rejected"
    store.record_advice(x.id, "Advies", received_on=D2)
    with pytest.raises(ValidationError) as exc:  # advice received, not yet decided on
        store.escalate_further(x.id, d.Escalation.PROGRAMMARAAD)
    assert codes(exc) == "escalation.error.not_rejected"
    store.record_adoption(x.id, world.items[1], True)
    store.close_escalation(x.id)
    with pytest.raises(ValidationError) as exc:  # closed, but the advice was adopted
        store.escalate_further(x.id, d.Escalation.PROGRAMMARAAD)
    assert codes(exc) == "escalation.error.not_rejected"


def test_a_rejected_advice_goes_to_a_higher_level(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0], sent_on=D1)
    store.record_advice(x.id, "Advies MRT", received_on=D1 + dt.timedelta(days=9))
    store.record_adoption(x.id, world.items[1], False, "Identiteit nog onbekend")
    with pytest.raises(ValidationError) as exc:
        store.escalate_further(x.id, d.Escalation.MRT)
    assert codes(exc) == "escalation.error.not_higher"
    with pytest.raises(ValidationError) as exc:  # members belong to an MRT only
        store.escalate_further(x.id, d.Escalation.PROGRAMMARAAD,
                               members=[d.MrtMember(world.orgs["ind"])])
    assert codes(exc) == "escalation.error.members_mrt_only"
    y = store.escalate_further(x.id, d.Escalation.PROGRAMMARAAD, item_id=world.items[1],
                               sent_on=D2)
    assert (y.previous_id, y.level, y.status) == (x.id, d.Escalation.PROGRAMMARAAD,
                                                  d.EscalationStatus.SENT)
    assert y.question == x.question and y.positions == x.positions
    old = store.escalation(x.id)
    assert old.status is d.EscalationStatus.ESCALATED and old.next_id == y.id
    assert [t.id for t in store.escalations(world.overleg, open_only=True)] == [y.id]
    # a second thread from the same decision while one is open is refused
    with pytest.raises(ValidationError) as exc:
        store.open_escalation(world.items[0])
    assert codes(exc) == "escalation.error.exists"


def test_only_a_decision_without_consensus_escalates(store: Store) -> None:
    w = make_world(store, decide=False)
    with pytest.raises(ValidationError) as exc:
        store.open_escalation(w.items[0], d.Escalation.MRT, "Vraag")
    assert codes(exc) == "escalation.error.no_decision"
    store.decide(w.items[0], d.Perspective.RETURN, "", d.Consensus.UNANIMOUS)
    with pytest.raises(ValidationError) as exc:
        store.open_escalation(w.items[0], d.Escalation.MRT, "Vraag")
    assert codes(exc) == "escalation.error.consensus"
    assert store.escalation_from_decision(w.items[0]) is None
    store.decide(w.items[0], d.Perspective.RETURN, "", d.Consensus.NONE,
                 [d.Dissent(w.orgs["ngo"], "Nee")], d.Escalation.NONE)
    with pytest.raises(ValidationError) as exc:
        store.open_escalation(w.items[0], None, "Vraag")
    assert codes(exc) == "escalation.error.level"
    with pytest.raises(ValidationError) as exc:
        store.open_escalation(w.items[0], d.Escalation.MRT, " ")
    assert exc.value.field == "question"
    assert store.escalations(w.overleg) == []


def test_the_decision_form_opens_and_then_follows_the_thread(store: Store, world: World) -> None:
    x = store.escalation_from_decision(world.items[0])
    assert x is not None and x.status is d.EscalationStatus.DRAFT
    store.decide(world.items[0], d.Perspective.RETURN, "", d.Consensus.NONE,
                 [d.Dissent(world.orgs["ngo"], "Nee")], d.Escalation.STUURGROEP,
                 "Nieuwe vraag", D1 + dt.timedelta(days=1))
    y = store.escalation_from_decision(world.items[0])
    assert y is not None and y.id == x.id
    assert (y.level, y.question, y.sent_on, y.status) == (
        d.Escalation.STUURGROEP, "Nieuwe vraag", D1 + dt.timedelta(days=1),
        d.EscalationStatus.SENT)
    store.record_advice(x.id, "Advies", received_on=D2)
    store.decide(world.items[0], d.Perspective.RETURN, "", d.Consensus.NONE,
                 [d.Dissent(world.orgs["ngo"], "Nee")], d.Escalation.MRT, "Weer anders")
    z = store.escalation_from_decision(world.items[0])
    assert z is not None and z.question == "Nieuwe vraag"  # answered: no longer follows
    # a later decision of the case without consensus: the running thread carries on
    store.decide(world.items[1], d.Perspective.RETURN, "", d.Consensus.NONE,
                 [d.Dissent(world.orgs["ngo"], "Nee")], d.Escalation.MRT, "Andere vraag")
    again = store.escalation_from_decision(world.items[1])
    assert again is not None and again.id == x.id
    assert len(store.case_escalations(world.case)) == 1


def test_dates_run_forward(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0])
    with pytest.raises(ValidationError) as exc:
        store.send_escalation(x.id, D1 - dt.timedelta(days=1))
    assert codes(exc) == "escalation.error.before_opened"
    store.send_escalation(x.id, D1 + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        store.record_advice(x.id, "Advies", received_on=D1)
    assert codes(exc) == "escalation.error.before_sent"
    with pytest.raises(ValidationError) as exc:
        store.send_escalation(x.id, "31-02-2026")
    assert codes(exc) == "error.date"


def test_steps_at_an_approved_meeting_change_only_by_correction(store: Store,
                                                               world: World) -> None:
    x = store.open_escalation(world.items[0], sent_on=D1)
    store.record_advice(x.id, "Advies", item_id=world.items[1])
    store.approve_minutes(world.meetings[1], world.meetings[2], on=D3)
    with pytest.raises(Locked):  # the advice was recorded at the approved meeting
        store.record_advice(x.id, "Ander advies")
    assert store.escalation(x.id).advice == "Advies"
    other = store.create_case(world.overleg, "TS-009")
    item = store.add_agenda_item(world.meetings[2], d.ItemKind.CASE, case_id=other.id)
    store.decide(item.id, d.Perspective.STAY, "", d.Consensus.NONE,
                 [d.Dissent(world.orgs["dtenv"], "Nee")], d.Escalation.MRT, "Vraag")
    store.approve_minutes(world.meetings[2], None, on=D3)
    with pytest.raises(Locked):  # opening from a decision of an approved meeting
        store.open_escalation(item.id)
    with pytest.raises(Locked):  # adoption recorded at an item of an approved meeting
        store.record_adoption(x.id, world.items[2], True)
    assert store.escalation(x.id).status is d.EscalationStatus.ADVICE
    # the record changes by a recorded correction
    store.add_correction(world.meetings[1], "Advies luidde anders", world.items[1], on=D3)
    assert len(store.corrections(world.meetings[1])) == 1


def test_mrt_members_are_checked(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0])
    with pytest.raises(ValidationError) as exc:
        store.set_mrt_members(x.id, [d.MrtMember("no-such-org")])
    assert codes(exc) == "escalation.error.members_org"
    with pytest.raises(ValidationError) as exc:
        store.set_mrt_members(x.id, [d.MrtMember(world.orgs["ind"])] * 6)
    assert codes(exc) == "escalation.error.members_max"
    y = store.set_mrt_members(x.id, [d.MrtMember(world.orgs["ind"], True)])
    assert y.members == (d.MrtMember(world.orgs["ind"], True),)


def test_minutes_list_each_step_at_its_meeting(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0], sent_on=D1)
    store.record_advice(x.id, "Advies", "Onderbouwing", item_id=world.items[1])
    store.record_adoption(x.id, world.items[2], True)
    store.close_escalation(x.id, item_id=world.items[2])
    kinds = [[s.kind for s in store.escalation_steps(meeting_id=m)] for m in world.meetings]
    assert kinds == [["opened", "sent"], ["advice"], ["adoption", "closed"]]


def test_put_on_the_next_agenda(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0], sent_on=D1)
    other = store.create_case(world.overleg, "TS-002")
    item = store.put_escalation_on_agenda(x.id, today=D2)
    assert item.id == world.items[1]  # already on it
    store.remove_agenda_item(world.items[2])
    item = store.put_escalation_on_agenda(x.id, today=D3)
    assert item.meeting_id == world.meetings[2] and item.case_id == world.case
    assert other.id not in {i.case_id for i in store.agenda(world.meetings[2])}
    with pytest.raises(ValidationError) as exc:
        store.put_escalation_on_agenda(x.id, today=D3 + dt.timedelta(days=1))
    assert codes(exc) == "escalation.error.no_next_meeting"


# -- monitoring -----------------------------------------------------------------------


def test_monitoring_figures(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0], sent_on=D1)
    store.record_advice(x.id, "Advies", received_on=D1 + dt.timedelta(days=10))
    store.record_adoption(x.id, world.items[1], False, "Niet haalbaar")
    y = store.escalate_further(x.id, d.Escalation.STUURGROEP, sent_on=D2, item_id=world.items[1])
    other = store.create_case(world.overleg, "TS-002")
    item = store.add_agenda_item(world.meetings[0], d.ItemKind.CASE, case_id=other.id)
    store.decide(item.id, d.Perspective.STAY, "", d.Consensus.NONE,
                 [d.Dissent(world.orgs["dtenv"], "Nee")], d.Escalation.MRT, "Vraag")
    z = store.open_escalation(item.id, sent_on=D1)
    store.record_advice(z.id, "Advies", received_on=D1 + dt.timedelta(days=20))

    stats = store.escalation_stats(world.overleg, end=D3)
    assert stats.open_by_level == {"mrt": 1, "stuurgroep": 1, "programmaraad": 0,
                                   "bestuurlijk": 0}
    assert stats.open_total == 2 == store.escalations_open(world.overleg, on=D3)
    assert stats.open_by_age == {"lt28": 1, "28to90": 1, "gt90": 0}
    assert stats.oldest_open_days == (D3 - D1).days
    assert (stats.adopted, stats.not_adopted, stats.awaiting_decision) == (0, 1, 1)
    assert sorted(store.escalation_advice_days(world.overleg, end=D3)) == [10, 20]
    assert (stats.advice_count, stats.advice_days_mean, stats.advice_days_median) == (
        2, 15.0, 15.0)
    # on an earlier day: only what had happened by then
    early = store.escalation_stats(world.overleg, end=D1 + dt.timedelta(days=12))
    assert early.open_by_level["mrt"] == 2 and early.open_by_level["stuurgroep"] == 0
    assert (early.advice_count, early.not_adopted) == (1, 0)
    assert store.escalation_adoption(world.overleg, start=D2, end=D3) == {
        "adopted": 0, "not_adopted": 1}
    assert y.id in {t.id for t in store.escalations(world.overleg, open_only=True)}


# -- schema ---------------------------------------------------------------------------


def test_the_migration_is_idempotent(store: Store) -> None:
    from db.engine import _migrate_escal

    with store._tx() as conn:  # noqa: SLF001 - the migration on a file that has the table
        _migrate_escal(conn)
        _migrate_escal(conn)
    world = make_world(store)
    assert store.open_escalation(world.items[0]).status is d.EscalationStatus.DRAFT


# -- two laptops, three meetings, one hub -----------------------------------------------


def test_a_thread_across_three_meetings_and_two_laptops(laptops, tmp_path: Path) -> None:  # noqa: ANN001, F811
    from db.sync import Hub, sync_once

    a, b = laptops("Voorzitter"), laptops("Secretaris")
    with Hub(f"sqlite:///{tmp_path / 'hub.db'}") as hub:
        w = make_world(a)
        x = a.open_escalation(w.items[0], sent_on=D1)  # meeting 1, laptop A
        sync_once(a, hub)
        sync_once(b, hub)
        assert b.escalation(x.id).status is d.EscalationStatus.SENT
        # meeting 2: both laptops record the advice offline, with different texts
        a.record_advice(x.id, "Artikel 64 onderzoeken", item_id=w.items[1])
        b.record_advice(x.id, "Artikel 64 onderzoeken, eerst medisch advies",
                        item_id=w.items[1])
        for _ in range(2):
            sync_once(a, hub)
            sync_once(b, hub)
        for s in (a, b):
            found = [c for c in s.conflicts() if c.entity == "escalation"]
            assert [(c.entity_id, c.field) for c in found] == [(x.id, "advice")]
            assert sorted(v.value for v in found[0].values) == [
                "Artikel 64 onderzoeken", "Artikel 64 onderzoeken, eerst medisch advies"]
        conflict = next(c for c in b.conflicts() if c.entity == "escalation")
        b.resolve_conflict(conflict, "Artikel 64 onderzoeken; eerst medisch advies")
        # meeting 3, laptop B: adopted and closed
        b.record_adoption(x.id, w.items[2], True, "Advies gevolgd")
        b.close_escalation(x.id, item_id=w.items[2])
        for _ in range(2):
            sync_once(b, hub)
            sync_once(a, hub)
        for s in (a, b):
            assert [c for c in s.conflicts() if c.entity == "escalation"] == []
            final = s.escalation(x.id)
            assert final.advice == "Artikel 64 onderzoeken; eerst medisch advies"
            assert (final.status, final.adopted) == (d.EscalationStatus.CLOSED, True)
            assert s.check() == []
        assert a.dump() == b.dump()


# -- minutes and demo -----------------------------------------------------------------


def test_the_minutes_hold_each_step_at_its_meeting(store: Store, world: World) -> None:
    from lvv_tui.export import to_markdown
    from lvv_tui.minutes import build_minutes

    x = store.open_escalation(world.items[0], sent_on=D1)
    store.record_advice(x.id, "Artikel 64 onderzoeken", "Medisch rapport [bold]",
                        item_id=world.items[1])
    store.record_adoption(x.id, world.items[2], False, "Niet haalbaar")
    store.escalate_further(x.id, d.Escalation.PROGRAMMARAAD, item_id=world.items[2], sent_on=D3)

    def lines(meeting: int, **kw: bool) -> list[str]:
        doc = build_minutes(store, world.meetings[meeting], made_on=D3, **kw)
        # the item's steps also hold the stay's (LVV-zaak, scenario, exit): only the
        # escalation's here
        from lvv_tui.i18n import t

        head = t("escalation.minutes.label")
        return [text for item in doc.items for label, text in item.escalation
                if label == head]

    assert lines(0) == ["Multidisciplinair Review Team (MRT): verzonden op 2 maart 2026"]
    assert lines(1) == ["Advies Multidisciplinair Review Team (MRT) (16 maart 2026): "
                        "Artikel 64 onderzoeken"]
    assert lines(1, include_confidential=True)[0].endswith(
        "\nOnderbouwing: Medisch rapport [bold]")
    third = lines(2)
    assert third[0] == ("Het LSO neemt het advies van Multidisciplinair Review Team (MRT) "
                        "niet over; redenen: Niet haalbaar")
    assert third[1].startswith("Verder geëscaleerd naar Landelijke programmaraad")
    assert "verzonden op 30 maart 2026" in third[2]
    md = to_markdown(build_minutes(store, world.meetings[1], made_on=D3))
    assert "Artikel 64 onderzoeken" in md and "Medisch rapport" not in md


def test_the_demo_has_threads_in_every_state(tmp_path: Path) -> None:
    from db.demo import generate
    from tests.conftest import PASSPHRASE

    with Store.open(tmp_path / "demo.db", PASSPHRASE, create=True) as s:
        generate(s, "small", seed=1, today=D2)
        threads = s.escalations(s.overleggen()[0].id)
        assert {x.status for x in threads} == set(d.EscalationStatus)
        chains = [(s.escalation(x.previous_id).level, x.level) for x in threads
                  if x.previous_id]
        assert (d.Escalation.MRT, d.Escalation.PROGRAMMARAAD) in chains
        for x in threads:  # the demo keeps the rules the store enforces
            if x.advice_on:
                assert x.sent_on is not None and x.sent_on <= x.advice_on
            if x.adopted is not None:
                assert x.advice_on is not None and x.adoption_on >= x.advice_on
                assert s.agenda_item(x.adoption_item_id).meeting_id != x.meeting_id
            assert (x.level is d.Escalation.MRT) == bool(x.members)
        assert s.check() == []


def test_a_file_of_the_previous_schema_gains_the_table(tmp_path: Path) -> None:
    import db.engine as eng
    from tests.conftest import PASSPHRASE

    path = tmp_path / "old.db"
    with Store.open(path, PASSPHRASE, create=True) as s:
        w = make_world(s)
    raw = eng._raw_connect(path, PASSPHRASE)  # noqa: SLF001 - make it a file of version 1
    raw.execute("DROP TABLE escalation")
    raw.execute("PRAGMA user_version = 1")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    with Store.open(path, PASSPHRASE) as s:
        assert s.open_escalation(w.items[0]).status is d.EscalationStatus.DRAFT
        assert s.check() == []
    assert eng.probe(path, PASSPHRASE) == eng.SCHEMA_VERSION
    assert len(list(tmp_path.glob("old.db.v1-*.bak"))) == 1
