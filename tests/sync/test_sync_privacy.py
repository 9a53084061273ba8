"""Need-to-know between partners (issue 10), on the real PostgreSQL: a role reads an op
only when the op's audience includes the role's organisation."""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest

from db.demo import generate
from db.server import grant
from db.sync import ServerRefused, sync_once


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True)


def _orgs(store, overleg: str) -> dict[str, str]:  # noqa: ANN001
    """kind -> organisation id of one overleg (the first, for a kind with several)."""
    out: dict[str, str] = {}
    for o in store.organisations(overleg):
        out.setdefault(o.kind.value, o.id)
    return out


def _note_ops(store, overleg: str) -> list:  # noqa: ANN001
    return [op for op in store.all_ops()
            if op.overleg_id == overleg and op.entity == "partner_view" and op.field == "note"]


def _reads(op, org: str, chair: str) -> bool:  # noqa: ANN001
    """Whether organisation ``org`` may read ``op`` (``chair``: the chairing org)."""
    return (op.audience == "overleg" or op.org_id == org
            or (op.audience == "chair" and org == chair))


@pytest.fixture
def demo_server(pg, pg_hub: str, laptops):  # noqa: ANN001, ANN201
    """A server holding the small demo, pushed by the owner; the demo laptop."""
    source = laptops("Secretaris")
    generate(source, "small", seed=7, today=dt.date(2026, 3, 2))
    sync_once(source, pg_hub)
    overleg = source.overleggen()[0].id
    return source, overleg


def test_each_partner_laptop_gets_only_the_notes_for_its_organisation(
        pg, pg_hub: str, laptops, demo_server) -> None:  # noqa: ANN001
    source, overleg = demo_server
    orgs = _orgs(source, overleg)
    notes = _note_ops(source, overleg)
    hidden_from_dtenv = [op for op in notes if not _reads(op, orgs["dtenv"], orgs["gemeente"])]
    # the demo has narrower notes, of more than one partner, in both narrower audiences
    assert {op.audience for op in hidden_from_dtenv} == {"chair", "organisation"}
    assert len({op.org_id for op in hidden_from_dtenv}) >= 2
    for kind in ("dtenv", "ngo", "gemeente"):
        role = pg.role(f"lvv_{kind}")
        # one of several NGOs by its id; DTenV and the gemeente by their kind
        spec = orgs[kind] if kind == "ngo" else kind
        assert grant(pg_hub, role, overleg, org=spec) == (overleg, True)
        laptop = laptops(kind)
        sync_once(laptop, pg.as_role(pg_hub, role))
        have = {op.id for op in laptop.all_ops()}
        meant = [op for op in notes if _reads(op, orgs[kind], orgs["gemeente"])]
        withheld = [op for op in notes if not _reads(op, orgs[kind], orgs["gemeente"])]
        assert withheld or kind == "gemeente"
        assert all(op.id in have for op in meant), kind
        assert not any(op.id in have for op in withheld), kind
        # the laptop's state holds none of those notes (no note at all for those views)
        views = {r["id"]: r for r in laptop.dump()["state"]["partner_view"]}
        assert all(not views[op.entity_id].get("note") for op in withheld
                   if op.entity_id in views)
        assert all(views[op.entity_id]["note"] == json.loads(op.value) for op in meant)
        # and a SELECT as that role does not see them either
        with _connect(pg.as_role(pg_hub, role)) as conn:
            ids = [op.id for op in withheld]
            assert conn.execute("SELECT count(*) FROM ops WHERE id = ANY(%s)",
                                (ids,)).fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM ops WHERE id = ANY(%s)",
                                ([op.id for op in meant],)).fetchone() == (len(meant),)
    # the NGO's own notes reach the NGO, and the DTenV laptop has none of them
    ngo_own = [op for op in notes if op.org_id == orgs["ngo"] and op.audience == "organisation"]
    assert ngo_own


def test_a_grant_without_an_organisation_is_refused_saying_how(
        pg, pg_hub: str, demo_server) -> None:  # noqa: ANN001
    _, overleg = demo_server
    role = pg.role("lvv_noorg")
    with pytest.raises(ServerRefused, match="--org"):
        grant(pg_hub, role, overleg)
    with pytest.raises(ServerRefused, match="2 organisations of overleg .* are of kind ngo"):
        grant(pg_hub, role, overleg, org="ngo")
    with _connect(pg_hub) as conn:
        assert conn.execute("SELECT count(*) FROM lvv_member WHERE role_name = %s",
                            (role,)).fetchone() == (0,)


def test_lvv_push_refuses_a_bad_audience(pg, pg_hub: str, laptops) -> None:  # noqa: ANN001
    from sync_helpers import ANY_ORG, FakeDevice

    from db.clock import uuid7
    from db.sync import Hub

    role = pg.role("lvv_aud")
    overleg = uuid7()
    grant(pg_hub, role, overleg, org=ANY_ORG)
    dev = FakeDevice(overleg)
    with Hub(pg.as_role(pg_hub, role)) as hub:
        bad = dev.op()._replace(audience="everyone", org_id=ANY_ORG)
        assert hub.push([bad]).refused == {bad.id: "audience is not valid"}
        no_org = dev.op()._replace(audience="organisation", org_id="")
        assert hub.push([no_org]).refused == {no_org.id: "audience is not valid"}
        ok = dev.op()._replace(audience="organisation", org_id=ANY_ORG)
        assert hub.push([ok]).stored == [ok.id]
