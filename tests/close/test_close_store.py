"""The checklist, closing a meeting, deferred items and the action list, in the core."""

from __future__ import annotations

import datetime as dt

import pytest

from db import domain as d
from db.rules import Locked, RuleViolation
from db.store import Store


@pytest.fixture
def table(store: Store):  # noqa: ANN201
    ov = store.create_overleg_with_partners("LSO Sluitstad", "Sluitstad", 40)
    orgs = store.organisations(ov.id)
    c1 = store.create_case(ov.id, "S-001")
    c2 = store.create_case(ov.id, "S-002")
    c3 = store.create_case(ov.id, "S-003")
    m1 = store.create_meeting(ov.id, "2026-03-10", "10:00", "Stadhuis")
    m2 = store.create_meeting(ov.id, "2026-03-24", "10:00", "Stadhuis")
    items = [store.add_agenda_item(m1.id, d.ItemKind.CASE, case_id=c.id) for c in (c1, c2, c3)]
    return ov, orgs, m1, m2, items


def _kinds(points) -> list[tuple[str, str | None]]:  # noqa: ANN001
    return [(p.kind, p.item_id or p.organisation_id) for p in points]


def test_checklist_names_every_open_point(store: Store, table) -> None:  # noqa: ANN001
    ov, orgs, m1, _m2, items = table
    store.decide(items[0].id, d.Perspective.RETURN, "ok")
    store.update_agenda_item(items[1].id, status=d.ItemStatus.DISCUSSED)
    store.defer_item(items[2].id)
    for org in orgs[1:]:
        store.set_attendance(m1.id, org.id, d.Attendance.PRESENT)
    store.set_minutes_text(m1.id, items[0].id, "Besproken")
    points = store.meeting_checklist(m1.id)
    agenda = store.agenda(m1.id)
    open_general = [(("item_open", i.id)) for i in agenda if i.kind is not d.ItemKind.CASE]
    assert _kinds(points) == [
        *open_general,
        ("no_decision", items[1].id),
        ("attendance_unknown", orgs[0].id),
        ("no_summary", items[1].id),
    ]
    assert [p.blocking for p in points][-1] is False


def test_close_is_refused_with_blocking_points_unless_confirmed(store: Store, table) -> None:  # noqa: ANN001
    _ov, _orgs, m1, _m2, _items = table
    with pytest.raises(RuleViolation) as err:
        store.close_meeting(m1.id)
    assert err.value.code == "error.checklist_open"
    assert store.meeting(m1.id).status is d.MeetingStatus.PLANNED
    assert store.close_meeting(m1.id, confirmed=True).status is d.MeetingStatus.HELD


def test_close_without_open_points_needs_no_confirmation(store: Store, table) -> None:  # noqa: ANN001
    _ov, orgs, m1, _m2, items = table
    for item in store.agenda(m1.id):
        if item.kind is d.ItemKind.CASE:
            store.decide(item.id, d.Perspective.RETURN, "ok")
        else:
            store.update_agenda_item(item.id, status=d.ItemStatus.DISCUSSED)
    for org in orgs:
        store.set_attendance(m1.id, org.id, d.Attendance.PRESENT)
    assert [p for p in store.meeting_checklist(m1.id) if p.blocking] == []
    assert store.close_meeting(m1.id).status is d.MeetingStatus.HELD


def test_close_is_refused_after_approval(store: Store, table) -> None:  # noqa: ANN001
    _ov, _orgs, m1, _m2, _items = table
    store.approve_minutes(m1.id)
    with pytest.raises(Locked):
        store.close_meeting(m1.id, confirmed=True)


def test_deferred_items_go_to_the_next_meeting_once(store: Store, table) -> None:  # noqa: ANN001
    _ov, _orgs, m1, m2, items = table
    store.defer_item(items[2].id)
    carried = store.carry_deferred(m1.id)
    assert [c.to_meeting_id for c in carried] == [m2.id]
    agenda = store.agenda(m2.id)
    case_rows = [i for i in agenda if i.kind is d.ItemKind.CASE]
    assert [i.case_id for i in case_rows] == [items[2].case_id]
    kinds = [i.kind for i in agenda]
    assert kinds.index(d.ItemKind.CASE) < kinds.index(d.ItemKind.AOB)
    assert store.carry_deferred(m1.id) == []  # already there: not twice


def test_carry_deferred_without_a_next_meeting_is_a_message(store: Store, table) -> None:  # noqa: ANN001
    _ov, _orgs, _m1, m2, _items = table
    with pytest.raises(RuleViolation) as err:
        store.carry_deferred(m2.id)
    assert err.value.code == "error.no_next_meeting"


def test_action_list_filters_and_reopen(store: Store, table) -> None:  # noqa: ANN001
    ov, orgs, m1, m2, items = table
    a1 = store.add_action(items[0].id, orgs[1].id, "Dossier", "2026-03-01")
    a2 = store.add_action(items[1].id, orgs[2].id, "Gesprek", "2026-04-01")
    a3 = store.add_action(items[2].id, orgs[1].id, "Brief", None)
    today = dt.date(2026, 3, 15)
    assert [a.id for a in store.action_list(ov.id, today=today)] == [a1.id, a2.id, a3.id]
    assert [a.id for a in store.action_list(ov.id, owner_organisation_id=orgs[1].id,
                                            today=today)] == [a1.id, a3.id]
    assert [a.id for a in store.action_list(ov.id, overdue=True, today=today)] == [a1.id]
    assert [a.id for a in store.action_list(ov.id, case_id=items[1].case_id,
                                            today=today)] == [a2.id]
    store.close_action(a1.id)
    assert a1.id not in [a.id for a in store.action_list(ov.id, today=today)]
    reopened = store.reopen_action(a1.id)
    assert reopened.status is d.ActionStatus.OPEN and reopened.closed_on is None
    store.close_action(a2.id)
    closed_today = dt.date.today()
    later = store.create_meeting(ov.id, closed_today + dt.timedelta(days=1))
    assert [a.id for a in store.actions_closed_since_previous(later.id)] == [a2.id]
