"""Publishing the agenda (issue 15 item 1): version 1, a version per change after it, the
change list computed in the store whichever use case changes the agenda."""

from __future__ import annotations

import datetime as dt

import pytest

from db import domain as d
from db.agenda_versions import Change, changes


def _setup(store, meeting_date: dt.date = dt.date(2026, 3, 20)):  # noqa: ANN001, ANN202
    ov = store.create_overleg("LSO Test", municipality="Teststad")
    meeting = store.create_meeting(ov.id, meeting_date)
    cases = [store.create_case(ov.id, f"C-{n}") for n in range(3)]
    return ov, meeting, cases


def test_publish_gives_version_1_and_a_late_warning(store) -> None:  # noqa: ANN001
    ov, meeting, cases = _setup(store)
    store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=cases[0].id)
    assert store.agenda_publication(meeting.id) is None
    pub = store.publish_agenda(meeting.id, today=dt.date(2026, 3, 10))
    assert (pub.version, pub.published_on, pub.late, pub.changes) == (
        1, dt.date(2026, 3, 10), False, ())
    assert [x["label"] for x in pub.items if x["kind"] == "case"] == ["C-0"]
    # publishing again writes nothing new
    n = store.op_count()
    assert store.publish_agenda(meeting.id, today=dt.date(2026, 3, 18)).version == 1
    assert store.op_count() == n

    other = store.create_meeting(ov.id, dt.date(2026, 3, 25))
    assert store.publish_agenda(other.id, today=dt.date(2026, 3, 19)).late is True
    store.set_agenda_lead_days(ov.id, 3)
    third = store.create_meeting(ov.id, dt.date(2026, 3, 26))
    assert store.publish_agenda(third.id, today=dt.date(2026, 3, 23)).late is False
    with pytest.raises(ValueError):
        store.set_agenda_lead_days(ov.id, 400)


def test_changes_after_publication_make_versions_with_their_list(store) -> None:  # noqa: ANN001
    ov, meeting, cases = _setup(store)
    first = store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=cases[0].id)
    store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=cases[1].id)
    store.publish_agenda(meeting.id, today=dt.date(2026, 3, 10))
    n_before = len(store.agenda(meeting.id))

    store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=cases[2].id)
    v2 = store.agenda_publication(meeting.id)
    assert v2 is not None and v2.version == 2
    assert [(c.change, c.label) for c in v2.changes] == [("added", "C-2")]
    assert v2.changes[0].number == n_before - 1  # before rondvraag and sluiting

    store.update_agenda_item(first.id, confidential=True)
    v3 = store.agenda_publication(meeting.id)
    assert v3.version == 3
    assert [(c.change, c.label) for c in v3.changes] == [("confidential", "C-0")]

    # a time box or a status is not a change of the published agenda
    store.update_agenda_item(first.id, timebox_min=20)
    store.defer_item(first.id)
    assert store.agenda_publication(meeting.id).version == 3

    store.remove_agenda_item(first.id)
    v4 = store.agenda_publication(meeting.id)
    assert [(c.change, c.label) for c in v4.changes] == [("removed", "C-0")]
    assert [v.version for v in store.agenda_versions(meeting.id)] == [1, 2, 3, 4]
    assert store.check() == []


def test_moves_are_listed_once() -> None:
    a, b, c, e = ({"id": x, "label": x.upper()} for x in "abce")
    assert changes([a, b, c, e], [a, c, e, b]) == [Change("moved", 2, "B", 4)]
    assert changes([a, b], [a, b]) == []
    assert changes([a, b], [b]) == [Change("removed", 1, "A")]


def test_a_fresh_file_and_a_rebuild_agree(store) -> None:  # noqa: ANN001
    ov, meeting, cases = _setup(store)
    store.publish_agenda(meeting.id, today=dt.date(2026, 3, 1))
    store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=cases[0].id)
    assert store.check() == []


def test_publish_command_and_meetings_json(tmp_path, capsys) -> None:  # noqa: ANN001
    import json

    from db.store import Store
    from lvv_tui.cli import main
    from tests.conftest import PASSPHRASE

    path = tmp_path / "p.db"
    store = Store.open(path, PASSPHRASE, create=True)
    try:
        ov, meeting, cases = _setup(store, dt.date.today() + dt.timedelta(days=3))
        store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=cases[0].id)
    finally:
        store.close()
    assert main(["meetings", "--db", str(path), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert (row["agenda_version"], row["published_on"]) == (None, None)
    assert main(["publish", "--db", str(path), "--meeting", meeting.id]) == 0
    out, err = capsys.readouterr()
    assert "Agenda versie 1" in out
    assert "Later gepubliceerd dan 7 dagen" in err  # three days before: late
    store = Store.open(path, PASSPHRASE)
    try:
        store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=cases[1].id)
    finally:
        store.close()
    assert main(["meetings", "--db", str(path), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert (row["agenda_version"], row["published_on"]) == (2, dt.date.today().isoformat())
    assert main(["publish", "--db", str(path), "--meeting", "1999-01-01"]) == 1
    assert "1999-01-01" in capsys.readouterr().err
    store = Store.open(path, PASSPHRASE)
    try:  # the overleg's own lead time: two days before is in time
        later = store.create_meeting(ov.id, dt.date.today() + dt.timedelta(days=4))
    finally:
        store.close()
    assert main(["publish", "--db", str(path), "--meeting", later.id, "--lead-days", "2"]) == 0
    out, err = capsys.readouterr()
    assert "Agenda versie 1" in out and "Later gepubliceerd" not in err
    store = Store.open(path, PASSPHRASE)
    try:
        assert store.agenda_lead_days(ov.id) == 2
    finally:
        store.close()
