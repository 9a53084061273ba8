"""``lvv-tui retention --case CODE``: a request for erasure of one case, anonymised now —
after a confirmation, or with ``--yes``; without a terminal and without ``--yes`` refused."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from retention_helpers import CODE, SECRETS, old_case

from db.store import Store
from db.sync import sync_once
from lvv_tui.cli import main

TODAY = dt.date(2026, 1, 5)
PASSPHRASE = "test-passphrase"


def _text(store: Store) -> str:
    return json.dumps(store.dump(), ensure_ascii=False) + json.dumps(
        [op.as_dict() for op in store.all_ops()], ensure_ascii=False)


@pytest.fixture
def laptop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict]:
    monkeypatch.setenv("LVV_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "secretaris.db"
    with Store.open(path, PASSPHRASE, author="Secretaris", create=True) as store:
        made = old_case(store)
    return path, made


def _tty(monkeypatch: pytest.MonkeyPatch, answer: str | None) -> list[str]:
    """A terminal that answers ``answer`` (None: no terminal); returns the prompts."""
    asked: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: answer is not None)

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return answer or ""

    monkeypatch.setattr("builtins.input", ask)
    return asked


def test_without_a_terminal_and_without_yes_it_refuses_and_changes_nothing(
        laptop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:  # noqa: ANN001
    path, made = laptop
    asked = _tty(monkeypatch, None)
    assert main(["retention", "--db", str(path), "--case", "RET-002"]) == 1
    err = capsys.readouterr().err
    assert "--yes" in err and "RET-002" in err and err.count("\n") == 1
    assert asked == []
    with Store.open(path, PASSPHRASE) as store:
        assert store.redacted_cases() == set()


def test_it_asks_first_and_no_is_no(laptop, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture) -> None:  # noqa: ANN001
    path, made = laptop
    asked = _tty(monkeypatch, "n")
    assert main(["retention", "--db", str(path), "--case", "RET-002"]) == 1
    out = capsys.readouterr()
    assert len(asked) == 1 and "RET-002" in asked[0] and "[j/N]" in asked[0]
    assert "nog niet uitgestroomd" in out.out  # an active case: said before asking
    assert "niets gewijzigd" in out.err
    with Store.open(path, PASSPHRASE) as store:
        assert store.redacted_cases() == set()


def test_yes_at_the_prompt_anonymises_that_one_case_only(
        laptop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:  # noqa: ANN001
    path, made = laptop
    asked = _tty(monkeypatch, "ja")
    args = ["retention", "--db", str(path), "--case", CODE, "--today", TODAY.isoformat()]
    assert main(args) == 0
    assert len(asked) == 1
    assert f"Casus {CODE} geanonimiseerd" in capsys.readouterr().out
    with Store.open(path, PASSPHRASE) as store:
        assert store.redacted_cases() == {made["case"].id}
        text = _text(store)
        for word in SECRETS.values():
            assert word not in text, word
        assert store.check() == []
    assert main(args) == 0  # again: nothing to do, says so, does not ask
    assert "al geanonimiseerd" in capsys.readouterr().out and len(asked) == 1


def test_yes_flag_anonymises_without_asking_and_erases_on_the_hub(
        laptop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:  # noqa: ANN001
    path, made = laptop
    hub = f"sqlite:///{tmp_path / 'hub.db'}"
    with Store.open(path, PASSPHRASE) as store:
        sync_once(store, hub)
    asked = _tty(monkeypatch, None)
    assert main(["retention", "--db", str(path), "--case", "RET-002", "--dry-run"]) == 0
    assert "proefrun" in capsys.readouterr().out
    assert main(["retention", "--db", str(path), "--case", "RET-002", "--yes",
                 "--server", hub]) == 0
    assert asked == []
    assert "Server:" in capsys.readouterr().out
    with Store.open(path, PASSPHRASE) as store:
        assert store.redacted_cases() == {made["recent"].id}
    assert main(["retention", "--db", str(path), "--case", "NOPE-1", "--yes"]) == 1
    assert "NOPE-1" in capsys.readouterr().err


def test_the_help_reads_in_dutch(capsys: pytest.CaptureFixture) -> None:
    for command in (["retention"], ["audit"], ["server", "audit"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        out = capsys.readouterr().out
        assert "toon deze hulp" in out and "show this help" not in out
    with pytest.raises(SystemExit):
        main(["--lang", "en", "retention", "--help"])
    assert "request for erasure" in capsys.readouterr().out
    from lvv_tui import i18n

    i18n.set_language("nl")
