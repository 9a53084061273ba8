"""Retention on the real PostgreSQL (issue 10): the owner's erasure leaves no erased word in
the server's rows, a member cannot run it, and laptops synced before and after dump alike."""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest
from retention_helpers import CODE, SECRETS, monitoring_counts, old_case

from db import domain as d
from db.server import grant
from db.server_erase import erase_on_server
from db.sync import sync_once

TODAY = dt.date(2026, 1, 5)


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True)


def _server_text(url: str) -> str:
    with _connect(url) as conn:
        return "\n".join(r[0] for r in conn.execute("SELECT o::text FROM ops o"))


def _laptop_text(store) -> str:  # noqa: ANN001
    return json.dumps(store.dump(), ensure_ascii=False) + json.dumps(
        [op.as_dict() for op in store.all_ops()], ensure_ascii=False)


def test_the_owner_erases_the_case_on_the_server_and_every_laptop_follows(
        pg, pg_hub: str, laptops) -> None:  # noqa: ANN001
    a = laptops("Secretaris")
    made = old_case(a)
    sync_once(a, pg_hub)
    b = laptops("Partner")
    sync_once(b, pg_hub)
    counts = monitoring_counts(a, made["overleg"].id)
    assert SECRETS["note"] in _server_text(pg_hub)
    a.redact_cases([r.case_id for r in a.retention_due(TODAY)], TODAY)
    sync_once(a, pg_hub)
    # a member may neither run the erasure nor change an op
    role = pg.role("lvv_ret_member")
    grant(pg_hub, role, made["overleg"].id, org=made["orgs"][d.OrgKind.NGO].id)
    with _connect(pg.as_role(pg_hub, role)) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT lvv_erase_redacted()")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE ops SET value = 'null'")
    assert erase_on_server(pg_hub) > 0
    server = _server_text(pg_hub)
    for word in SECRETS.values():
        assert word not in server, word
    assert CODE in server
    assert erase_on_server(pg_hub) == 0  # idempotent
    # the laptop that pulled before, and one that pulls now, hold the same and no secret
    sync_once(b, pg_hub)
    c = laptops("Nieuw")
    sync_once(c, pg_hub)
    for laptop in (b, c):
        text = _laptop_text(laptop)
        for word in SECRETS.values():
            assert word not in text, word
        assert laptop.check() == []
        assert laptop.dump() == a.dump()
        assert monitoring_counts(laptop, made["overleg"].id) == counts


def test_the_retention_term_is_set_by_the_owner_and_refused_from_a_member(
        pg, pg_hub: str, laptops, tmp_path, monkeypatch, capsys) -> None:  # noqa: ANN001
    from db.hub_push import batch_json
    from db.server_sql import ADMIN_ONLY
    from db.store import Store
    from lvv_tui.cli import main

    passphrase = "test-passphrase"
    owner_path = tmp_path / "beheerder.db"
    with Store.open(owner_path, passphrase, author="Beheerder", create=True) as owner:
        made = old_case(owner)
        sync_once(owner, pg_hub)
    ov = made["overleg"].id
    role = pg.role("lvv_ret_term")
    grant(pg_hub, role, ov, org=made["orgs"][d.OrgKind.NGO].id)
    member_url = pg.as_role(pg_hub, role)
    member = laptops("Partner")
    sync_once(member, member_url)
    assert member.retention_term(ov) == 24

    def term_ops() -> int:
        with _connect(pg_hub) as conn:
            return conn.execute("SELECT count(*) FROM ops WHERE entity = 'overleg' AND "
                                "field = 'retention_months'").fetchone()[0]

    # a member's laptop sets the term: the server refuses the op, stores nothing of it
    member.set_retention_term(ov, 36)
    report = sync_once(member, member_url)
    assert list(report.reasons.values()) == [ADMIN_ONLY]
    assert term_ops() == 0
    with _connect(pg_hub) as conn:
        assert conn.execute("SELECT count(*) FROM lvv_refusal WHERE role_name = %s AND "
                            "reason = %s", (role, ADMIN_ONLY)).fetchone()[0] == 1
    # also by hand: lvv_push refuses the op (careful path and fast path alike)
    with _connect(member_url) as conn:
        rows = conn.execute("SELECT status, reason FROM lvv_push(%s::json)", (batch_json(
            [op for op in member.all_ops() if op.field == "retention_months"]),)).fetchall()
    assert rows == [("refused", ADMIN_ONLY)]
    assert term_ops() == 0
    # the member's command says the server refused it
    monkeypatch.setenv("LVV_PASSPHRASE", passphrase)
    member_path = tmp_path / "partner.db"
    with Store.open(member_path, passphrase, author="Partner", create=True) as other:
        sync_once(other, member_url)
    assert main(["retention", "--db", str(member_path), "--term", "12", "--overleg", ov,
                 "--server", member_url]) == 1
    assert "alleen een beheerder" in capsys.readouterr().err
    assert term_ops() == 0
    # the owner's command sets it, syncs, and it reaches a member's laptop
    assert main(["retention", "--db", str(owner_path), "--term", "48", "--overleg", ov,
                 "--server", pg_hub]) == 0
    out = capsys.readouterr().out
    assert "48 maanden" in out and "Gesynchroniseerd" in out
    assert term_ops() == 1
    fresh = laptops("Nieuwe partner")
    sync_once(fresh, member_url)
    assert fresh.retention_term(ov) == 48
    sync_once(member, member_url)
    assert member.retention_term(ov) == 48  # the owner's later op wins over its own
