"""The search use case of the store (the query language and scoring: :mod:`db.search`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlcipher3 import dbapi2 as sqlcipher

from db.search import (
    KINDS,
    WINDOW,
    Expander,
    Matcher,
    QueryError,
    SearchHit,
    SearchResult,
    parse,
    quote,
    to_match,
)
from db.search_index import SOURCES, catch_up, id_range, overleg_token, pending
from db.store.base import StoreBase

# kind -> (agenda item id, meeting id, case id, confidential, organisation) over the row X
LINKS: dict[str, tuple[str, str, str, str, str]] = {
    "case": ("(SELECT aa.id FROM agenda_item aa CROSS JOIN meeting mm ON mm.id = aa.meeting_id "
             "WHERE aa.case_id = X.id AND aa.deleted = 0 AND mm.deleted = 0 "
             "ORDER BY mm.date DESC LIMIT 1)", "NULL", "X.id", "0", "X.put_forward_by"),
    "view": ("X.agenda_item_id", "NULL", "X.case_id", "coalesce(X.confidential, 0)",
             "X.organisation_id"),
    "decision": ("X.agenda_item_id", "X.meeting_id", "X.case_id", "0", ""),
    "action": ("X.agenda_item_id", "X.meeting_id", "X.case_id", "0",
               "X.owner_organisation_id"),
    "minutes": ("X.agenda_item_id", "X.meeting_id", "NULL", "0", ""),
    "correction": ("X.agenda_item_id", "X.meeting_id", "NULL", "0", ""),
}


def kind_sql(kind: str, where: str, *, indexed: bool = True, behind: bool = False) -> str:
    """Rows of one kind (``where`` over the index ``s`` or the key ``k``) with what a hit
    shows and links to; ``indexed=False`` reads the text from the row, not the index;
    ``behind``: leave out the rows waiting in the index queue (their entry is stale)."""
    table, body = SOURCES[kind][0], SOURCES[kind][1]
    item, meeting, case, conf, _ = LINKS[kind]
    meeting = f"coalesce({meeting}, ai.meeting_id)"
    if kind != "case":  # a case is not confidential; what was said on a confidential item is
        conf = f"({conf} OR coalesce(ai.confidential, 0))"
    source = ("FROM search_index s CROSS JOIN search_key k ON k.id = s.rowid " if indexed
              else "FROM search_key k ")
    return (
        f"SELECT k.id, {'s.body' if indexed else body}, X.id, X.overleg_id, c.id, c.code, "
        f"mt.id, mt.date, ai.id, {conf} {source}"
        f"CROSS JOIN {table} X ON X.id = k.entity_id "
        f"LEFT JOIN agenda_item ai ON ai.id = {item} "
        f"LEFT JOIN casus c ON c.id = coalesce({case}, ai.case_id) "
        f"LEFT JOIN meeting mt ON mt.id = {meeting} "
        f"WHERE {where} AND X.deleted = 0 AND coalesce(ai.deleted, 0) = 0 "
        f"AND coalesce(c.deleted, 0) = 0 AND coalesce(mt.deleted, 0) = 0 "
        + (f"AND k.entity_id NOT IN (SELECT entity_id FROM search_pending "
           f"WHERE kind = '{kind}') " if behind else "")
    )


def filtered_rows(raw: Any, kind: str, match: str, overleg_id: str | None,
              organisation_id: str | None, date_from: dt.date | None,
              date_to: dt.date | None, *, behind: bool = False) -> list[tuple]:
    """Newest matches of one kind that pass filters needing a join (organisation, period)."""
    sql = kind_sql(kind, "search_index MATCH ? AND s.rowid BETWEEN ? AND ?", behind=behind)
    params: list[Any] = [match, *id_range(kind)]
    for cond, value in (("X.overleg_id = ?", overleg_id),
                        (f"{LINKS[kind][4]} = ?", organisation_id),
                        ("mt.date >= ?", date_from and date_from.isoformat()),
                        ("mt.date <= ?", date_to and date_to.isoformat())):
        if value is not None:
            sql += f"AND {cond} "
            params.append(value)
    return raw.execute(sql + "ORDER BY s.rowid DESC LIMIT ?", [*params, WINDOW]).fetchall()


def make_hit(kind: str, r: tuple, score: float, matcher: Matcher) -> SearchHit:
    _, body, eid, overleg_id, case_id, code, meeting_id, date, item_id, conf = r
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        day = None
    return SearchHit(kind, eid, round(score, 4), matcher.snippet(body or ""), overleg_id,
                     case_id, code, meeting_id, day, item_id, bool(conf))


class SearchMixin(StoreBase):
    """Full-text search over cases, views, decisions, actions, minutes and corrections."""

    #: Expand words to their other Dutch forms found in the index (measured: see NOTES).
    stemming: bool = True

    def search(
        self,
        text: str,
        *,
        kinds: tuple[str, ...] | list[str] | None = None,
        overleg_id: str | None = None,
        organisation_id: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        limit: int = 20,
        typing: bool = False,
    ) -> SearchResult:
        """Find ``text`` (see the module docstring); at most ``limit`` hits per kind.

        Only what this laptop holds can be found; deleted rows, and rows of a deleted case,
        meeting or agenda item, are left out. A confidential view, or anything of a
        confidential agenda item, is found with ``confidential`` set. ``date_from`` /
        ``date_to`` filter on the meeting date (a case: the last meeting it was on).
        ``organisation_id`` keeps what belongs to that organisation (a view, an action it
        owns, a case it put forward). Of each kind the :data:`WINDOW` newest matches are
        scored (matched words against length) and the best ``limit`` returned, best
        first, newest first among equals. Raises :class:`QueryError` for a bad query.
        """
        query = parse(text, typing=typing)
        bad = set(kinds or ()) - set(KINDS)
        if bad:
            raise QueryError("search.error.kind", kind=sorted(bad)[0])
        wanted = [k for k in KINDS if kinds is None or k in kinds]
        if organisation_id is not None:
            wanted = [k for k in wanted if LINKS[k][4]]
        if query.empty or not wanted:
            return SearchResult({})
        joined = organisation_id is not None or date_from is not None or date_to is not None
        groups: dict[str, list[SearchHit]] = {}
        with self._read() as conn:  # a write whose index catch-up did not happen yet
            behind = self._queue and pending(conn.connection.dbapi_connection)
        if behind:  # one that cannot run now (the disk, a lock): the index as it is,
            self._follow_index()  # without the rows still behind in it
        with self._read() as conn:
            raw = conn.connection.dbapi_connection
            behind = self._queue and pending(raw)
            expand = Expander(raw, self.stemming)
            match = to_match(query, expand)
            matcher = Matcher(query, expand)
            try:
                for kind in wanted:
                    if joined:
                        rows = filtered_rows(raw, kind, match, overleg_id, organisation_id,
                                         date_from, date_to, behind=behind)
                    else:
                        expr = match if overleg_id is None else (
                            f"({match}) AND (overleg : {quote(overleg_token(overleg_id))})")
                        rows = raw.execute(
                            "SELECT rowid, body FROM search_index WHERE search_index MATCH ? "
                            "AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT ?",
                            [expr, *id_range(kind), WINDOW]).fetchall()
                    # stable sort: newest first among equal scores
                    ranked = sorted(((matcher.score(r[1] or ""), r) for r in rows),
                                    key=lambda x: -x[0])
                    if not joined:  # what a hit links to, for the best only
                        best = ranked[: limit + 5]
                        marks = ", ".join("?" * len(best))
                        found = {r[0]: r for r in raw.execute(kind_sql(
                            kind, f"k.id IN ({marks})", indexed=False, behind=behind),
                            [r[0] for _, r in best])}
                        # missing: its case, meeting or agenda item was deleted, or the
                        # row waits in the index queue
                        ranked = [(sc, found[r[0]]) for sc, r in best if r[0] in found]
                    hits = [make_hit(kind, row, score, matcher) for score, row in ranked[:limit]]
                    if hits:
                        groups[kind] = hits
            except QueryError:
                raise
            except Exception as exc:  # noqa: BLE001 - never an SQL error to the user
                raise QueryError("search.error.syntax") from exc
        return SearchResult(groups)

    def catch_up_index(self) -> int:
        """Bring the search index up to date with the queue the writes filled
        (:mod:`db.search_index`) in a small transaction; returns the rows re-indexed. Its
        commit does not wait for the disk (synchronous NORMAL): the index is derived and
        the queue durable, so the next open (or search) redoes what a crash loses."""
        with self._not_waiting_for_disk(), self._tx() as conn:
            return catch_up(conn.connection.dbapi_connection)

    def _follow_index(self) -> None:
        """The catch-up right after a write is durable. A failure there (the disk, a long
        lock by another program) does not make the write fail: the queue stays, and the
        next write, search or open catches up."""
        try:
            self.catch_up_index()
        except (DBAPIError, sqlcipher.Error):
            return

    def rebuild_search_index(self) -> None:
        """Recompute the search index from the projection (``check --repair``)."""
        from db import search_index

        with self._tx() as conn:
            search_index.rebuild(conn)

    def search_index_faults(self) -> list[str]:
        """Differences between the search index and a rebuild of it."""
        from db import search_index

        with self._read() as conn:
            return search_index.faults(conn)
