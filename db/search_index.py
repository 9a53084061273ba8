"""The full-text index: an FTS5 table kept in step with the projection by SQLite triggers.

Why triggers: every write path (a local edit, ops applied from sync, a rebuild, the bulk
import of the demo) writes the projection tables; a trigger on each searchable table notes
the changed row in ``search_pending`` inside the statement that changed it, so no write
path can forget it and none needs to know the index exists. The triggers are plain SQL (no
Python function), so any connection that can write the file keeps the queue right.

Why a queue (issue 11): the index is derived data (a rebuild makes it from the tables), and
updating it in the write's own durable transaction cost about 6 of the 14 pages of a
changed note and a third of its CPU. The write commits its row and one queue row; the store
then brings the index up to date in a small follow-up transaction (:func:`catch_up`, right
after the write, in the same writer). A crash between the two leaves the queue durable: the
store catches up when it opens, and before a search. ``check`` compares the index with a
rebuild for every row not waiting in the queue; a rebuild empties the queue.

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

import json
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


TRIGGER_NAMES: tuple[str, ...] = tuple(
    f"search_{SOURCES[kind][0]}_{suffix}" for kind in KINDS for suffix in ("ai", "au", "ad"))


def _triggers(kind: str) -> list[str]:
    """A row inserted, changed in what is indexed, or deleted: one queue row (no check for
    one already there: a duplicate costs less than the lookup, and catch_up merges them)."""
    table, _, _, columns = SOURCES[kind]
    cols = ", ".join(("deleted", *columns))
    note = f"INSERT INTO search_pending (kind, entity_id) VALUES ('{kind}', %s.id);"
    return [
        f"CREATE TRIGGER IF NOT EXISTS search_{table}_ai AFTER INSERT ON {table} "
        f"BEGIN {note % 'new'} END",
        f"CREATE TRIGGER IF NOT EXISTS search_{table}_au AFTER UPDATE OF {cols} ON {table} "
        f"BEGIN {note % 'new'} END",
        f"CREATE TRIGGER IF NOT EXISTS search_{table}_ad AFTER DELETE ON {table} "
        f"BEGIN {note % 'old'} END",
    ]


SCHEMA: list[str] = [
    "CREATE TABLE IF NOT EXISTS search_key (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
    "entity_id TEXT NOT NULL, UNIQUE (kind, entity_id))",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(body, vnr, overleg, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3', detail = full)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_vocab USING fts5vocab(search_index, 'col')",
    # rows whose index entry is behind (rowid: arrival order, which orders new keys)
    "CREATE TABLE IF NOT EXISTS search_pending (kind TEXT NOT NULL, entity_id TEXT NOT NULL)",
    *(sql for kind in KINDS for sql in _triggers(kind)),
]


def migrate(raw: Any) -> None:
    """Schema 12: the triggers fill the queue instead of the index (idempotent)."""
    for name in TRIGGER_NAMES:
        raw.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in SCHEMA:
        raw.execute(sql)


def queued(raw: Any) -> bool:
    """Whether the file has the queue (a file of schema 12 on; tests run older ones)."""
    return raw.execute("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = "
                       "'search_pending')").fetchone()[0] == 1


def pending(raw: Any) -> bool:
    """Whether any row waits for :func:`catch_up`."""
    return raw.execute("SELECT EXISTS (SELECT 1 FROM search_pending)").fetchone()[0] == 1


def catch_up(raw: Any) -> int:
    """Bring the index up to date with the rows in the queue, and empty it (caller's
    transaction); returns how many rows it re-indexed. A new row gets the next key of its
    kind, in arrival order (the order the triggers used to give); a row no longer in its
    table loses its key and its entry."""
    queued = raw.execute("SELECT kind, entity_id FROM search_pending ORDER BY rowid").fetchall()
    if not queued:
        return 0
    by_kind: dict[str, dict[str, None]] = {}  # per kind, the ids in arrival order, once
    for kind, entity_id in queued:
        by_kind.setdefault(kind, {})[entity_id] = None
    for kind, ids in by_kind.items():
        table = SOURCES[kind][0]
        lo, hi = id_range(kind)
        keys = dict(raw.execute(
            "SELECT k.entity_id, k.id FROM json_each(?) j CROSS JOIN search_key k "
            "ON k.kind = ? AND k.entity_id = j.value", (json.dumps(list(ids)), kind)))
        there = {r[0] for r in raw.execute(
            f"SELECT X.id FROM json_each(?) j CROSS JOIN {table} X ON X.id = j.value",
            (json.dumps(list(ids)),))}
        raw.executemany("DELETE FROM search_index WHERE rowid = ?",
                        [(keys[i],) for i in ids if i in keys])
        raw.executemany("DELETE FROM search_key WHERE id = ?",
                        [(keys[i],) for i in ids if i in keys and i not in there])
        new = [i for i in ids if i in there and i not in keys]
        if new:
            top = raw.execute("SELECT coalesce(max(id), ?) FROM search_key WHERE id "
                              "BETWEEN ? AND ?", (lo, lo, hi)).fetchone()[0]
            raw.executemany("INSERT INTO search_key (id, kind, entity_id) VALUES (?, ?, ?)",
                            [(top + n, kind, i) for n, i in enumerate(new, 1)])
        raw.execute(
            "INSERT INTO search_index (rowid, body, vnr, overleg) "
            + _select(kind, "AND X.id IN (SELECT value FROM json_each(?))"), (json.dumps(
                [i for i in ids if i in there]),))
    raw.execute("DELETE FROM search_pending")
    return sum(len(ids) for ids in by_kind.values())


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
    """:func:`rebuild` on the raw DB-API connection (the queue is emptied: nothing is
    behind a rebuild)."""
    raw.execute("DELETE FROM search_pending")
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
    for name in TRIGGER_NAMES:
        raw.execute(f"DROP TRIGGER IF EXISTS {name}")
    yield
    rebuild_raw(raw)
    for kind in KINDS:
        for sql in _triggers(kind):
            raw.execute(sql)


def purge(conn: Connection) -> None:
    """Merge the index so that no deleted text lingers in it (caller's transaction).

    FTS5 deletes by writing delete markers: the words of an erased note stay in older index
    segments until they are merged. Retention (erasing a case everywhere) must call this
    before its secure delete and checkpoint. The queue is caught up first (an erased row
    in it still has its old words in the index).
    """
    purge_raw(conn.connection.dbapi_connection)


def purge_raw(raw: Any) -> None:
    """:func:`purge` on the raw DB-API connection."""
    catch_up(raw)
    raw.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")


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
    """Differences between the index and a rebuild (for ``check``), of the rows not waiting
    in the queue (a writer catches those up right after its commit, or the next open)."""
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
        behind = f"(SELECT entity_id FROM search_pending WHERE kind = '{kind}')"
        held = ("SELECT k.entity_id, s.body, s.vnr, s.overleg FROM search_index s "
                f"JOIN search_key k ON k.id = s.rowid WHERE s.rowid > {lo} AND s.rowid <= {hi} "
                f"AND k.kind = '{kind}' AND k.entity_id NOT IN {behind}")
        wanted = (f"SELECT X.id, {body}, {vnr}, {OVERLEG_TOKEN} FROM {table} X "
                  f"WHERE X.deleted = 0 AND length(trim(coalesce({body}, '') || {vnr})) > 0 "
                  f"AND X.id NOT IN {behind}")
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
