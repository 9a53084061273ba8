"""``lvv-tui audit`` (a case's changes on this laptop) and ``lvv-tui server audit`` (the
server's pull log, owner only): the audit trail of issue 10, NEN 7513 fields."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lvv_tui.commands.base import CliError, add_db_arg, db_path, open_store, t


def _parser(sub: argparse._SubParsersAction, name: str, key: str) -> argparse.ArgumentParser:
    """A subcommand whose help comes from the catalog (Dutch unless ``--lang en``)."""
    p = sub.add_parser(name, help=t(f"privacy.help.{key}"),
                       description=t(f"privacy.help.{key}_desc"), add_help=False)
    p.add_argument("-h", "--help", action="help", help=t("privacy.help.help"))
    return p


def _db_arg(p: argparse.ArgumentParser) -> None:
    add_db_arg(p)
    for action in p._actions:  # the shared --db, its help in the catalog's words
        if action.dest == "db":
            action.help = t("privacy.help.db")


def register(sub: argparse._SubParsersAction) -> None:
    p = _parser(sub, "audit", "audit")
    _db_arg(p)
    p.add_argument("--case", required=True, metavar="CODE", help=t("privacy.help.case"))
    p.add_argument("--json", action="store_true", help=t("privacy.help.json_events"))
    p.set_defaults(func=cmd_audit)
    register_retention(sub)
    from lvv_tui.commands.sync import server_actions

    register_server(server_actions(sub))


def register_retention(sub: argparse._SubParsersAction) -> None:
    p = _parser(sub, "retention", "retention")
    _db_arg(p)
    p.add_argument("--server", metavar="URL", default=argparse.SUPPRESS,
                   help=t("privacy.help.server"))
    p.add_argument("--dry-run", action="store_true", help=t("privacy.help.dry_run"))
    p.add_argument("--case", metavar="CODE", help=t("privacy.help.erase_case"))
    p.add_argument("--yes", action="store_true", help=t("privacy.help.yes"))
    p.add_argument("--term", metavar="MONTHS", type=int, help=t("privacy.help.term"))
    p.add_argument("--overleg", metavar="ID", help=t("privacy.help.overleg"))
    p.add_argument("--today", metavar="DATE", help=argparse.SUPPRESS)  # tests
    p.add_argument("--json", action="store_true", help=t("privacy.help.json"))
    p.set_defaults(func=cmd_retention)


def register_server(ssub: argparse._SubParsersAction) -> None:
    """``server audit``: added to the ``server`` command of :mod:`lvv_tui.commands.sync`."""
    p = _parser(ssub, "audit", "server_audit")
    p.add_argument("--server", metavar="URL", default=argparse.SUPPRESS,
                   help=t("privacy.help.owner_server"))
    p.add_argument("--role", metavar="R", help=t("privacy.help.role"))
    p.add_argument("--case", metavar="CODE", help=t("privacy.help.pull_case"))
    p.add_argument("--since", metavar="DATE", help=t("privacy.help.since"))
    p.add_argument("--json", action="store_true", help=t("privacy.help.json_events"))
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
            _set_term(store, args, server)
        elif args.case is not None:
            _erase_case(store, args, today, server)
        else:
            _past_term(store, args, today, server)
    finally:
        store.close()
    return 0


def _set_term(store: Any, args: argparse.Namespace, server: str | None) -> None:
    """``--term N --overleg ID``: the overleg's retention term, an administrator's setting
    (the server refuses it from a member's account); with ``--server`` synced at once."""
    from db.rules import NotFound, ValidationError

    if not args.overleg:
        raise CliError(t("privacy.retention.need_overleg"))
    try:
        store.set_retention_term(args.overleg, args.term)
    except ValidationError as exc:
        raise CliError(t("privacy.retention.bad_term", value=args.term)) from exc
    except NotFound as exc:
        raise CliError(t("privacy.retention.no_overleg", overleg=args.overleg)) from exc
    print(t("privacy.retention.term_set", months=args.term))
    if server is None:
        return
    from db.server_sql import ADMIN_ONLY
    from db.sync import SyncError, sync_once
    from lvv_tui.commands.sync import _fail

    try:
        report = sync_once(store, server)
    except SyncError as exc:
        raise _fail(exc) from exc
    if ADMIN_ONLY in report.reasons.values():
        raise CliError(t("privacy.retention.term_refused"))
    print(t("privacy.retention.term_synced"))


def _erase_case(store: Any, args: argparse.Namespace, today: Any, server: str | None) -> None:
    """``--case CODE``: a request for erasure of one case, anonymised now (after asking)."""
    ids = store.cases_by_code(args.case)
    if not ids:
        raise CliError(t("privacy.audit.no_case", code=args.case))
    todo = [i for i in ids if i not in store.redacted_cases()]
    if not todo:
        print(t("privacy.retention.case_already", code=args.case))
    elif args.dry_run:
        print(t("privacy.retention.case_would", code=args.case))
        return
    else:
        if not args.yes:
            active = any(store.case(i).exit_date is None for i in todo)
            _confirm(args.case, active)
        erased = store.redact_cases(todo, today)
        print(t("privacy.retention.case_done", code=args.case, values=erased))
    if server is not None:
        _erase_on_server(store, server, args.json)


def _confirm(code: str, active: bool) -> None:
    """Ask before anonymising a case (it cannot be undone); no terminal: refuse."""
    if not sys.stdin.isatty():
        raise CliError(t("privacy.retention.confirm_no_tty", code=code))
    if active:
        print(t("privacy.retention.still_active", code=code))
    answer = input(t("privacy.retention.confirm", code=code))
    if answer.strip().lower() not in t("privacy.retention.yes_words").split(","):
        raise CliError(t("privacy.retention.cancelled"))


def _past_term(store: Any, args: argparse.Namespace, today: Any, server: str | None) -> None:
    """The cases past their overleg's term: listed, then anonymised (not with --dry-run)."""
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
        return
    if due:
        erased = store.redact_cases([r.case_id for r in due], today)
        if not args.json:
            print(t("privacy.retention.done", n=len(due), values=erased))
    if server is not None:
        _erase_on_server(store, server, args.json)


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
