"""Issue 17: an edit names what its author saw. The issue's scenario through both hubs."""

from __future__ import annotations

from sync_helpers import seed_meeting

from db import domain as d
from db.sync import sync_once


def _views(store, item_id: str) -> dict[str, d.View]:
    return {v.organisation_id: v for v in store.views(item_id)}


def test_stale_form_saved_after_a_merge_is_a_conflict_on_both_laptops(
    hub_url: str, laptops
) -> None:
    a, b = laptops("Voorzitter"), laptops("Secretaris")
    _, _, item_id = seed_meeting(a)
    org = a.views(item_id)[0].organisation_id
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    # both laptops note something different offline: a conflict
    a.record_view(item_id, org, d.Position.RETURN, "Notitie A",
                  seen=_views(a, item_id)[org].seen)
    b.record_view(item_id, org, d.Position.RETURN, "Notitie B",
                  seen=_views(b, item_id)[org].seen)
    for laptop in (a, b, a):
        sync_once(laptop, hub_url)
    [conflict] = a.conflicts()
    assert (conflict.entity, conflict.field) == ("partner_view", "note")
    # B opens the view form now: it shows B's stale state (the winner of the conflict)
    stale = _views(b, item_id)[org]
    # A merges
    a.resolve_conflict(conflict, "Notitie A en B samengevoegd")
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    assert b.conflicts() == []
    assert _views(b, item_id)[org].note == "Notitie A en B samengevoegd"
    # B saves the form it opened before the merge, with an edit of the stale text
    b.record_view(item_id, org, d.Position.RETURN, stale.note + ", aangevuld", seen=stale.seen)
    for laptop in (b, a):
        sync_once(laptop, hub_url)
    for laptop in (a, b):
        [again] = laptop.conflicts()
        assert (again.entity, again.field) == ("partner_view", "note")
        assert {v.value for v in again.values} == {
            "Notitie A en B samengevoegd", stale.note + ", aangevuld"}
        assert "note" in _views(laptop, item_id)[org].conflicts
    assert a.dump() == b.dump()


def test_a_stale_form_saved_unchanged_leaves_the_merge(hub_url: str, laptops) -> None:
    a, b = laptops("Voorzitter"), laptops("Secretaris")
    _, _, item_id = seed_meeting(a)
    org = a.views(item_id)[0].organisation_id
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    stale = _views(b, item_id)[org]
    a.record_view(item_id, org, d.Position.STAY, "nieuw", seen=_views(a, item_id)[org].seen)
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    # saving the stale form with nothing changed is no edit: nothing is reverted
    b.record_view(item_id, org, stale.position, stale.note, seen=stale.seen)
    assert _views(b, item_id)[org].note == "nieuw"
    assert _views(b, item_id)[org].position is d.Position.STAY
    assert b.conflicts() == []


def test_resolving_a_decision_sets_the_case_perspective(hub_url: str, laptops) -> None:
    a, b = laptops("Voorzitter"), laptops("Secretaris")
    _, _, item_id = seed_meeting(a)
    case_id = a.agenda_item(item_id).case_id
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    a.decide(item_id, d.Perspective.RETURN, "terugkeer", seen=frozenset())
    b.decide(item_id, d.Perspective.ONWARD, "doormigratie", seen=frozenset())
    for laptop in (a, b, a):
        sync_once(laptop, hub_url)
    for laptop in (a, b):
        assert "perspective" in laptop.case(case_id).conflicts  # marked until resolved
    conflict = next(c for c in a.conflicts()
                    if (c.entity, c.field) == ("decision", "perspective"))
    a.resolve_conflict(conflict, d.Perspective.RETURN.value)
    for laptop in (a, b):
        sync_once(laptop, hub_url)
    for laptop in (a, b):
        case = laptop.case(case_id)
        assert case.perspective is d.Perspective.RETURN
        assert "perspective" not in case.conflicts
    assert a.dump() == b.dump()
