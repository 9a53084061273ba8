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
from db.wire_check import (
    KNOWN_SCHEMA_VERSIONS,
    field_kinds,
    sql_passes,
    sql_refusal,
)

#: Key of the advisory lock that serialises pushers ("LVVOPS" in ASCII).
ADVISORY_LOCK_KEY = 0x4C56564F5053
#: The channel a push notifies on commit.
NOTIFY_CHANNEL = "lvv_ops"
#: Most ops one call of lvv_push takes.
MAX_BATCH_OPS = 50_000
#: The reason given for an op of an overleg the account was not granted.
FORBIDDEN = "overleg not granted to this account"
#: The reason for an id the server holds with other contents, or in an overleg this
#: account cannot read (the same words: a refusal never tells a hidden id exists).
ID_TAKEN = "id already used with other contents"
DEVICE_TAKEN = "device belongs to another account"
SEQ_TAKEN = "device_seq already used with other contents"
TWICE = "id twice in the batch with different contents"
#: The reason for a setting only an administrator (the server's owner) may change.
ADMIN_ONLY = "only an administrator may set this"
#: (entity, field) an administrator sets: the retention term of an overleg (issue 10)
ADMIN_FIELDS = (("overleg", "retention_months"),)


def _admin_field_sql(p: str = "p") -> str:
    """SQL: the op in row ``p`` sets a field only an administrator may set."""
    return "(" + " OR ".join(f"({p}.entity = {_lit(e)} AND {p}.field = {_lit(f)})"
                             for e, f in ADMIN_FIELDS) + ")"

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

_PAYLOAD = ("device_id", "device_seq", "hlc", "author", "overleg_id", "entity", "entity_id",
            "field", "schema_version", "audience", "org_id")

#: Version of the hub schema this code reads and writes.
HUB_SCHEMA_VERSION = 2


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _parse_sql(safe: bool = False) -> str:
    """A SELECT over the batch (an array of objects): one row per op, typed where the JSON
    type fits (else NULL), the reason it is refused (``bad``), and whether it is the first
    with its id. Text fields are read as text (a number given for one is its digits, which
    then fail the rule of the field)."""
    nums = " ".join(
        f"CASE WHEN json_typeof(e.{c}) = 'number' AND (e.{c} #>> '{{}}') ~ '^[0-9]{{1,{d}}}$' "
        f"THEN (e.{c} #>> '{{}}')::{t} END AS {c},"
        for c, d, t in (("device_seq", 16, "bigint"), ("schema_version", 9, "integer")))
    return (
        "SELECT p.ord, p.id, p.device_id, p.device_seq, p.hlc, p.author, p.overleg_id, "
        "p.entity, p.entity_id, p.field, p.value, p.base, p.schema_version, p.audience, "
        "p.org_id, "
        f"coalesce({sql_refusal(safe)}, CASE WHEN NOT (is_admin OR p.overleg_id = ANY(mine)) "
        f"THEN {_lit(FORBIDDEN)} WHEN NOT is_admin AND {_admin_field_sql()} "
        f"THEN {_lit(ADMIN_ONLY)} END) AS bad, "
        "row_number() OVER (PARTITION BY p.id ORDER BY p.ord) = 1 AS first "
        "FROM (SELECT e.ord::integer AS ord, e.id, e.device_id, e.hlc, e.author, "
        "e.overleg_id, e.entity, e.entity_id, e.field, coalesce(e.value, 'null') AS value, "
        "coalesce(e.audience, 'overleg') AS audience, coalesce(e.org_id, '') AS org_id, "
        f"e.base, {nums[:-1]} "
        "FROM ROWS FROM (json_to_recordset(batch) AS (id text, device_id text, "
        "device_seq json, hlc text, author text, overleg_id text, entity text, "
        "entity_id text, field text, value json, base json, schema_version json, "
        "audience text, org_id text)) "
        "WITH ORDINALITY AS e(id, device_id, device_seq, hlc, author, overleg_id, entity, "
        "entity_id, field, value, base, schema_version, audience, org_id, ord)) p "
        "CROSS JOIN LATERAL (SELECT kinds ->> (p.entity || '.' || p.field) AS kind) f"
    )


def _same(s: str, o: str) -> str:
    """SQL: staged op ``s`` carries exactly the payload of stored op ``o``."""
    eq = " AND ".join(f"{o}.{c} = {s}.{c}" for c in _PAYLOAD)
    return (f"({eq} AND ({o}.value = {s}.value::text OR "
            f"lvv_try_jsonb({o}.value) = {s}.value::jsonb) AND ({o}.base = {s}.base::text OR "
            f"lvv_try_jsonb({o}.base) = {s}.base::jsonb))")


def push_function_sql(schema_literal: str) -> str:
    """``lvv_push(batch json)``: see the module docstring."""
    # privacy (issue 10): lvv_push's only changes are the two wire columns ``audience`` and
    # ``org_id`` in ``cols``, in the recordset type below, in the TWICE comparison, and
    # their check "audience is not valid" (db.wire_check.CHECKS, run through sql_passes)
    cols = ("id", "device_id", "device_seq", "hlc", "author", "overleg_id", "entity",
            "entity_id", "field", "value", "base", "schema_version", "audience", "org_id")
    insert_cols = ", ".join(cols)
    select_cols = ", ".join(
        "coalesce(s.value, 'null')::text" if c == "value" else
        "s.base::text" if c == "base" else f"s.{c}" for c in cols)
    refuse = (
        "INSERT INTO lvv_refusal (role_name, op_id, device_id, overleg_id, reason) "
        "SELECT who, left(r.op_id, 100), left(s.device_id, 100), left(s.overleg_id, 100), "
        "r.reason FROM unnest(refusals) r LEFT JOIN unnest(staged) s ON s.ord = r.ord "
        "ORDER BY r.ord LIMIT 1000;\n"
        "    RETURN QUERY SELECT DISTINCT ON (r.op_id) r.op_id, NULL::bigint, "
        "'refused'::text, r.reason FROM unnest(refusals) r ORDER BY r.op_id, r.ord;\n"
        "    RETURN;"
    )
    insert = (
        f"INSERT INTO ops (server_seq, {insert_cols}, pushed_by, received_at) "
        f"SELECT top + row_number() OVER (ORDER BY s.ord), {select_cols}, who, now() "
        "FROM unnest(staged) s WHERE s.first AND NOT (s.id = ANY(held)) ORDER BY s.ord"
    )
    fast_insert = (
        f"WITH ins AS (INSERT INTO ops (server_seq, {insert_cols}, pushed_by, received_at) "
        f"SELECT top + p.ord, {select_cols.replace('s.', 'p.')}, who, now() "  # in any order
        "FROM ROWS FROM (json_to_recordset(batch) AS (id text, device_id text, "
        "device_seq bigint, hlc text, author text, overleg_id text, entity text, "
        "entity_id text, field text, value json, base json, schema_version integer, "
        "audience text, org_id text)) "
        "WITH ORDINALITY AS p(id, device_id, device_seq, hlc, author, overleg_id, entity, "
        "entity_id, field, value, base, schema_version, audience, org_id, ord) "
        # the field list is a jsonb object in a variable: a lookup per op, not a join
        "CROSS JOIN LATERAL (SELECT kinds ->> (p.entity || '.' || p.field) AS kind) f "
        f"WHERE {sql_passes()} AND (is_admin OR (p.overleg_id = ANY(mine) AND NOT "
        f"{_admin_field_sql()} AND p.device_id "
        "NOT IN (SELECT d.device_id FROM lvv_device d WHERE d.role_name <> who))) "
        "RETURNING ops.id, ops.device_id, ops.server_seq), "
        "dev AS (INSERT INTO lvv_device (device_id, role_name) SELECT DISTINCT ins.device_id, "
        "who FROM ins WHERE NOT is_admin ON CONFLICT DO NOTHING) "
        "SELECT coalesce(array_agg(ins.id), '{}'), coalesce(array_agg(ins.server_seq), '{}') "
        "INTO ids, seqs FROM ins"
    )
    return f"""
CREATE OR REPLACE FUNCTION lvv_push(batch json)
RETURNS TABLE (op_id text, server_seq bigint, status text, reason text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema_literal}, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
  who text := session_user;
  is_admin boolean;
  mine text[];
  known_versions integer[];
  staged lvv_push_row[];
  refusals lvv_refusal_row[];
  held text[] := '{{}}';
  ids text[];
  seqs bigint[];
  kinds jsonb;
  top bigint;
  n bigint := 0;
  fast boolean := false;
  seq_unique boolean;
BEGIN
  IF batch IS NULL OR json_typeof(batch) <> 'array'
     OR json_array_length(batch) > {MAX_BATCH_OPS} THEN
    RETURN QUERY SELECT NULL::text, NULL::bigint, 'refused'::text,
      'the batch is not a list of at most {MAX_BATCH_OPS} ops'::text;
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM json_array_elements(batch) e WHERE json_typeof(e) <> 'object')
  THEN
    RETURN QUERY SELECT '#' || e.ord, NULL::bigint, 'refused'::text, 'malformed op'::text
      FROM json_array_elements(batch) WITH ORDINALITY AS e(o, ord)
      WHERE json_typeof(e.o) <> 'object';
    RETURN;
  END IF;
  is_admin := pg_has_role(session_user,
    (SELECT c.relowner FROM pg_class c WHERE c.oid = 'ops'::regclass), 'MEMBER');
  SELECT coalesce(array_agg(m.overleg_id), '{{}}') INTO mine FROM lvv_member m
    JOIN pg_roles r ON r.rolname = m.role_name
    WHERE pg_has_role(session_user, r.oid, 'MEMBER');
  SELECT jsonb_object_agg(sf.entity || '.' || sf.field, sf.kind) INTO kinds
    FROM lvv_schema_field sf;
  SELECT array_agg(v::integer) INTO known_versions FROM jsonb_array_elements_text(
    (SELECT h.value::jsonb FROM lvv_hub h WHERE h.key = 'op_schema_versions')) v;
  -- numbers are handed out under this lock, held until commit: gapless, in commit order
  PERFORM pg_advisory_xact_lock({ADVISORY_LOCK_KEY});
  top := lvv_max_seq();
  SELECT i.indisunique INTO seq_unique FROM pg_index i
    WHERE i.indexrelid = to_regclass('ops_device_seq');
  -- the usual batch: every op new and passing every rule, of this account's overleggen
  -- and devices. One pass: check and insert, numbered by position; anything else (a rule
  -- broken, an id or a device counter already held) undoes it and takes the careful path
  IF coalesce(seq_unique, false) THEN
    BEGIN
      {fast_insert};
      n := cardinality(ids);
      IF n <> json_array_length(batch) THEN
        RAISE EXCEPTION 'not every op passes' USING ERRCODE = 'LV001';
      END IF;
      fast := true;
    EXCEPTION WHEN unique_violation OR data_exception OR SQLSTATE 'LV001' THEN
      n := 0;
    END;
  END IF;
  IF NOT fast THEN
    -- every rule of db.wire_check, set-based, with the reason per op
    BEGIN
      SELECT coalesce(array_agg(ROW(x.*)::lvv_push_row ORDER BY x.ord), '{{}}')
        INTO staged FROM ({_parse_sql()}) x;
    EXCEPTION WHEN invalid_text_representation THEN  -- a malformed UUID: name it
      SELECT coalesce(array_agg(ROW(x.*)::lvv_push_row ORDER BY x.ord), '{{}}')
        INTO staged FROM ({_parse_sql(safe=True)}) x;
    END;
    refusals := ARRAY(
      SELECT ROW(s.ord, coalesce(s.id, '#' || s.ord), s.bad)::lvv_refusal_row
        FROM unnest(staged) s WHERE s.bad IS NOT NULL);
    IF cardinality(refusals) = 0 THEN
      -- an id or a device counter twice: fine when it is the same op sent twice
      refusals := ARRAY(
        SELECT ROW(min(s.ord), s.id, {_lit(TWICE)})::lvv_refusal_row FROM unnest(staged) s
          GROUP BY s.id
          HAVING count(DISTINCT ROW(s.device_id, s.device_seq, s.hlc, s.author,
            s.overleg_id, s.entity, s.entity_id, s.field, s.value::text, s.base::text,
            s.schema_version, s.audience, s.org_id)) > 1
        UNION ALL
        SELECT ROW(min(s.ord), min(s.id), {_lit(SEQ_TAKEN)})::lvv_refusal_row
          FROM unnest(staged) s GROUP BY s.device_id, s.device_seq
          HAVING count(DISTINCT s.id) > 1);
    END IF;
    IF cardinality(refusals) = 0 AND NOT is_admin THEN
      refusals := ARRAY(SELECT ROW(s.ord, s.id, {_lit(DEVICE_TAKEN)})::lvv_refusal_row
        FROM unnest(staged) s JOIN lvv_device d ON d.device_id = s.device_id
        WHERE d.role_name <> who);
    END IF;
    IF cardinality(refusals) = 0 THEN
      held := ARRAY(SELECT s.id FROM unnest(staged) s JOIN ops o ON o.id = s.id
        WHERE s.first AND (is_admin OR o.overleg_id = ANY(mine)) AND {_same('s', 'o')});
      refusals := ARRAY(
        SELECT ROW(s.ord, s.id, {_lit(ID_TAKEN)})::lvv_refusal_row
          FROM unnest(staged) s JOIN ops o ON o.id = s.id WHERE NOT (s.id = ANY(held))
        UNION ALL
        SELECT ROW(s.ord, s.id, {_lit(SEQ_TAKEN)})::lvv_refusal_row
          FROM unnest(staged) s JOIN ops o ON o.device_id = s.device_id
            AND o.device_seq = s.device_seq AND o.id <> s.id);
    END IF;
    IF cardinality(refusals) > 0 THEN
      {refuse}
    END IF;
    {insert};
    GET DIAGNOSTICS n = ROW_COUNT;
  END IF;
  IF n > 0 THEN
    IF NOT is_admin AND NOT fast THEN
      INSERT INTO lvv_device (device_id, role_name)
        SELECT DISTINCT s.device_id, who FROM unnest(staged) s ON CONFLICT DO NOTHING;
    END IF;
    UPDATE lvv_hub SET value = (top + n)::text WHERE key = 'last_seq';
    PERFORM pg_notify({_lit(NOTIFY_CHANNEL)}, (top + n)::text);
  END IF;
  IF fast THEN
    RETURN QUERY SELECT u.id, u.seq, 'stored'::text, NULL::text
      FROM unnest(ids, seqs) AS u(id, seq);
    RETURN;
  END IF;
  RETURN QUERY
    SELECT s.id, top + row_number() OVER (ORDER BY s.ord), 'stored'::text, NULL::text
      FROM unnest(staged) s WHERE s.first AND NOT (s.id = ANY(held))
    UNION ALL
    SELECT s.id, o.server_seq, 'already'::text, NULL::text
      FROM unnest(staged) s JOIN ops o ON o.id = s.id WHERE s.first AND s.id = ANY(held);
END
$fn$"""


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
        # the door as the issue names it: the same function, for a batch already in jsonb
        "CREATE OR REPLACE FUNCTION lvv_push(batch jsonb) RETURNS TABLE (op_id text, "
        f"server_seq bigint, status text, reason text) LANGUAGE sql {definer} AS "
        "$$ SELECT * FROM lvv_push(batch::json) $$",
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
        "lvv_try_jsonb(text) FROM PUBLIC",
        f"GRANT SELECT ON ops, lvv_hub, lvv_member TO {role}",
        f"GRANT EXECUTE ON FUNCTION lvv_max_seq(), lvv_push(json), lvv_push(jsonb) TO {role}",
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
