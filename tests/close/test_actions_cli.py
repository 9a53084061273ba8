"""``lvv-tui actions``: the open actions, by owner, overdue, as JSON; a bad owner is one
line and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db import domain as d
from db.store import Store
from lvv_tui.cli import main
from tests.conftest import PASSPHRASE


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    with Store.open(path, PASSPHRASE, create=True) as s:
        ov = s.create_overleg_with_partners("LSO Actiestad", "Actiestad", 10)
        orgs = {o.name: o for o in s.organisations(ov.id)}
        case = s.create_case(ov.id, "A-001")
        m = s.create_meeting(ov.id, "2026-03-01")
        item = s.add_agenda_item(m.id, d.ItemKind.CASE, case_id=case.id)
        s.add_action(item.id, orgs["IND"].id, "Dossier\x1b[31m sturen", "2026-03-05")
        s.add_action(item.id, orgs["DTenV"].id, "Vertrekgesprek", "2026-04-01")
        done = s.add_action(item.id, orgs["IND"].id, "Al klaar", "2026-02-01")
        s.close_action(done.id)
    return path


def test_json_lists_open_actions_by_due_date(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["actions", "--db", str(db), "--json", "--today", "2026-03-10"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["owner"], r["due"], r["overdue"], r["case_code"]) for r in rows] == [
        ("IND", "2026-03-05", True, "A-001"), ("DTenV", "2026-04-01", False, "A-001")]


def test_owner_and_overdue_filter(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["actions", "--db", str(db), "--owner", "dtenv", "--json",
                 "--today", "2026-03-10"]) == 0
    assert [r["text"] for r in json.loads(capsys.readouterr().out)] == ["Vertrekgesprek"]
    assert main(["actions", "--db", str(db), "--overdue", "--today", "2026-03-10"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "(te laat)" in out and "IND" in out
    assert "\x1b" not in out and "␛" in out  # a control character is shown, never sent


def test_an_unknown_owner_is_one_line_and_exit_1(db: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    assert main(["actions", "--db", str(db), "--owner", "Gemeentee"]) == 1
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "Gemeentee" in err
