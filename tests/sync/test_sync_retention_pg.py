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
