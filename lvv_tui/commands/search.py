"""``lvv-tui search``: full-text search from the command line (text or JSON)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lvv_tui.cli import CliError, add_db_arg, db_path, open_store

KINDS = ("case", "view", "decision", "action", "minutes", "correction")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search",
        help="search cases, views, decisions, actions, minutes and corrections",
        description="Words are ANDed; OF/OR between two words; -word leaves out; "
        "\"a phrase\"; word* for a prefix; digits find case codes and V-numbers. Case and "
        "diacritics do not matter. A query that starts with - goes after --: "
        "lvv-tui search -- -x y.",
    )
    add_db_arg(p)
    p.add_argument("query", metavar="QUERY", help="what to look for (quote it in the shell)")
    p.add_argument("--kind", action="append", choices=KINDS,
                   help="only this kind (repeat for several)")
    p.add_argument("--overleg", metavar="ID", help="only this overleg (its id)")
    p.add_argument("--organisation", metavar="ID",
                   help="only what belongs to this organisation (views, its actions, cases "
                   "it put forward)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="meetings from this date")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="meetings up to this date")
    p.add_argument("--limit", type=int, default=20, help="hits per kind (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON: a list of hits")
    p.set_defaults(func=cmd_search)


def hit_json(hit: Any) -> dict[str, Any]:
    """One hit as JSON; ``highlights`` are [start, end) offsets into ``snippet``."""
    text, marks, pos, start = [], [], 0, 0
    for piece, matched in hit.snippet_parts():
        if matched:
            start = pos
        text.append(piece)
        pos += len(piece)
        if matched:
            marks.append([start, pos])
    return {
        "kind": hit.kind, "id": hit.id, "case_code": hit.case_code,
        "meeting_date": hit.meeting_date.isoformat() if hit.meeting_date else None,
        "snippet": "".join(text), "score": hit.score, "highlights": marks,
        "confidential": hit.confidential, "overleg_id": hit.overleg_id,
        "case_id": hit.case_id, "meeting_id": hit.meeting_id,
        "agenda_item_id": hit.agenda_item_id,
    }


def cmd_search(args: argparse.Namespace) -> int:
    import json

    from db.rules import ValidationError, parse_date
    from lvv_tui import i18n

    if args.lang:
        i18n.set_language(args.lang)
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    try:
        date_from = parse_date(args.date_from, "from")
        date_to = parse_date(args.date_to, "to")
    except ValidationError as exc:
        raise CliError(f"--{exc.field}: {i18n.t(exc.code)}") from exc
    store = open_store(db_path(args))
    try:
        result = store.search(args.query, kinds=args.kind, overleg_id=args.overleg,
                              organisation_id=args.organisation, date_from=date_from,
                              date_to=date_to, limit=args.limit)
    except ValidationError as exc:
        raise CliError(i18n.t(exc.code, **exc.params)) from exc
    finally:
        store.close()
    hits = [hit_json(h) for h in result.hits]
    if args.json:
        sys.stdout.write(json.dumps(hits, ensure_ascii=False, indent=1) + "\n")
        return 0
    if not hits:
        print(i18n.t("search.none"))
        return 0
    kind = None
    for h in hits:
        if h["kind"] != kind:
            kind = h["kind"]
            print(f"\n{i18n.t('search.kind.' + kind)}")
        mark = f" [{i18n.t('search.confidential')}]" if h["confidential"] else ""
        snippet = " ".join(h["snippet"].split()).translate(_CONTROL)
        print(f"  {h['meeting_date'] or '':<10}  {(h['case_code'] or '')[:20]:<20}  "
              f"{snippet}{mark}")
    return 0


_CONTROL = {c: chr(0x2400 + c) for c in range(32)} | {127: "\u2421"}
