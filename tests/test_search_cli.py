"""``lvv-tui search``: JSON keys, kinds, filters, and a bad query as one line, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.store import Store
from lvv_tui.cli import main
from tests.conftest import PASSPHRASE
from tests.test_search import _seed


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    with Store.open(path, PASSPHRASE, create=True) as s:
        seed = _seed(s)
        s.record_view(seed.i2.id, seed.ngo.id, "stay", "[bold]opmaak[/bold] blijft tekst")
    return path


def test_json_lists_hits_with_the_promised_keys(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["search", "--db", str(db), "medisch", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert {h["kind"] for h in hits} == {"view", "decision", "minutes"}
    for h in hits:
        assert {"kind", "id", "case_code", "meeting_date", "snippet", "score"} <= h.keys()
        assert isinstance(h["score"], float) and h["score"] > 0
        for start, end in h["highlights"]:
            assert h["snippet"][start:end].lower().startswith("medisch")
    decision = next(h for h in hits if h["kind"] == "decision")
    assert decision["case_code"] == "DEMO-AMS-0042"
    assert decision["meeting_date"] == "2025-04-10"


def test_kind_filter_and_confidential_mark(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["search", "--db", str(db), "psychiatrisch OF artikel", "--kind", "view",
                 "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert {h["kind"] for h in hits} == {"view"}
    assert sorted(h["confidential"] for h in hits) == [False, False, True]


def test_text_output_groups_by_kind(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["search", "--db", str(db), "ethiopie OF psychiatrisch"]) == 0
    out = capsys.readouterr().out
    assert out.index("Casussen") < out.index("Inbreng")
    assert "[vertrouwelijk]" in out and "DEMO-AMS-0042" in out


def test_markup_in_a_note_stays_text(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["search", "--db", str(db), "opmaak", "--json"]) == 0
    (hit,) = json.loads(capsys.readouterr().out)
    assert hit["snippet"] == "[bold]opmaak[/bold] blijft tekst"


@pytest.mark.parametrize(("query", "message"), [
    ('"open', "aanhalingsteken"),
    ("OF", "OF (OR)"),
    ("x" * 100_000, "te lang"),
])
def test_a_bad_query_is_one_line_and_exit_1(db: Path, capsys: pytest.CaptureFixture,
                                            query: str, message: str) -> None:
    assert main(["search", "--db", str(db), query]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err and "sqlite" not in captured.err.lower()


def test_english_messages_and_dates(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--lang", "en", "search", "--db", str(db), "--", "-x"]) == 1
    assert "only words with a minus" in capsys.readouterr().err
    assert main(["search", "--db", str(db), "artikel", "--from", "2026-01-01", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert [h["meeting_date"] for h in hits] == ["2026-03-02"]
    assert main(["search", "--db", str(db), "artikel", "--from", "gisteren"]) == 1
    assert "--from" in capsys.readouterr().err
