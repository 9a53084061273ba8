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
    register_retention(sub)
    from lvv_tui.commands.sync import server_actions

    register_server(server_actions(sub))


def register_retention(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "retention", help="anonymise the cases past their overleg's retention term",
        description="Lists the cases that left more than the overleg's retention term ago "
        "(default 24 months) and anonymises them: one redaction op per case, which every "
        "laptop and the server honour by erasing free text, V-number and personal details "
        "(dates are kept by month, the outcome as it is). With --server the ops are synced "
        "and the server erases the same (as its owner). --term sets an overleg's term.")
    add_db_arg(p)
    p.add_argument("--server", metavar="URL", default=argparse.SUPPRESS,
                   help="also sync and erase on the shared database, as its owner")
    p.add_argument("--dry-run", action="store_true", help="only list the cases that are due")
    p.add_argument("--term", metavar="MONTHS", type=int,
                   help="set the retention term of --overleg (administrators)")
    p.add_argument("--overleg", metavar="ID", help="the overleg (for --term, or to list one)")
    p.add_argument("--today", metavar="DATE", help=argparse.SUPPRESS)  # tests
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_retention)


def register_server(ssub: argparse._SubParsersAction) -> None:
    """``server audit``: added to the ``server`` command of :mod:`lvv_tui.commands.sync`."""
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


def cmd_retention(args: argparse.Namespace) -> int:
    import datetime as dt

    from db.rules import ValidationError

    try:
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    except ValueError as exc:
        raise CliError(t("privacy.audit.bad_date", value=args.today)) from exc
    server = None
    if getattr(args, "server", None) is not None:
        from lvv_tui.commands.sync import _owner_server

        server = _owner_server(args)
    store = open_store(db_path(args))
    try:
        if args.term is not None:
            if not args.overleg:
                raise CliError(t("privacy.retention.need_overleg"))
            try:
                store.set_retention_term(args.overleg, args.term)
            except ValidationError as exc:
                raise CliError(t("privacy.retention.bad_term", value=args.term)) from exc
            print(t("privacy.retention.term_set", months=args.term))
        due = store.retention_due(today, args.overleg)
        rows = [{"case_code": r.code, "overleg_id": r.overleg_id,
                 "left": r.exit_date.isoformat()[:7], "term_months": r.term_months,
                 "due_on": r.due_on.isoformat(), "event": "retention_due"} for r in due]
        if args.json:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        else:
            print(t("privacy.retention.due", n=len(due)))
            _print(rows, False, ("case_code", "left", "term_months", "due_on"))
        if args.dry_run:
            return 0
        if due:
            erased = store.redact_cases([r.case_id for r in due], today)
            if not args.json:
                print(t("privacy.retention.done", n=len(due), values=erased))
        if server is not None:
            _erase_on_server(store, server, args.json)
    finally:
        store.close()
    return 0


def _erase_on_server(store: Any, server: str, quiet: bool) -> None:
    from db.server_erase import erase_on_server
    from db.sync import SyncError, sync_once
    from lvv_tui.commands.sync import _fail

    try:
        sync_once(store, server)
        erased = erase_on_server(server)
    except SyncError as exc:
        raise _fail(exc) from exc
    if not quiet:
        print(t("privacy.retention.server_done", values=erased))
