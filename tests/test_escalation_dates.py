"""The date an escalation was sent (or its advice came back) may not lie after today: the
store refuses it on every write path (the escalation screen counts a thread as open from the
day it was sent, so a later date made the list and its count differ)."""

from __future__ import annotations

import datetime as dt

import pytest

from db import domain as d
from db.store import Store, ValidationError
from tests.test_escalations import D1, World, make_world

TODAY = D1 + dt.timedelta(days=3)
LATER = TODAY + dt.timedelta(days=1)


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def test_a_thread_is_not_sent_after_today(store: Store, world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        store.open_escalation(world.items[0], sent_on=LATER, today=TODAY)
    assert (exc.value.field, exc.value.code) == ("sent_on", "escalation.error.after_today")
    x = store.open_escalation(world.items[0], today=TODAY)
    with pytest.raises(ValidationError) as exc:
        store.send_escalation(x.id, LATER, today=TODAY)
    assert exc.value.code == "escalation.error.after_today"
    assert exc.value.params == {"today": TODAY.isoformat()}
    assert store.escalation(x.id).status is d.EscalationStatus.DRAFT
    x = store.send_escalation(x.id, TODAY, today=TODAY)  # today itself is fine
    assert x.sent_on == TODAY
    assert store.escalations_open(world.overleg, on=TODAY) == len(
        store.escalations(world.overleg, open_only=True)) == 1


def test_no_advice_after_today(store: Store, world: World) -> None:
    x = store.open_escalation(world.items[0], sent_on=D1, today=TODAY)
    with pytest.raises(ValidationError) as exc:  # the later meeting's date, not yet come
        store.record_advice(x.id, "Advies", item_id=world.items[1], today=TODAY)
    assert (exc.value.field, exc.value.code) == ("advice_on", "escalation.error.after_today")
    x = store.record_advice(x.id, "Advies", received_on=TODAY, today=TODAY)
    assert x.advice_on == TODAY


def test_the_decision_escalation_date_is_not_after_today(store: Store, world: World) -> None:
    args = (world.items[0], d.Perspective.RETURN, "Terugkeer", d.Consensus.NONE,
            [d.Dissent(world.orgs["ngo"], "Nee")], d.Escalation.MRT, "Vraag?")
    with pytest.raises(ValidationError) as exc:
        store.decide(*args, LATER, today=TODAY)
    assert (exc.value.field, exc.value.code) == ("escalation_date",
                                                 "escalation.error.after_today")
    store.decide(*args, TODAY, today=TODAY)
    x = store.escalation_from_decision(world.items[0], today=TODAY)
    assert x is not None and x.sent_on == TODAY
