"""The audit trail of a scripted session (issue 10): the changes on a laptop, and the
server's log of pulls per role (owner only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sync_helpers import seed_meeting

from db import domain as d
from db.server import grant
from db.store import Store
from db.sync import sync_once
from lvv_tui.cli import main

PASSPHRASE = "test-passphrase"


def test_audit_shows_the_changes_and_the_pulls_of_a_session(
        pg, pg_hub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:  # noqa: ANN001
    monkeypatch.setenv("LVV_PASSPHRASE", PASSPHRASE)
    chair_db, ngo_db = tmp_path / "chair.db", tmp_path / "ngo.db"
    with Store.open(chair_db, PASSPHRASE, author="Voorzitter", create=True) as chair:
        overleg, _, item = seed_meeting(chair)
        ngo = chair.add_organisation(overleg, "Stichting Steun", d.OrgKind.NGO)
        # the chair records the NGO's view in its name, for the NGO and the chair only
        chair.record_view(item, ngo.id, d.Position.STAY, "zorgen", audience="chair")
        sync_once(chair, pg_hub)  # the owner's laptop: the server now knows the partners
    role_chair, role_ngo = pg.role("lvv_vz"), pg.role("lvv_ngo")
    grant(pg_hub, role_chair, overleg, org="gemeente")
    grant(pg_hub, role_ngo, overleg, org="ngo")
    with Store.open(ngo_db, PASSPHRASE, author="NGO", create=True) as laptop:
        sync_once(laptop, pg.as_role(pg_hub, role_ngo))
    with Store.open(tmp_path / "vz2.db", PASSPHRASE, author="VZ", create=True) as laptop:
        sync_once(laptop, pg.as_role(pg_hub, role_chair))

    # the laptop's changes: every field of the case's records, with author and acting-for
    assert main(["audit", "--db", str(chair_db), "--case", "TS-001", "--json"]) == 0
    changes = json.loads(capsys.readouterr().out)
    views = [c for c in changes if c["entity"] == "partner_view" and c["field"] == "note"]
    assert {(c["acting_for"], c["audience"]) for c in views} == {
        ("Gemeente Teststad", "overleg"), ("Stichting Steun", "chair")}
    assert {c["author"] for c in changes} == {"Voorzitter"}
    assert all(c["case_code"] == "TS-001" and c["at"] and c["device_id"] and c["pushed"]
               for c in changes)
    assert {"casus", "agenda_item", "partner_view"} <= {c["entity"] for c in changes}
    assert "zorgen" not in json.dumps(changes)  # the log says what changed, not the text
    assert main(["audit", "--db", str(chair_db), "--case", "XX-999"]) == 1
    assert "XX-999" in capsys.readouterr().err

    # the server's pull log: one line per pull of each role, with the case it touched
    assert main(["server", "audit", "--server", pg_hub, "--json"]) == 0
    pulls = json.loads(capsys.readouterr().out)
    assert {p["role"] for p in pulls} == {role_chair, role_ngo}
    assert all(p["event"] == "pull" and p["case_code"] == "TS-001" and p["ops"] > 0
               and p["overleg_id"] == overleg for p in pulls)
    assert main(["server", "audit", "--server", pg_hub, "--role", role_ngo, "--json"]) == 0
    mine = json.loads(capsys.readouterr().out)
    assert [p["role"] for p in mine] == [role_ngo] and mine[0]["acting_for"] == ngo.id
    assert main(["server", "audit", "--server", pg_hub, "--case", "XX-999", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    # a member may not read the log
    assert main(["server", "audit", "--server", pg.as_role(pg_hub, role_ngo)]) == 3
    assert "owner" in capsys.readouterr().err
