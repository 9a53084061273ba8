"""The rules of the record, called on the store directly (no screen): each one refuses, and
nothing is written; the allowed paths still work. See the docstring of :mod:`db.rules`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from db import domain as d
from db.store import Locked, Refusal, RuleViolation, Store, ValidationError
from tests.conftest import PASSPHRASE

APPROVED_ON = dt.date(2026, 3, 17)


@dataclass
class Table:
    overleg: d.Overleg
    orgs: list[d.Organisation]
    meeting: d.Meeting
    case_item: d.AgendaItem
    general_item: d.AgendaItem
    other_case: d.Case
    action: d.Action


def _table(store: Store) -> Table:
    ov = store.create_overleg_with_partners("LSO Regelstad", "Regelstad", 40)
    orgs = store.organisations(ov.id)
    case = store.create_case(ov.id, "R-001")
    other = store.create_case(ov.id, "R-002")
    meeting = store.create_meeting(ov.id, "2026-03-10", "10:00", "Stadhuis")
    item = store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id, timebox_min=15)
    general = store.add_agenda_item(meeting.id, d.ItemKind.OTHER, title="Werkbezoek")
    store.set_attendance(meeting.id, orgs[0].id, d.Attendance.PRESENT)
    store.record_view(item.id, orgs[0].id, d.Position.RETURN, "terugkeer")
    store.decide(item.id, d.Perspective.RETURN, "Geen zicht op verblijf")
    action = store.add_action(item.id, orgs[2].id, "Vertrekgesprek plannen", "2026-03-24")
    store.set_minutes_text(meeting.id, item.id, "Concept")
    return Table(ov, orgs, meeting, item, general, other, action)


@pytest.fixture
def table(store: Store) -> Table:
    return _table(store)


@pytest.fixture
def approved(store: Store, table: Table) -> Table:
    store.approve_minutes(table.meeting.id, on=APPROVED_ON)
    return table


def _refused(store: Store, call: Callable[[], object], error: type[Exception]) -> Exception:
    """Run a store call that must be refused; nothing may be written."""
    before = store.op_count()
    with pytest.raises(error) as info:
        call()
    assert store.op_count() == before
    return info.value


# -- the lock after approval, on every write path of a meeting's record ----------------------

LOCKED_CALLS: dict[str, Callable[[Store, Table], object]] = {
    "record_view": lambda s, x: s.record_view(x.case_item.id, x.orgs[1].id, "stay", "later"),
    "change_view": lambda s, x: s.record_view(x.case_item.id, x.orgs[0].id, "stay"),
    "decide": lambda s, x: s.decide(x.case_item.id, "stay", "anders"),
    "add_action": lambda s, x: s.add_action(x.case_item.id, x.orgs[1].id, "Nieuwe afspraak"),
    "add_case_item": lambda s, x: s.add_agenda_item(x.meeting.id, "case",
                                                    case_id=x.other_case.id),
    "add_general_item": lambda s, x: s.add_agenda_item(x.meeting.id, "other", title="Extra"),
    "update_item_title": lambda s, x: s.update_agenda_item(x.general_item.id, title="Anders"),
    "update_item_timebox": lambda s, x: s.update_agenda_item(x.case_item.id, timebox_min=30),
    "update_item_status": lambda s, x: s.update_agenda_item(x.case_item.id, status="open"),
    "defer_item": lambda s, x: s.defer_item(x.case_item.id),
    "move_item": lambda s, x: s.move_agenda_item(x.general_item.id, -1),
    "remove_item": lambda s, x: s.remove_agenda_item(x.general_item.id),
    "set_attendance": lambda s, x: s.set_attendance(x.meeting.id, x.orgs[1].id, "absent"),
    "update_meeting": lambda s, x: s.update_meeting(x.meeting.id, place="Elders"),
    "set_minutes_text": lambda s, x: s.set_minutes_text(x.meeting.id, x.case_item.id, "Stil"),
    "approve_again": lambda s, x: s.approve_minutes(x.meeting.id, on=dt.date(2026, 4, 1)),
}


@pytest.mark.parametrize("name", sorted(LOCKED_CALLS))
def test_every_write_to_an_approved_record_is_refused(store: Store, approved: Table,
                                                      name: str) -> None:
    dump = store.dump()
    exc = _refused(store, lambda: LOCKED_CALLS[name](store, approved), Locked)
    assert (exc.code, exc.params) == ("error.locked_on", {"date": "2026-03-17"})
    assert store.dump() == dump


@pytest.mark.parametrize("name", sorted(LOCKED_CALLS))
def test_the_same_writes_work_before_approval(store: Store, table: Table, name: str) -> None:
    """The lock, not something else, is what refuses them above."""
    before = store.op_count()
    LOCKED_CALLS[name](store, table)
    assert store.op_count() > before


def test_the_store_says_beforehand_why_a_record_is_locked(store: Store, table: Table) -> None:
    assert store.why_locked(table.meeting.id) is None
    store.approve_minutes(table.meeting.id, on=APPROVED_ON)
    assert store.why_locked(table.meeting.id) == Refusal("error.locked_on",
                                                         {"date": "2026-03-17"})


def test_after_approval_actions_still_close_and_update(store: Store, approved: Table) -> None:
    closed = store.close_action(approved.action.id)
    assert closed.status is d.ActionStatus.DONE
    moved = store.update_action(approved.action.id, due_date="31-03-2026", status="open")
    assert (moved.status, moved.due_date) == (d.ActionStatus.OPEN, dt.date(2026, 3, 31))
    assert store.actions(meeting_id=approved.meeting.id, open_only=True) == [moved]


def test_after_approval_a_correction_is_the_way_to_change_the_record(
        store: Store, approved: Table) -> None:
    correction = store.add_correction(approved.meeting.id, "IND was afwezig", None,
                                      on=dt.date(2026, 3, 18))
    assert store.corrections(approved.meeting.id) == [correction]
    assert store.minutes_texts(approved.meeting.id)[approved.case_item.id] == "Concept"
    # the case file lives on across meetings: not locked
    assert store.update_case(approved.case_item.case_id, nationality="Ghana").nationality == \
        "Ghana"


def test_replication_is_not_refused_on_an_approved_meeting(tmp_path: Path, store: Store,
                                                           table: Table) -> None:
    """An edit made on another laptop before it saw the approval still arrives: refusing it
    would make the replicas diverge."""
    other = Store.open(tmp_path / "other.db", PASSPHRASE, author="Ander", create=True)
    try:
        other.apply_remote(store.all_ops())
        other.record_view(table.case_item.id, table.orgs[1].id, "stay", "offline gezegd")
        store.approve_minutes(table.meeting.id, on=APPROVED_ON)
        result = store.apply_remote([o for o in other.all_ops()
                                     if o.device_id == other.device_id])
        assert result.applied > 0
        assert {v.organisation_id for v in store.views(table.case_item.id)} == {
            table.orgs[0].id, table.orgs[1].id}
        assert store.check() == []
    finally:
        other.close()


# -- the decision rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consensus", "dissent", "code"),
    [
        ("none", [], "error.dissent_required"),
        ("none", [(1, "  ")], "error.dissent_reason"),
        ("none", [(1, "medisch"), (1, "ook")], "error.dissent_twice"),
        ("unanimous", [(1, "toch niet")], "error.dissent_unanimous"),
    ],
)
def test_decision_rules_are_enforced_by_the_store(store: Store, table: Table, consensus: str,
                                                  dissent: list, code: str) -> None:
    given = [d.Dissent(table.orgs[n].id, reason) for n, reason in dissent]
    exc = _refused(store, lambda: store.decide(table.case_item.id, "return", "x", consensus,
                                               given, "mrt"), RuleViolation)
    assert (exc.field, exc.code) == ("dissent", code)


def test_a_decision_without_consensus_with_a_reasoned_dissent_is_recorded(
        store: Store, table: Table) -> None:
    dissent = (d.Dissent(table.orgs[4].id, "Medische situatie"),)
    x = store.decide(table.case_item.id, "return", "meerderheid", "none", dissent, "none")
    assert x.consensus is d.Consensus.NONE and x.dissent == dissent
    reservation = store.decide(table.case_item.id, "return", "", "reservation",
                               [d.Dissent(table.orgs[1].id, "")])
    assert reservation.consensus is d.Consensus.RESERVATION


@pytest.mark.parametrize("call", ["view", "decision"])
def test_views_and_decisions_only_on_case_items(store: Store, table: Table, call: str) -> None:
    item = table.general_item.id
    if call == "view":
        exc = _refused(store, lambda: store.record_view(item, table.orgs[0].id, "return"),
                       RuleViolation)
    else:
        exc = _refused(store, lambda: store.decide(item, "return", "x"), RuleViolation)
    assert (exc.field, exc.code) == ("item", "error.case_item_only")
    assert store.views(item) == [] and store.decision(item) is None


# -- one case once per agenda ------------------------------------------------------------------


def test_one_case_only_once_per_agenda(store: Store, table: Table) -> None:
    case_id = table.case_item.case_id
    exc = _refused(store, lambda: store.add_agenda_item(table.meeting.id, "case",
                                                        case_id=case_id), RuleViolation)
    assert (exc.field, exc.code, exc.params) == ("case_id", "error.case_on_agenda",
                                                 {"case_code": "R-001"})
    # on another meeting's agenda it is fine, and again here once the item is removed
    later = store.create_meeting(table.overleg.id, "2026-04-07")
    assert store.add_agenda_item(later.id, "case", case_id=case_id).case_id == case_id
    store.remove_agenda_item(table.case_item.id)
    assert store.add_agenda_item(table.meeting.id, "case", case_id=case_id).case_id == case_id


def test_a_case_of_another_overleg_is_refused(store: Store, table: Table) -> None:
    elsewhere = store.create_overleg("LSO Elders", "Elders")
    foreign = store.create_case(elsewhere.id, "E-1")
    exc = _refused(store, lambda: store.add_agenda_item(table.meeting.id, "case",
                                                        case_id=foreign.id), ValidationError)
    assert (exc.field, exc.code) == ("case_id", "error.choice")


# -- limits and formats, one definition for store and forms -------------------------------------


@pytest.mark.parametrize(
    ("call", "field", "code", "params"),
    [
        (lambda s, x: s.add_agenda_item(x.meeting.id, "other", timebox_min="veel"),
         "timebox_min", "error.number", {}),
        (lambda s, x: s.add_agenda_item(x.meeting.id, "other", timebox_min=601),
         "timebox_min", "error.range", {"low": 0, "high": 600}),
        (lambda s, x: s.update_agenda_item(x.case_item.id, timebox_min="1.5"),
         "timebox_min", "error.number", {}),
        (lambda s, x: s.update_agenda_item(x.case_item.id, timebox_min=-1),
         "timebox_min", "error.range", {"low": 0, "high": 600}),
        (lambda s, x: s.update_case(x.other_case.id, stay_term_days=3651),
         "stay_term_days", "error.range", {"low": 0, "high": 3650}),
        (lambda s, x: s.update_case(x.other_case.id, stay_term_days="een jaar"),
         "stay_term_days", "error.number", {}),
        (lambda s, x: s.decide(x.case_item.id, "return", review_date="31-02-2026"),
         "review_date", "error.date", {}),
        (lambda s, x: s.decide(x.case_item.id, "return", "", "none",
                               [d.Dissent(x.orgs[1].id, "r")], "mrt",
                               escalation_date="volgende week"),
         "escalation_date", "error.date", {}),
        (lambda s, x: s.create_overleg("LSO X", "X", places="veel"), "places", "error.number",
         {}),
    ],
)
def test_limits_and_formats_refuse_with_a_field_and_a_code(store: Store, table: Table, call,
                                                           field: str, code: str,
                                                           params: dict) -> None:
    exc = _refused(store, lambda: call(store, table), ValidationError)
    assert (exc.field, exc.code, exc.params) == (field, code, params)


def test_dates_in_either_format_are_stored_as_iso(store: Store, table: Table) -> None:
    x = store.decide(table.case_item.id, "return", "", "none",
                     [d.Dissent(table.orgs[1].id, "r")], "mrt", escalation_date="17-03-2026",
                     review_date="2026-04-14")
    assert (x.escalation_date, x.review_date) == (dt.date(2026, 3, 17), dt.date(2026, 4, 14))
    assert store.update_agenda_item(table.case_item.id, timebox_min=" 20 ").timebox_min == 20
    assert store.update_agenda_item(table.case_item.id, timebox_min="").timebox_min is None


def test_the_forms_use_the_stores_own_limits() -> None:
    from screens.timebox_form import parse_minutes

    for text, code in (("601", "error.range"), ("x", "error.number")):
        with pytest.raises(ValidationError) as info:
            parse_minutes(text)
        assert info.value.code == code
    assert parse_minutes("45") == 45 and parse_minutes("  ") is None


# -- an overleg with its partners: one call, one transaction -----------------------------------


def test_an_overleg_with_its_partners_is_one_transaction(store: Store,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ov = store.create_overleg_with_partners("LSO Eén", "Eén")
    assert [(o.name, o.kind, o.sort) for o in store.organisations(ov.id)] == [
        (name, kind, n) for n, (name, kind) in enumerate(d.DEFAULT_PARTNERS, start=1)]
    # a failure half-way writes nothing: no overleg without its partners
    before, calls = store.op_count(), []
    real = store._set

    def failing(conn, entity, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(entity)
        if calls.count("organisation") == 3:
            raise OSError("disk full")
        return real(conn, entity, *args, **kwargs)

    monkeypatch.setattr(store, "_set", failing)
    with pytest.raises(OSError):
        store.create_overleg_with_partners("LSO Twee", "Twee")
    monkeypatch.undo()
    assert store.op_count() == before
    assert [o.name for o in store.overleggen()] == ["LSO Eén"]
    assert store.check() == []


def test_a_bad_partner_is_refused_before_anything_is_written(store: Store) -> None:
    exc = _refused(store, lambda: store.create_overleg_with_partners(
        "LSO Drie", "Drie", partners=[("IND", "ind"), ("?", "martians")]), ValidationError)
    assert (exc.field, exc.code) == ("kind", "error.choice")
    assert store.overleggen() == []


# -- every refusal can be shown -----------------------------------------------------------------

CODES = ["error.locked", "error.locked_on", "error.case_item_only", "error.case_on_agenda",
         "error.dissent_required", "error.dissent_reason", "error.dissent_twice",
         "error.dissent_unanimous", "error.number", "error.range", "error.date", "error.choice"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_refusal_code_has_a_text_in_both_catalogs(lang: str) -> None:
    from lvv_tui import i18n

    texts = {code: i18n.catalog(lang).get(code) for code in CODES}
    assert [c for c, text in texts.items() if not text] == []
    assert "2026-03-17" in i18n.t("error.locked_on", lang=lang, date="2026-03-17")
    assert "R-1" in i18n.t("error.case_on_agenda", lang=lang, case_code="R-1")
