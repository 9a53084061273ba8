"""Sync subcommands: ``sync`` (one round with the shared database) and ``server init|grant``.

Exit status: 0 done; 2 the server did not answer (offline); 3 the server refused (login,
rights, schema) or refused some ops; 1 anything else (bad URL, local database).
"""

from __future__ import annotations

import argparse
import sys

from lvv_tui.commands.base import CliError, add_db_arg, db_path, open_store

#: exit status when the server did not answer
EXIT_OFFLINE = 2
#: exit status when the server refused the round, or some ops
EXIT_REFUSED = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sync", help="one round of push and pull with the shared database",
        description="Push unsynced ops, pull new ones. Creates the local database when it "
        "does not exist yet. URL: postgresql://user@host/db?sslmode=verify-full (options "
        "pass through to libpq) or sqlite:///path/to/hub.db.",
    )
    add_db_arg(p)
    p.add_argument("--server", metavar="URL", default=argparse.SUPPRESS,
                   help="the shared database (default: LVV_SERVER or config)")
    p.add_argument("--author", metavar="NAME", default=argparse.SUPPRESS,
                   help="your name in the audit trail (for a new database)")
    p.set_defaults(func=cmd_sync)

    server = sub.add_parser("server", help="set up the shared database (administrators)")
    ssub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    p = ssub.add_parser(
        "init", help="create or upgrade the server schema (idempotent)",
        description="Creates or upgrades the ops table, the app's group role, row-level "
        "security and grants. Run as the database owner. Safe to run again.",
    )
    p.add_argument("url", metavar="URL", help="postgresql://owner@host/db or sqlite:///path")
    p.add_argument("--app-role", default="lvv_app",
                   help="group role of the app's login roles (default lvv_app)")
    p.set_defaults(func=cmd_server_init)

    p = ssub.add_parser(
        "grant", help="give a login role access to one overleg",
        description="Makes ROLE a member of the app's group role and lets it read and write "
        "the ops of OVERLEG only: its id (as in lvv-tui dump), or its name once a laptop "
        "that has it has synced.",
    )
    p.add_argument("role", metavar="ROLE", help="an existing PostgreSQL login role")
    p.add_argument("overleg", metavar="OVERLEG", help="the overleg id, or its name")
    p.add_argument("--server", metavar="URL", default=argparse.SUPPRESS,
                   help="the shared database, as its owner (default: LVV_SERVER or config)")
    p.add_argument("--app-role", default="lvv_app",
                   help="group role of the app's login roles (default lvv_app)")
    p.set_defaults(func=cmd_server_grant)


def _config(args: argparse.Namespace):  # noqa: ANN202
    from lvv_tui import config, i18n

    try:
        cfg = config.load(db=getattr(args, "db", None), lang=getattr(args, "lang", None),
                          server=getattr(args, "server", None),
                          author=getattr(args, "author", None))
    except config.ConfigError as exc:
        raise CliError(str(exc)) from exc
    i18n.set_language(cfg.lang)
    return cfg


def _fail(exc: Exception) -> CliError:
    from db.sync import BadServerURL, ServerRefused, ServerUnavailable
    from lvv_tui.i18n import t

    if isinstance(exc, ServerUnavailable):
        return CliError(t("sync.cli.offline", reason=str(exc)), EXIT_OFFLINE)
    if isinstance(exc, ServerRefused):
        return CliError(t("sync.cli.refused", reason=str(exc)), EXIT_REFUSED)
    if isinstance(exc, BadServerURL):
        return CliError(str(exc), 1)
    # the first line only: later lines of a driver error can quote SQL parameters
    first = (str(exc).strip().splitlines() or [""])[0]
    return CliError(t("sync.cli.failed", reason=f"{type(exc).__name__}: {first}"), 1)


def cmd_sync(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from db.sync import Hub, SyncError, sync_once
    from lvv_tui.i18n import t

    cfg = _config(args)
    if not cfg.server:
        raise CliError(t("sync.cli.no_server"))
    path = db_path(args)
    created = not path.exists()
    try:
        hub = Hub(cfg.server)
    except SyncError as exc:
        raise _fail(exc) from exc
    try:
        # ask the server first: offline or refused never creates or changes a local file
        _ = hub.key
        store = open_store(path, create=True, author=cfg.author)
        try:
            report = sync_once(store, hub)
            counts = store.sync_counts(report.key)
        finally:
            store.close()
    except CliError:
        raise
    except (SyncError, SQLAlchemyError, OSError) as exc:
        raise _fail(exc) from exc
    except Exception as exc:  # a driver's own error: still one line, never a traceback
        raise _fail(exc) from exc
    finally:
        hub.close()
    if created:
        print(t("sync.cli.created", path=path))
    print(t("sync.cli.report", server=report.server, pushed=report.pushed,
            already=report.already, pulled=report.pulled, duplicates=report.duplicates,
            cursor=report.cursor))
    print(t("sync.cli.state", unsynced=counts.unsynced, conflicts=counts.conflicts))
    if report.skewed:
        print(t("sync.cli.skewed", n=report.skewed))
    if report.alarms:
        print(t("sync.cli.alarms", n=report.alarms))
    if report.forbidden:
        print(t("sync.cli.forbidden", n=report.withheld, overleggen=", ".join(report.forbidden)),
              file=sys.stderr)
    if report.rejected:
        raise CliError(t("sync.cli.rejected", n=len(report.rejected),
                         ids=", ".join(report.rejected[:5])), EXIT_REFUSED)
    if report.forbidden:
        return EXIT_REFUSED
    return 0


def cmd_server_init(args: argparse.Namespace) -> int:
    from db.server import init_server
    from db.sync import SyncError
    from lvv_tui.i18n import t

    _config(args)
    try:
        result = init_server(args.url, app_role=args.app_role)
    except SyncError as exc:
        raise _fail(exc) from exc
    if result.kind == "postgresql":
        print(t("sync.cli.init_pg", server=result.server, role=result.app_role,
                key=result.hub_key))
    else:
        print(t("sync.cli.init_sqlite", server=result.server, key=result.hub_key))
    return 0


def cmd_server_grant(args: argparse.Namespace) -> int:
    from db.server import grant
    from db.sync import SyncError
    from lvv_tui.i18n import t

    cfg = _config(args)
    if not cfg.server:
        raise CliError(t("sync.cli.no_server"))
    try:
        added = grant(cfg.server, args.role, args.overleg, app_role=args.app_role)
    except SyncError as exc:
        raise _fail(exc) from exc
    key = "sync.cli.granted" if added else "sync.cli.granted_already"
    print(t(key, role=args.role, overleg=args.overleg))
    return 0
