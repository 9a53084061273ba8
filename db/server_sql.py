"""The SQL of ``server init`` for PostgreSQL: tables, grants, row-level security, and the
one door members write through, ``lvv_push(batch)``.

``lvv_push`` takes the batch as ``json`` (what the sync client sends: PostgreSQL's ``json``
keeps each value's text as the laptop wrote it and reads about three times faster than
``jsonb``, whose parser alone costs more than a COPY of the same rows) or as ``jsonb`` (the
same function behind a cast, for callers that have one).

Every statement is idempotent, so ``init`` also upgrades an older server. Members (login
roles in the app's group role) get SELECT on ``ops`` (row-level security: their overleggen
only), on ``lvv_hub`` and on their own ``lvv_member`` rows, and EXECUTE on two functions:
no INSERT, UPDATE, DELETE or TRUNCATE on any table. ``lvv_push`` runs as the owner
(SECURITY DEFINER, fixed ``search_path``), checks every op of a batch set-based (the rules
of :mod:`db.wire_check`), numbers the new ones under an advisory lock, stamps ``pushed_by``
(the session user) and ``received_at``, and binds each device to the account that first
pushed it. A batch is stored whole or not at all: any refusal answers every refused op id
with its reason, records them in ``lvv_refusal``, and stores nothing else.
"""

from __future__ import annotations

import json

from db import retention_sql
from db.server_push_sql import (
    ADMIN_FIELDS,
    ADMIN_ONLY,
    ADVISORY_LOCK_KEY,
    DEVICE_TAKEN,
    FORBIDDEN,
    ID_TAKEN,
    IN_ORDER,
    MAX_BATCH_OPS,
    NOTIFY_CHANNEL,
    SEQ_TAKEN,
    TWICE,
    _lit,
    push_function_sql,
)
from db.wire_check import KNOWN_SCHEMA_VERSIONS, field_kinds

#: Server tables, all owned by the owner; members get what init_sql grants, no more.
TABLES = ("ops", "lvv_hub", "lvv_member", "lvv_device", "lvv_overleg", "lvv_refusal",
          "lvv_schema_field", "lvv_pull_log")

#: ``lvv_log_pull(from, to)``: the pull of window (from, to] by the session user, logged
#: (NEN 7513: event, time, user, acting for = its organisation, the cases touched). It
#: counts what the role could read there with the same rule as the policy ``ops_read``.
PULL_LOG_SQL = """
CREATE OR REPLACE FUNCTION lvv_log_pull(from_seq bigint, to_seq bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $fn$
  WITH mem AS (SELECT m.overleg_id, m.org_id, m.is_chair FROM lvv_member m
      JOIN pg_roles r ON r.rolname = m.role_name
      WHERE pg_has_role(session_user, r.oid, 'MEMBER')),
    seen AS (SELECT o.overleg_id, o.entity, o.entity_id, o.field, o.value FROM ops o
      JOIN mem ON mem.overleg_id = o.overleg_id
      WHERE o.server_seq > from_seq AND o.server_seq <= to_seq AND (o.audience = 'overleg'
        OR o.org_id = mem.org_id OR (o.audience = 'chair' AND mem.is_chair)))
  INSERT INTO lvv_pull_log (role_name, overleg_id, org_id, from_seq, to_seq, ops, case_ids)
  SELECT session_user, s.overleg_id, min(mem.org_id), from_seq, to_seq, count(*),
    coalesce(array_agg(DISTINCT CASE WHEN s.entity = 'casus' THEN s.entity_id
      WHEN s.field = 'case_id' THEN lvv_try_jsonb(s.value) #>> '{{}}' END)
      FILTER (WHERE s.entity = 'casus' OR s.field = 'case_id'), '{{}}')
  FROM seen s JOIN mem ON mem.overleg_id = s.overleg_id GROUP BY s.overleg_id
$fn$"""

#: Version of the hub schema this code reads and writes.
HUB_SCHEMA_VERSION = 2


__all__ = ["ADMIN_FIELDS", "ADMIN_ONLY", "ADVISORY_LOCK_KEY", "DEVICE_TAKEN", "FORBIDDEN", "HUB_SCHEMA_VERSION", "ID_TAKEN",
           "IN_ORDER", "MAX_BATCH_OPS", "NOTIFY_CHANNEL", "PULL_LOG_SQL", "SEQ_TAKEN", "TABLES",
           "TWICE", "init_sql", "push_function_sql"]


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def init_sql(app_role: str, role: str, schema: str) -> list[str]:
    """The statements of ``server init``, in order (each idempotent). ``role`` is
    ``app_role`` quoted as an identifier; ``schema`` the schema the tables live in."""
    lit = _lit(app_role)
    sp = _quote_ident(schema)
    kinds = field_kinds()
    fields = ", ".join(f"({_lit(e)}, {_lit(f)}, {_lit(k)})" for (e, f), k in sorted(
        kinds.items()))
    definer = f"SECURITY DEFINER SET search_path = {sp}, pg_temp"
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
        "INSERT INTO lvv_hub (key, value) VALUES ('op_schema_versions', "
        f"{_lit(json.dumps(list(KNOWN_SCHEMA_VERSIONS)))}) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
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
        "ALTER TABLE ops ADD COLUMN IF NOT EXISTS pushed_by text",
        "ALTER TABLE ops ADD COLUMN IF NOT EXISTS received_at timestamptz",
        # need-to-know (issue 10): who may read the op, and the record's organisation
        "ALTER TABLE ops ADD COLUMN IF NOT EXISTS audience text NOT NULL DEFAULT 'overleg'",
        "ALTER TABLE ops ADD COLUMN IF NOT EXISTS org_id text NOT NULL DEFAULT ''",
        "DROP INDEX IF EXISTS ops_overleg_seq",
        # a device counter is used once; an older server may already hold a repeat
        # (pushed before lvv_push existed): then a plain index, and lvv_push checks by hand
        "DO $$ BEGIN IF to_regclass('ops_device_seq') IS NULL THEN BEGIN "
        "CREATE UNIQUE INDEX ops_device_seq ON ops (device_id, device_seq); "
        "EXCEPTION WHEN unique_violation THEN "
        "CREATE INDEX ops_device_seq ON ops (device_id, device_seq); END; END IF; END $$",
        # the highest number of the gapless run: numbers lvv_push gave out, and any row the
        # owner put right after them; a row far beyond (by hand) is never reached
        "INSERT INTO lvv_hub (key, value) SELECT 'last_seq', coalesce(max(t.s), 0)::text "
        "FROM (SELECT server_seq AS s, row_number() OVER (ORDER BY server_seq) AS rn "
        "FROM ops WHERE server_seq > 0) t WHERE t.s = t.rn ON CONFLICT (key) DO NOTHING",
        "CREATE TABLE IF NOT EXISTS lvv_member (role_name text NOT NULL, "
        "overleg_id text NOT NULL, PRIMARY KEY (role_name, overleg_id))",
        # the organisation a role sits at the table for, and whether it chairs (issue 10)
        "ALTER TABLE lvv_member ADD COLUMN IF NOT EXISTS org_id text NOT NULL DEFAULT ''",
        "ALTER TABLE lvv_member ADD COLUMN IF NOT EXISTS is_chair boolean NOT NULL "
        "DEFAULT false",
        "CREATE TABLE IF NOT EXISTS lvv_device (device_id text PRIMARY KEY, "
        "role_name text NOT NULL, bound_at timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE IF NOT EXISTS lvv_overleg (overleg_id text PRIMARY KEY, "
        "name text NOT NULL UNIQUE, added_at timestamptz NOT NULL DEFAULT now(), "
        "added_by text NOT NULL DEFAULT session_user)",
        "CREATE TABLE IF NOT EXISTS lvv_refusal (id bigserial PRIMARY KEY, "
        "at timestamptz NOT NULL DEFAULT now(), role_name text NOT NULL, op_id text, "
        "device_id text, overleg_id text, reason text NOT NULL)",
        # every pull, per role (issue 10: who read what, NEN 7513 fields)
        "CREATE TABLE IF NOT EXISTS lvv_pull_log (id bigserial PRIMARY KEY, "
        "at timestamptz NOT NULL DEFAULT now(), role_name text NOT NULL, "
        "overleg_id text NOT NULL, org_id text NOT NULL, from_seq bigint NOT NULL, "
        "to_seq bigint NOT NULL, ops integer NOT NULL, case_ids text[] NOT NULL)",
        "CREATE TABLE IF NOT EXISTS lvv_schema_field (entity text NOT NULL, "
        "field text NOT NULL, kind text NOT NULL, PRIMARY KEY (entity, field))",
        "DELETE FROM lvv_schema_field",
        f"INSERT INTO lvv_schema_field (entity, field, kind) VALUES {fields}",
        # the row types lvv_push works in (remade: a new wire column is a new attribute)
        "DROP TYPE IF EXISTS lvv_push_row",
        "CREATE TYPE lvv_push_row AS (ord integer, id text, device_id text, "
        "device_seq bigint, hlc text, author text, overleg_id text, entity text, "
        "entity_id text, field text, value json, base json, schema_version integer, "
        "audience text, org_id text, bad text, first boolean)",
        "DROP TYPE IF EXISTS lvv_refusal_row",
        "CREATE TYPE lvv_refusal_row AS (ord integer, op_id text, reason text)",
        # functions
        "CREATE OR REPLACE FUNCTION lvv_try_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql "
        "IMMUTABLE AS $$ BEGIN RETURN t::jsonb; EXCEPTION WHEN others THEN RETURN NULL; "
        "END $$",
        "CREATE OR REPLACE FUNCTION lvv_max_seq() RETURNS bigint LANGUAGE sql STABLE "
        f"{definer} AS $$ SELECT coalesce((SELECT max(t.s) FROM (SELECT o.server_seq AS s, "
        "row_number() OVER (ORDER BY o.server_seq) AS rn FROM ops o "
        "WHERE o.server_seq > c.c) t WHERE t.s = c.c + t.rn), c.c) FROM (SELECT "
        "value::bigint AS c FROM lvv_hub WHERE key = 'last_seq') c $$",
        push_function_sql(sp),
        PULL_LOG_SQL.format(schema=sp),
        # the door as the issue names it: a row per op, for a batch in json or jsonb (on
        # a server set up before, lvv_push(json) was the body itself: replaced in place)
        "CREATE OR REPLACE FUNCTION lvv_push(batch json) RETURNS TABLE (op_id text, "
        f"server_seq bigint, status text, reason text) LANGUAGE sql {definer} AS "
        "$$ SELECT * FROM lvv_push(batch, true) $$",
        "CREATE OR REPLACE FUNCTION lvv_push(batch jsonb) RETURNS TABLE (op_id text, "
        f"server_seq bigint, status text, reason text) LANGUAGE sql {definer} AS "
        "$$ SELECT * FROM lvv_push(batch::json, true) $$",
        # ops are immutable, for everyone
        # (but for retention's erasure by the owner, see db.retention_sql)
        retention_sql.IMMUTABLE_SQL,
        "CREATE OR REPLACE TRIGGER ops_immutable BEFORE UPDATE OR DELETE ON ops "
        "FOR EACH ROW EXECUTE FUNCTION lvv_ops_immutable()",
        "CREATE OR REPLACE TRIGGER ops_no_truncate BEFORE TRUNCATE ON ops "
        "FOR EACH STATEMENT EXECUTE FUNCTION lvv_ops_immutable()",
        # grants: members read (row-level security) and push through lvv_push, nothing else
        "REVOKE ALL ON " + ", ".join(TABLES) + " FROM PUBLIC",
        "REVOKE ALL ON " + ", ".join(TABLES) + f" FROM {role}",
        "REVOKE ALL ON SEQUENCE lvv_refusal_id_seq FROM PUBLIC",
        "REVOKE ALL ON SEQUENCE lvv_pull_log_id_seq FROM PUBLIC",
        "REVOKE ALL ON FUNCTION lvv_log_pull(bigint, bigint) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION lvv_log_pull(bigint, bigint) TO {role}",
        "REVOKE ALL ON FUNCTION lvv_max_seq(), lvv_push(json), lvv_push(jsonb), "
        "lvv_push(json, boolean), "
        "lvv_try_jsonb(text) FROM PUBLIC",
        f"GRANT SELECT ON ops, lvv_hub, lvv_member TO {role}",
        "GRANT EXECUTE ON FUNCTION lvv_max_seq(), lvv_push(json), lvv_push(jsonb), "
        f"lvv_push(json, boolean) TO {role}",
        f"DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO {role}', "
        "current_schema()); END $$",
        # row-level security: a role reads only the overleggen it is a member of
        "ALTER TABLE lvv_member ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE ops ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS member_own ON lvv_member",
        f"CREATE POLICY member_own ON lvv_member FOR SELECT TO {role} USING (pg_has_role("
        "current_user, (SELECT r.oid FROM pg_roles r WHERE r.rolname = lvv_member.role_name), "
        "'MEMBER'))",
        "DROP POLICY IF EXISTS ops_read ON ops",
        # need-to-know: an op of a narrower audience only to its organisation (and, for
        # ``chair``, to the chairing organisation). The role's memberships are read once
        # per query into arrays (init plans), not per row
        f"CREATE POLICY ops_read ON ops FOR SELECT TO {role} USING "
        "(overleg_id = ANY(ARRAY(SELECT m.overleg_id FROM lvv_member m)) AND "
        "(audience = 'overleg' OR org_id = ANY(ARRAY(SELECT m.org_id FROM lvv_member m "
        "WHERE m.org_id <> '')) OR (audience = 'chair' AND overleg_id = ANY(ARRAY(SELECT "
        "m.overleg_id FROM lvv_member m WHERE m.is_chair)))))",
        "DROP POLICY IF EXISTS ops_write ON ops",
        # retention: the owner's erasure of anonymised cases (issue 10)
        *retention_sql.init_statements(role, sp),
    ]
