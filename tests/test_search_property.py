"""Property: after any mix of edits, deletes, exchanges and resolutions on two laptops, the
search index equals a rebuild of it from the projection (and searching finds the shown text)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import domain as d
from db import search_index
from db.store import Store
from tests.conftest import PASSPHRASE

WORDS = ["terugkeer", "medische", "Ethiopië", "eritrea", "artikel", "64", "advies", "[bold]",
         "beëindiging", "DEMO-0042", "ziekenhuis", "Zoë"]
TEXT = st.lists(st.sampled_from(WORDS), min_size=0, max_size=5).map(" ".join)
STEP = st.one_of(
    st.tuples(st.just("view"), st.integers(0, 1), st.integers(0, 1), TEXT),
    st.tuples(st.just("case"), st.integers(0, 1), TEXT, st.booleans()),
    st.tuples(st.just("action"), st.integers(0, 1), TEXT, st.booleans()),
    st.tuples(st.just("minutes"), st.integers(0, 1), TEXT, st.booleans()),
    st.tuples(st.just("decide"), st.integers(0, 1), TEXT, st.booleans()),
    st.tuples(st.just("delete"), st.integers(0, 1), st.sampled_from(["casus", "partner_view"])),
    st.tuples(st.just("sync"), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("resolve"), st.integers(0, 1), st.booleans()),
)


def _snapshot(store: Store) -> set:
    with store._read() as conn:  # noqa: SLF001 - the test compares the index itself
        return search_index.snapshot(conn)


def _expected(store: Store) -> set:
    with store._read() as conn:  # noqa: SLF001
        return search_index.expected(conn)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_index_equals_a_rebuild_after_edits_sync_and_resolution(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        a = Store.open(Path(tmp) / "a.db", PASSPHRASE, author="A", create=True)
        b = Store.open(Path(tmp) / "b.db", PASSPHRASE, author="B", create=True)
        try:
            _run(a, b, steps)
        finally:
            a.close()
            b.close()


def _run(a: Store, b: Store, steps: list[tuple]) -> None:
    ov = a.create_overleg("LSO", "Stad")
    orgs = [a.add_organisation(ov.id, n, k).id
            for n, k in (("Gemeente", d.OrgKind.GEMEENTE), ("NGO", d.OrgKind.NGO))]
    case = a.create_case(ov.id, "C-0001", nationality="Irak")
    meeting = a.create_meeting(ov.id, dt.date(2026, 3, 2), "10:00", "X")
    item = a.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
    b.apply_remote(a.all_ops())
    stores = (a, b)
    actions: dict[int, str] = {}
    for step in steps:
        kind, who = step[0], stores[step[1]]
        try:
            if kind == "view":
                who.record_view(item.id, orgs[step[2]], d.Position.STAY, step[3])
            elif kind == "case":
                who.update_case(case.id, nationality=step[2] or None,
                                procedure=step[2] if step[3] else None)
            elif kind == "action":
                if step[1] in actions and step[3]:
                    who.update_action(actions[step[1]], text=step[2] or "x")
                else:
                    actions[step[1]] = who.add_action(item.id, orgs[0], step[2] or "x").id
            elif kind == "minutes":
                who.set_minutes_text(meeting.id, item.id if step[3] else None, step[2])
            elif kind == "decide":
                who.decide(item.id, d.Perspective.STAY, step[2],
                           escalation_question=step[2] if step[3] else None)
            elif kind == "delete":
                entity = step[2]
                eid = case.id if entity == "casus" else f"{item.id}/{orgs[0]}"
                with who._tx() as conn:  # noqa: SLF001 - a delete as a sync delivers it
                    who._delete(conn, entity, eid, ov.id)  # noqa: SLF001
            elif kind == "sync":
                other = stores[1 - step[1]]
                who.apply_remote(other.all_ops())
                if step[2]:
                    other.apply_remote(who.all_ops())
            elif kind == "resolve":
                for conflict in who.conflicts():
                    value = conflict.values[-1 if step[2] else 0].value
                    who.resolve_conflict(conflict, value)
        except Exception as exc:  # a refusal by the rules of the record is fine here
            from db.store import StoreError

            if not isinstance(exc, StoreError | ValueError):
                raise
        for store in stores:
            assert _snapshot(store) == _expected(store)
    for store in stores:
        before = _snapshot(store)
        store.rebuild_search_index()
        assert _snapshot(store) == before
        store.rebuild()
        assert _snapshot(store) == before
        assert store.check() == []
    # what a note shows is what search finds
    for store in stores:
        with store._read() as conn:  # noqa: SLF001
            case_deleted = store._row(conn, "casus", case.id)["deleted"]  # noqa: SLF001
        for view in store.views(item.id):
            words = [w for w in view.note.split() if w.isalpha() and len(w) > 3]
            if words and not case_deleted:
                hits = store.search(f'"{words[0]}"', kinds=["view"]).hits
                assert view.id in {h.id for h in hits}
