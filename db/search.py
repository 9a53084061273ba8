"""Search: the query language, and the store's ``search`` use case over the FTS5 index.

The index itself (tables, triggers, rebuild) is :mod:`db.search_index`. The query
language, for people rather than for SQL:

* words are ANDed: ``medisch eritrea``; ``OF`` / ``OR`` between two words or phrases
  makes either do: ``eritrea OF ethiopië`` (it binds tighter than the implicit AND);
* ``-word`` (or ``-"a phrase"``) leaves out what contains it;
* ``"a phrase"`` in double quotes; ``medisch*`` any word starting so; while typing, the
  word being typed counts as a prefix;
* case and diacritics never matter (the tokenizer folds both, here and in the index);
* digits find case codes and V-numbers: ``42`` finds ``DEMO-AMS-0042``;
* a plain word also finds the other Dutch word forms of it that occur in the index
  (Snowball's Dutch stemmer, applied to the index vocabulary at query time: no Python
  runs inside the database, so every connection keeps the index right).

Bad syntax is a :class:`QueryError` (a :class:`~db.rules.ValidationError` with an i18n
code), never an SQL error; a query longer than :data:`MAX_QUERY` is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from db.rules import ValidationError
from db.search_index import KINDS, SOURCES, id_range, overleg_token
from db.store.base import StoreBase

#: Longest query accepted (characters).
MAX_QUERY = 500
#: Most words and phrases in one query.
MAX_TERMS = 24
#: How many of the newest matches of one kind are scored.
WINDOW = 100
#: Most other word forms one word expands to.
MAX_FORMS = 24
OR_WORDS = frozenset({"OF", "OR"})
_COLUMNS = "{body vnr}"
START, END = "\x02", "\x03"
"""Markers around the matched words in a snippet."""


class QueryError(ValidationError):
    """A query that cannot be run; ``code`` is an i18n key (``search.error.*``)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__("query", code, **params)


# ---------------------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or a phrase of the query, split into the tokens the index holds."""

    parts: tuple[str, ...]
    prefix: bool = False
    phrase: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed query: groups of alternatives (ANDed together) and terms to leave out."""

    groups: tuple[tuple[Term, ...], ...]
    exclude: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups


def _is_token_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "LNM" or cat == "Co"


def tokens(text: str) -> list[str]:
    """Split text as the index's tokenizer does (letters and digits; the rest separates)."""
    out: list[str] = []
    word: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if _is_token_char(ch):
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


def fold(word: str) -> str:
    """Lower case without diacritics, as the index stores a token."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", word.lower()))


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_TOKEN = re.compile(r"[^\W_]+")


def parse(text: str, *, typing: bool = False) -> Query:
    """Parse a query. ``typing``: the last word, not yet followed by a space, is a prefix."""
    if len(text) > MAX_QUERY:
        raise QueryError("search.error.too_long", limit=MAX_QUERY)
    items: list[tuple[str, Any]] = []  # ("term", (Term, negated)) or ("or", None)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace() or ch in "()":
            i += 1
            continue
        negated = False
        if ch == "-" and i + 1 < n and not text[i + 1].isspace():
            negated, i = True, i + 1
        if text[i] == '"':
            close = text.find('"', i + 1)
            if close < 0:
                if not typing:
                    raise QueryError("search.error.quote")
                close = n  # a phrase still being typed
            inner, i = text[i + 1:close], close + 1
            prefix = i < n and text[i] == "*"
            if prefix:
                i += 1
            parts = tuple(tokens(inner))
            if parts:
                items.append(("term", (Term(parts, prefix, phrase=True), negated)))
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in '"()':
            i += 1
        raw = text[start:i]
        if not negated and raw in OR_WORDS:
            items.append(("or", None))
            continue
        prefix = raw.endswith("*")
        if typing and i == n and not prefix and len(fold(raw)) >= 2:
            prefix = True
        parts = tuple(tokens(raw))
        if parts:
            items.append(("term", (Term(parts, prefix), negated)))
    return _group(items)


def _group(items: list[tuple[str, Any]]) -> Query:
    groups: list[list[Term]] = []
    exclude: list[Term] = []
    pending_or = False
    for pos, (what, payload) in enumerate(items):
        if what == "or":
            before = pos > 0 and items[pos - 1][0] == "term" and not items[pos - 1][1][1]
            after = pos + 1 < len(items) and items[pos + 1][0] == "term"
            if not (before and after) or items[pos + 1][1][1]:
                raise QueryError("search.error.or")
            pending_or = True
            continue
        term, negated = payload
        if negated:
            exclude.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if len(exclude) + sum(len(g) for g in groups) > MAX_TERMS:
        raise QueryError("search.error.too_many", limit=MAX_TERMS)
    if exclude and not groups:
        raise QueryError("search.error.only_not")
    return Query(tuple(tuple(g) for g in groups), tuple(exclude))


# ---------------------------------------------------------------------------------------
# to an FTS5 expression
# ---------------------------------------------------------------------------------------


@cache
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


@cache
def stem(word: str) -> str:
    """The Snowball (Dutch) stem of a folded word."""
    return _stemmer().stemWord(word)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _digits(part: str, prefix: bool) -> str:
    """A number also as the zero-padded forms case codes use (``42`` -> ``0042``)."""
    core = part.lstrip("0") or "0"
    forms = dict.fromkeys([part, *(core.zfill(w) for w in range(len(core), 7))])
    star = "*" if prefix else ""
    return "(" + " OR ".join(_quote(f) + star for f in forms) + ")"


class Expander:
    """Other forms of a word that occur in the index and share its Dutch stem."""

    def __init__(self, raw: Any, enabled: bool = True) -> None:
        self._raw = raw
        self.enabled = enabled
        self._seen: dict[str, list[str]] = {}

    def forms(self, word: str) -> list[str]:
        folded = fold(word)
        if folded not in self._seen:
            self._seen[folded] = self._forms(folded)
        return self._seen[folded]

    def _forms(self, folded: str) -> list[str]:
        if not self.enabled or len(folded) < 4 or folded.isdigit():
            return [folded]
        root = stem(folded)
        common = 0
        while common < min(len(root), len(folded)) and root[common] == folded[common]:
            common += 1
        if common < 3:
            return [folded]
        # Snowball's Dutch stems differ in a doubled vowel or a final s/z (afspraak /
        # afsprak-en, advies / adviez-en): compare with doubled vowels undone, both ways
        keys = {_undouble(root), _undouble(folded)}
        low = folded[:max(3, common - 2)]
        rows = self._raw.execute(
            "SELECT DISTINCT term FROM search_vocab WHERE col = 'body' AND term >= ? "
            "AND term < ? LIMIT 2000", (low, low + "\U0010ffff")).fetchall()
        out = [folded]
        for (term,) in rows:
            if term != folded and (_undouble(stem(term)) in keys
                                   or _undouble(term) == _undouble(root)):
                out.append(term)
                if len(out) >= MAX_FORMS:
                    break
        return out


def _undouble(word: str) -> str:
    return _DOUBLE_VOWEL.sub(r"\1", word)


_DOUBLE_VOWEL = re.compile(r"([aeou])\1")


def _term(term: Term, expand: Expander) -> str:
    star = "*" if term.prefix else ""
    if term.phrase or len(term.parts) > 1:
        return _quote(" ".join(term.parts)) + star
    part = term.parts[0]
    if part.isdigit():
        return _digits(part, term.prefix)
    if term.prefix:
        return _quote(part) + star
    forms = expand.forms(part)
    if len(forms) == 1:
        return _quote(forms[0])
    return "(" + " OR ".join(_quote(f) for f in forms) + ")"


def to_match(query: Query, expand: Expander) -> str:
    """The FTS5 MATCH expression of a parsed query."""
    groups = ["(" + " OR ".join(_term(t, expand) for t in g) + ")" for g in query.groups]
    expr = f"{_COLUMNS} : ({' AND '.join(groups)})"
    if query.exclude:
        neg = " OR ".join(_term(t, expand) for t in query.exclude)
        expr = f"({expr}) NOT ({_COLUMNS} : ({neg}))"
    return expr


# ---------------------------------------------------------------------------------------
# the use case
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One thing found; ``snippet`` has the matched words between START and END."""

    kind: str
    id: str
    score: float
    snippet: str
    overleg_id: str
    case_id: str | None
    case_code: str | None
    meeting_id: str | None
    meeting_date: dt.date | None
    agenda_item_id: str | None
    confidential: bool

    def snippet_parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, matched) pieces, for a renderer."""
        out: list[tuple[str, bool]] = []
        rest, on = self.snippet, False
        while rest:
            marker = END if on else START
            cut = rest.find(marker)
            piece, rest = (rest, "") if cut < 0 else (rest[:cut], rest[cut + 1:])
            if piece:
                out.append((piece, on))
            if cut >= 0:
                on = not on
        return out

    @property
    def plain_snippet(self) -> str:
        return self.snippet.replace(START, "").replace(END, "")


@dataclass(frozen=True)
class SearchResult:
    """Hits per kind (best first), in the order of :data:`KINDS`."""

    groups: dict[str, list[SearchHit]] = field(default_factory=dict)

    @property
    def hits(self) -> list[SearchHit]:
        return [h for kind in KINDS for h in self.groups.get(kind, [])]


class Matcher:
    """Which tokens of a text a query's positive terms match (for scores and snippets)."""

    def __init__(self, query: Query, expand: Expander) -> None:
        self.exact: set[str] = set()
        self.prefixes: list[str] = []
        for group in query.groups:
            for term in group:
                self._add(term, expand)
        self.prefixes = sorted(set(self.prefixes))

    def _add(self, term: Term, expand: Expander) -> None:
        parts = [fold(p) for p in term.parts]
        if term.phrase or len(parts) > 1:
            self.exact.update(parts[:-1] if term.prefix else parts)
            if term.prefix:
                self.prefixes.append(parts[-1])
            return
        part = parts[0]
        if part.isdigit():
            core = part.lstrip("0") or "0"
            forms = {part, *(core.zfill(w) for w in range(len(core), 7))}
            (self.prefixes.extend if term.prefix else self.exact.update)(forms)
        elif term.prefix:
            self.prefixes.append(part)
        else:
            self.exact.update(expand.forms(part))

    def matches(self, folded: str) -> bool:
        return folded in self.exact or any(folded.startswith(p) for p in self.prefixes)

    def score(self, text: str) -> float:
        """Matched words, a little less for a long text."""
        words = _TOKEN.findall(fold(text))
        hits = sum(1 for w in words if self.matches(w))
        return hits / (1.0 + len(words) / 40.0)

    def snippet(self, text: str, width: int = 24) -> str:
        """Up to ``width`` words around the first match, matches between START and END."""
        spans = [(m.start(), m.end(), self.matches(fold(m.group())))
                 for m in _TOKEN.finditer(text)]
        if not spans:
            return " ".join(text.split())[:120]
        first = next((n for n, sp in enumerate(spans) if sp[2]), 0)
        lo = max(0, min(first - width // 3, len(spans) - width))
        hi = min(len(spans), lo + width)
        begin = 0 if lo == 0 else spans[lo][0]
        end = len(text) if hi == len(spans) else spans[hi - 1][1]
        pieces = ["…" if lo else ""]
        pos = begin
        for a, b, found in spans[lo:hi]:
            if found:
                pieces += [text[pos:a], START, text[a:b], END]
                pos = b
        pieces += [text[pos:end], "…" if hi < len(spans) else ""]
        return " ".join("".join(pieces).split())


# kind -> (agenda item id, meeting id, case id, confidential, organisation) over the row X
_LINKS: dict[str, tuple[str, str, str, str, str]] = {
    "case": ("NULL", "NULL", "X.id", "0", "X.put_forward_by"),
    "view": ("X.agenda_item_id", "NULL", "X.case_id", "coalesce(X.confidential, 0)",
             "X.organisation_id"),
    "decision": ("X.agenda_item_id", "X.meeting_id", "X.case_id", "0", ""),
    "action": ("X.agenda_item_id", "X.meeting_id", "X.case_id", "0",
               "X.owner_organisation_id"),
    "minutes": ("X.agenda_item_id", "X.meeting_id", "NULL", "0", ""),
    "correction": ("X.agenda_item_id", "X.meeting_id", "NULL", "0", ""),
}
_LAST_MEETING = (
    "(SELECT mm.id FROM agenda_item aa CROSS JOIN meeting mm ON mm.id = aa.meeting_id "
    "WHERE aa.case_id = X.id AND aa.deleted = 0 AND mm.deleted = 0 "
    "ORDER BY mm.date DESC LIMIT 1)"
)


def _kind_sql(kind: str, where: str, *, indexed: bool = True) -> str:
    """Rows of one kind (``where`` over the index ``s`` or the key ``k``) with what a hit
    shows and links to; ``indexed=False`` reads the text from the row, not the index."""
    table, body = SOURCES[kind][0], SOURCES[kind][1]
    item, meeting, case, conf, _ = _LINKS[kind]
    meeting = _LAST_MEETING if kind == "case" else f"coalesce({meeting}, ai.meeting_id)"
    source = ("FROM search_index s CROSS JOIN search_key k ON k.id = s.rowid " if indexed
              else "FROM search_key k ")
    return (
        f"SELECT k.id, {'s.body' if indexed else body}, X.id, X.overleg_id, c.id, c.code, "
        f"mt.id, mt.date, ai.id, ({conf} OR coalesce(ai.confidential, 0)) {source}"
        f"CROSS JOIN {table} X ON X.id = k.entity_id "
        f"LEFT JOIN agenda_item ai ON ai.id = {item} "
        f"LEFT JOIN casus c ON c.id = coalesce({case}, ai.case_id) "
        f"LEFT JOIN meeting mt ON mt.id = {meeting} "
        f"WHERE {where} AND X.deleted = 0 AND coalesce(ai.deleted, 0) = 0 "
        f"AND coalesce(c.deleted, 0) = 0 AND coalesce(mt.deleted, 0) = 0 "
    )


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
            wanted = [k for k in wanted if _LINKS[k][4]]
        if query.empty or not wanted:
            return SearchResult({})
        joined = organisation_id is not None or date_from is not None or date_to is not None
        groups: dict[str, list[SearchHit]] = {}
        with self._read() as conn:
            raw = conn.connection.dbapi_connection
            expand = Expander(raw, self.stemming)
            match = to_match(query, expand)
            matcher = Matcher(query, expand)
            try:
                for kind in wanted:
                    if joined:
                        rows = _filtered(raw, kind, match, overleg_id, organisation_id,
                                         date_from, date_to)
                    else:
                        expr = match if overleg_id is None else (
                            f"({match}) AND (overleg : {_quote(overleg_token(overleg_id))})")
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
                        found = {r[0]: r for r in raw.execute(_kind_sql(
                            kind, f"k.id IN ({marks})", indexed=False), [r[0] for _, r in best])}
                        # missing: its case, meeting or agenda item was deleted
                        ranked = [(sc, found[r[0]]) for sc, r in best if r[0] in found]
                    hits = [_hit(kind, row, score, matcher) for score, row in ranked[:limit]]
                    if hits:
                        groups[kind] = hits
            except QueryError:
                raise
            except Exception as exc:  # noqa: BLE001 - never an SQL error to the user
                raise QueryError("search.error.syntax") from exc
        return SearchResult(groups)

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


def _filtered(raw: Any, kind: str, match: str, overleg_id: str | None,
              organisation_id: str | None, date_from: dt.date | None,
              date_to: dt.date | None) -> list[tuple]:
    """Newest matches of one kind that pass filters needing a join (organisation, period)."""
    sql = _kind_sql(kind, "search_index MATCH ? AND s.rowid BETWEEN ? AND ?")
    params: list[Any] = [match, *id_range(kind)]
    for cond, value in (("X.overleg_id = ?", overleg_id),
                        (f"{_LINKS[kind][4]} = ?", organisation_id),
                        ("mt.date >= ?", date_from and date_from.isoformat()),
                        ("mt.date <= ?", date_to and date_to.isoformat())):
        if value is not None:
            sql += f"AND {cond} "
            params.append(value)
    return raw.execute(sql + "ORDER BY s.rowid DESC LIMIT ?", [*params, WINDOW]).fetchall()


def _hit(kind: str, r: tuple, score: float, matcher: Matcher) -> SearchHit:
    _, body, eid, overleg_id, case_id, code, meeting_id, date, item_id, conf = r
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        day = None
    return SearchHit(kind, eid, round(score, 4), matcher.snippet(body or ""), overleg_id,
                     case_id, code, meeting_id, day, item_id, bool(conf))
