"""Setting up the shared database: ``server init`` and ``server grant``.

PostgreSQL: :func:`init_server` creates or upgrades, idempotently, the ``ops`` table (wire
columns + ``server_seq``), the group role the app's login roles belong to, row-level
security per overleg, grants (INSERT and SELECT on ops, never UPDATE or DELETE) and a
trigger that refuses UPDATE, DELETE and TRUNCATE even for roles that have the grant.
Run it as the database owner (or a superuser). :func:`grant` gives a login role access to
one overleg.

A SQLite hub has no roles: ``init`` only creates its tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc

from db.sync import (
    HUB_SCHEMA_VERSION,
    Hub,
    ServerRefused,
    SyncError,
    translate,
)

#: The default group role of the app's login roles.
APP_ROLE = "lvv_app"

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _ident(name: str, what: str) -> str:
    """A quoted identifier; refuses anything that is not a plain role name."""
    if not _IDENT.match(name):
        raise ServerRefused(f"{what} {name!r} is not a plain name (letters, digits, _)")
    return '"' + name + '"'


def init_sql(app_role: str = APP_ROLE) -> list[str]:
    """The statements of ``server init`` for PostgreSQL, in order (each idempotent)."""
    role = _ident(app_role, "role")
    lit = "'" + app_role + "'"
    return [
        # group role
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = " + lit + ") "
        f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$",
        # tables
        "CREATE TABLE IF NOT EXISTS lvv_hub (key text PRIMARY KEY, value text NOT NULL)",
        "INSERT INTO lvv_hub (key, value) VALUES ('hub_id', gen_random_uuid()::text) "
        "ON CONFLICT (key) DO NOTHING",
        "INSERT INTO lvv_hub (key, value) VALUES ('schema_version', "
        f"'{HUB_SCHEMA_VERSION}') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        """CREATE TABLE IF NOT EXISTS ops (
            server_seq bigint NOT NULL,
            id text PRIMARY KEY,
            device_id text NOT NULL,
            device_seq bigint NOT NULL,
            hlc text NOT NULL,
            author text NOT NULL,
            overleg_id text NOT NULL,
            entity text NOT NULL,
            entity_id text NOT NULL,
            field text NOT NULL,
            value text NOT NULL,
            base text NOT NULL,
            schema_version integer NOT NULL,
            CONSTRAINT ops_server_seq_key UNIQUE (server_seq)
        )""",
        # the pull reads by server_seq (row-level security filters per overleg); an index
        # per overleg was never used by that plan and slowed every push: gone
        "DROP INDEX IF EXISTS ops_overleg_seq",
        "CREATE TABLE IF NOT EXISTS lvv_member (role_name text NOT NULL, "
        "overleg_id text NOT NULL, PRIMARY KEY (role_name, overleg_id))",
        # the global top of server_seq, whatever row-level security hides
        "CREATE OR REPLACE FUNCTION lvv_max_seq() RETURNS bigint LANGUAGE sql STABLE "
        "SECURITY DEFINER SET search_path FROM CURRENT AS "
        "$$ SELECT coalesce(max(server_seq), 0) FROM ops $$",
        # ops are immutable, for everyone
        "CREATE OR REPLACE FUNCTION lvv_ops_immutable() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'ops are immutable: % refused', TG_OP "
        "USING ERRCODE = 'insufficient_privilege'; END $$",
        "CREATE OR REPLACE TRIGGER ops_immutable BEFORE UPDATE OR DELETE ON ops "
        "FOR EACH ROW EXECUTE FUNCTION lvv_ops_immutable()",
        "CREATE OR REPLACE TRIGGER ops_no_truncate BEFORE TRUNCATE ON ops "
        "FOR EACH STATEMENT EXECUTE FUNCTION lvv_ops_immutable()",
        # grants
        "REVOKE ALL ON ops, lvv_hub, lvv_member FROM PUBLIC",
        "REVOKE ALL ON FUNCTION lvv_max_seq() FROM PUBLIC",
        f"REVOKE ALL ON ops FROM {role}",
        f"GRANT SELECT, INSERT ON ops TO {role}",
        f"GRANT SELECT ON lvv_hub, lvv_member TO {role}",
        f"GRANT EXECUTE ON FUNCTION lvv_max_seq() TO {role}",
        f"DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO {role}', "
        "current_schema()); END $$",
        # row-level security: a role sees and writes only the overleggen it is a member of
        "ALTER TABLE lvv_member ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE ops ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS member_own ON lvv_member",
        f"CREATE POLICY member_own ON lvv_member FOR SELECT TO {role} USING (pg_has_role("
        "current_user, (SELECT r.oid FROM pg_roles r WHERE r.rolname = lvv_member.role_name), "
        "'MEMBER'))",
        "DROP POLICY IF EXISTS ops_read ON ops",
        f"CREATE POLICY ops_read ON ops FOR SELECT TO {role} USING "
        "(overleg_id IN (SELECT m.overleg_id FROM lvv_member m))",
        "DROP POLICY IF EXISTS ops_write ON ops",
        f"CREATE POLICY ops_write ON ops FOR INSERT TO {role} WITH CHECK "
        "(overleg_id IN (SELECT m.overleg_id FROM lvv_member m))",
    ]


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
        statements = init_sql(app_role)
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
                for sql in statements:
                    # the driver sees pyformat placeholders: a literal % is written %%
                    conn.exec_driver_sql(sql.replace("%", "%%"))
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, hub.display) from exc
        return InitResult(hub.display, "postgresql", hub.key, app_role)
    finally:
        hub.close()


def _has_table(conn, name: str) -> bool:  # noqa: ANN001
    return conn.exec_driver_sql("SELECT to_regclass(%(n)s) IS NOT NULL", {"n": name}).scalar_one()


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")


def _resolve_overleg(conn, overleg: str) -> str:  # noqa: ANN001
    """An overleg id as given, or the id of the one overleg with that name on the server."""
    if _UUID.match(overleg):
        return overleg.lower()
    import json

    ids = [r[0] for r in conn.exec_driver_sql(
        "SELECT DISTINCT overleg_id FROM ops WHERE entity = 'overleg' AND field = 'name' "
        "AND value = %(v)s", {"v": json.dumps(overleg, ensure_ascii=False)})]
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise ServerRefused(f"no overleg named {overleg!r} on the server yet; give its id "
                            "(lvv-tui dump shows it) or sync a laptop that has it first")
    raise ServerRefused(f"{len(ids)} overleggen are named {overleg!r}; give the id")


def grant(url: str, role: str, overleg_id: str, app_role: str = APP_ROLE) -> bool:
    """Give login role ``role`` access to overleg ``overleg_id`` (its id, or its name when
    one overleg on the server has that name); False if it had it."""
    quoted = _ident(role, "role")
    group = _ident(app_role, "role")
    overleg_id = overleg_id.strip()
    if not overleg_id or len(overleg_id) > 100:
        raise ServerRefused("give the overleg id (lvv-tui dump shows it)")
    hub = Hub(url, create=False)
    try:
        if not hub.is_pg:
            raise ServerRefused("a SQLite hub has no roles; grant is for PostgreSQL")
        conn = hub.connect()
        try:
            with conn.begin():
                if not _has_table(conn, "lvv_member"):
                    raise ServerRefused(f"{hub.display}: run lvv-tui server init first")
                exists = conn.exec_driver_sql(
                    "SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": role}
                ).scalar_one_or_none()
                if not exists:
                    raise ServerRefused(f"role {role} does not exist: create it first "
                                        f"(CREATE ROLE {role} LOGIN PASSWORD '…')")
                overleg_id = _resolve_overleg(conn, overleg_id)
                conn.exec_driver_sql(f"GRANT {group} TO {quoted}")
                added = conn.exec_driver_sql(
                    "INSERT INTO lvv_member (role_name, overleg_id) VALUES (%(r)s, %(o)s) "
                    "ON CONFLICT DO NOTHING RETURNING 1", {"r": role, "o": overleg_id},
                ).scalar_one_or_none()
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, hub.display) from exc
        return bool(added)
    finally:
        hub.close()


__all__ = ["APP_ROLE", "InitResult", "SyncError", "grant", "init_server", "init_sql"]
