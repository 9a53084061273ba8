"""Retention on the server (issue 10): ``lvv_erase_redacted()`` erases, in the ``ops``
table, what retention does not keep of every case that has a redaction op — the same
values, byte for byte, as a laptop's :func:`db.retention.erase` (one table of what is kept,
:data:`db.retention.KEEP_AS`, for both).

Only the owner may: the function is SECURITY DEFINER (ops are immutable for everyone else,
by a trigger that lets only this function's value-only UPDATE through), EXECUTE is revoked
from PUBLIC and from the app's group role, and it checks that the caller is the owner.
:func:`db.server_erase.erase_on_server` runs it and then VACUUMs ``ops`` so the old row versions go too.
"""

from __future__ import annotations

from db.retention import CASE_ENTITIES, ERASE, ITEM_ENTITIES, KEEP_AS


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _keep_values() -> str:
    return ", ".join(f"({_lit(e)}, {_lit(f)}, {_lit(how)})"
                     for e, fields in sorted(KEEP_AS.items()) for f, how in sorted(fields.items()))


def _in(names: tuple[str, ...]) -> str:
    return ", ".join(_lit(n) for n in names)


#: the kept value of op value ``v`` for rule ``how`` (as db.retention.kept_value)
_KEPT = (
    f"CASE WHEN k.how = {_lit(ERASE)} THEN 'null' "
    "WHEN jsonb_typeof(lvv_try_jsonb(o.value)) = 'string' AND "
    "length(lvv_try_jsonb(o.value) #>> '{}') >= 7 THEN "
    "to_json(left(lvv_try_jsonb(o.value) #>> '{}', 7) || '-01')::text ELSE 'null' END")

#: the trigger that keeps ops immutable lets the erasure's value-only update through
IMMUTABLE_SQL = (
    "CREATE OR REPLACE FUNCTION lvv_ops_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'UPDATE' AND current_setting('lvv.erasing', true) = 'on' AND "
    "(to_jsonb(NEW) - 'value') = (to_jsonb(OLD) - 'value') THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION 'ops are immutable: % refused', TG_OP "
    "USING ERRCODE = 'insufficient_privilege'; END $$")


def erase_function_sql(schema_literal: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION lvv_erase_redacted() RETURNS integer LANGUAGE plpgsql
SECURITY DEFINER SET search_path = {schema_literal}, pg_temp AS $fn$
DECLARE n integer;
BEGIN
  IF NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c
      WHERE c.oid = 'ops'::regclass), 'MEMBER') THEN
    RAISE EXCEPTION 'only the owner of the server may erase' USING ERRCODE = '42501';
  END IF;
  PERFORM set_config('lvv.erasing', 'on', true);
  WITH cases AS (SELECT DISTINCT entity_id AS id FROM ops WHERE entity = 'casus'
      AND field = 'redacted' AND value <> 'null'),
    direct AS (SELECT DISTINCT entity, entity_id FROM ops WHERE field = 'case_id'
      AND entity IN ({_in(CASE_ENTITIES)})
      AND lvv_try_jsonb(value) #>> '{{}}' IN (SELECT id FROM cases)),
    minutes AS (SELECT DISTINCT entity, entity_id FROM ops WHERE field = 'agenda_item_id'
      AND entity IN ({_in(ITEM_ENTITIES)}) AND lvv_try_jsonb(value) #>> '{{}}' IN
      (SELECT entity_id FROM direct WHERE entity = 'agenda_item')),
    recs AS (SELECT 'casus'::text AS entity, id AS entity_id FROM cases
      UNION SELECT entity, entity_id FROM direct UNION SELECT entity, entity_id FROM minutes),
    k(entity, field, how) AS (VALUES {_keep_values()})
  UPDATE ops o SET value = {_KEPT}
    FROM recs r JOIN k ON k.entity = r.entity
    WHERE o.entity = r.entity AND o.entity_id = r.entity_id AND o.field = k.field
      AND o.value IS DISTINCT FROM {_KEPT};
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('lvv.erasing', 'off', true);
  RETURN n;
END $fn$"""


def init_statements(role: str, schema_literal: str) -> list[str]:
    """Added to ``server init`` (after the ops trigger and the grants)."""
    return [
        IMMUTABLE_SQL,
        erase_function_sql(schema_literal),
        "REVOKE ALL ON FUNCTION lvv_erase_redacted() FROM PUBLIC",
        f"REVOKE ALL ON FUNCTION lvv_erase_redacted() FROM {role}",
    ]


__all__ = ["IMMUTABLE_SQL", "erase_function_sql", "init_statements"]
