"""Who pushed an op (issue 9 item 2) reaches every laptop; a push is not pulled back
(issue 11 item 3)."""

from __future__ import annotations

import datetime as dt

from sync_helpers import ANY_ORG, seed_meeting

from db.server import grant
from db.sync import Hub, sync_once
from screens.conflict_words import author_text


def _conflict_on_place(a, b, meeting_id: str, url_a: str, url_b: str):  # noqa: ANN001, ANN202
    a.update_meeting(meeting_id, place="Zaal A")
    b.update_meeting(meeting_id, place="Zaal B")
    sync_once(a, url_a)
    sync_once(b, url_b)
    sync_once(a, url_a)
    (conflict,) = b.conflicts()
    return conflict


def test_pushing_accounts_reach_the_laptops_and_the_conflict_screen(pg, pg_hub: str,
                                                                     laptops) -> None:  # noqa: ANN001
    ra, rb = pg.role("lvv_ra"), pg.role("lvv_rb")
    a, b = laptops("Anna"), laptops("Bram")
    overleg, meeting_id, _ = seed_meeting(a)
    grant(pg_hub, ra, overleg, org=ANY_ORG)
    grant(pg_hub, rb, overleg, org=ANY_ORG)
    url_a, url_b = pg.as_role(pg_hub, ra), pg.as_role(pg_hub, rb)
    sync_once(a, url_a)
    sync_once(b, url_b)
    pulled = b.origin_of([op.id for op in a.all_ops()])
    assert len(pulled) == a.op_count()
    assert {by for by, _ in pulled.values()} == {ra}
    for _by, at in pulled.values():
        received = dt.datetime.fromisoformat(at)
        assert abs(received - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    # a laptop keeps no origin for its own ops: it knows who it is
    assert a.origin_of([op.id for op in a.all_ops()]) == {}
    # the audit trail on B names A's account for A's changes to the case (issue 10 item 4)
    from db.audit import case_changes

    trail = case_changes(b, "TS-001")
    assert trail and {r["pushed_by"] for r in trail} == {ra}
    assert {r["pushed_by"] for r in case_changes(a, "TS-001")} == {None}

    conflict = _conflict_on_place(a, b, meeting_id, url_a, url_b)
    by_author = {v.author: v for v in conflict.values}
    assert by_author["Anna"].pushed_by == ra
    assert by_author["Bram"].pushed_by is None  # B's own value
    assert author_text(by_author["Anna"]) == f"Anna (verstuurd door account {ra})"
    assert author_text(by_author["Bram"]) == "Bram"
    # A sees B's value as pushed by B's account
    (seen_by_a,) = a.conflicts()
    assert {v.author: v.pushed_by for v in seen_by_a.values} == {"Anna": None, "Bram": rb}


def test_a_sqlite_hub_records_the_pushing_laptop(tmp_path, laptops) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b = laptops("Anna"), laptops("Bram")
    _, meeting_id, _ = seed_meeting(a)
    sync_once(a, url)
    sync_once(b, url)
    pulled = b.origin_of([op.id for op in a.all_ops()])
    assert {by for by, _ in pulled.values()} == {a.device_id}
    assert len(pulled) == a.op_count()
    # the laptop column names it already: the author column stays the author
    conflict = _conflict_on_place(a, b, meeting_id, url, url)
    assert {author_text(v) for v in conflict.values} == {"Anna", "Bram"}
    assert {v.pushed_by for v in conflict.values} == {a.device_id, None}


def test_own_ops_are_never_pulled_back(hub_url: str, laptops) -> None:
    a, b = laptops("Anna"), laptops("Bram")
    overleg, meeting_id, _ = seed_meeting(a)
    first = sync_once(a, hub_url, batch=7)
    # the cursor moved over the numbers its own push received: nothing came back
    assert first.pushed == a.op_count() and first.duplicates == 0 and first.pulled == 0
    assert a.cursor(first.key) == a.op_count()
    sync_once(b, hub_url)
    # B pushes between A's rounds: A's next push lands after B's ops, not next to its
    # cursor; A pulls B's ops and skips its own run of numbers
    for n in range(5):
        b.update_meeting(meeting_id, place=f"Zaal {n}")
        a.update_meeting(meeting_id, secretary=f"Secretaris {n}")
    sync_once(b, hub_url, batch=2)
    report = sync_once(a, hub_url, batch=2)
    assert report.pushed == 5 and report.pulled == 5 and report.duplicates == 0
    with Hub(hub_url) as hub:
        assert report.cursor == a.cursor(report.key) == hub.count() == a.op_count()
    sync_once(b, hub_url)
    assert a.dump() == b.dump() and a.check() == []
