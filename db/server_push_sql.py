"""The body of ``lvv_push``, the one door members write through (see :mod:`db.server_sql`
for the rest of ``server init``), and the words of its refusals.

The usual batch is checked and stored in one pass over its text; any other batch takes the
careful path, which runs every rule of :mod:`db.wire_check` set-based and names each
refused op with its reason.
"""

from __future__ import annotations

from db.wire_check import sql_passes, sql_refusal

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
#: The reason for an op of a partner's input pushed by another organisation's account.
NOT_YOURS = "only the organisation itself may write its input"
#: The status of the one row that answers a batch stored whole and in order.
IN_ORDER = "stored in order"

_PAYLOAD = ("device_id", "device_seq", "hlc", "author", "overleg_id", "entity", "entity_id",
            "field", "schema_version", "audience", "org_id")

def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _admin_field_sql(p: str = "p") -> str:
    """SQL: the op in row ``p`` sets a field only an administrator may set."""
    return "(" + " OR ".join(f"({p}.entity = {_lit(e)} AND {p}.field = {_lit(f)})"
                             for e, f in ADMIN_FIELDS) + ")"


def _foreign_input_sql(p: str = "p") -> str:
    """SQL: the op in row ``p`` writes a partner's input (issue 15) that is not the pushing
    account's own organisation's: its ``org_id`` is not one the account holds in that
    overleg, or the input's ``organisation_id`` is not its ``org_id``. A member may not put
    words in another partner's mouth; the owner may."""
    return (f"({p}.entity = 'partner_input' AND ({p}.overleg_id || '/' || {p}.org_id "
            f"<> ALL(my_orgs) OR ({p}.field = 'organisation_id' AND "
            f"{p}.value::text <> to_json({p}.org_id)::text)))")


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
        f"THEN {_lit(ADMIN_ONLY)} WHEN NOT is_admin AND {_foreign_input_sql()} "
        f"THEN {_lit(NOT_YOURS)} END) AS bad, "
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
    """``lvv_push(batch json, per_op boolean)``, the body behind both doors: see the module
    docstring. With ``per_op`` false (the sync client), a batch stored whole and in order
    answers one row: ``(NULL, first server_seq, 'stored in order', count)``, the ops
    numbered from ``first`` in batch order; any other outcome a row per op."""
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
    # the usual batch in one pass over its text: every row that breaks a rule (or an op of
    # an overleg or device the account may not write) gets no number, which NOT NULL
    # refuses; an id or device counter already held breaks a unique index. Either undoes
    # the statement, and the careful path finds and names the reasons.
    fast_insert = (
        f"WITH ins AS (INSERT INTO ops (server_seq, {insert_cols}, pushed_by, received_at) "
        f"SELECT CASE WHEN {sql_passes()} AND (is_admin OR (p.overleg_id = ANY(mine) AND "
        f"NOT {_admin_field_sql()} AND NOT {_foreign_input_sql()} "
        "AND p.device_id NOT IN (SELECT d.device_id "
        "FROM lvv_device d WHERE d.role_name <> who))) THEN top + p.ord END, "
        f"{select_cols.replace('s.', 'p.')}, who, now() "
        "FROM ROWS FROM (json_to_recordset(batch) AS (id text, device_id text, "
        "device_seq bigint, hlc text, author text, overleg_id text, entity text, "
        "entity_id text, field text, value json, base json, schema_version integer, "
        "audience text, org_id text)) "
        "WITH ORDINALITY AS p(id, device_id, device_seq, hlc, author, overleg_id, entity, "
        "entity_id, field, value, base, schema_version, audience, org_id, ord) "
        # the field list is a jsonb object in a variable: a lookup per op, not a join
        "CROSS JOIN LATERAL (SELECT kinds ->> (p.entity || '.' || p.field) AS kind) f "
        "RETURNING ops.device_id), "
        "dev AS (INSERT INTO lvv_device (device_id, role_name) SELECT DISTINCT ins.device_id, "
        "who FROM ins WHERE NOT is_admin ON CONFLICT DO NOTHING) "
        "SELECT count(*) INTO n FROM ins"
    )
    return f"""
CREATE OR REPLACE FUNCTION lvv_push(batch json, per_op boolean)
RETURNS TABLE (op_id text, server_seq bigint, status text, reason text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema_literal}, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
  who text := session_user;
  is_admin boolean;
  mine text[];
  my_orgs text[];
  known_versions integer[];
  staged lvv_push_row[];
  refusals lvv_refusal_row[];
  held text[] := '{{}}';
  kinds jsonb;
  top bigint;
  n bigint := 0;
  fast boolean := false;
  seq_unique boolean;
BEGIN
  is_admin := pg_has_role(session_user,
    (SELECT c.relowner FROM pg_class c WHERE c.oid = 'ops'::regclass), 'MEMBER');
  SELECT coalesce(array_agg(m.overleg_id), '{{}}'),
         coalesce(array_agg(m.overleg_id || '/' || m.org_id), '{{}}')
    INTO mine, my_orgs FROM lvv_member m
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
  -- and devices, stored in one pass, numbered by position; anything else (a rule broken,
  -- an id or a device counter already held, not a list of objects) undoes it and takes
  -- the careful path
  IF coalesce(seq_unique, false) THEN
    BEGIN
      {fast_insert};
      IF n = 0 OR n > {MAX_BATCH_OPS} THEN
        RAISE EXCEPTION 'not the usual batch' USING ERRCODE = 'LV001';
      END IF;
      fast := true;
    EXCEPTION WHEN unique_violation OR not_null_violation OR data_exception
      OR SQLSTATE 'LV001' THEN
      n := 0;
    END;
  END IF;
  IF NOT fast THEN
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
  IF fast AND NOT per_op THEN
    -- the whole batch, in its order, got top + 1 .. top + n: one row says so
    RETURN QUERY SELECT NULL::text, top + 1, {_lit(IN_ORDER)}, n::text;
    RETURN;
  ELSIF fast THEN
    RETURN QUERY SELECT p.id, top + p.ord, 'stored'::text, NULL::text
      FROM ROWS FROM (json_to_recordset(batch) AS (id text)) WITH ORDINALITY AS p(id, ord);
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
