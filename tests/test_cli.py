"""The command line as a script or an admin meets it: exit codes, one-line errors."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PASSPHRASE


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    if env is not None:
        full_env.update(env)
        for key, value in env.items():
            if value is None:
                full_env.pop(key)
    return subprocess.run(
        [sys.executable, "-m", "lvv_tui", *args], capture_output=True, text=True,
        env=full_env, stdin=subprocess.DEVNULL, timeout=120,
    )


def test_help_lists_the_commands() -> None:
    out = run("--help")
    assert out.returncode == 0
    for command in ("demo", "dump", "check", "sync", "server", "meetings", "export"):
        assert command in out.stdout


def test_the_cli_reads_its_commands_from_the_command_modules() -> None:
    """Each command module registers its subcommands; the CLI only dispatches."""
    from lvv_tui import cli
    from lvv_tui.commands import base

    parser = cli.build_parser()
    for argv, module in ((["check"], "core"), (["meetings"], "minutes"),
                         (["sync", "--server", "sqlite:///x.db"], "sync")):
        args = parser.parse_args([*argv, "--db", "x.db"])
        assert args.func.__module__ == f"lvv_tui.commands.{module}"
    assert [m.__name__ for m in cli.COMMAND_MODULES] == [
        "lvv_tui.commands.core", "lvv_tui.commands.sync", "lvv_tui.commands.minutes",
        "lvv_tui.commands.search", "lvv_tui.commands.report", "lvv_tui.commands.case_import",
        "lvv_tui.commands.actions", "lvv_tui.commands.privacy", "lvv_tui.commands.before"]
    assert cli.CliError is base.CliError  # one error type, whoever raises it


def test_demo_then_check_then_dump(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    made = run("demo", "--db", str(db), "--seed", "3")
    assert made.returncode == 0, made.stderr
    assert "cases" in made.stdout
    checked = run("check", "--db", str(db))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok" in checked.stdout
    first = run("dump", "--db", str(db))
    second = run("dump", "--db", str(db))
    assert first.returncode == 0 and first.stdout == second.stdout
    state = json.loads(first.stdout)
    assert state["format"] == "lvv-tui-dump/1" and state["state"]["casus"]
    assert "pushed" not in first.stdout and "local_seq" not in first.stdout


def test_demo_refuses_to_overwrite(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert run("demo", "--db", str(db)).returncode == 0
    again = run("demo", "--db", str(db))
    assert again.returncode == 1
    assert "exists already" in again.stderr


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_wrong_passphrase_is_one_line_exit_1_file_identical(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert run("demo", "--db", str(db)).returncode == 0
    before = _digest(db)
    out = run("check", "--db", str(db), env={"LVV_PASSPHRASE": "fout"})
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "verkeerde wachtwoordzin" in out.stderr
    assert "Traceback" not in out.stderr
    assert _digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["x.db"]


def test_not_a_database_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("boodschappen: brood, kaas\n" * 100)
    before = _digest(db)
    out = run("dump", "--db", str(db))
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr and "geen lvv-tui-database" in out.stderr
    assert _digest(db) == before


def test_missing_database_and_missing_passphrase(tmp_path: Path) -> None:
    out = run("check", "--db", str(tmp_path / "nope.db"))
    assert out.returncode == 1 and "database bestaat niet" in out.stderr
    db = tmp_path / "x.db"
    assert run("demo", "--db", str(db)).returncode == 0
    out = run("check", "--db", str(db), env={"LVV_PASSPHRASE": None})  # type: ignore[dict-item]
    assert out.returncode == 1 and "LVV_PASSPHRASE" in out.stderr


def test_check_reports_a_fault_with_exit_1(tmp_path: Path) -> None:
    from db.store import Store

    db = tmp_path / "x.db"
    assert run("demo", "--db", str(db)).returncode == 0
    with Store.open(db, PASSPHRASE) as s, s._tx() as conn:
        conn.exec_driver_sql("UPDATE casus SET code = 'GEKNOEID' WHERE rowid = 1")
    out = run("check", "--db", str(db))
    assert out.returncode == 1
    assert "FAULT projection casus" in out.stdout


def test_default_paths_come_from_the_environment(isolated_env: Path) -> None:
    made = run("demo")
    assert made.returncode == 0, made.stderr
    assert (isolated_env / "data" / "lvv.db").exists()
