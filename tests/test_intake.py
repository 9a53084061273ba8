"""A case's life from intake to exit: the steps and their rules, called on the store."""

from __future__ import annotations

import datetime as dt

import pytest

from db import domain as d
from db.rules import ValidationError

D = dt.date.fromisoformat


@pytest.fixture
def lso(store):  # noqa: ANN001, ANN201
    ov = store.create_overleg("LSO Teststad", "Teststad")
    orgs = {k: store.add_organisation(ov.id, k.value, k) for k in
            (d.OrgKind.GEMEENTE, d.OrgKind.IND, d.OrgKind.DTENV, d.OrgKind.NGO)}
    return ov, orgs


def _item(store, ov, case, day: str):  # noqa: ANN001, ANN202
    meeting = store.create_meeting(ov.id, day, standard_agenda=False)
    return store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)


def _codes(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.field, exc.value.code


def test_a_new_case_is_put_forward_and_shows_in_intake(store, lso) -> None:  # noqa: ANN001
    ov, _orgs = lso
    case = store.create_case(ov.id, "C-1", put_forward_by="Gemeente", put_forward_on="02-01-2024")
    assert case.status is d.CaseStatus.INTAKE
    (stay,) = store.stays(case.id)
    assert (stay.number, stay.put_forward_on, stay.put_forward_by) == (1, D("2024-01-02"),
                                                                       "Gemeente")
    rows = store.intake_overview(ov.id, today=D("2024-01-03"))
    assert [(r.case.code, r.step) for r in rows] == [("C-1", d.IntakeStep.PUT_FORWARD)]
    # a stay is open: it cannot be put forward a second time
    with pytest.raises(ValidationError) as exc:
        store.put_forward(case.id, "NGO", "2024-01-05")
    assert _codes(exc) == ("put_forward_on", "error.stay_open")


def test_intake_steps_and_the_rest_period(store, lso) -> None:  # noqa: ANN001
    ov, orgs = lso
    case = store.create_case(ov.id, "C-1", put_forward_on="2024-01-02")
    item = _item(store, ov, case, "2024-01-10")
    with pytest.raises(ValidationError) as exc:
        store.set_scenario(item.id, d.Perspective.RETURN)
    assert _codes(exc) == ("scenario", "error.not_admitted")
    stay = store.decide_intake(item.id, d.LvvVerdict.YES)
    assert (stay.lvv_verdict, stay.intake_date, stay.lvv_item_id) == (
        d.LvvVerdict.YES, D("2024-01-10"), item.id)
    assert store.case(case.id).status is d.CaseStatus.ACTIVE
    assert store.case(case.id).intake_date == D("2024-01-10")
    assert store.agenda_item(item.id).status is d.ItemStatus.DISCUSSED
    with pytest.raises(ValidationError) as exc:
        store.decide_intake(item.id, d.LvvVerdict.NO, "twice")
    assert _codes(exc) == ("lvv_verdict", "error.intake_decided")
    assert store.current_stay(case.id).step(D("2024-01-11")) is d.IntakeStep.DOSSIERS
    with pytest.raises(ValidationError) as exc:  # a dossier before the intake
        store.record_dossier(case.id, "ind", "2024-01-09")
    assert _codes(exc) == ("ind_dossier_on", "error.before_intake")
    store.record_dossier(case.id, d.OrgKind.IND, "2024-01-20")
    assert store.current_stay(case.id).rest_period_end is None  # DTenV still outstanding
    stay = store.record_dossier(case.id, d.OrgKind.DTENV, "05-02-2024")
    # the rusttermijn: 14 days from the later of the two dossiers
    assert stay.rest_period_end == D("2024-02-19")
    assert stay.step(D("2024-02-18")) is d.IntakeStep.REST_PERIOD
    assert stay.step(D("2024-02-19")) is d.IntakeStep.SCENARIO
    early = _item(store, ov, case, "2024-02-18")
    with pytest.raises(ValidationError) as exc:
        store.set_scenario(early.id, d.Perspective.RETURN)
    assert _codes(exc) == ("scenario", "error.rest_period")
    assert exc.value.params == {"end": "2024-02-19"}
    on_time = _item(store, ov, case, "2024-02-19")
    gemeente, dtenv = orgs[d.OrgKind.GEMEENTE], orgs[d.OrgKind.DTENV]
    stay = store.set_scenario(on_time.id, d.Perspective.RETURN, [
        (dtenv.id, "Vertrekgesprek plannen", "2024-03-01"),
        (gemeente.id, "Begeleiding regelen", None)])
    assert (stay.scenario, stay.scenario_on, stay.step(D("2024-02-20"))) == (
        d.Perspective.RETURN, D("2024-02-19"), d.IntakeStep.GUIDANCE)
    assert store.case(case.id).perspective is d.Perspective.RETURN
    inzet = store.actions(item_id=on_time.id)
    assert sorted((a.owner_organisation_id, a.text, a.due_date) for a in inzet) == sorted([
        (dtenv.id, "Vertrekgesprek plannen", D("2024-03-01")),
        (gemeente.id, "Begeleiding regelen", None)])
    assert store.intake_overview(ov.id, today=D("2024-02-20")) == []
    assert store.check() == []


def test_not_admitted_needs_a_reason_and_stays_on_record(store, lso) -> None:  # noqa: ANN001
    ov, _orgs = lso
    case = store.create_case(ov.id, "C-2", put_forward_on="2024-01-02")
    item = _item(store, ov, case, "2024-01-10")
    for verdict in (d.LvvVerdict.NO, d.LvvVerdict.EXCEPTION):
        with pytest.raises(ValidationError) as exc:
            store.decide_intake(item.id, verdict, "  ")
        assert _codes(exc) == ("lvv_reason", "error.reason_required")
    stay = store.decide_intake(item.id, d.LvvVerdict.NO, "Geen uitgeprocedeerde vreemdeling")
    assert (stay.lvv_verdict, stay.intake_date, stay.lvv_reason) == (
        d.LvvVerdict.NO, None, "Geen uitgeprocedeerde vreemdeling")
    case = store.case(case.id)
    assert (case.status, case.intake_date) == (d.CaseStatus.NOT_ADMITTED, None)
    assert [c.code for c in store.cases(ov.id, status="not_admitted")] == ["C-2"]
    assert store.intake_overview(ov.id, today=D("2024-01-11")) == []
    with pytest.raises(ValidationError) as exc:  # no exit of a case never admitted
        store.record_exit(case.id, "2024-02-01", d.OutcomeSubtype.RETURN)
    assert _codes(exc) == ("case_id", "error.not_admitted")
    with pytest.raises(ValidationError) as exc:  # nor an intake date through the case form
        store.update_case(case.id, intake_date="2024-01-10")
    assert _codes(exc) == ("intake_date", "error.not_admitted")


def test_admitted_as_an_exception(store, lso) -> None:  # noqa: ANN001
    ov, _orgs = lso
    case = store.create_case(ov.id, "C-3", put_forward_on="2024-01-02")
    item = _item(store, ov, case, "2024-01-10")
    stay = store.decide_intake(item.id, "exception", "Stuurgroep: schrijnend")
    assert stay.admitted and stay.intake_date == D("2024-01-10")
    assert store.case(case.id).status is d.CaseStatus.ACTIVE


def test_an_exit_needs_a_subtype_that_fixes_the_category(store, lso) -> None:  # noqa: ANN001
    ov, _orgs = lso
    case = store.create_case(ov.id, "C-4", intake_date="2024-01-10")
    item = _item(store, ov, case, "2024-06-01")
    with pytest.raises(ValidationError) as exc:
        store.record_exit(case.id, "2024-06-01", None)  # type: ignore[arg-type]
    assert _codes(exc) == ("outcome_subtype", "error.exit_needs_outcome")
    with pytest.raises(ValidationError) as exc:
        store.record_exit(case.id, "2024-06-01", "somewhere")
    assert _codes(exc) == ("outcome_subtype", "error.choice")
    with pytest.raises(ValidationError) as exc:
        store.record_exit(case.id, "2024-01-09", d.OutcomeSubtype.RETURN)
    assert _codes(exc) == ("exit_date", "error.exit_before_intake")
    stay = store.record_exit(case.id, "2024-06-01", "art64", item_id=item.id)
    assert (stay.exit_date, stay.outcome_subtype, stay.outcome_category, stay.exit_item_id) == (
        D("2024-06-01"), d.OutcomeSubtype.ART64, d.OutcomeCategory.SEMI_DURABLE, item.id)
    case = store.case(case.id)
    assert (case.status, case.exit_date, case.outcome_category) == (
        d.CaseStatus.LEFT, D("2024-06-01"), d.OutcomeCategory.SEMI_DURABLE)
    with store._read() as conn:  # the category is stored as the subtype says
        row = store._row(conn, "stay", stay.id)
    assert row["outcome_category"] == "semi_durable"
    with pytest.raises(ValidationError) as exc:
        store.record_exit(case.id, "2024-06-02", "return")
    assert _codes(exc) == ("exit_date", "error.already_left")


def test_every_subtype_has_its_category() -> None:
    expected = {
        "return": "durable", "onward": "durable", "permit": "durable",
        "repeat_asylum": "semi_durable", "art64": "semi_durable",
        "ended": "none", "unknown_destination": "none", "detention": "none",
    }
    assert {s.value: s.category.value for s in d.OutcomeSubtype} == expected


def test_the_case_form_goes_through_the_same_rules(store, lso) -> None:  # noqa: ANN001
    ov, _orgs = lso
    case = store.create_case(ov.id, "C-5", intake_date="2024-01-10")
    cases = [
        ({"exit_date": "2024-02-01"}, ("outcome_subtype", "error.exit_needs_outcome")),
        ({"outcome_subtype": "return"}, ("exit_date", "error.outcome_needs_exit")),
        ({"exit_date": "2024-01-01", "outcome_subtype": "return"},
         ("exit_date", "error.exit_before_intake")),
        ({"status": "left"}, ("status", "error.status_exit")),
    ]
    before = store.op_count()
    for fields, expected in cases:
        with pytest.raises(ValidationError) as exc:
            store.update_case(case.id, **fields)
        assert _codes(exc) == expected, fields
    assert store.op_count() == before  # refused: nothing written
    with pytest.raises(ValidationError) as exc:
        store.create_case(ov.id, "C-6", exit_date="2024-02-01", outcome_subtype="ended")
    assert _codes(exc) == ("intake_date", "error.exit_needs_intake")
    updated = store.update_case(case.id, exit_date="01-03-2024", outcome_subtype="detention",
                                status="left")
    assert (updated.status, updated.outcome_category) == (d.CaseStatus.LEFT,
                                                          d.OutcomeCategory.NONE)
    (stay,) = store.stays(case.id)
    assert (stay.exit_date, stay.outcome_subtype) == (D("2024-03-01"),
                                                      d.OutcomeSubtype.DETENTION)


def test_a_case_that_left_comes_back_as_a_new_stay(store, lso) -> None:  # noqa: ANN001
    ov, _orgs = lso
    case = store.create_case(ov.id, "C-7", intake_date="2023-01-10")
    store.record_exit(case.id, "2023-06-30", d.OutcomeSubtype.UNKNOWN_DEST)
    with pytest.raises(ValidationError) as exc:
        store.put_forward(case.id, "NGO", "2023-06-29")
    assert _codes(exc) == ("put_forward_on", "error.before_last_stay")
    second = store.put_forward(case.id, "NGO", "2024-02-01")
    assert (second.number, second.intake_date, second.exit_date) == (2, None, None)
    assert store.case(case.id).status is d.CaseStatus.INTAKE
    item = _item(store, ov, case, "2024-02-07")
    store.decide_intake(item.id, d.LvvVerdict.YES)
    first, second = store.stays(case.id)
    assert (first.intake_date, first.exit_date, first.outcome_subtype) == (
        D("2023-01-10"), D("2023-06-30"), d.OutcomeSubtype.UNKNOWN_DEST)
    assert (second.intake_date, second.exit_date) == (D("2024-02-07"), None)
    case = store.case(case.id)  # the case shows its latest stay
    assert (case.status, case.intake_date, case.exit_date, case.outcome_subtype) == (
        d.CaseStatus.ACTIVE, D("2024-02-07"), None, None)
    assert store.check() == []


def test_the_next_step_goes_on_the_next_meeting_when_asked(store, lso) -> None:  # noqa: ANN001
    ov, _orgs = lso
    case = store.create_case(ov.id, "C-8", put_forward_on="2024-01-02")
    assert store.plan_next_intake_step(case.id, today=D("2024-01-03")) is None  # no meeting
    store.create_meeting(ov.id, "2024-01-01", standard_agenda=False)  # in the past
    nxt = store.create_meeting(ov.id, "2024-01-17", standard_agenda=False)
    store.create_meeting(ov.id, "2024-01-31", standard_agenda=False)
    item = store.plan_next_intake_step(case.id, today=D("2024-01-03"))
    assert item is not None
    assert (item.meeting_id, item.case_id, item.kind) == (nxt.id, case.id, d.ItemKind.CASE)
    assert store.plan_next_intake_step(case.id, today=D("2024-01-03")) is None  # on it already


def test_a_decision_on_a_case_put_forward_admits_it(store, lso) -> None:  # noqa: ANN001
    ov, _orgs = lso
    case = store.create_case(ov.id, "C-9", put_forward_on="2024-01-02")
    item = _item(store, ov, case, "2024-01-10")
    store.decide(item.id, d.Perspective.RESEARCH)
    stay = store.current_stay(case.id)
    assert (stay.lvv_verdict, stay.intake_date, stay.lvv_item_id) == (
        d.LvvVerdict.YES, D("2024-01-10"), item.id)
    assert store.case(case.id).status is d.CaseStatus.ACTIVE
    # a case the LSO did not admit stays not admitted whatever is decided later
    other = store.create_case(ov.id, "C-10", put_forward_on="2024-01-02")
    first = _item(store, ov, other, "2024-01-11")
    store.decide_intake(first.id, d.LvvVerdict.NO, "Geen LVV-zaak")
    store.decide(_item(store, ov, other, "2024-01-12").id, d.Perspective.END)
    assert store.case(other.id).status is d.CaseStatus.NOT_ADMITTED
    assert store.current_stay(other.id).intake_date is None
    assert store.check() == []


def test_the_intake_decision_goes_on_the_latest_item_since_put_forward(store, lso) -> None:  # noqa: ANN001
    ov, _orgs = lso
    case = store.create_case(ov.id, "C-11", put_forward_on="2024-01-05")
    _item(store, ov, case, "2024-01-03")  # before it was put forward
    assert store.intake_agenda_item(case.id, today=D("2024-01-20")) is None
    item = _item(store, ov, case, "2024-01-17")
    _item(store, ov, case, "2024-01-31")  # after today
    found = store.intake_agenda_item(case.id, today=D("2024-01-20"))
    assert found is not None and found.id == item.id


def test_an_exit_at_an_item_is_of_that_case_and_obeys_the_meeting_lock(store, lso) -> None:  # noqa: ANN001
    from db.store import Locked

    ov, _orgs = lso
    case = store.create_case(ov.id, "C-1", intake_date="2024-01-10")
    other = store.create_case(ov.id, "C-2", intake_date="2024-01-10")
    elsewhere = _item(store, ov, other, "2024-03-01")
    with pytest.raises(ValidationError) as exc:
        store.record_exit(case.id, "2024-03-01", "return", item_id=elsewhere.id)
    assert _codes(exc) == ("exit_item_id", "error.other_case")
    item = _item(store, ov, case, "2024-03-01")
    store.approve_minutes(item.meeting_id)
    with pytest.raises(Locked):
        store.record_exit(case.id, "2024-03-01", "return", item_id=item.id)
    assert store.current_stay(case.id).exit_date is None  # nothing was written


def test_the_timeline_shows_every_stay_at_its_items(store, lso) -> None:  # noqa: ANN001
    ov, _orgs = lso
    case = store.create_case(ov.id, "C-1", put_forward_on="2024-01-02", put_forward_by="NGO")
    first = _item(store, ov, case, "2024-01-10")
    store.decide_intake(first.id, d.LvvVerdict.YES)
    leaving = _item(store, ov, case, "2024-05-01")
    store.record_exit(case.id, "2024-05-01", "detention", item_id=leaving.id)
    store.put_forward(case.id, "Gemeente", "2024-07-01")
    back = _item(store, ov, case, "2024-07-08")
    store.decide_intake(back.id, d.LvvVerdict.NO, "Geen LVV-zaak meer")
    lines = [(e.on, e.kind, e.value, e.item_id, e.text) for e in store.case_timeline(case.id)]
    assert lines == [
        (D("2024-07-08"), "intake", "no", back.id, "Geen LVV-zaak meer"),
        (D("2024-07-01"), "put_forward", None, None, "Gemeente"),
        (D("2024-05-01"), "exit", "detention", leaving.id, ""),
        (D("2024-01-10"), "intake", "yes", first.id, ""),
        (D("2024-01-02"), "put_forward", None, None, "NGO"),
    ]
