"""Before the meeting (issue 15): ``publish`` the agenda, and the ``agenda`` pack."""

from __future__ import annotations

import argparse
import sys

from lvv_tui.cli import CliError, add_db_arg, db_path, open_store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "publish", help="publish a meeting's agenda (version 1; later changes make new versions)",
        description="Publish the agenda of one meeting: version 1 with today's date. A change "
        "to the agenda after that makes version 2, 3, ... with its list of changes. Warns when "
        "published later than the overleg's lead time (default 7 days).")
    add_db_arg(p)
    p.add_argument("--meeting", required=True, metavar="ID|DATE",
                   help="the meeting's id, or its date (YYYY-MM-DD) when that is unique")
    p.set_defaults(func=cmd_publish)


def _meeting(store, ref: str):  # noqa: ANN001, ANN202
    from lvv_tui.minutes import find_meeting

    try:
        return find_meeting(store, ref)
    except LookupError as exc:
        raise CliError(str(exc)) from exc


def cmd_publish(args: argparse.Namespace) -> int:
    from db.store import StoreError
    from lvv_tui import i18n
    from lvv_tui.agenda_text import change_text, error_message, late_warning, version_line

    if getattr(args, "lang", None):
        i18n.set_language(args.lang)
    store = open_store(db_path(args))
    try:
        meeting = _meeting(store, args.meeting)
        try:
            pub = store.publish_agenda(meeting.id)
        except StoreError as exc:
            raise CliError(error_message(exc)) from exc
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
