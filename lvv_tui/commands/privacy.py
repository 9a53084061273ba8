"""``lvv-tui audit`` (a case's changes on this laptop) and ``lvv-tui server audit`` (the
server's pull log, owner only): the audit trail of issue 10, NEN 7513 fields."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lvv_tui.commands.base import CliError, add_db_arg, db_path, open_store, t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit", help="every change to a case and its records (who, when, from which laptop)",
        description="Lists every change to the case CODE and to its agenda items, views, "
        "decisions, actions, escalations and stays: time, field, author, device, whether it "
        "was pushed (and by which account, where the server said so), the audience, and in whose name a view was recorded. Values are not "
        "shown.")
    add_db_arg(p)
    p.add_argument("--case", required=True, metavar="CODE", help="the case code")
    p.add_argument("--json", action="store_true", help="print JSON: a list of events")
    p.set_defaults(func=cmd_audit)


def register_server(ssub: argparse._SubParsersAction) -> None:
    """``server audit``: added to the ``server`` command by :mod:`lvv_tui.commands.sync`."""
    p = ssub.add_parser(
        "audit", help="the server's pull log per role (owner only)",
        description="Every pull: time, role, overleg, the organisation it acts for, number "
        "of ops, and the cases they touched. For the server's owner only.")
    p.add_argument("--server", metavar="URL", default=argparse.SUPPRESS,
                   help="the shared database, as its owner (default: LVV_SERVER or config)")
    p.add_argument("--role", metavar="R", help="only this role")
    p.add_argument("--case", metavar="CODE", help="only pulls that touched this case")
    p.add_argument("--since", metavar="DATE", help="only pulls from this date (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print JSON: a list of events")
    p.set_defaults(func=cmd_server_audit)


def _print(rows: list[dict[str, Any]], as_json: bool, columns: tuple[str, ...]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    for r in rows:
        print("  ".join(str(r.get(c) if r.get(c) is not None else "-") for c in columns))


def cmd_audit(args: argparse.Namespace) -> int:
    from db.audit import CaseNotFound, case_changes

    store = open_store(db_path(args))
    try:
        rows = case_changes(store, args.case)
    except CaseNotFound as exc:
        raise CliError(t("privacy.audit.no_case", code=args.case)) from exc
    finally:
        store.close()
    _print(rows, args.json, ("at", "event", "entity", "field", "author", "device_id",
                             "pushed_by", "audience", "acting_for"))
    return 0


def cmd_server_audit(args: argparse.Namespace) -> int:
    import datetime as dt

    from db.audit import pull_log
    from db.sync import SyncError
    from lvv_tui.commands.sync import _fail, _owner_server

    server = _owner_server(args)
    try:
        since = dt.date.fromisoformat(args.since) if args.since else None
    except ValueError as exc:
        raise CliError(t("privacy.audit.bad_date", value=args.since)) from exc
    try:
        rows = pull_log(server, role=args.role, case=args.case, since=since)
    except SyncError as exc:
        raise _fail(exc) from exc
    _print(rows, args.json, ("at", "event", "role", "overleg_id", "acting_for", "ops",
                             "case_codes"))
    return 0
