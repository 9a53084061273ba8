"""What every subcommand shares: errors, the passphrase, opening the store, ``--db``,
and opening the app.

The command modules import this module, never :mod:`lvv_tui.cli`: the CLI reads the command
modules' ``register`` functions, so the imports point one way.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


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


def open_store(path: Path, *, create: bool = False, author: str | None = None,  # noqa: ANN201
               passphrase: str | None = None):
    """Open the store for a command, turning store errors into one-line CLI errors."""
    from db.engine import StoreError
    from db.store import Store

    exists = path.exists()
    if not exists and not create:
        raise CliError(f"{path}: no such database")
    passphrase = passphrase or get_passphrase(path, confirm=not exists)
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
