"""Before the meeting (issue 15): ``publish`` the agenda, and the ``agenda`` pack."""

from __future__ import annotations

import argparse
import sys

from lvv_tui.commands.base import CliError, add_db_arg, db_path, open_store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "publish", help="publish a meeting's agenda (version 1; later changes make new versions)",
        description="Publish the agenda of one meeting: version 1 with today's date. A change "
        "to the agenda after that makes version 2, 3, ... with its list of changes. Warns when "
        "published later than the overleg's lead time (default 7 days).")
    add_db_arg(p)
    p.add_argument("--meeting", required=True, metavar="ID|DATE",
                   help="the meeting's id, or its date (YYYY-MM-DD) when that is unique")
    p.add_argument("--lead-days", type=int, metavar="N",
                   help="set the overleg's lead time first: publish N days before a meeting "
                   "(default 7; kept for its next meetings)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser(
        "agenda", help="the meeting pack: the published agenda with the papers per case",
        description="Write the pack of a meeting: the published agenda with, per case, the "
        "case file, the last decision, the open actions and the partners' submitted input. "
        "With --for ORG only what that organisation may see (said on the first page). The "
        "file name and first line say that it holds personal data.")
    add_db_arg(p)
    p.add_argument("--meeting", required=True, metavar="ID|DATE",
                   help="the meeting's id, or its date (YYYY-MM-DD) when that is unique")
    p.add_argument("--for", dest="for_org", metavar="ORG",
                   help="the organisation the pack is for (name or id)")
    p.add_argument("--format", choices=("md", "html", "docx"),
                   help="output format (default: from the file name of -o)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    p.set_defaults(func=cmd_agenda)


def _meeting(store, ref: str):  # noqa: ANN001, ANN202
    from lvv_tui.minutes import find_meeting

    try:
        return find_meeting(store, ref)
    except LookupError as exc:
        raise CliError(str(exc)) from exc


def cmd_publish(args: argparse.Namespace) -> int:
    from db.store import StoreError
    from lvv_tui import i18n
    from lvv_tui.agenda_text import change_text, late_warning, version_line
    from lvv_tui.i18n import error_text

    if getattr(args, "lang", None):
        i18n.set_language(args.lang)
    store = open_store(db_path(args))
    try:
        meeting = _meeting(store, args.meeting)
        try:
            if args.lead_days is not None:
                store.set_agenda_lead_days(meeting.overleg_id, args.lead_days)
            pub = store.publish_agenda(meeting.id)
        except StoreError as exc:
            raise CliError(error_text(exc)) from exc
        lead = store.agenda_lead_days(meeting.overleg_id)
    finally:
        store.close()
    print(f"{meeting.date.isoformat()}: {version_line(pub)}")
    for change in pub.changes:
        print(f"  - {change_text(change)}")
    warning = late_warning(pub, lead)
    if warning:
        print(f"lvv-tui: {warning}", file=sys.stderr)
    return 0


def cmd_agenda(args: argparse.Namespace) -> int:
    from lvv_tui.export import format_for
    from lvv_tui.pack import build_pack, resolve_org, write

    fmt = args.format or format_for(args.output)
    if fmt is None:
        raise CliError("give --format md|html|docx (the file name does not say which)")
    lang = getattr(args, "lang", None) or "nl"
    store = open_store(db_path(args))
    try:
        meeting = _meeting(store, args.meeting)
        try:
            org = resolve_org(store, meeting.overleg_id, args.for_org) if args.for_org else None
            pack = build_pack(store, meeting.id, for_org=org.id if org else None, lang=lang)
        except LookupError as exc:
            raise CliError(str(exc)) from exc
    finally:
        store.close()
    try:
        path = write(pack, fmt, args.output)
    except OSError as exc:
        raise CliError(f"{args.output}: {exc.strerror or exc}") from exc
    print(f"{path}: {fmt}, {len(pack.items)} items", file=sys.stderr)
    return 0
