"""``lvv-tui actions``: the open actions of the overleg, for the secretary's mail."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from lvv_tui.commands.base import CliError, add_db_arg, db_path, open_store

_CONTROL = {c: chr(0x2400 + c) for c in range(32)} | {127: "\u2421"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("actions", help="list the open actions (the actielijst)",
                       description="Every open action of every overleg in the file, by due "
                       "date (no date last).")
    add_db_arg(p)
    p.add_argument("--owner", metavar="ORG", help="only this owner: an organisation (its name "
                   "or id) or a named person")
    p.add_argument("--overdue", action="store_true", help="only actions past their due date")
    p.add_argument("--today", metavar="DATE", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="print JSON: a list of actions")
    p.set_defaults(func=cmd_actions)


def action_rows(store: Any, owner: str | None, overdue: bool, today: dt.date
                ) -> list[dict[str, Any]]:
    """The open actions as plain dicts (JSON keys), owner matched by an organisation's name
    or id, else by a named person (case and spacing ignored)."""
    out: list[dict[str, Any]] = []
    matched_owner = owner is None
    for overleg in store.overleggen():
        orgs = {o.id: o for o in store.organisations(overleg.id)}
        owner_id = person = None
        if owner is not None:
            wanted = " ".join(owner.split()).casefold()
            owner_id = next((o.id for o in orgs.values()
                             if o.id == owner or " ".join(o.name.split()).casefold() == wanted),
                            None)
            if owner_id is None:
                person = owner
        meetings = {m.id: m.date for m in store.meetings(overleg.id)}
        codes: dict[str, str] = {}
        found = store.action_list(overleg.id, owner_organisation_id=owner_id,
                                  owner_person=person, overdue=overdue, today=today)
        if owner is not None and (owner_id is not None or found):
            matched_owner = True
        for a in found:
            if a.case_id and a.case_id not in codes:
                codes[a.case_id] = store.case(a.case_id).code or ""
            org = orgs.get(a.owner_organisation_id or "")
            since = meetings.get(a.meeting_id or "")
            out.append({
                "id": a.id, "overleg": overleg.name, "text": a.text,
                "owner": org.name if org else None, "owner_id": a.owner_organisation_id,
                "owner_person": a.owner_person,
                "case_code": codes.get(a.case_id or ""), "case_id": a.case_id,
                "due": a.due_date.isoformat() if a.due_date else None,
                "overdue": bool(a.due_date and a.due_date < today),
                "since": since.isoformat() if since else None, "meeting_id": a.meeting_id,
            })
    if not matched_owner:
        from lvv_tui import i18n

        raise CliError(i18n.t("actions.err.owner", owner=owner))
    return out


def cmd_actions(args: argparse.Namespace) -> int:
    import json

    from db.rules import ValidationError, parse_date
    from lvv_tui import i18n

    if args.lang:
        i18n.set_language(args.lang)
    try:
        today = parse_date(args.today, "today") or dt.date.today()
    except ValidationError as exc:
        raise CliError(f"--today: {i18n.t(exc.code)}") from exc
    store = open_store(db_path(args))
    try:
        rows = action_rows(store, args.owner, args.overdue, today)
    finally:
        store.close()
    if args.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return 0
    if not rows:
        print(i18n.t("actions.none"))
        return 0
    for r in rows:
        late = f" {i18n.t('actions.overdue')}" if r["overdue"] else ""
        text = " ".join(r["text"].split()).translate(_CONTROL)
        owner = " · ".join(p for p in (r["owner"], r["owner_person"]) if p) \
            or i18n.t("actions.nobody")
        owner = owner.translate(_CONTROL)
        print(f"{r['due'] or '—':<10}{late}  {owner[:32]:<20}  "
              f"{(r['case_code'] or '—')[:14]:<14}  {text}")
    return 0
