"""Partners' input before the meeting on the real PostgreSQL (issue 15 with issue 10's
need-to-know): DTenV's pack and laptop never hold an NGO's *oordeel* or withheld reason; the
chair's hold only what the audience allows; a draft reaches nobody."""

from __future__ import annotations

import datetime as dt

import psycopg

from db import domain as d
from db.partner_inputs import Audience
from db.server import grant
from db.sync import sync_once
from lvv_tui.pack import build_pack, render

SECRETS = ("OORDEEL-EIGEN", "REDEN-EEN", "OORDEEL-VOORZITTER", "REDEN-TWEE")


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True)


def _held(store) -> str:  # noqa: ANN001
    """Everything a laptop holds as text: its op log and its tables."""
    ops = "\n".join(op.value for op in store.all_ops())
    return ops + "\n" + repr(store.dump()["state"])


def _pack(store, meeting_id: str, org: str) -> str:  # noqa: ANN001
    return render(build_pack(store, meeting_id, for_org=org, made_on=dt.date(2026, 3, 26)),
                  "md")


def test_dtenv_never_holds_an_ngo_oordeel_and_the_chair_only_its_audience(
        pg, pg_hub: str, laptops) -> None:  # noqa: ANN001
    source = laptops("Secretaris")
    ov = source.create_overleg("LSO Teststad", "Teststad")
    orgs = {k: source.add_organisation(ov.id, name, k).id for k, name in (
        (d.OrgKind.GEMEENTE, "Gemeente"), (d.OrgKind.DTENV, "DTenV"), (d.OrgKind.NGO, "NGO"))}
    meeting = source.create_meeting(ov.id, dt.date(2026, 4, 1))
    items = [source.add_agenda_item(meeting.id, d.ItemKind.CASE,
                                    case_id=source.create_case(ov.id, f"TS-000{n}").id)
             for n in (1, 2)]
    source.publish_agenda(meeting.id, today=dt.date(2026, 3, 20))
    sync_once(source, pg_hub)

    urls: dict[str, str] = {}
    lap = {}
    for kind in ("ngo", "dtenv", "gemeente"):
        role = pg.role(f"lvv_{kind}")
        grant(pg_hub, role, ov.id, org=kind)
        urls[kind] = pg.as_role(pg_hub, role)
        lap[kind] = laptops(kind)
        sync_once(lap[kind], urls[kind])
    ngo = orgs[d.OrgKind.NGO]
    partner = lap["ngo"]
    assert partner.agenda_publication(meeting.id).version == 1

    # the NGO drafts offline: item 1 with the default audiences, item 2 oordeel for the chair
    partner.save_input(items[0].id, ngo, position=d.Position.STAY, feiten="FEIT-EEN",
                       oordeel="OORDEEL-EIGEN", withheld="Medisch dossier",
                       withheld_reason="REDEN-EEN", inzet="INZET-EEN")
    partner.save_input(items[1].id, ngo, position=d.Position.RETURN, feiten="FEIT-TWEE",
                       oordeel="OORDEEL-VOORZITTER", oordeel_audience=Audience.CHAIR,
                       withheld="Politie-informatie", withheld_reason="REDEN-TWEE")
    for kind in ("ngo", "dtenv", "gemeente"):
        sync_once(lap[kind], urls[kind])
    for kind in ("dtenv", "gemeente"):  # a draft reaches nobody, not even as a record
        assert not [op for op in lap[kind].all_ops() if op.entity == "partner_input"]
        assert "FEIT-EEN" not in _held(lap[kind])

    for item in items:
        partner.submit_input(item.id, ngo, today=dt.date(2026, 3, 25))
    for kind in ("ngo", "dtenv", "gemeente"):
        sync_once(lap[kind], urls[kind])

    dtenv, chair = lap["dtenv"], lap["gemeente"]
    # DTenV: the facts, the inzet and what is withheld; never the oordeel or the reasons
    held = _held(dtenv)
    assert "FEIT-EEN" in held and "INZET-EEN" in held and "Politie-informatie" in held
    assert not any(s in held for s in SECRETS)
    assert not [op for op in dtenv.all_ops() if op.entity == "partner_input"
                and op.field in ("oordeel", "withheld_reason")]
    pack = _pack(dtenv, meeting.id, orgs[d.OrgKind.DTENV])
    assert "FEIT-EEN" in pack and not any(s in pack for s in SECRETS)
    # the chair: the oordeel given to the chair, nothing kept for the NGO itself
    held = _held(chair)
    assert "OORDEEL-VOORZITTER" in held
    assert not any(s in held for s in ("OORDEEL-EIGEN", "REDEN-EEN", "REDEN-TWEE"))
    pack = _pack(chair, meeting.id, orgs[d.OrgKind.GEMEENTE])
    assert "OORDEEL-VOORZITTER" in pack and "OORDEEL-EIGEN" not in pack
    assert chair.submitted_inputs(meeting.id) == {items[0].id: [ngo], items[1].id: [ngo]}
    # a pack for DTenV made on the chair's laptop leaves out what the chair holds for itself
    assert "OORDEEL-VOORZITTER" not in _pack(chair, meeting.id, orgs[d.OrgKind.DTENV])
    # the NGO keeps all of it, and its own pack shows it; its pack for DTenV does not
    assert all(s in _held(partner) for s in SECRETS)
    assert "OORDEEL-EIGEN" in _pack(partner, meeting.id, ngo)
    assert not any(s in _pack(partner, meeting.id, orgs[d.OrgKind.DTENV]) for s in SECRETS)
    # and the server hands DTenV's role none of those ops either
    with _connect(urls["dtenv"]) as conn:
        assert conn.execute(
            "SELECT count(*) FROM ops WHERE entity = 'partner_input' "
            "AND field IN ('oordeel', 'withheld_reason')").fetchone() == (0,)
    with _connect(urls["gemeente"]) as conn:
        assert conn.execute(
            "SELECT count(*) FROM ops WHERE entity = 'partner_input' AND field = 'oordeel' "
            "AND value::text LIKE '%%OORDEEL-VOORZITTER%%'").fetchone() == (1,)
        assert conn.execute(
            "SELECT count(*) FROM ops WHERE entity = 'partner_input' AND field = 'oordeel' "
            "AND value::text LIKE '%%OORDEEL-EIGEN%%'").fetchone() == (0,)
    # the NGO device's numbers skip what the server withheld from DTenV and the chair:
    # not a lost op, and check knows it (they pull as a role)
    for store in (partner, dtenv, chair):
        assert store.check() == []


def test_an_account_cannot_write_another_partners_input(
        pg, pg_hub: str, laptops) -> None:  # noqa: ANN001
    """The server trusts no laptop (issue 9): DTenV's account pushing an input in the NGO's
    name — the op's organisation or the input's organisation_id the NGO's — is refused
    whole and nothing is stored; the NGO's own account may write it."""
    import json

    from db.clock import HybridClock, uuid7
    from db.projection import SCHEMA_VERSION_OPS

    source = laptops("Secretaris")
    ov = source.create_overleg("LSO Teststad", "Teststad")
    orgs = {k: source.add_organisation(ov.id, name, k).id for k, name in (
        (d.OrgKind.GEMEENTE, "Gemeente"), (d.OrgKind.DTENV, "DTenV"), (d.OrgKind.NGO, "NGO"))}
    sync_once(source, pg_hub)
    urls = {}
    for kind in ("ngo", "dtenv"):
        role = pg.role(f"lvv_{kind}")
        grant(pg_hub, role, ov.id, org=kind)
        urls[kind] = pg.as_role(pg_hub, role)
    ngo, dtenv = orgs[d.OrgKind.NGO], orgs[d.OrgKind.DTENV]
    clock = HybridClock()

    def op(device: str, seq: int, field: str, value: object, org: str) -> dict:
        return {"id": str(uuid7()), "device_id": device, "device_seq": seq,
                "hlc": clock.tick(), "author": "X", "overleg_id": ov.id,
                "entity": "partner_input", "entity_id": "in-1", "field": field,
                "value": value, "base": [], "schema_version": SCHEMA_VERSION_OPS,
                "audience": "overleg",
                "org_id": org}

    def push(url: str, batch: list[dict]) -> list[tuple]:
        with _connect(url) as conn:
            return conn.execute("SELECT * FROM lvv_push(%s::jsonb)",
                                (json.dumps(batch),)).fetchall()

    def stored() -> int:
        with _connect(pg_hub) as conn:
            return conn.execute("SELECT count(*) FROM ops WHERE entity = 'partner_input'"
                                ).fetchone()[0]

    dev_d, dev_n = str(uuid7()), str(uuid7())
    for batch in ([op(dev_d, 1, "feiten", "Verzonnen", ngo)],
                  [op(dev_d, 1, "organisation_id", ngo, dtenv)],
                  [op(dev_d, 1, "feiten", "Eigen", dtenv),
                   op(dev_d, 2, "organisation_id", ngo, dtenv)]):
        rows = push(urls["dtenv"], batch)
        assert {r[2] for r in rows} == {"refused"}, rows
        assert any(r[3] == "only the organisation itself may write its input" for r in rows)
        assert stored() == 0
    rows = push(urls["ngo"], [op(dev_n, 1, "organisation_id", ngo, ngo),
                              op(dev_n, 2, "feiten", "Eigen feiten", ngo)])
    assert {r[2] for r in rows} == {"stored"}, rows
    assert stored() == 2
