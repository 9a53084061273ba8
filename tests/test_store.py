"""Use cases of the store: the meeting record, conflicts, validation, integrity checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import domain as d
from db.store import Locked, Store, ValidationError
from tests.conftest import PASSPHRASE


def _table(store: Store) -> tuple[d.Overleg, list[d.Organisation]]:
    ov = store.create_overleg("LSO Teststad", "Teststad", 50)
    orgs = [
        store.add_organisation(ov.id, name, kind, n)
        for n, (name, kind) in enumerate([
            ("Gemeente Teststad", "gemeente"), ("IND", "ind"), ("DTenV", "dtenv"),
            ("Politie", "politie"), ("NGO Test", "ngo")])
    ]
    return ov, orgs


def test_a_case_discussion_is_recorded_and_read_back(store: Store) -> None:
    ov, orgs = _table(store)
    case = store.create_case(ov.id, "TS-001", nationality="Ghana", intake_date="01-03-2025",
                             v_number="0123456789", stay_term_days=365)
    meeting = store.create_meeting(ov.id, dt.date(2026, 12, 3), "9:30", "Stadhuis", "Voorzitter",
                                   "Secretaris")
    for org in orgs[:4]:
        store.set_attendance(meeting.id, org.id, "present")
    store.set_attendance(meeting.id, orgs[4].id, "apologies")
    item = store.add_agenda_item(meeting.id, "case", case_id=case.id, timebox_min=20)
    kinds = [i.kind for i in store.agenda(meeting.id)]
    assert kinds.index(d.ItemKind.CASE) < kinds.index(d.ItemKind.AOB)
    for org, pos in zip(orgs, ["return", "return", "return", "none", "stay"], strict=True):
        store.record_view(item.id, org.id, pos, f"note of {org.name}")
    decision = store.decide(
        item.id, "return", "Geen zicht op verblijf", "none",
        [d.Dissent(orgs[4].id, "Medische situatie")], "stuurgroep",
        escalation_question="Terugkeer verantwoord?", review_date="2027-01-15",
    )
    action = store.add_action(item.id, orgs[2].id, "Vertrekgesprek plannen", "2026-12-17")

    assert store.meeting(meeting.id).start_time == "09:30"
    assert {v.position for v in store.views(item.id)} == {
        d.Position.RETURN, d.Position.NONE, d.Position.STAY}
    assert store.decision(item.id) == decision
    assert decision.dissent == (d.Dissent(orgs[4].id, "Medische situatie"),)
    assert decision.escalation_level is d.Escalation.STUURGROEP
    assert store.case(case.id).perspective is d.Perspective.RETURN
    assert store.case(case.id).status is d.CaseStatus.ACTIVE
    assert store.agenda_item(item.id).has_decision
    assert store.agenda_item(item.id).status is d.ItemStatus.DISCUSSED
    assert store.actions(case_id=case.id, open_only=True) == [action]
    assert [a.status for a in store.attendance(meeting.id)] == [
        d.Attendance.PRESENT] * 4 + [d.Attendance.APOLOGIES]
    assert store.case(case.id).masked_v_number == "••••••••89"
    later = store.create_meeting(ov.id, "2027-01-14")
    history = store.case_history(case.id, before_meeting_id=later.id)
    assert [p.decision for p in history.decisions] == [decision]
    assert history.open_actions == (action,)
    store.close_action(action.id)
    assert store.actions(case_id=case.id, open_only=True) == []
    assert store.check() == []


def test_saving_an_unchanged_value_writes_no_op(store: Store) -> None:
    ov, orgs = _table(store)
    case = store.create_case(ov.id, "TS-002")
    meeting = store.create_meeting(ov.id, "2026-12-03")
    item = store.add_agenda_item(meeting.id, "case", case_id=case.id)
    store.record_view(item.id, orgs[0].id, "return", "x")
    before = store.op_count()
    store.record_view(item.id, orgs[0].id, "return", "x")
    assert store.op_count() == before
    store.record_view(item.id, orgs[0].id, "return", "y")
    assert store.op_count() == before + 1


def test_agenda_items_reorder_and_defer(store: Store) -> None:
    ov, _ = _table(store)
    meeting = store.create_meeting(ov.id, "2026-12-03")
    a = store.add_agenda_item(meeting.id, "case", case_id=store.create_case(ov.id, "A").id)
    b = store.add_agenda_item(meeting.id, "case", case_id=store.create_case(ov.id, "B").id)
    ids = [i.id for i in store.agenda(meeting.id)]
    assert ids.index(a.id) < ids.index(b.id)
    store.move_agenda_item(b.id, -1)
    ids = [i.id for i in store.agenda(meeting.id)]
    assert ids.index(b.id) < ids.index(a.id)
    assert store.defer_item(a.id).status is d.ItemStatus.DEFERRED
    store.remove_agenda_item(b.id)
    assert b.id not in [i.id for i in store.agenda(meeting.id)]
    assert store.check() == []


@pytest.mark.parametrize(
    ("call", "field", "code"),
    [
        (lambda s, ov: s.create_case(ov, "X", intake_date="31-02-2025"), "intake_date",
         "error.date"),
        (lambda s, ov: s.create_case(ov, "X", v_number="12345"), "v_number", "error.v_number"),
        (lambda s, ov: s.create_case(ov, ""), "code", "error.required"),
        (lambda s, ov: s.create_case(ov, "X", stay_term_days="veel"), "stay_term_days",
         "error.number"),
        (lambda s, ov: s.create_meeting(ov, "morgen"), "date", "error.date"),
        (lambda s, ov: s.create_meeting(ov, "2026-12-01", "25:00"), "start_time", "error.time"),
    ],
)
def test_bad_input_is_refused_with_a_field_and_a_message_key(store: Store, call, field: str,
                                                             code: str) -> None:
    ov, _ = _table(store)
    before = store.op_count()
    with pytest.raises(ValidationError) as info:
        call(store, ov.id)
    assert (info.value.field, info.value.code) == (field, code)
    assert store.op_count() == before


def test_a_100kb_note_is_refused_cleanly_and_markup_is_kept_verbatim(store: Store) -> None:
    ov, orgs = _table(store)
    meeting = store.create_meeting(ov.id, "2026-12-03")
    item = store.add_agenda_item(meeting.id, "case", case_id=store.create_case(ov.id, "A").id)
    with pytest.raises(ValidationError) as info:
        store.record_view(item.id, orgs[0].id, "return", "x" * 100_000)
    assert info.value.code == "error.too_long"
    text = "[bold]x[/bold] \x1b[31m \x00 ' \" ; DROP TABLE op; --"
    store.record_view(item.id, orgs[0].id, "return", text)
    assert store.views(item.id)[0].note == text


def test_duplicate_case_code_is_refused(store: Store) -> None:
    ov, _ = _table(store)
    store.create_case(ov.id, "DUP-1")
    with pytest.raises(ValidationError, match="code"):
        store.create_case(ov.id, "DUP-1")


def test_approved_minutes_refuse_edits_but_take_corrections(store: Store) -> None:
    ov, _ = _table(store)
    meeting = store.create_meeting(ov.id, "2026-12-03")
    store.set_minutes_text(meeting.id, None, "Concept")
    store.approve_minutes(meeting.id)
    with pytest.raises(Locked):
        store.set_minutes_text(meeting.id, None, "Anders")
    correction = store.add_correction(meeting.id, "Punt 4: DTenV was aanwezig")
    assert store.corrections(meeting.id) == [correction]
    assert store.minutes_texts(meeting.id) == {None: "Concept"}


def _pair(tmp_path: Path) -> tuple[Store, Store]:
    a = Store.open(tmp_path / "a.db", PASSPHRASE, author="Laptop A", create=True)
    b = Store.open(tmp_path / "b.db", PASSPHRASE, author="Laptop B", create=True)
    return a, b


def _exchange(a: Store, b: Store) -> None:
    ops_a, ops_b = a.all_ops(), b.all_ops()
    b.apply_remote(ops_a)
    a.apply_remote(ops_b)


def test_two_laptops_editing_offline_get_one_visible_conflict(tmp_path: Path) -> None:
    a, b = _pair(tmp_path)
    try:
        ov, orgs = _table(a)
        case = a.create_case(ov.id, "C-1")
        meeting = a.create_meeting(ov.id, "2026-12-03")
        item = a.add_agenda_item(meeting.id, "case", case_id=case.id)
        a.decide(item.id, "research", "eerst onderzoek")
        _exchange(a, b)
        assert a.dump() == b.dump()
        a.decide(item.id, "return", "terugkeer")
        b.decide(item.id, "stay", "verblijf")
        _exchange(a, b)
        assert a.dump() == b.dump()
        conflicts = a.conflicts(ov.id)
        fields = {c.field for c in conflicts if c.entity == "decision"}
        assert fields == {"perspective", "rationale"}
        rationale = next(c for c in conflicts if c.field == "rationale")
        assert {v.value for v in rationale.values} == {"terugkeer", "verblijf"}
        assert {v.author for v in rationale.values} == {"Laptop A", "Laptop B"}
        # an ordinary edit does not silently clear it
        a.decide(item.id, "return", "terugkeer (bevestigd)")
        assert any(c.field == "rationale" for c in a.conflicts())
        for c in a.conflicts():
            a.resolve_conflict(c, "samen: onderzoek" if c.field == "rationale" else c.values[0].value)
        assert a.conflicts() == []
        _exchange(a, b)
        assert b.conflicts() == []
        assert b.decision(item.id).rationale == "samen: onderzoek"
        assert a.dump() == b.dump()
        assert a.check() == [] and b.check() == []
    finally:
        a.close()
        b.close()


def test_a_delete_concurrent_with_an_edit_is_a_conflict(tmp_path: Path) -> None:
    a, b = _pair(tmp_path)
    try:
        ov, _ = _table(a)
        meeting = a.create_meeting(ov.id, "2026-12-03")
        item = a.add_agenda_item(meeting.id, "other", title="Werkbezoek")
        _exchange(a, b)
        a.remove_agenda_item(item.id)
        b.update_agenda_item(item.id, title="Werkbezoek (verplaatst)")
        _exchange(a, b)
        conflicts = [c for c in b.conflicts() if c.entity == "agenda_item"]
        assert [c.field for c in conflicts] == ["deleted"]
        b.resolve_conflict(conflicts[0], False)  # keep the item
        _exchange(a, b)
        assert a.conflicts() == [] and b.conflicts() == []
        assert item.id in [i.id for i in a.agenda(meeting.id)]
    finally:
        a.close()
        b.close()


def test_resent_op_with_other_payload_is_an_alarm_never_applied(tmp_path: Path) -> None:
    a, b = _pair(tmp_path)
    try:
        ov, _ = _table(a)
        case = a.create_case(ov.id, "C-9", nationality="Ghana")
        _exchange(a, b)
        op = next(o for o in a.all_ops() if o.field == "nationality")
        forged = op._replace(value='"Nigeria"')
        result = b.apply_remote([forged])
        assert (result.applied, result.alarms) == (0, 1)
        assert b.case(case.id).nationality == "Ghana"
        assert [x["op_id"] for x in b.alarms()] == [op.id]
        assert b.apply_remote([op]).duplicates == 1
    finally:
        a.close()
        b.close()


def test_check_finds_a_tampered_projection_and_a_gap(store: Store) -> None:
    ov, _ = _table(store)
    store.create_case(ov.id, "C-1", nationality="Ghana")
    assert store.check() == []
    with store._tx() as conn:  # simulate a bug or a hand edit
        conn.exec_driver_sql("UPDATE casus SET nationality = 'Mali'")
    assert any("casus" in f for f in store.check())
    store.rebuild()
    assert store.check() == []
    with store._tx() as conn:
        conn.exec_driver_sql("DELETE FROM op WHERE device_seq = 2")
    assert any("gapless" in f for f in store.check())


def test_dump_is_canonical_and_free_of_device_fields(small_demo: Store) -> None:
    dump = small_demo.dump()
    text = repr(dump)
    assert small_demo.device_id not in text
    assert "local_seq" not in text and "pushed" not in text
    assert dump == small_demo.dump()


def test_small_demo_passes_check_and_has_todays_meeting(small_demo: Store) -> None:
    assert small_demo.check() == []
    (ov,) = small_demo.overleggen()
    meetings = small_demo.meetings(ov.id)
    assert meetings[0].date == dt.date.today()
    items = small_demo.agenda(meetings[0].id)
    assert sum(i.kind is d.ItemKind.CASE for i in items) == 8
    assert all(c.code.startswith("DEMO-") for c in small_demo.cases(ov.id))


_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("rationale"), st.sampled_from("ab"), st.sampled_from(["x", "y", "z"])),
        st.tuples(st.just("perspective"), st.sampled_from("ab"),
                  st.sampled_from(["return", "stay", "research"])),
        st.tuples(st.just("title"), st.sampled_from("ab"), st.sampled_from(["t1", "t2"])),
        st.tuples(st.just("remove"), st.sampled_from("ab"), st.none()),
        st.tuples(st.just("resolve"), st.sampled_from("ab"), st.none()),
        st.tuples(st.just("exchange"), st.none(), st.none()),
    ),
    max_size=14,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=_STEPS)
def test_local_edits_resolutions_and_exchanges_keep_the_projection_exact(
        tmp_path_factory: pytest.TempPathFactory, steps: list) -> None:
    """The store's fast path for its own edits ends where a rebuild from the log ends."""
    folder = tmp_path_factory.mktemp("pair")
    a, b = _pair(folder)
    try:
        ov, _ = _table(a)
        case = a.create_case(ov.id, "P-1")
        meeting = a.create_meeting(ov.id, "2026-12-03")
        item = a.add_agenda_item(meeting.id, "case", case_id=case.id)
        other = a.add_agenda_item(meeting.id, "other", title="t0")
        a.decide(item.id, "research", "start")
        _exchange(a, b)
        stores = {"a": a, "b": b}
        for what, who, value in steps:
            s = stores.get(who) if who else None
            if what == "exchange":
                _exchange(a, b)
            elif what == "resolve":
                for _ in range(10):  # as the conflicts screen does: resolve, list again
                    open_now = s.conflicts()
                    if not open_now:
                        break
                    s.resolve_conflict(open_now[0], open_now[0].values[-1].value)
                assert s.conflicts() == []
            elif what == "remove":
                if other.id in [i.id for i in s.agenda(meeting.id)]:
                    s.remove_agenda_item(other.id)
            elif what == "title":
                if other.id in [i.id for i in s.agenda(meeting.id)]:
                    s.update_agenda_item(other.id, title=value)
            elif what == "rationale":
                current = s.decision(item.id)
                s.decide(item.id, current.perspective, value)
            else:
                s.decide(item.id, value, s.decision(item.id).rationale)
        assert a.check() == [] and b.check() == []
        _exchange(a, b)
        assert a.dump() == b.dump()
        assert a.check() == [] and b.check() == []
        for _ in range(10):
            open_now = a.conflicts()
            if not open_now:
                break
            a.resolve_conflict(open_now[0], open_now[0].values[0].value)
        assert a.conflicts() == [] and a.check() == []
    finally:
        a.close()
        b.close()
