"""The full-text index: an FTS5 table kept in step with the projection by SQLite triggers.

Why triggers: the index must change in the same transaction as the projection on every
write path (a local edit, ops applied from sync, a rebuild, the bulk import of the demo).
Those paths all write the projection tables; a trigger on each searchable table updates
the index inside the statement that changed the row, so no write path can forget it and
none needs to know the index exists. The triggers are plain SQL (no Python function), so
any connection that can write the file keeps the index right.

Layout:

* ``search_key(id INTEGER PRIMARY KEY, kind, entity_id)`` gives every searchable row a
  stable integer (VACUUM keeps INTEGER PRIMARY KEYs), used as the FTS rowid. Each kind
  has its own range of ids (``kind number << 40``, growing with arrival), so a query asks
  FTS5 for one kind by a rowid range, newest first, without any extra term to match.
* ``search_index`` (FTS5, ``unicode61 remove_diacritics 2``: case and diacritics do not
  matter) with ``body`` (the text shown in a snippet), ``vnr`` (a case's V-number:
  found by its digits, never shown in a snippet) and ``overleg`` (one token,
  ``o`` + the overleg id without dashes: the filter by overleg is an AND that FTS5
  evaluates itself, no join).
* ``search_vocab``: an fts5vocab table on the index (terms per column), which the query
  side reads to expand a word to the other forms of it that occur (Dutch stemming).

What is indexed per kind (a deleted row is not): a case's code, nationality and procedure
(and V-number); a view's note; a decision's rationale, the escalation question and advice
and the reasons of dissent; an action's text; a minutes summary; a correction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection

#: kind -> (table, SQL of the body over row alias X, SQL of the V-number, columns whose
#: change re-indexes the row)
SOURCES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "case": (
        "casus",
        "concat_ws(' ', X.code, X.nationality, X.procedure)",
        "coalesce(X.v_number, '')",
        ("code", "nationality", "procedure", "v_number"),
    ),
    "view": ("partner_view", "X.note", "''", ("note",)),
    "decision": (
        "decision",
        "concat_ws(' ', X.rationale, X.escalation_question, X.escalation_advice, "
        "(SELECT group_concat(json_extract(j.value, '$.reason'), ' ') "
        "FROM json_each(CASE WHEN json_valid(X.dissent) THEN X.dissent END) j))",
        "''",
        ("rationale", "escalation_question", "escalation_advice", "dissent"),
    ),
    "action": ("action_item", "X.text", "''", ("text",)),
    "minutes": ("minutes_text", "X.text", "''", ("text",)),
    "correction": ("minutes_correction", "X.text", "''", ("text",)),
}

KINDS: tuple[str, ...] = tuple(SOURCES)
#: the overleg of a row as one token
OVERLEG_TOKEN = "'o' || replace(X.overleg_id, '-', '')"


def overleg_token(overleg_id: str) -> str:
    """The token :data:`OVERLEG_TOKEN` makes for ``overleg_id``."""
    return "o" + overleg_id.replace("-", "")
_SHIFT = 40


def id_range(kind: str) -> tuple[int, int]:
    """The rowids of one kind lie in ``lo < rowid <= hi``."""
    lo = (KINDS.index(kind) + 1) << _SHIFT
    return lo, lo + (1 << _SHIFT) - 1


def _select(kind: str, where: str) -> str:
    """SELECT rowid, body, vnr for the rows of one kind (alias X) that are indexed."""
    table, body, vnr, _ = SOURCES[kind]
    return (
        f"SELECT k.id, {body}, {vnr}, {OVERLEG_TOKEN} FROM {table} X "
        f"JOIN search_key k ON k.kind = '{kind}' AND k.entity_id = X.id "
        f"WHERE X.deleted = 0 AND length(trim(coalesce({body}, '') || {vnr})) > 0 {where}"
    )


def _triggers(kind: str) -> list[str]:
    table, _, _, columns = SOURCES[kind]
    lo, hi = id_range(kind)
    key = f"(SELECT id FROM search_key WHERE kind = '{kind}' AND entity_id = %s.id)"
    refresh = (
        # no OR IGNORE: inside a trigger the outer statement's conflict policy (an upsert's)
        # would override it
        f"INSERT INTO search_key (id, kind, entity_id) SELECT coalesce((SELECT max(id) "
        f"FROM search_key WHERE id BETWEEN {lo} AND {hi}), {lo}) + 1, '{kind}', new.id "
        f"WHERE NOT EXISTS (SELECT 1 FROM search_key WHERE kind = '{kind}' "
        f"AND entity_id = new.id); "
        f"DELETE FROM search_index WHERE rowid = {key % 'new'}; "
        f"INSERT INTO search_index (rowid, body, vnr, overleg) "
        f"{_select(kind, 'AND X.id = new.id')}; "
    )
    cols = ", ".join(("deleted", *columns))
    return [
        f"CREATE TRIGGER IF NOT EXISTS search_{table}_ai AFTER INSERT ON {table} "
        f"BEGIN {refresh} END",
        f"CREATE TRIGGER IF NOT EXISTS search_{table}_au AFTER UPDATE OF {cols} ON {table} "
        f"BEGIN {refresh} END",
        f"CREATE TRIGGER IF NOT EXISTS search_{table}_ad AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM search_index WHERE rowid = {key % 'old'}; "
        f"DELETE FROM search_key WHERE kind = '{kind}' AND entity_id = old.id; END",
    ]


SCHEMA: list[str] = [
    "CREATE TABLE IF NOT EXISTS search_key (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
    "entity_id TEXT NOT NULL, UNIQUE (kind, entity_id))",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(body, vnr, overleg, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3', detail = full)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_vocab USING fts5vocab(search_index, 'col')",
    *(sql for kind in KINDS for sql in _triggers(kind)),
]


def create(conn: Connection) -> None:
    """Create the index, its vocabulary and the triggers (idempotent), then fill it."""
    raw = conn.connection.dbapi_connection
    for sql in SCHEMA:
        raw.execute(sql)
    rebuild(conn)


def rebuild(conn: Connection) -> None:
    """Recompute the whole index from the projection (caller's transaction)."""
    rebuild_raw(conn.connection.dbapi_connection)


def rebuild_raw(raw: Any) -> None:
    """:func:`rebuild` on the raw DB-API connection."""
    # dropping is much faster than deleting row by row (each FTS5 delete reads the row)
    raw.execute("DROP TABLE IF EXISTS search_vocab")
    raw.execute("DROP TABLE IF EXISTS search_index")
    for sql in SCHEMA[1:3]:  # the index and its vocabulary, empty
        raw.execute(sql)
    raw.execute("DELETE FROM search_key")
    for kind in KINDS:
        table, lo = SOURCES[kind][0], id_range(kind)[0]
        raw.execute(f"INSERT INTO search_key (id, kind, entity_id) SELECT "
                    f"{lo} + row_number() OVER (ORDER BY rowid), '{kind}', id FROM {table}")
        raw.execute(f"INSERT INTO search_index (rowid, body, vnr, overleg) {_select(kind, '')}")
    raw.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")


@contextmanager
def bulk(raw: Any) -> Iterator[None]:
    """Around a bulk write of the projection tables (a rebuild): the triggers are dropped,
    and afterwards the index is rebuilt from the tables in one pass and the triggers made
    again, all in the caller's transaction (so no other connection sees them missing).
    The same index as the triggers make, in a fraction of the time. Nothing to do where
    the index does not exist yet (an old file being migrated)."""
    if not raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'search_index'"
                       ).fetchone()[0]:
        yield
        return
    for kind in KINDS:
        table = SOURCES[kind][0]
        for suffix in ("ai", "au", "ad"):
            raw.execute(f"DROP TRIGGER IF EXISTS search_{table}_{suffix}")
    yield
    rebuild_raw(raw)
    for kind in KINDS:
        for sql in _triggers(kind):
            raw.execute(sql)


def purge(conn: Connection) -> None:
    """Merge the index so that no deleted text lingers in it (caller's transaction).

    FTS5 deletes by writing delete markers: the words of an erased note stay in older index
    segments until they are merged. Retention (erasing a case everywhere) must call this
    before its secure delete and checkpoint.
    """
    conn.connection.dbapi_connection.execute(
        "INSERT INTO search_index (search_index) VALUES ('optimize')")


def snapshot(conn: Connection) -> set[tuple[str, ...]]:
    """What the index holds, as comparable tuples (kind, entity_id, body, vnr)."""
    raw = conn.connection.dbapi_connection
    out = set()
    for kind, entity_id, rowid, body, vnr, overleg in raw.execute(
            "SELECT k.kind, k.entity_id, k.id, s.body, s.vnr, s.overleg FROM search_index s "
            "JOIN search_key k ON k.id = s.rowid"):
        lo, hi = id_range(kind)
        out.add((kind, entity_id, body, vnr, overleg) if lo < rowid <= hi
                else ("bad rowid", entity_id, str(rowid), kind, ""))
    return out


def expected(conn: Connection) -> set[tuple[str, ...]]:
    """What the index should hold, computed from the projection."""
    raw = conn.connection.dbapi_connection
    out: set[tuple[str, ...]] = set()
    for kind in KINDS:
        table, body, vnr, _ = SOURCES[kind]
        sql = (f"SELECT '{kind}', X.id, {body}, {vnr}, {OVERLEG_TOKEN} FROM {table} X "
               f"WHERE X.deleted = 0 AND length(trim(coalesce({body}, '') || {vnr})) > 0")
        out.update(tuple(r) for r in raw.execute(sql))
    return out


def faults(conn: Connection) -> list[str]:
    """Differences between the index and a rebuild (for ``check``)."""
    raw = conn.connection.dbapi_connection
    have = raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'search_index'")
    if not have.fetchone()[0]:
        return ["search index missing"]
    # No FTS5 'integrity-check' here: it is an INSERT, and check reads in a plain snapshot
    # while the app may write; the comparison with a rebuild below finds what it would.
    # per kind, what the index holds and what it should hold, compared both ways in SQL
    # (EXCEPT: sets, as a rebuild makes them), and every index row outside its kind's range
    diff = 0
    for kind in KINDS:
        table, body, vnr, _ = SOURCES[kind]
        lo, hi = id_range(kind)
        held = ("SELECT k.entity_id, s.body, s.vnr, s.overleg FROM search_index s "
                f"JOIN search_key k ON k.id = s.rowid WHERE s.rowid > {lo} AND s.rowid <= {hi} "
                f"AND k.kind = '{kind}'")
        wanted = (f"SELECT X.id, {body}, {vnr}, {OVERLEG_TOKEN} FROM {table} X "
                  f"WHERE X.deleted = 0 AND length(trim(coalesce({body}, '') || {vnr})) > 0")
        diff += raw.execute(f"SELECT (SELECT count(*) FROM ({held} EXCEPT {wanted})) + "
                            f"(SELECT count(*) FROM ({wanted} EXCEPT {held}))").fetchone()[0]
    ranges = " OR ".join(
        f"(k.kind = '{kind}' AND s.rowid > {id_range(kind)[0]} AND s.rowid <= {id_range(kind)[1]})"
        for kind in KINDS)
    diff += raw.execute("SELECT count(*) FROM search_index s JOIN search_key k "
                        f"ON k.id = s.rowid WHERE NOT ({ranges})").fetchone()[0]
    out = []
    if diff:
        out.append(f"search index differs from a rebuild ({diff} differences)")
    return out
