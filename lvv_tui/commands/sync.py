"""Sync subcommands: ``sync`` (one round with the shared database) and ``server init|grant|
 revoke|overleg add|overleg list`` (administrators, as the database owner).

Exit status: 0 done; 2 the server did not answer (offline; a round cut off part-way says
what did move); 3 the server refused (login, rights, schema), refused some ops, or sent ops
that failed the checks (quarantined); 1 anything else (bad URL, local database) — never for
bad data from the server.
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
    _SERVER_ACTIONS[id(sub)] = ssub  # for other modules' server actions (server audit)
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
        description="Makes ROLE a member of the app's group role and lets it read the ops "
        "of OVERLEG and push to it (through lvv_push) only. OVERLEG: its id (as in lvv-tui "
        "dump), or a name that matches exactly one overleg in the server's own list "
        "(lvv-tui server overleg add). Prints the id it granted.",
    )
    p.add_argument("role", metavar="ROLE", help="an existing PostgreSQL login role")
    p.add_argument("overleg", metavar="OVERLEG", help="the overleg id, or its listed name")
    p.add_argument("--org", metavar="ORG", default=None,
                   help="the organisation the role sits at the table for: its id, or a kind "
                   "(gemeente, ind, dtenv, politie, ngo) that exactly one organisation of the "
                   "overleg has; the role reads only what is for that organisation")
    _owner_args(p)
    p.set_defaults(func=cmd_server_grant)

    p = ssub.add_parser("revoke", help="take one overleg from a login role",
                        description="ROLE no longer reads or pushes OVERLEG (id or listed "
                        "name); with its last overleg it leaves the app's group role.")
    p.add_argument("role", metavar="ROLE")
    p.add_argument("overleg", metavar="OVERLEG", help="the overleg id, or its listed name")
    _owner_args(p)
    p.set_defaults(func=cmd_server_revoke)

    p = ssub.add_parser(
        "overleg", help="the server's own list of overleggen (names a grant may use)",
        description="The administrator's list: the only names `server grant` accepts. "
        "Names carried by ops are never used for access.")
    osub = p.add_subparsers(dest="overleg_command", metavar="ACTION", required=True)
    q = osub.add_parser("add", help="put an overleg in the list (or rename it)")
    q.add_argument("overleg_id", metavar="ID", help="the overleg id (lvv-tui dump shows it)")
    q.add_argument("name", metavar="NAME", help="its name, unique in the list")
    _owner_args(q)
    q.set_defaults(func=cmd_server_overleg_add)
    q = osub.add_parser("list", help="the list, and overleg ids with ops that are not in it")
    _owner_args(q)
    q.set_defaults(func=cmd_server_overleg_list)


def _owner_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", metavar="URL", default=argparse.SUPPRESS,
                   help="the shared database, as its owner (default: LVV_SERVER or config)")
    p.add_argument("--app-role", default="lvv_app",
                   help="group role of the app's login roles (default lvv_app)")


#: the ``server`` command's subparsers, by the top-level subparsers they were added to
_SERVER_ACTIONS: dict[int, argparse._SubParsersAction] = {}


def server_actions(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """Where a module registered after this one adds a ``server`` action."""
    return _SERVER_ACTIONS[id(sub)]


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

    report = getattr(exc, "report", None)
    moved = report is not None and (report.pushed or report.pulled or report.already)
    if isinstance(exc, ServerUnavailable):
        if moved:  # say what did move: a partial round is not "nothing changed"
            return CliError(t("sync.cli.partial", pushed=report.pushed, to_push=report.to_push,
                              pulled=report.pulled, reason=str(exc)), EXIT_OFFLINE)
        return CliError(t("sync.cli.offline", reason=str(exc)), EXIT_OFFLINE)
    if isinstance(exc, ServerRefused):
        if moved:
            return CliError(t("sync.cli.partial_refused", pushed=report.pushed,
                              to_push=report.to_push, pulled=report.pulled, reason=str(exc)),
                            EXIT_REFUSED)
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
            from lvv_tui.commands.sync_progress import JoinProgress

            with JoinProgress() as progress:
                report = sync_once(store, hub, progress=progress)
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
    if report.quarantined:
        print(t("sync.cli.quarantined", n=report.quarantined), file=sys.stderr)
    if report.forbidden:
        print(t("sync.cli.forbidden", n=report.withheld, overleggen=", ".join(report.forbidden)),
              file=sys.stderr)
    if report.rejected:
        print(t("sync.cli.refused_ops", n=len(report.rejected)), file=sys.stderr)
        for op_id in report.rejected[:10]:
            print(t("sync.cli.refused_op", id=op_id, reason=report.reasons.get(op_id, "")),
                  file=sys.stderr)
        return EXIT_REFUSED
    if report.forbidden or report.quarantined:
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


def _owner_server(args: argparse.Namespace) -> str:
    from lvv_tui.i18n import t

    cfg = _config(args)
    if not cfg.server:
        raise CliError(t("sync.cli.no_server"))
    return cfg.server


def cmd_server_grant(args: argparse.Namespace) -> int:
    from db.server import grant
    from db.sync import SyncError
    from lvv_tui.i18n import t

    server = _owner_server(args)
    try:
        overleg_id, added = grant(server, args.role, args.overleg, app_role=args.app_role,
                                  org=args.org)
    except SyncError as exc:
        raise _fail(exc) from exc
    key = "sync.cli.granted" if added else "sync.cli.granted_already"
    print(t(key, role=args.role, overleg=overleg_id))
    return 0


def cmd_server_revoke(args: argparse.Namespace) -> int:
    from db.server import revoke
    from db.sync import SyncError
    from lvv_tui.i18n import t

    server = _owner_server(args)
    try:
        overleg_id, had = revoke(server, args.role, args.overleg, app_role=args.app_role)
    except SyncError as exc:
        raise _fail(exc) from exc
    key = "sync.cli.revoked" if had else "sync.cli.revoked_none"
    print(t(key, role=args.role, overleg=overleg_id))
    return 0


def cmd_server_overleg_add(args: argparse.Namespace) -> int:
    from db.server import add_overleg
    from db.sync import SyncError
    from lvv_tui.i18n import t

    server = _owner_server(args)
    try:
        changed = add_overleg(server, args.overleg_id, args.name)
    except SyncError as exc:
        raise _fail(exc) from exc
    key = "sync.cli.overleg_added" if changed else "sync.cli.overleg_same"
    print(t(key, overleg=args.overleg_id.strip().lower(), name=args.name.strip()))
    return 0


def cmd_server_overleg_list(args: argparse.Namespace) -> int:
    from db.server import list_overleggen
    from db.sync import SyncError
    from lvv_tui.i18n import t

    server = _owner_server(args)
    try:
        rows = list_overleggen(server)
    except SyncError as exc:
        raise _fail(exc) from exc
    for row in rows:
        print(t("sync.cli.overleg_row", id=row["id"],
                name=row["name"] if row["name"] is not None else t("sync.cli.overleg_unlisted"),
                ops=row["ops"], members=", ".join(row["members"]) or "-"))
    return 0
