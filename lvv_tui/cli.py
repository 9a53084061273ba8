"""The command line: ``lvv-tui`` opens the app; subcommands for scripts and admins.

Each subcommand lives in a module of :mod:`lvv_tui.commands` with a ``register``
function; heavy imports stay inside the functions that run a command, so ``--help`` and
start-up stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

#: Modules that add subcommands (each has ``register(subparsers)``).
COMMAND_MODULES = ("lvv_tui.commands.core", "lvv_tui.commands.sync", "lvv_tui.commands.minutes",
                   "lvv_tui.commands.search", "lvv_tui.commands.report",
                   "lvv_tui.commands.case_import", "lvv_tui.commands.privacy")


class CliError(Exception):
    """A failure to report as one line on stderr, exit status 1 (or ``status``)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def get_passphrase(path: Path, *, confirm: bool = False) -> str:
    """``LVV_PASSPHRASE``, or a prompt on the terminal."""
    value = os.environ.get("LVV_PASSPHRASE")
    if value:
        return value
    if not sys.stdin.isatty():
        raise CliError("no passphrase: set LVV_PASSPHRASE or run in a terminal")
    import getpass

    first = getpass.getpass(f"Wachtwoordzin / passphrase for {path}: ")
    if confirm:
        again = getpass.getpass("Nogmaals / again: ")
        if again != first:
            raise CliError("the two passphrases differ; nothing was created")
    if not first:
        raise CliError("an empty passphrase is not allowed")
    return first


def open_store(path: Path, *, create: bool = False, author: str | None = None):  # noqa: ANN201
    """Open the store for a command, turning store errors into one-line CLI errors."""
    from db.engine import StoreError
    from db.store import Store

    exists = path.exists()
    if not exists and not create:
        raise CliError(f"{path}: no such database")
    passphrase = get_passphrase(path, confirm=not exists)
    try:
        return Store.open(path, passphrase, author=author, create=create)
    except StoreError as exc:
        raise CliError(str(exc)) from exc


def add_db_arg(parser: argparse.ArgumentParser, required: bool = False) -> None:
    # SUPPRESS: a subcommand's --db, when not given, must not hide ``lvv-tui --db X cmd``
    parser.add_argument(
        "--db", metavar="PATH", required=required, default=argparse.SUPPRESS,
        help="the local database (default: LVV_DB, config, or the user data dir)",
    )


def db_path(args: argparse.Namespace) -> Path:
    from lvv_tui import config

    return config.load(db=getattr(args, "db", None)).db


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lvv-tui",
        description="Case meetings of the LVV: agenda, views, decisions, actions, minutes.",
        epilog="Without a command, opens the app. The passphrase comes from LVV_PASSPHRASE "
        "or a prompt.",
    )
    add_db_arg(parser)
    parser.set_defaults(db=None)
    parser.add_argument("--lang", choices=("nl", "en"), help="language of the app (default nl)")
    parser.add_argument("--server", metavar="URL", help="the shared database to sync with")
    parser.add_argument("--author", metavar="NAME", help="your name in the audit trail")
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {__import__('lvv_tui').__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def run_app(args: argparse.Namespace) -> int:
    from lvv_tui import config

    try:
        cfg = config.load(db=args.db, lang=args.lang, server=args.server, author=args.author)
    except config.ConfigError as exc:
        raise CliError(str(exc)) from exc
    from lvv_tui.app import LvvApp

    app = LvvApp(cfg)
    app.run()
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return run_app(args)
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"lvv-tui: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("lvv-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
