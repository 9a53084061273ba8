"""The audit trail of a case (issue 10), in NEN 7513 terms: event, time, client (the case),
user (author, and on the server the account that pushed or pulled), acting for.

* :func:`case_changes`: every change to a case and its records (agenda items, views,
  decisions, actions, escalations, stays) from a laptop's op log.
* :func:`pull_log`: the server's log of pulls per role (owner only).

Both return plain dicts with at least ``at``, ``role`` or ``author``, ``overleg_id``,
``event`` and ``case_code``; no personal data beyond what the log itself is about.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from db.clock import Timestamp
from db.store.base import _raw

#: record tables that carry a ``case_id``, by op entity
_CASE_RECORDS = {"agenda_item": "agenda_item", "partner_view": "partner_view",
                 "action_item": "action_item", "escalation": "escalation", "stay": "stay",
                 "case_detail": "case_detail"}


class CaseNotFound(LookupError):
    """No case with that code on this laptop (or on the server)."""


def _iso_ms(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="seconds")


def case_changes(store: Any, code: str, case_id: str | None = None) -> list[dict[str, Any]]:
    """Every op on the case with ``code`` and on the records about it, oldest first;
    ``case_id``: only that case (a code may be used in more than one overleg)."""
    with store._read() as conn:
        raw = _raw(conn)
        cases = raw.execute("SELECT id, overleg_id FROM casus WHERE code = ? AND "
                            "(? IS NULL OR id = ?)", (code, case_id, case_id)).fetchall()
        if not cases:
            raise CaseNotFound(code)
        ids: dict[str, set[str]] = {"casus": {c[0] for c in cases}}
        case_ids = sorted(ids["casus"])
        marks = ",".join("?" * len(case_ids))
        for entity, table in _CASE_RECORDS.items():
            ids[entity] = {r[0] for r in raw.execute(
                f"SELECT id FROM {table} WHERE case_id IN ({marks})", case_ids)}
        ids["decision"] = set(ids["agenda_item"])  # a decision's id is its item's
        views = {r[0]: r[1] for r in raw.execute(
            f"SELECT id, organisation_id FROM partner_view WHERE case_id IN ({marks})",
            case_ids)}
        orgs = {r[0]: r[1] for r in raw.execute("SELECT id, name FROM organisation")}
        # the account that pushed each op, as the server said at pull (op_origin, filled
        # by the sync when it exists; absent on older files)
        origin = raw.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                             "name = 'op_origin'").fetchone() is not None
        pushed_by = ("o.pushed_by" if origin else "NULL")
        join = " LEFT JOIN op_origin o ON o.op_id = op.id" if origin else ""
        out: list[dict[str, Any]] = []
        for entity, entity_ids in ids.items():
            if not entity_ids:
                continue
            chosen = sorted(entity_ids)
            for row in raw.execute(
                    "SELECT op.id, op.hlc, op.author, op.device_id, op.overleg_id, op.entity, "
                    f"op.entity_id, op.field, op.pushed, op.audience, {pushed_by} FROM op"
                    f"{join} WHERE op.entity = ? AND op.entity_id IN ("
                    + ",".join("?" * len(chosen)) + ")", [entity, *chosen]):
                op_id, hlc, author, device, overleg, ent, eid, field, pushed, aud, by = row
                acting = views.get(eid) if ent == "partner_view" else None
                out.append({
                    "at": _iso_ms(Timestamp.decode(hlc).wall), "hlc": hlc,
                    "event": "delete" if field == "deleted" else "change",
                    "case_code": code, "overleg_id": overleg, "entity": ent,
                    "entity_id": eid, "field": field, "author": author, "device_id": device,
                    "pushed": bool(pushed),
                    # the account, where it is not the author's own name
                    "pushed_by": by if by and by != author else None, "audience": aud,
                    "acting_for": orgs.get(acting, acting) if acting else None,
                    "op_id": op_id,
                })
    out.sort(key=lambda r: (r["hlc"], r["op_id"]))
    return out


def pull_log(url: str, role: str | None = None, case: str | None = None,
             since: dt.date | None = None) -> list[dict[str, Any]]:
    """The server's pulls (owner only), newest last: time, role, overleg, organisation,
    number of ops, the case codes they touched. ``case``: only pulls that touched it."""
    from sqlalchemy import exc as sa_exc

    from db.hub import ServerRefused, translate
    from db.server import _owner_conn

    hub, conn = _owner_conn(url)
    try:
        with conn.begin():
            owner = conn.exec_driver_sql(
                "SELECT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c "
                "WHERE c.oid = 'ops'::regclass), 'MEMBER')").scalar_one()
            if not owner:
                raise ServerRefused("the pull log is for the server's owner only")
            codes = {r[0]: r[1] for r in conn.exec_driver_sql(
                "SELECT DISTINCT ON (entity_id) entity_id, value FROM ops WHERE "
                "entity = 'casus' AND field = 'code' ORDER BY entity_id, hlc DESC")}
            rows = conn.exec_driver_sql(
                "SELECT at, role_name, overleg_id, org_id, ops, case_ids FROM lvv_pull_log "
                "WHERE (%(r)s::text IS NULL OR role_name = %(r)s) AND "
                "(%(s)s::date IS NULL OR at >= %(s)s::date) ORDER BY id",
                {"r": role, "s": since}).all()
    except sa_exc.SQLAlchemyError as exc:
        raise translate(exc, hub.display) from exc
    finally:
        hub.close()
    out = []
    for at, who, overleg, org, n, case_ids in rows:
        touched = sorted(json.loads(codes[c]) for c in case_ids if c in codes)
        if case is not None and case not in touched:
            continue
        out.append({"at": at.isoformat(timespec="seconds"), "event": "pull", "role": who,
                    "overleg_id": overleg, "acting_for": org, "ops": int(n),
                    "case_code": touched[0] if len(touched) == 1 else None,
                    "case_codes": touched})
    return out


__all__ = ["CaseNotFound", "case_changes", "pull_log"]
