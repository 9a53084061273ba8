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
        raise CliError(t("cli.err.no_passphrase"))
    import getpass

    first = getpass.getpass(t("cli.prompt.passphrase", path=path))
    if confirm:
        again = getpass.getpass(t("cli.prompt.again"))
        if again != first:
            raise CliError(t("cli.err.differ"))
    if not first:
        raise CliError(t("cli.err.empty_passphrase"))
    return first


def t(key: str, **params: object) -> str:
    """A CLI message from the catalog (the language set by ``--lang``; Dutch by default)."""
    from lvv_tui.i18n import t as translate

    return translate(key, **params)


def store_error_text(exc: Exception, path: Path) -> str:
    """A store error as one line in the user's language (the class says what it is)."""
    from db import engine

    for cls, key in ((engine.WrongPassphrase, "cli.err.wrong_passphrase"),
                     (engine.EmptyDatabase, "cli.err.empty_file"),
                     (engine.NotADatabase, "cli.err.not_a_database"),
                     (engine.NewerSchema, "cli.err.newer_schema"),
                     (engine.MissingDatabase, "cli.err.missing")):
        if isinstance(exc, cls):
            return t(key, path=path)
    return str(exc)


def open_store(path: Path, *, create: bool = False, author: str | None = None,  # noqa: ANN201
               passphrase: str | None = None):
    """Open the store for a command, turning store errors into one-line CLI errors."""
    from db.engine import StoreError
    from db.store import Store

    exists = path.exists()
    if not exists and not create:
        raise CliError(t("cli.err.missing", path=path))
    passphrase = passphrase or get_passphrase(path, confirm=not exists)
    try:
        return Store.open(path, passphrase, author=author, create=create)
    except StoreError as exc:
        raise CliError(store_error_text(exc, path)) from exc


def add_db_arg(parser: argparse.ArgumentParser, required: bool = False) -> None:
    # SUPPRESS: a subcommand's --db, when not given, must not hide ``lvv-tui --db X cmd``
    parser.add_argument(
        "--db", metavar="PATH", required=required, default=argparse.SUPPRESS,
        help="the local database (default: LVV_DB, config, or the user data dir)",
    )


def db_path(args: argparse.Namespace) -> Path:
    from lvv_tui import config

    given = getattr(args, "db", None)
    check_db_folder(given)
    return config.load(db=given).db


def check_db_folder(given: str | Path | None) -> None:
    """An explicit ``--db`` in a folder that does not exist is an error (a typo must not
    create folders and an empty database)."""
    if given is None:
        return
    folder = Path(given).expanduser().parent
    if not folder.is_dir():
        raise CliError(t("cli.err.no_folder", folder=folder))


def run_app(args: argparse.Namespace) -> int:
    from lvv_tui import config

    if args.lang:
        from lvv_tui import i18n

        i18n.set_language(args.lang)
    check_db_folder(args.db)
    try:
        cfg = config.load(db=args.db, lang=args.lang, server=args.server, author=args.author)
    except config.ConfigError as exc:
        raise CliError(str(exc)) from exc
    if args.db is not None and not cfg.db.exists() and sys.stdin.isatty():
        answer = input(t("cli.prompt.new_file", path=cfg.db))  # asks before a new file
        if answer.strip().lower() not in ("j", "ja", "y", "yes"):
            return 1
    from lvv_tui.app import LvvApp

    app = LvvApp(cfg)
    app.run()
    return app.return_code or 0
