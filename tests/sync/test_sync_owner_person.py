"""Both hubs (PostgreSQL after ``server init``, and a SQLite file) accept an action's
``owner_person`` (issue 13) and hand it to the other laptop."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db import domain as d
from db.store import Store

PASSPHRASE = "test-passphrase"


def _seed(s: Store) -> str:
    ov = s.create_overleg_with_partners("LSO Persoonstad", "Persoonstad", 10)
    orgs = {o.name: o for o in s.organisations(ov.id)}
    case = s.create_case(ov.id, "P-001")
    m = s.create_meeting(ov.id, "2026-03-01")
    item = s.add_agenda_item(m.id, d.ItemKind.CASE, case_id=case.id)
    s.add_action(item.id, orgs["IND"].id, "Bellen", dt.date(2026, 3, 9),
                 owner_person="Jan de Vries")
    return ov.id


def test_the_server_accepts_the_field(hub_url: str, tmp_path: Path) -> None:
    from db.sync import sync_once
    from db.wire_check import field_kinds

    assert field_kinds()[("action_item", "owner_person")] == "text"
    a = Store.open(tmp_path / "a.db", PASSPHRASE, author="A", create=True)
    b = Store.open(tmp_path / "b.db", PASSPHRASE, author="B", create=True)
    try:
        _seed(a)
        pushed = sync_once(a, hub_url)
        assert pushed.pushed == a.op_count()
        assert a.sync_counts(pushed.key).unsynced == 0  # nothing refused
        sync_once(b, hub_url)
        got = b.actions(overleg_id=b.overleggen()[0].id)
        assert [x.owner_person for x in got] == ["Jan de Vries"]
    finally:
        a.close()
        b.close()
