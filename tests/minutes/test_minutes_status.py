"""Minutes status: approval locks, corrections are recorded; carry-over; summaries sync as ops."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from db.store import Locked, Store
from lvv_tui.export import to_html, to_markdown
from lvv_tui.minutes import build_minutes


def test_approved_minutes_refuse_an_edit_and_accept_a_correction(store, fixed, made_on):
    item = fixed.item_ids["A"]
    store.set_minutes_text(fixed.meeting_id, item, "Concepttekst")
    store.approve_minutes(fixed.meeting_id, fixed.next_meeting_id, on=dt.date(2026, 4, 7))
    with pytest.raises(Locked):
        store.set_minutes_text(fixed.meeting_id, item, "Stilletjes gewijzigd")
    assert store.minutes_texts(fixed.meeting_id)[item] == "Concepttekst"
    store.add_correction(fixed.meeting_id, "Lees 'IND' in plaats van 'DTenV'.", item,
                         on=dt.date(2026, 4, 8))
    doc = build_minutes(store, fixed.meeting_id, made_on=made_on)
    assert doc.locked
    assert doc.header.approved_on_text == "7 april 2026"
    assert [c.text for c in doc.corrections] == ["Lees 'IND' in plaats van 'DTenV'."]
    assert doc.corrections[0].item == "4. Casus VBS-001"
    md = to_markdown(doc)
    assert "**Status:** Vastgesteld op 7 april 2026" in md
    assert "## Correcties na vaststelling" in md
    assert "Correctie van 8 april 2026 door Tester (4. Casus VBS-001):" in md
    assert "Concepttekst" in md and "Stilletjes" not in md
    assert "Correcties na vaststelling" in to_html(doc)


def test_an_approved_record_refuses_a_view_and_an_absence_and_the_export_stays(
        store, fixed, made_on):
    """The issue's probe: after approval a new view or 'Afwezig: IND' must not show up in the
    approved minutes; an action can still be closed, a correction can be recorded."""
    store.approve_minutes(fixed.meeting_id, fixed.next_meeting_id, on=dt.date(2026, 4, 7))
    before = to_markdown(build_minutes(store, fixed.meeting_id, made_on=made_on))
    with pytest.raises(Locked):
        store.record_view(fixed.item_ids["B"], fixed.org_ids["ind"], "stay",
                          "Zomaar een nieuw standpunt")
    with pytest.raises(Locked):
        store.set_attendance(fixed.meeting_id, fixed.org_ids["ind"], "absent")
    assert to_markdown(build_minutes(store, fixed.meeting_id, made_on=made_on)) == before
    assert store.close_action(fixed.action_ids["a"]).status.value == "done"


def test_carry_over_offers_open_case_actions_and_closing_removes_them(store, fixed):
    offered = store.open_actions_for_meeting(fixed.next_meeting_id)
    # case A is on the next agenda: its earlier open actions come along; case B is not
    assert {a.id for a in offered} == {fixed.action_ids["old"], fixed.action_ids["a"]}
    store.close_action(fixed.action_ids["old"])
    offered = store.open_actions_for_meeting(fixed.next_meeting_id)
    assert [a.id for a in offered] == [fixed.action_ids["a"]]
    texts = [a.text for a in build_minutes(store, fixed.meeting_id,
                                           made_on=dt.date(2026, 3, 20)).actielijst]
    assert "Dossier opvragen bij IND" not in texts


def test_summaries_are_ops_that_sync_and_conflict(store, fixed, tmp_path):
    """Two devices edit the same summary concurrently: both values kept, a conflict shown."""
    other = Store.open(tmp_path / "other.db", "test-passphrase", author="Ander", create=True)
    try:
        other.apply_remote(store.unpushed_ops(limit=100_000))
        item = fixed.item_ids["B"]
        store.set_minutes_text(fixed.meeting_id, item, "Versie van de notulist")
        other.set_minutes_text(fixed.meeting_id, item, "Versie van de voorzitter")
        mine = [op for op in store.unpushed_ops(limit=100_000) if op.entity == "minutes_text"]
        theirs = [op for op in other.unpushed_ops(limit=100_000)
                  if op.entity == "minutes_text" and op.device_id == other.device_id]
        assert any(json.loads(op.value) == "Versie van de notulist" for op in mine)
        store.apply_remote(theirs)
        conflicts = [c for c in store.conflicts() if c.entity == "minutes_text"]
        assert len(conflicts) == 1 and conflicts[0].field == "text"
        assert {v.value for v in conflicts[0].values} == {"Versie van de notulist",
                                                          "Versie van de voorzitter"}
        assert store.minutes_conflicts(fixed.meeting_id) == {item}
        assert store.minutes_conflicts(fixed.next_meeting_id) == set()
        store.resolve_conflict(conflicts[0], "Samengevoegde versie")
        assert [c for c in store.conflicts() if c.entity == "minutes_text"] == []
        assert store.minutes_conflicts(fixed.meeting_id) == set()
        assert store.minutes_texts(fixed.meeting_id)[item] == "Samengevoegde versie"
    finally:
        other.close()


def test_minutes_catalogs_have_the_same_keys():
    from importlib import resources

    folder = resources.files("lvv_tui.locales")
    nl = json.loads((folder / "minutes.nl.json").read_text(encoding="utf-8"))
    en = json.loads((folder / "minutes.en.json").read_text(encoding="utf-8"))
    assert nl.keys() == en.keys()
    assert all(v.strip() for v in [*nl.values(), *en.values()])
