"""CLI messages in Dutch by default (English with --lang en); a --db in a folder that does
not exist is an error that creates nothing; the demo's passphrase line is Dutch."""

from __future__ import annotations

from pathlib import Path

import pytest

from lvv_tui.cli import main


def test_a_missing_folder_for_db_is_an_error(tmp_path: Path,
                                             capsys: pytest.CaptureFixture) -> None:
    target = tmp_path / "tpyo" / "lvv.db"
    assert main(["--db", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bestaat niet" in err and "tpyo" in err
    assert not target.parent.exists()
    assert main(["demo", "--db", str(target)]) == 1
    assert not target.parent.exists()


def test_demo_says_its_passphrase_in_dutch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture) -> None:
    monkeypatch.delenv("LVV_PASSPHRASE")
    assert main(["demo", "--db", str(tmp_path / "d.db")]) == 0
    assert "Wachtwoordzin van de demodatabase: demo" in capsys.readouterr().err


def test_wrong_passphrase_in_english_with_lang_en(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "d.db"
    assert main(["demo", "--db", str(db)]) == 0
    monkeypatch.setenv("LVV_PASSPHRASE", "fout")
    assert main(["--lang", "en", "check", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "wrong passphrase" in err
    assert main(["--lang", "nl", "check", "--db", str(db)]) == 1
    assert "verkeerde wachtwoordzin" in capsys.readouterr().err


def test_a_new_file_in_an_existing_folder_asks_first(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``lvv-tui --db NEW`` at a terminal asks before it creates a file; "n" (or just
    enter) leaves nothing behind and exits 1."""
    import sys

    from lvv_tui.cli import main

    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "")
    path = tmp_path / "nieuw.db"
    assert main(["--db", str(path)]) == 1
    assert asked == [f"{path} bestaat nog niet. Nieuwe database aanmaken? [j/N] "]
    assert list(tmp_path.iterdir()) == [tmp_path / "home"]  # nothing created
