"""Minutes subcommands: ``meetings`` (list) and ``export`` (Markdown, HTML, DOCX)."""

from __future__ import annotations

import argparse
import sys

from lvv_tui.commands.base import CliError, add_db_arg, db_path, open_store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("meetings", help="list the meetings: id, date, status, items, decisions")
    add_db_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_meetings)

    p = sub.add_parser(
        "export",
        help="export the minutes of a meeting (md, html or docx)",
        description="Export the minutes of one meeting. Confidential views and V-numbers stay "
        "out unless asked for; every export states its classification and the date it was "
        "made.",
    )
    add_db_arg(p)
    p.add_argument("--meeting", required=True, metavar="ID|DATE",
                   help="the meeting's id, or its date (YYYY-MM-DD) when that is unique")
    p.add_argument("--format", choices=("md", "html", "docx"),
                   help="output format (default: from the file name of -o)")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the file to write ('-' writes md or html to stdout)")
    p.add_argument("--include-confidential", action="store_true",
                   help="include confidential views and confidential agenda items")
    p.add_argument("--include-v-numbers", action="store_true", help="include V-numbers")
    p.add_argument("--lang", dest="export_lang", choices=("nl", "en"),
                   help="language of the minutes (default: --lang of lvv-tui, else nl)")
    p.set_defaults(func=cmd_export)


def meeting_rows(store) -> list[dict]:  # noqa: ANN001
    """One dict per meeting of every overleg: id, overleg, date, status, items, decisions."""
    rows = []
    for overleg in store.overleggen():
        for m in sorted(store.meetings(overleg.id), key=lambda m: (m.date, m.id)):
            items, decisions = store.meeting_stats(m.id)
            pub = store.agenda_publication(m.id)
            rows.append({
                "id": m.id, "overleg": overleg.name, "date": m.date.isoformat(),
                "status": m.status.value, "minutes_status": m.minutes_status.value,
                "items": items, "decisions": decisions,
                "agenda_version": pub.version if pub else None,
                "published_on": pub.published_on.isoformat() if pub else None,
            })
    rows.sort(key=lambda r: (r["date"], r["overleg"], r["id"]))
    return rows


def cmd_meetings(args: argparse.Namespace) -> int:
    import json

    store = open_store(db_path(args))
    try:
        rows = meeting_rows(store)
    finally:
        store.close()
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
        return 0
    heads = ["id", "date", "overleg", "status", "minutes", "items", "decisions"]
    table = [[r["id"], r["date"], r["overleg"], r["status"], r["minutes_status"],
              str(r["items"]), str(r["decisions"])] for r in rows]
    widths = [max([len(h)] + [len(row[i]) for row in table]) for i, h in enumerate(heads)]
    for row in [heads, *table]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import datetime as dt

    from lvv_tui.export import export, format_for, to_html, to_markdown
    from lvv_tui.minutes import build_minutes, find_meeting

    fmt = args.format or (None if args.output == "-" else format_for(args.output))
    if fmt is None:
        raise CliError("give --format md|html|docx (the file name does not say which)")
    if args.output == "-" and fmt == "docx":
        raise CliError("DOCX cannot go to stdout: give a file name with -o")
    lang = args.export_lang or getattr(args, "lang", None) or "nl"
    store = open_store(db_path(args))
    try:
        try:
            meeting = find_meeting(store, args.meeting)
        except LookupError as exc:
            raise CliError(str(exc)) from exc
        doc = build_minutes(store, meeting.id, include_confidential=args.include_confidential,
                            include_v_numbers=args.include_v_numbers, made_on=dt.date.today(),
                            lang=lang)
    finally:
        store.close()
    if args.output == "-":
        sys.stdout.write(to_markdown(doc) if fmt == "md" else to_html(doc))
        return 0
    try:
        path = export(doc, fmt, args.output)
    except OSError as exc:
        raise CliError(f"{args.output}: {exc.strerror or exc}") from exc
    print(f"{path}: {fmt}, {len(doc.items)} items, {len(doc.besluitenlijst)} decisions, "
          f"{len(doc.actielijst)} open actions", file=sys.stderr)
    return 0
