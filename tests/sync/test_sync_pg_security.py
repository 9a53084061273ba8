"""PostgreSQL server set-up: idempotent init, grants, row-level security, immutable ops."""

from __future__ import annotations

import psycopg
import pytest
from sync_helpers import ANY_ORG, FakeDevice, seed_meeting

from db.clock import uuid7
from db.server import add_overleg, grant, init_server
from db.sync import Hub, ServerRefused, sync_once


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True)


def test_init_is_idempotent_and_keeps_data(pg) -> None:  # noqa: ANN001
    url = pg.database()
    first = init_server(url)
    with Hub(url) as hub:
        hub.push([FakeDevice(uuid7()).op()])
    second = init_server(url)
    assert first.hub_key == second.hub_key
    with Hub(url) as hub:
        assert hub.count() == 1


def test_roles_see_and_write_only_their_overleg(pg, pg_hub: str, laptops) -> None:  # noqa: ANN001
    ra, rb = pg.role("lvv_ra"), pg.role("lvv_rb")
    a, b = laptops("A"), laptops("B")
    overleg_a, _, _ = seed_meeting(a)
    overleg_b, _, _ = seed_meeting(b)
    assert grant(pg_hub, ra, overleg_a, org=ANY_ORG) == (overleg_a, True)
    assert grant(pg_hub, ra, overleg_a, org=ANY_ORG) == (overleg_a, False)
    grant(pg_hub, rb, overleg_b, org=ANY_ORG)
    url_a, url_b = pg.as_role(pg_hub, ra), pg.as_role(pg_hub, rb)
    sync_once(a, url_a)
    sync_once(b, url_b)
    with Hub(url_a) as hub:
        seen, _ = hub.pull(0, 100_000)
        assert {op.overleg_id for op in seen} == {overleg_a}
        assert len(seen) == a.op_count()
        # writing into overleg B: refused, nothing stored
        foreign = FakeDevice(overleg_b).op()
        assert hub.push([foreign]).refused == {foreign.id: "overleg not granted to this account"}
    with Hub(pg_hub) as owner:
        assert owner.count() == a.op_count() + b.op_count()
    with _connect(url_a) as conn:
        assert conn.execute("SELECT count(*) FROM ops WHERE overleg_id = %s",
                            (overleg_b,)).fetchone() == (0,)
        assert conn.execute("SELECT role_name FROM lvv_member").fetchall() == [(ra,)]
    # a fresh laptop of role B gets B only, and the same state as laptop B; in small
    # windows, most of which hold only ops of A it cannot see
    b2 = laptops("B2")
    report = sync_once(b2, url_b, batch=3)
    assert b2.dump() == b.dump()
    assert report.cursor == a.op_count() + b.op_count()
    a2 = laptops("A2")
    sync_once(a2, url_a, batch=5)
    assert a2.dump() == a.dump()


def test_no_role_can_update_or_delete_an_op(pg, pg_hub: str, laptops) -> None:  # noqa: ANN001
    ra = pg.role("lvv_ra")
    a = laptops("A")
    overleg_a, _, _ = seed_meeting(a)
    grant(pg_hub, ra, overleg_a, org=ANY_ORG)
    sync_once(a, pg.as_role(pg_hub, ra))
    statements = ["UPDATE ops SET value = '\"x\"'", "DELETE FROM ops", "TRUNCATE ops"]
    with _connect(pg.as_role(pg_hub, ra)) as conn:
        for sql in statements:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    # even a role that is granted UPDATE and DELETE, and the owner: the trigger refuses
    with _connect(pg_hub) as owner:
        owner.execute(f"GRANT UPDATE, DELETE ON ops TO {ra}")
        for sql in statements:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="immutable"):
                owner.execute(sql)
    with _connect(pg.as_role(pg_hub, ra)) as conn:
        for sql in statements[:2]:
            # row-level security has no UPDATE or DELETE policy: no row qualifies
            assert conn.execute(sql).rowcount == 0
    with Hub(pg_hub) as hub:
        assert hub.count() == a.op_count()
        ops, _ = hub.pull(0, 100_000)
    assert sorted(ops, key=lambda o: o.id) == sorted(a.all_ops(), key=lambda o: o.id)


def test_role_without_membership_sees_nothing(pg, pg_hub: str, laptops) -> None:  # noqa: ANN001
    a = laptops("A")
    seed_meeting(a)
    sync_once(a, pg_hub)
    outsider = pg.role("lvv_out")
    with pytest.raises(ServerRefused, match="not allowed|permission"):
        sync_once(laptops("X"), pg.as_role(pg_hub, outsider))
    grant(pg_hub, outsider, "0191f0c2-0000-7000-8000-000000000000", org=ANY_ORG)
    report = sync_once(laptops("Y"), pg.as_role(pg_hub, outsider))
    assert report.pulled == 0


def test_grant_needs_an_existing_role(pg_hub: str) -> None:
    with pytest.raises(ServerRefused, match="does not exist"):
        grant(pg_hub, "lvv_nobody_here", "0191f0c2-0000-7000-8000-000000000000", org=ANY_ORG)
    with pytest.raises(ServerRefused, match="plain name"):
        grant(pg_hub, "x; DROP TABLE ops", "o1", org=ANY_ORG)


def test_grant_by_overleg_name_from_the_administrators_list(pg, pg_hub: str,  # noqa: ANN001
                                                            laptops) -> None:  # noqa: ANN001
    a = laptops("A")
    overleg, _, _ = seed_meeting(a)
    sync_once(a, pg_hub)  # the overleg's name is in its ops on the server now: not enough
    role = pg.role("lvv_named")
    with pytest.raises(ServerRefused, match="no overleg named 'LSO Teststad' in the server"):
        grant(pg_hub, role, "LSO Teststad", org=ANY_ORG)
    assert add_overleg(pg_hub, overleg, "LSO Teststad") is True
    assert add_overleg(pg_hub, overleg, "LSO Teststad") is False
    assert grant(pg_hub, role, "LSO Teststad", org="gemeente") == (overleg, True)
    assert grant(pg_hub, role, overleg, org="gemeente") == (overleg, False)  # the same membership
    fresh = laptops("N")
    sync_once(fresh, pg.as_role(pg_hub, role))
    assert fresh.dump() == a.dump()
    b = laptops("B")
    other, _, _ = seed_meeting(b)  # a second overleg with the same name in its ops
    sync_once(b, pg_hub)
    with pytest.raises(ServerRefused, match="already used by overleg"):
        add_overleg(pg_hub, other, "LSO Teststad")
    assert grant(pg_hub, role, "LSO Teststad", org="gemeente") == (overleg, False)


def test_a_laptop_with_a_forbidden_overleg_still_syncs_the_other(pg, pg_hub: str,  # noqa: ANN001
                                                                 laptops, capsys) -> None:  # noqa: ANN001
    from lvv_tui.cli import main

    ra = pg.role("lvv_ra")
    a = laptops("A")
    overleg_a, _, _ = seed_meeting(a)
    n_a = a.op_count()
    overleg_b, _, _ = seed_meeting(a)  # a second overleg on the same laptop, no access
    n_b = a.op_count() - n_a
    grant(pg_hub, ra, overleg_a, org=ANY_ORG)
    url = pg.as_role(pg_hub, ra)
    report = sync_once(a, url, batch=7)
    assert report.forbidden == [overleg_b] and report.withheld == n_b
    assert report.pushed == n_a and a.unsynced_count() == n_b
    with Hub(pg_hub) as owner:
        seen, _ = owner.pull(0, 100_000)
    assert {op.overleg_id for op in seen} == {overleg_a} and len(seen) == n_a
    a.close()
    assert main(["sync", "--db", str(a.path), "--server", url]) == 3
    err = capsys.readouterr().err
    assert f"{n_b} wijzigingen niet verstuurd" in err and overleg_b in err
