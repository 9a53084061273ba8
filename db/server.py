"""Running the shared database: ``server init``, ``overleg``, ``grant`` and ``revoke``.

PostgreSQL: :func:`init_server` creates or upgrades, idempotently, the server schema
(:mod:`db.server_sql`): ``ops`` (wire columns + ``server_seq``, ``pushed_by``,
``received_at``), the group role the app's login roles belong to, row-level security per
overleg, the write function ``lvv_push`` and the owner's own tables. Run it, and the other
commands here, as the database owner (or a superuser).

The overleggen a grant may name are the administrator's list (``lvv_overleg``), written
only here: :func:`add_overleg`. Names that ops carry are never trusted for access.

A SQLite hub has no roles: ``init`` only creates its tables.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc as sa_exc

from db.hub import HUB_SCHEMA_VERSION, Hub, ServerRefused, SyncError, translate

#: The default group role of the app's login roles.
APP_ROLE = "lvv_app"

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")


def _ident(name: str, what: str) -> str:
    """A quoted identifier; refuses anything that is not a plain role name."""
    if not _IDENT.match(name):
        raise ServerRefused(f"{what} {name!r} is not a plain name (letters, digits, _)")
    return '"' + name + '"'


def init_sql(app_role: str = APP_ROLE, schema: str = "public") -> list[str]:
    """The statements of ``server init`` for PostgreSQL, in order (each idempotent)."""
    from db.server_sql import init_sql as _init_sql

    return _init_sql(app_role, _ident(app_role, "role"), schema)


@dataclass
class InitResult:
    server: str
    kind: str  # "postgresql" or "sqlite"
    hub_key: str
    app_role: str | None


def init_server(url: str, app_role: str = APP_ROLE) -> InitResult:
    """Create or upgrade the hub schema (idempotent). Raises a :class:`SyncError`."""
    hub = Hub(url)
    try:
        if not hub.is_pg:
            hub.ensure_schema()
            return InitResult(hub.display, "sqlite", hub.key, None)
        _ident(app_role, "role")
        conn = hub.connect()
        try:
            with conn.begin():
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242)")
                version = conn.exec_driver_sql(
                    "SELECT value FROM lvv_hub WHERE key = 'schema_version'"
                ).scalar_one_or_none() if _has_table(conn, "lvv_hub") else None
                if version is not None and int(version) > HUB_SCHEMA_VERSION:
                    raise ServerRefused(f"{hub.display}: the server was set up by a newer "
                                        "lvv-tui; nothing was changed")
                schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
                for sql in init_sql(app_role, schema):
                    # the driver sees pyformat placeholders: a literal % is written %%
                    conn.exec_driver_sql(sql.replace("%", "%%"))
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, hub.display) from exc
        return InitResult(hub.display, "postgresql", hub.key, app_role)
    finally:
        hub.close()


def _has_table(conn: Any, name: str) -> bool:
    return conn.exec_driver_sql("SELECT to_regclass(%(n)s) IS NOT NULL", {"n": name}).scalar_one()


def _owner_conn(url: str) -> tuple[Hub, Any]:
    hub = Hub(url, create=False)
    if not hub.is_pg:
        hub.close()
        raise ServerRefused("a SQLite hub has no roles; this command is for PostgreSQL")
    return hub, hub.connect()


def _need_schema(conn: Any, display: str) -> None:
    if not _has_table(conn, "lvv_overleg"):
        raise ServerRefused(f"{display}: run lvv-tui server init first")


def _resolve_overleg(conn: Any, overleg: str) -> str:
    """An overleg id as given, or the id of the one overleg with exactly that name in the
    administrator's list (never a name taken from ops)."""
    if _UUID.match(overleg):
        return overleg.lower()
    ids = [r[0] for r in conn.exec_driver_sql(
        "SELECT overleg_id FROM lvv_overleg WHERE name = %(v)s", {"v": overleg})]
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise ServerRefused(f"no overleg named {overleg!r} in the server's list; give its id "
                            "(lvv-tui dump shows it) or add it first: lvv-tui server overleg "
                            "add ID NAME")
    raise ServerRefused(f"{len(ids)} overleggen are named {overleg!r}; give the id")


def add_overleg(url: str, overleg_id: str, name: str) -> bool:
    """Put an overleg in the administrator's list (or rename it); False if it was there
    with that name already."""
    name = name.strip()
    if not _UUID.match(overleg_id.strip()):
        raise ServerRefused("give the overleg id (a UUID: lvv-tui dump shows it)")
    if not name or len(name) > 200:
        raise ServerRefused("give the overleg's name (at most 200 characters)")
    hub, conn = _owner_conn(url)
    try:
        with conn.begin():
            _need_schema(conn, hub.display)
            other = conn.exec_driver_sql(
                "SELECT overleg_id FROM lvv_overleg WHERE name = %(n)s AND overleg_id <> %(o)s",
                {"n": name, "o": overleg_id.strip().lower()}).scalar_one_or_none()
            if other:
                raise ServerRefused(f"the name {name!r} is already used by overleg {other}")
            changed = conn.exec_driver_sql(
                "INSERT INTO lvv_overleg (overleg_id, name) VALUES (%(o)s, %(n)s) "
                "ON CONFLICT (overleg_id) DO UPDATE SET name = excluded.name "
                "WHERE lvv_overleg.name <> excluded.name RETURNING 1",
                {"o": overleg_id.strip().lower(), "n": name}).scalar_one_or_none()
    except sa_exc.SQLAlchemyError as exc:
        raise translate(exc, hub.display) from exc
    finally:
        hub.close()
    return bool(changed)


def list_overleggen(url: str) -> list[dict[str, Any]]:
    """The administrator's list, and every overleg id that has ops on the server but is not
    in the list (``name`` None): id, name, ops, members."""
    hub, conn = _owner_conn(url)
    try:
        with conn.begin():
            _need_schema(conn, hub.display)
            rows = conn.exec_driver_sql(
                "WITH counts AS (SELECT overleg_id, count(*) AS n FROM ops GROUP BY 1), "
                "members AS (SELECT overleg_id, string_agg(role_name, ',' ORDER BY role_name)"
                " AS r FROM lvv_member GROUP BY 1) "
                "SELECT k.overleg_id, l.name, coalesce(c.n, 0), coalesce(m.r, '') FROM "
                "(SELECT overleg_id FROM lvv_overleg UNION SELECT overleg_id FROM counts "
                "UNION SELECT overleg_id FROM members) k "
                "LEFT JOIN lvv_overleg l USING (overleg_id) LEFT JOIN counts c USING "
                "(overleg_id) LEFT JOIN members m USING (overleg_id) "
                "ORDER BY l.name NULLS LAST, k.overleg_id").all()
    except sa_exc.SQLAlchemyError as exc:
        raise translate(exc, hub.display) from exc
    finally:
        hub.close()
    return [{"id": r[0], "name": r[1], "ops": int(r[2]),
             "members": [m for m in r[3].split(",") if m]} for r in rows]


#: what a grant without an organisation is told
NEED_ORG = ("a role belongs to an overleg as an organisation: give --org ORG, the "
            "organisation's id (lvv-tui dump shows it) or its kind (gemeente, ind, dtenv, "
            "politie, ngo) when exactly one organisation of the overleg has it, e.g. "
            "lvv-tui server grant {role} {overleg} --org ngo")
_KINDS = ("gemeente", "ind", "dtenv", "politie", "ngo", "other")
#: the kind of organisation that chairs an overleg (sees ``chair`` audience ops)
CHAIR_KIND = "gemeente"


def _org_kinds(conn: Any, overleg_id: str) -> dict[str, str]:
    """The organisations of an overleg as the server holds them: id -> kind (latest op)."""
    rows = conn.exec_driver_sql(
        "SELECT DISTINCT ON (entity_id) entity_id, value FROM ops WHERE entity = "
        "'organisation' AND field = 'kind' AND overleg_id = %(o)s "
        "ORDER BY entity_id, hlc DESC, device_id DESC, id DESC", {"o": overleg_id}).all()
    out: dict[str, str] = {}
    for org_id, value in rows:
        try:
            out[org_id] = str(json.loads(value))
        except ValueError:
            continue
    return out


def _resolve_org(conn: Any, overleg_id: str, org: str) -> tuple[str, bool]:
    """(organisation id, whether it chairs) for ``org``: an id, or a kind that exactly one
    organisation of the overleg has."""
    kinds = _org_kinds(conn, overleg_id)
    if _UUID.match(org):
        org_id = org.lower()
        if kinds and org_id not in kinds:
            raise ServerRefused(f"organisation {org_id} is not one of overleg {overleg_id}")
        return org_id, kinds.get(org_id) == CHAIR_KIND
    kind = org.lower()
    if kind not in _KINDS:
        raise ServerRefused(f"--org {org!r}: give an organisation id or one of "
                            + ", ".join(_KINDS))
    ids = sorted(i for i, k in kinds.items() if k == kind)
    if len(ids) != 1:
        raise ServerRefused(f"{len(ids)} organisations of overleg {overleg_id} are of kind "
                            f"{kind}; give the organisation's id (lvv-tui dump shows it)")
    return ids[0], kind == CHAIR_KIND


def grant(url: str, role: str, overleg: str, app_role: str = APP_ROLE, *,
          org: str | None = None) -> tuple[str, bool]:
    """Give login role ``role`` access to an overleg as organisation ``org``: the overleg's
    id, or a name that matches exactly one overleg in the administrator's list; the
    organisation's id or a kind that matches exactly one of its organisations. Returns
    (the overleg id, whether the membership is new or changed)."""
    quoted = _ident(role, "role")
    group = _ident(app_role, "role")
    overleg = overleg.strip()
    if not overleg or len(overleg) > 200:
        raise ServerRefused("give the overleg id (lvv-tui dump shows it) or its name")
    if not org or not org.strip():
        raise ServerRefused(NEED_ORG.format(role=role, overleg=overleg))
    hub, conn = _owner_conn(url)
    try:
        with conn.begin():
            _need_schema(conn, hub.display)
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": role}
            ).scalar_one_or_none()
            if not exists:
                raise ServerRefused(f"role {role} does not exist: create it first "
                                    f"(CREATE ROLE {role} LOGIN PASSWORD '…')")
            overleg_id = _resolve_overleg(conn, overleg)
            org_id, chair = _resolve_org(conn, overleg_id, org.strip())
            conn.exec_driver_sql(f"GRANT {group} TO {quoted}")
            added = conn.exec_driver_sql(
                "INSERT INTO lvv_member (role_name, overleg_id, org_id, is_chair) VALUES "
                "(%(r)s, %(o)s, %(g)s, %(c)s) ON CONFLICT (role_name, overleg_id) DO UPDATE "
                "SET org_id = excluded.org_id, is_chair = excluded.is_chair WHERE "
                "(lvv_member.org_id, lvv_member.is_chair) IS DISTINCT FROM "
                "(excluded.org_id, excluded.is_chair) RETURNING 1",
                {"r": role, "o": overleg_id, "g": org_id, "c": chair},
            ).scalar_one_or_none()
    except sa_exc.SQLAlchemyError as exc:
        raise translate(exc, hub.display) from exc
    finally:
        hub.close()
    return overleg_id, bool(added)


def revoke(url: str, role: str, overleg: str, app_role: str = APP_ROLE) -> tuple[str, bool]:
    """Take an overleg from ``role`` (id or listed name); with its last overleg the role
    also leaves the app's group role. Returns (the overleg id, whether it had it)."""
    quoted = _ident(role, "role")
    group = _ident(app_role, "role")
    hub, conn = _owner_conn(url)
    try:
        with conn.begin():
            _need_schema(conn, hub.display)
            overleg_id = _resolve_overleg(conn, overleg.strip())
            had = conn.exec_driver_sql(
                "DELETE FROM lvv_member WHERE role_name = %(r)s AND overleg_id = %(o)s "
                "RETURNING 1", {"r": role, "o": overleg_id}).scalar_one_or_none()
            left = conn.exec_driver_sql(
                "SELECT count(*) FROM lvv_member WHERE role_name = %(r)s", {"r": role}
            ).scalar_one()
            in_roles = conn.exec_driver_sql(
                "SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": role}).scalar_one_or_none()
            if not left and in_roles:
                conn.exec_driver_sql(f"REVOKE {group} FROM {quoted}")
    except sa_exc.SQLAlchemyError as exc:
        raise translate(exc, hub.display) from exc
    finally:
        hub.close()
    return overleg_id, bool(had)


__all__ = ["APP_ROLE", "NEED_ORG", "InitResult", "SyncError", "add_overleg", "grant", "init_server",
           "init_sql", "list_overleggen", "revoke"]
