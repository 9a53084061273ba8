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
from db.search_index import KINDS

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
        parts = tuple(tokens(raw))
        if typing and i == n and not prefix and parts and len(fold(parts[-1])) >= 2:
            prefix = True  # one letter would match too much to be of use
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


def quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _digits(part: str, prefix: bool) -> str:
    """A number also as the zero-padded forms case codes use (``42`` -> ``0042``)."""
    core = part.lstrip("0") or "0"
    forms = dict.fromkeys([part, *(core.zfill(w) for w in range(len(core), 7))])
    star = "*" if prefix else ""
    return "(" + " OR ".join(quote(f) + star for f in forms) + ")"


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
        return quote(" ".join(term.parts)) + star
    part = term.parts[0]
    if part.isdigit():
        return _digits(part, term.prefix)
    if term.prefix:
        return quote(part) + star
    forms = expand.forms(part)
    if len(forms) == 1:
        return quote(forms[0])
    return "(" + " OR ".join(quote(f) for f in forms) + ")"


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
        self._compiled: re.Pattern[str] | None = None

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

    @property
    def _pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            words = [re.escape(w) for w in sorted(self.exact, key=len, reverse=True)]
            words += [re.escape(p) + r"[^\W_]*" for p in self.prefixes]
            self._compiled = re.compile(
                r"(?<![^\W_])(?:" + "|".join(words or ["(?!)"]) + r")(?![^\W_])")
        return self._compiled

    def score(self, text: str) -> float:
        """Matched words, a little less for a long text."""
        folded = fold(text)
        hits = len(self._pattern.findall(folded))
        return hits / (1.0 + len(_TOKEN.findall(folded)) / 40.0)

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
