"""``lvv-tui report``: the monitoring report of a period, per overleg and in total."""

from __future__ import annotations

import argparse
import sys

from lvv_tui.cli import CliError, add_db_arg, db_path, open_store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="the monitoring report of a period (md, html, docx, xlsx, csv or json)",
        description="Intake, stock, outflow by category and subtype, time in the LVV, cases "
        "in intake, open escalations and overdue actions, per overleg and in total, with the "
        "definitions printed in the report. Dates as jjjj-mm-dd or dd-mm-jjjj; both ends of "
        "the period count.",
    )
    add_db_arg(p)
    p.add_argument("--from", dest="date_from", required=True, metavar="DATE",
                   help="first day of the period")
    p.add_argument("--to", dest="date_to", required=True, metavar="DATE",
                   help="last day of the period (the peildatum)")
    p.add_argument("--overleg", metavar="NAME", help="one overleg (its name or id)")
    p.add_argument("--format", choices=("md", "html", "docx", "xlsx", "csv", "json"),
                   help="output format (default: from the file name of -o, else md)")
    p.add_argument("-o", "--output", metavar="FILE", default="-",
                   help="the file to write (default '-': md, html, csv or json to stdout)")
    p.add_argument("--lang", dest="report_lang", choices=("nl", "en"),
                   help="language of the report (default: --lang of lvv-tui, else nl)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from db.rules import ValidationError, parse_date
    from lvv_tui.i18n import t
    from lvv_tui.report import BINARY, format_for, render, write

    lang = args.report_lang or getattr(args, "lang", None) or "nl"
    try:
        start = parse_date(args.date_from, "from")
        end = parse_date(args.date_to, "to")
    except ValidationError as exc:
        raise CliError(t("report.bad_date", lang=lang, field=exc.field)) from exc
    if start is None or end is None:
        raise CliError(t("report.bad_date", lang=lang, field="from/to"))
    if end < start:
        raise CliError(t("report.bad_period", lang=lang))
    fmt = args.format or (format_for(args.output) if args.output != "-" else "md") or "md"
    if args.output == "-" and fmt in BINARY:
        raise CliError(t("report.binary_stdout", lang=lang, fmt=fmt))
    store = open_store(db_path(args))
    try:
        overleg_id = None
        if args.overleg:
            matches = [o for o in store.overleggen()
                       if args.overleg in (o.id, o.name)
                       or o.name.casefold() == args.overleg.casefold()]
            if len(matches) != 1:
                raise CliError(t("report.no_overleg", lang=lang, name=args.overleg))
            overleg_id = matches[0].id
        mon = store.monitoring(start, end, overleg_id)
    finally:
        store.close()
    if args.output == "-":
        sys.stdout.write(render(mon, fmt, lang))  # type: ignore[arg-type]
        return 0
    try:
        path = write(mon, fmt, args.output, lang)
    except OSError as exc:
        raise CliError(f"{args.output}: {exc.strerror or exc}") from exc
    print(t("report.written", lang=lang, path=path, fmt=fmt,
            n=len(mon.overleggen)), file=sys.stderr)
    return 0
