"""Retention (issue 10): a case past its overleg's term is anonymised on every replica by
one redaction op. Its text is found nowhere afterwards (laptop dump, a second laptop after
sync, the server's rows as owner, the raw decrypted bytes of the SQLite file and its WAL),
and the monitoring counts of the case are unchanged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from retention_helpers import CODE, SECRETS, decrypted_pages, monitoring_counts, old_case

from db import domain as d
from db.rules import ValidationError
from db.store import Store
from db.sync import sync_once

TODAY = dt.date(2026, 1, 5)
PASSPHRASE = "test-passphrase"


def _text(store: Store) -> str:
    return json.dumps(store.dump(), ensure_ascii=False) + json.dumps(
        [op.as_dict() for op in store.all_ops()], ensure_ascii=False)


def test_the_term_decides_which_cases_are_due(laptops) -> None:  # noqa: ANN001
    store = laptops("Secretaris")
    made = old_case(store)
    ov = made["overleg"]
    assert store.retention_term(ov.id) == 24
    due = store.retention_due(TODAY)
    assert [(r.code, r.due_on) for r in due] == [(CODE, dt.date(2025, 5, 17))]
    assert store.retention_due(dt.date(2025, 5, 16)) == []
    store.set_retention_term(ov.id, 36)
    assert store.retention_due(TODAY) == []
    with pytest.raises(ValidationError):
        store.set_retention_term(ov.id, 0)
    assert store.retention_term(ov.id) == 36


def test_a_redacted_case_keeps_nothing_but_what_monitoring_needs(
        laptops, tmp_path: Path) -> None:  # noqa: ANN001
    a = laptops("Secretaris")
    made = old_case(a)
    b = laptops("Partner")
    hub = f"sqlite:///{tmp_path / 'hub.db'}"
    sync_once(a, hub)
    sync_once(b, hub)
    assert SECRETS["note"] in _text(b)  # the second laptop had the text
    counts = monitoring_counts(a, made["overleg"].id)
    erased = a.redact_cases([r.case_id for r in a.retention_due(TODAY)], TODAY)
    assert erased > 0
    assert a.retention_due(TODAY) == []
    text = _text(a)
    for word in SECRETS.values():
        assert word not in text, word
    # kept: the code, the outcome, the dates by month
    case = a.case(made["case"].id)
    assert (case.code, case.outcome_subtype, case.exit_date, case.v_number) == (
        CODE, d.OutcomeSubtype.RETURN, dt.date(2023, 5, 1), None)
    assert monitoring_counts(a, made["overleg"].id) == counts
    assert a.check() == []
    assert a.search(SECRETS["note"]).hits == []
    # the second laptop erases the same on sync, and both dump the same
    sync_once(a, hub)
    sync_once(b, hub)
    sync_once(a, hub)
    text = _text(b)
    for word in SECRETS.values():
        assert word not in text, word
    assert b.check() == []
    assert a.dump() == b.dump()
    assert monitoring_counts(b, made["overleg"].id) == counts


def test_an_op_of_a_redacted_case_written_later_is_erased_before_it_is_stored(
        laptops) -> None:  # noqa: ANN001
    store = laptops("Secretaris")
    made = old_case(store)
    store.redact_cases([made["case"].id], TODAY)
    store.record_case_detail(made["case"].id, made["orgs"][d.OrgKind.NGO].id,
                             "Nieuwe Ijsvogelpolitie", topic="health")
    assert SECRETS["detail"] not in _text(store)
    assert store.check() == []


def test_a_view_of_a_redacted_case_written_later_keeps_no_note(laptops) -> None:  # noqa: ANN001
    """Recording a view reads whether its case is anonymised with the item (one query):
    a changed view (the row names the case) and a new one (the item names it)."""
    store = laptops("Secretaris")
    made = old_case(store)
    store.redact_cases([made["case"].id], TODAY)
    item, orgs = made["item"].id, made["orgs"]
    store.record_view(item, orgs[d.OrgKind.NGO].id, d.Position.STAY,
                      f"Nieuwe {SECRETS['note']}", audience="chair")
    store.record_view(item, orgs[d.OrgKind.IND].id, d.Position.STAY, f"{SECRETS['note']} ook")
    assert SECRETS["note"] not in _text(store)
    assert store.search(SECRETS["note"]).hits == []
    assert [v.position for v in store.views(item)] == [d.Position.STAY, d.Position.STAY]
    assert store.check() == []


def test_no_erased_word_is_left_in_the_decrypted_file_or_its_wal(tmp_path: Path) -> None:
    path = tmp_path / "laptop.db"
    with Store.open(path, PASSPHRASE, author="Secretaris", create=True) as store:
        made = old_case(store)
        pages, frames = decrypted_pages(path, PASSPHRASE)
        before = b"".join(pages + frames)
        # the decryption is real: the words are there before
        assert SECRETS["note"].encode() in before
        store.redact_cases([made["case"].id], TODAY)
        pages, frames = decrypted_pages(path, PASSPHRASE)
        after = b"".join(pages + frames)
        assert CODE.encode() in after  # kept, and proves the pages were decrypted
        for word in SECRETS.values():
            assert word.encode() not in after, word
    pages, frames = decrypted_pages(path, PASSPHRASE)
    closed = b"".join(pages + frames)
    assert CODE.encode() in closed
    for word in SECRETS.values():
        assert word.encode() not in closed, word


def test_the_retention_command_lists_then_anonymises_and_erases_on_the_hub(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:
    from lvv_tui.cli import main

    monkeypatch.setenv("LVV_PASSPHRASE", PASSPHRASE)
    path, hub = tmp_path / "secretaris.db", f"sqlite:///{tmp_path / 'hub.db'}"
    with Store.open(path, PASSPHRASE, author="Secretaris", create=True) as store:
        made = old_case(store)
        sync_once(store, hub)
    args = ["retention", "--db", str(path), "--today", TODAY.isoformat()]
    assert main([*args, "--dry-run", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["case_code"], r["left"], r["due_on"]) for r in listed] == [
        (CODE, "2023-05", "2025-05-17")]
    with Store.open(path, PASSPHRASE) as store:  # a dry run changes nothing
        assert store.case(made["case"].id).v_number == SECRETS["v_number"]
    assert main([*args, "--server", hub]) == 0
    out = capsys.readouterr().out
    assert CODE in out and "geanonimiseerd" in out
    hub_bytes = (tmp_path / "hub.db").read_bytes()
    for word in SECRETS.values():
        assert word.encode() not in hub_bytes, word
    assert main([*args, "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main([*args, "--term", "0", "--overleg", made["overleg"].id]) == 1


def test_a_laptop_joining_from_a_snapshot_keeps_nothing_of_a_redacted_case(
        laptops, tmp_path: Path) -> None:  # noqa: ANN001
    """The hub still holds the case's old ops (nobody erased it yet); a new laptop that
    starts from the snapshot erases them as a pull would."""
    a = laptops("Secretaris")
    made = old_case(a)
    hub = f"sqlite:///{tmp_path / 'hub.db'}"
    sync_once(a, hub)
    a.redact_cases([r.case_id for r in a.retention_due(TODAY)], TODAY)
    sync_once(a, hub)
    c = laptops("Nieuwe laptop")
    assert c.is_empty()
    sync_once(c, hub)
    assert not c.is_empty()
    text = _text(c)
    for word in SECRETS.values():
        assert word not in text, word
    assert c.check() == []
    assert a.dump() == c.dump()
    assert monitoring_counts(c, made["overleg"].id) == monitoring_counts(a, made["overleg"].id)
