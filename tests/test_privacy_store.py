"""Need-to-know in the store (issue 10): a view's note op carries its audience."""

from __future__ import annotations

import datetime as dt

import pytest

from db import domain as d
from db.rules import ValidationError
from lvv_tui.minutes import build_minutes


def _item(store):  # noqa: ANN001, ANN202
    overleg = store.create_overleg("LSO Teststad", "Teststad")
    ngo = store.add_organisation(overleg.id, "Stichting", d.OrgKind.NGO)
    case = store.create_case(overleg.id, "TS-001")
    meeting = store.create_meeting(overleg.id, dt.date(2026, 3, 2), "10:00", "Stadhuis")
    item = store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
    return ngo, item, meeting


def _note_ops(store, view_id: str) -> list:  # noqa: ANN001
    return [op for op in store.all_ops()
            if op.entity_id == view_id and op.field == "note"]


def test_the_note_op_carries_the_audience_and_a_change_sends_it_again(store) -> None:  # noqa: ANN001
    ngo, item, _ = _item(store)
    view = store.record_view(item.id, ngo.id, d.Position.STAY, "eigen zorgen",
                             audience="organisation")
    assert view.audience == "organisation"
    [op] = _note_ops(store, view.id)
    assert (op.audience, op.org_id) == ("organisation", ngo.id)
    # the other fields of the view are for the table
    others = [op for op in store.all_ops() if op.entity_id == view.id and op.field != "note"]
    assert {op.audience for op in others} == {"overleg"}
    # widening sends the same note again, now for the table
    store.record_view(item.id, ngo.id, d.Position.STAY, "eigen zorgen", audience="overleg")
    assert [op.audience for op in _note_ops(store, view.id)] == ["organisation", "overleg"]
    assert store.views(item.id)[0].audience == "overleg"


def test_a_bad_audience_is_refused_and_nothing_is_written(store) -> None:  # noqa: ANN001
    ngo, item, _ = _item(store)
    before = store.op_count()
    with pytest.raises(ValidationError) as info:
        store.record_view(item.id, ngo.id, d.Position.STAY, "x", audience="iedereen")
    assert info.value.field == "audience"
    assert store.op_count() == before


def test_minutes_leave_a_narrower_note_out_unless_asked(store) -> None:  # noqa: ANN001
    ngo, item, meeting = _item(store)
    store.record_view(item.id, ngo.id, d.Position.STAY, "alleen voor de voorzitter",
                      audience="chair")
    plain = build_minutes(store, meeting.id, made_on=dt.date(2026, 3, 3))
    full = build_minutes(store, meeting.id, include_confidential=True,
                         made_on=dt.date(2026, 3, 3))

    def notes(doc) -> list[str]:  # noqa: ANN001
        return [v.note for i in doc.items for v in i.views]

    assert notes(plain) == []
    assert notes(full) == ["alleen voor de voorzitter"]
