"""Search after a sync: the other laptop's words are found, through both kinds of hub."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from db import domain as d
from db.store import Store
from db.sync import sync_once
from tests.sync.conftest import hub_url, laptops, pg, pg_hub, pg_server  # noqa: F401


def _words(store: Store, text: str) -> set[str]:
    return {h.plain_snippet for h in store.search(text).hits}


def test_after_a_sync_the_other_laptops_words_are_found(
        hub_url: str, laptops: Callable[..., Store]) -> None:  # noqa: F811
    a, b = laptops("A"), laptops("B")
    ov = a.create_overleg("LSO Teststad", "Teststad")
    org = a.add_organisation(ov.id, "Gemeente Teststad", d.OrgKind.GEMEENTE)
    case = a.create_case(ov.id, "TS-0042", nationality="Ethiopië")
    meeting = a.create_meeting(ov.id, dt.date(2026, 3, 2), "10:00", "Stadhuis")
    item = a.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
    a.record_view(item.id, org.id, d.Position.STAY, "Medische zorg in Addis Abeba ontbreekt.")
    assert b.search("addis").hits == []
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    assert _words(b, "addis abeba") == {"Medische zorg in Addis Abeba ontbreekt."}
    assert {h.kind for h in b.search("ethiopie 42").hits} == {"case"}
    # concurrent edits of the note: a conflict; the shown value is what is found
    a.record_view(item.id, org.id, d.Position.STAY, "Versie van laptop A: fysiotherapie.")
    b.record_view(item.id, org.id, d.Position.STAY, "Versie van laptop B: logopedie.")
    for store in (a, b, a):
        sync_once(store, hub_url)
    (conflict,) = a.conflicts()
    shown = _words(a, "versie van laptop")
    assert len(shown) == 1 and _words(b, "versie van laptop") == shown
    a.resolve_conflict(conflict, "Samengevoegd: fysiotherapie en logopedie.")
    sync_once(a, hub_url)
    sync_once(b, hub_url)
    for store in (a, b):
        assert _words(store, "logopedie") == {"Samengevoegd: fysiotherapie en logopedie."}
        assert store.search("addis").hits == []
        assert store.search_index_faults() == []
