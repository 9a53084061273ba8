"""Issue 17, property: random edits with random ``seen`` sets. Every pair of edits where
neither saw the other ends as a conflict or resolved, never lost."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import domain as d
from db.store import Store

PASSPHRASE = "test-passphrase"

steps = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 3), st.sets(st.integers(0, 30), max_size=4),
                  st.booleans()),
        st.tuples(st.just("resolve"), st.integers(0, 3)),
    ),
    min_size=1, max_size=14,
)


def _ancestors(parents: dict[str, list[str]], op_id: str) -> set[str]:
    seen: set[str] = set()
    todo = [op_id]
    while todo:
        x = todo.pop()
        if x in seen:
            continue
        seen.add(x)
        todo.extend(parents.get(x, []))
    return seen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=steps)
def test_concurrent_edits_are_a_conflict_or_resolved(program: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "p.db", PASSPHRASE, author="P", create=True)
        try:
            overleg = store.create_overleg("LSO", "Stad")
            org = store.add_organisation(overleg.id, "Gemeente", d.OrgKind.GEMEENTE)
            case = store.create_case(overleg.id, "C-1")
            meeting = store.create_meeting(overleg.id, "2026-03-02")
            item = store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
            vid = f"{item.id}/{org.id}"
            store.record_view(item.id, org.id, d.Position.RETURN, "begin")
            for n, step in enumerate(program):
                ops = [o for o in store.history("partner_view", vid) if o["field"] == "note"]
                if step[0] == "edit":
                    _, _, picks, current = step
                    if current:  # a fresh form: it saw what is shown now
                        seen = store.views(item.id)[0].seen
                    else:  # a stale form: some earlier values (maybe none)
                        seen = frozenset(ops[i % len(ops)]["id"] for i in picks)
                    store.record_view(item.id, org.id, d.Position.RETURN, f"tekst {n}",
                                      seen=seen)
                    mine = store.history("partner_view", vid)[-1]
                    assert (mine["field"], mine["value"]) == ("note", f'"tekst {n}"')
                    # the op names exactly what its author saw, not what was current
                    note_ids = {o["id"] for o in ops}
                    assert sorted(_bases(store, mine["id"])) == sorted(seen & note_ids)
                else:
                    open_ = [c for c in store.conflicts() if c.field == "note"]
                    if open_:
                        store.resolve_conflict(open_[0], f"samengevoegd {n}")
            ops = [o for o in store.history("partner_view", vid) if o["field"] == "note"]
            by_id = {o["id"]: o for o in ops}
            parents = {o["id"]: [b for b in _bases(store, o["id"]) if b in by_id] for o in ops}
            children = {p for ps in parents.values() for p in ps}
            heads = [o["id"] for o in ops if o["id"] not in children]
            below = {h: _ancestors(parents, h) for h in heads}
            shown = {c.field: c for c in store.conflicts()}
            for x in by_id:  # never lost: every edit is a head or under one
                assert any(x in b for b in below.values())
            for x in by_id:
                for y in by_id:
                    if x >= y or x in _ancestors(parents, y) or y in _ancestors(parents, x):
                        continue
                    # neither saw the other: a head after both (resolved), or both kept as
                    # heads of their own lines, shown as a conflict when the values differ
                    if any(x in b and y in b for b in below.values()):
                        continue
                    hx = [h for h, b in below.items() if x in b]
                    hy = [h for h, b in below.items() if y in b]
                    values = {by_id[h]["value"] for h in hx + hy}
                    assert len(values) > 1 and "note" in shown
                    assert {v.op_id for v in shown["note"].values} == set(heads)
                    assert "note" in store.views(item.id)[0].conflicts
            assert store.check() == []
        finally:
            store.close()


def _bases(store: Store, op_id: str) -> list[str]:
    return next(o.base_ids for o in store.all_ops() if o.id == op_id)
