"""The command line: ``lvv-tui`` opens the app; subcommands for scripts and admins.

Each subcommand lives in a module of :mod:`lvv_tui.commands` with a ``register``
function; the CLI reads them from :data:`COMMAND_MODULES` and only dispatches. What the
commands share is in :mod:`lvv_tui.commands.base` (the command modules never import this
module, so there is no import cycle). Heavy imports stay inside the functions that run a
command, so ``--help`` and start-up stay fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lvv_tui.commands import (
    actions,
    before,
    case_import,
    core,
    minutes,
    privacy,
    report,
    search,
    sync,
)
from lvv_tui.commands.base import CliError, add_db_arg, run_app

__all__ = ["COMMAND_MODULES", "CliError", "build_parser", "main", "run_app"]

#: Modules that add subcommands (each has ``register(subparsers)``).
COMMAND_MODULES = (core, sync, minutes, search, report, case_import, actions, privacy,
                   before)


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
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def _early_language(argv: Sequence[str]) -> None:
    """``--lang`` before the parser is built: the help of the commands that take theirs
    from the catalog is then in that language too."""
    from lvv_tui import i18n

    for n, arg in enumerate(argv):
        lang = arg.split("=", 1)[1] if arg.startswith("--lang=") else (
            argv[n + 1] if arg == "--lang" and n + 1 < len(argv) else None)
        if lang in i18n.LANGUAGES:
            i18n.set_language(lang)
            return


def main(argv: Sequence[str] | None = None) -> int:
    _early_language(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "lang", None):  # every message of every command in that language
        from lvv_tui import i18n

        i18n.set_language(args.lang)
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
