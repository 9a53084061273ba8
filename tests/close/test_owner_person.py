"""An action's owner as a named person besides the organisation (issue 13): the store,
the migration of an older file, the CLI's ``--owner``, the minutes (the server accepting
the field: tests/sync/test_sync_owner_person.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db import domain as d
from db import engine as eng
from db.rules import ValidationError
from db.store import Store
from lvv_tui.cli import main
from tests.conftest import PASSPHRASE


def _seed(s: Store) -> tuple[str, dict[str, d.Organisation], str]:
    ov = s.create_overleg_with_partners("LSO Persoonstad", "Persoonstad", 10)
    orgs = {o.name: o for o in s.organisations(ov.id)}
    case = s.create_case(ov.id, "P-001")
    m = s.create_meeting(ov.id, "2026-03-01")
    item = s.add_agenda_item(m.id, d.ItemKind.CASE, case_id=case.id)
    return ov.id, orgs, item.id


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    with Store.open(path, PASSPHRASE, create=True) as s:
        _, orgs, item = _seed(s)
        s.add_action(item, orgs["IND"].id, "Dossier sturen", "2026-03-05",
                     owner_person="Jan de Vries")
        s.add_action(item, orgs["IND"].id, "Gehoor plannen", "2026-03-20",
                     owner_person="Anna Bakker")
        s.add_action(item, orgs["DTenV"].id, "Vertrekgesprek", "2026-04-01")
    return path


def test_store_keeps_filters_and_sorts_the_person(db: Path) -> None:
    with Store.open(db, PASSPHRASE) as s:
        ov = s.overleggen()[0].id
        got = s.action_list(ov, owner_person="  jan   DE vries ")
        assert [a.text for a in got] == ["Dossier sturen"]
        assert got[0].owner_person == "Jan de Vries"
        by_person = s.action_list(ov, sort="person")
        assert [a.owner_person for a in by_person] == ["Anna Bakker", "Jan de Vries", None]
        changed = s.update_action(got[0].id, owner_person="")
        assert changed.owner_person is None  # blank is none
        with pytest.raises(ValidationError) as err:
            s.update_action(got[0].id, owner_person="Jan\nde Vries")
        assert err.value.code == "error.one_line"
        with pytest.raises(ValidationError):
            s.update_action(got[0].id, owner_person="x" * 201)


def test_an_older_file_gets_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store.open(path, PASSPHRASE, create=True) as s:
        _, orgs, item = _seed(s)
        s.add_action(item, orgs["IND"].id, "Oud", "2026-03-05")
    raw = eng._raw_connect(path, PASSPHRASE)
    raw.execute("ALTER TABLE action_item DROP COLUMN owner_person")
    step = next(k for k, f in eng.MIGRATIONS.items() if f is eng._migrate_owner_person)
    raw.execute(f"PRAGMA user_version = {step}")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    with Store.open(path, PASSPHRASE) as s:
        assert s.check() == []
        old = s.actions(overleg_id=s.overleggen()[0].id)[0]
        assert old.owner_person is None
        assert s.update_action(old.id, owner_person="Piet").owner_person == "Piet"
    assert eng.probe(path, PASSPHRASE) == eng.SCHEMA_VERSION
    # the step is idempotent: run again on a file that has the column
    engine = eng.make_engine(path, PASSPHRASE)
    with engine.begin() as conn:
        eng.MIGRATIONS[step](conn)
    engine.dispose()


def test_cli_owner_matches_the_person(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["actions", "--db", str(db), "--owner", "anna bakker", "--json",
                 "--today", "2026-03-10"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["owner"], r["owner_person"], r["text"]) for r in rows] == [
        ("IND", "Anna Bakker", "Gehoor plannen")]
    assert main(["actions", "--db", str(db), "--owner", "IND", "--today", "2026-03-10"]) == 0
    out = capsys.readouterr().out
    assert "IND · Jan de Vries" in out and "IND · Anna Bakker" in out
    assert main(["actions", "--db", str(db), "--owner", "Nobody Here"]) == 1
    assert "persoon" in capsys.readouterr().err


def test_minutes_and_export_show_the_person(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "v.md"
    with Store.open(db, PASSPHRASE) as s:
        meeting = s.meetings(s.overleggen()[0].id)[0]
    assert main(["export", "--db", str(db), "--meeting", meeting.id, "--format", "md",
                 "-o", str(out)]) == 0
    # the file's name says it holds personal data (issue 15)
    text = (tmp_path / "v.PERSOONSGEGEVENS.md").read_text(encoding="utf-8")
    assert "IND · Jan de Vries" in text and "IND · Anna Bakker" in text
