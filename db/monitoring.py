"""The monitoring report's figures, counted in SQL with one definition for everyone.

A *stay* is one period of a case in the LVV (a case that left and came back has two).
Cases written before stays existed (or by an older laptop) count through their own
intake and exit dates. Days are ISO dates, so SQLite compares them as text.

Definitions (the report prints them; ``[from, to]`` includes both days):

- ``intake``: stays whose intake date lies in [from, to]; ``intake_cumulative``: up to to;
- ``stock_start`` / ``stock_end``: stays present on from / on to, where present on day D
  means intake ≤ D and no exit or exit > D;
- ``left``: exit date in [from, to], by category and by each of the eight subtypes (the
  subtype decides the category);
- ``days_in_lvv_mean`` (one decimal) / ``days_in_lvv_median``: exit − intake of those left;
- ``in_intake``: put forward on or before to and not yet decided on to;
- ``escalations_open``: escalation threads open on to; the ``escalations`` section: open
  threads by level and age band, advice adopted or not and days from sending to advice in
  the period (definitions: :mod:`db.escalation_stats`);
- ``actions_overdue``: actions due before to and not done on to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from db import domain as d
from db.escalation_stats import escalation_stats, mean_median, section

#: the report's figures, in the order of the report and its JSON
KEYS = ("intake", "intake_cumulative", "stock_start", "stock_end", "left",
        "left_by_category", "left_by_subtype", "days_in_lvv_mean", "days_in_lvv_median",
        "in_intake", "escalations_open", "escalations", "actions_overdue")
#: the figures that add up over overleggen (the mean and median do not)
ADDITIVE = ("intake", "intake_cumulative", "stock_start", "stock_end", "left", "in_intake",
            "escalations_open", "actions_overdue")
CATEGORIES = tuple(c.value for c in d.OutcomeCategory)
SUBTYPES = tuple(s.value for s in d.OutcomeSubtype)

# every stay; a case without any stay row counts as one stay from its own fields
_STAYS = """
WITH st AS (
  SELECT s.overleg_id, s.intake_date, s.exit_date, s.outcome_subtype, s.put_forward_on,
         s.lvv_decided_on
  FROM stay s JOIN casus c ON c.id = s.case_id WHERE s.deleted = 0 AND c.deleted = 0
  UNION ALL
  SELECT c.overleg_id, c.intake_date, c.exit_date, c.outcome_subtype, NULL, NULL
  FROM casus c WHERE c.deleted = 0
    AND NOT EXISTS (SELECT 1 FROM stay s WHERE s.case_id = c.id AND s.deleted = 0)
)
"""

_COUNTS = _STAYS + """
SELECT overleg_id,
  count(CASE WHEN intake_date BETWEEN :f AND :t THEN 1 END),
  count(CASE WHEN intake_date <= :t THEN 1 END),
  count(CASE WHEN intake_date <= :f AND (exit_date IS NULL OR exit_date > :f) THEN 1 END),
  count(CASE WHEN intake_date <= :t AND (exit_date IS NULL OR exit_date > :t) THEN 1 END),
  count(CASE WHEN put_forward_on <= :t AND (lvv_decided_on IS NULL OR lvv_decided_on > :t)
             AND (intake_date IS NULL OR intake_date > :t) THEN 1 END)
FROM st {where} GROUP BY overleg_id
"""

_LEFT = _STAYS + """
SELECT overleg_id, outcome_subtype, julianday(exit_date) - julianday(intake_date)
FROM st WHERE exit_date BETWEEN :f AND :t {and_where}
"""

_OVERDUE = """
SELECT overleg_id, count(*) FROM action_item
WHERE deleted = 0 AND due_date < :t
  AND (coalesce(status, 'open') = 'open' OR closed_on > :t) {and_where}
GROUP BY overleg_id
"""

_MONTHS = _STAYS + """
SELECT 'intake', substr(intake_date, 1, 7), NULL, count(*) FROM st
WHERE intake_date BETWEEN :f AND :t {and_where} GROUP BY 2
UNION ALL
SELECT 'left', substr(exit_date, 1, 7), outcome_subtype, count(*) FROM st
WHERE exit_date BETWEEN :f AND :t {and_where} GROUP BY 2, 3
"""


@dataclass(frozen=True)
class Figures:
    """The figures of one overleg (or of all together) for a period."""

    intake: int = 0
    intake_cumulative: int = 0
    stock_start: int = 0
    stock_end: int = 0
    left: int = 0
    left_by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    left_by_subtype: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUBTYPES, 0))
    days_in_lvv_mean: float | None = None
    days_in_lvv_median: float | None = None
    in_intake: int = 0
    escalations_open: int = 0
    escalations: dict[str, Any] = field(default_factory=lambda: _no_escalations())
    actions_overdue: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The figures under the keys of the report, in its order."""
        return {k: _copy(getattr(self, k)) for k in KEYS}


def _copy(value: Any) -> Any:
    return {k: _copy(v) for k, v in value.items()} if isinstance(value, dict) else value


def _no_escalations() -> dict[str, Any]:
    return section(escalation_stats((), None, dt.date.min))


@dataclass(frozen=True)
class OverlegFigures:
    id: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class Month:
    """Intake and outflow (by category) of one calendar month ``YYYY-MM`` of the period."""

    month: str
    intake: int = 0
    left: int = 0
    left_by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))


@dataclass(frozen=True)
class Monitoring:
    date_from: dt.date
    date_to: dt.date
    total: Figures
    overleggen: tuple[OverlegFigures, ...]
    months: tuple[Month, ...]


def _figures(counts: Iterable[int], left: list[tuple[str | None, float]],
             escalations: d.EscalationStats, overdue: int) -> Figures:
    intake, cumulative, start, end, in_intake = counts
    by_category = dict.fromkeys(CATEGORIES, 0)
    by_subtype = dict.fromkeys(SUBTYPES, 0)
    for subtype, _days in left:
        if subtype in by_subtype:
            by_subtype[subtype] += 1
            by_category[d.OutcomeSubtype(subtype).category.value] += 1
    mean, median = mean_median([days for _s, days in left if days is not None])
    return Figures(intake, cumulative, start, end, len(left), by_category, by_subtype, mean,
                   median, in_intake, escalations.open_total, section(escalations), overdue)


def _months(date_from: dt.date, date_to: dt.date) -> list[str]:
    out, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def compute(conn: Connection, date_from: dt.date, date_to: dt.date,
            overleg_id: str | None = None,
            threads: Sequence[d.EscalationThread] = ()) -> Monitoring:
    """The figures of [date_from, date_to] per overleg (all, or the one given) and in total;
    ``threads``: the escalation threads (of that overleg), read by the store."""
    if date_to < date_from:
        from db.rules import ValidationError

        raise ValidationError("to", "error.period")
    params: dict[str, Any] = {"f": date_from.isoformat(), "t": date_to.isoformat(),
                              "o": overleg_id}
    where = "WHERE overleg_id = :o" if overleg_id else ""
    and_where = "AND overleg_id = :o" if overleg_id else ""
    raw = conn.connection.dbapi_connection
    sql_overleggen = "SELECT id, name FROM overleg WHERE deleted = 0"
    if overleg_id:
        sql_overleggen += " AND id = :o"
    overleggen = sorted(raw.execute(sql_overleggen, params).fetchall(),
                        key=lambda r: ((r[1] or "").casefold(), r[0]))
    counts = {r[0]: r[1:] for r in raw.execute(_COUNTS.format(where=where), params)}
    left: dict[str, list[tuple[str | None, float]]] = {}
    for oid, subtype, days in raw.execute(_LEFT.format(and_where=and_where), params):
        left.setdefault(oid, []).append((subtype, days))
    gone = {r[0] for r in raw.execute("SELECT id FROM casus WHERE deleted != 0")}
    by_overleg: dict[str, list[d.EscalationThread]] = {}
    for x in threads:
        if x.case_id not in gone and (overleg_id is None or x.overleg_id == overleg_id):
            by_overleg.setdefault(x.overleg_id, []).append(x)
    overdue = dict(raw.execute(_OVERDUE.format(and_where=and_where), params).fetchall())
    zero = (0, 0, 0, 0, 0)
    per = tuple(
        OverlegFigures(oid, name or "", _figures(
            counts.get(oid, zero), left.get(oid, []),
            escalation_stats(by_overleg.get(oid, ()), date_from, date_to), overdue.get(oid, 0)))
        for oid, name in overleggen
    )
    known = {oid for oid, _n in overleggen}
    all_counts = [sum(c[i] for oid, c in counts.items() if oid in known) for i in range(5)]
    all_left = [x for oid, rows in left.items() if oid in known for x in rows]
    total = _figures(all_counts, all_left,
                     escalation_stats([x for oid, xs in by_overleg.items() if oid in known
                                       for x in xs], date_from, date_to),
                     sum(n for oid, n in overdue.items() if oid in known))
    months = {m: {"intake": 0, "left": 0, "cat": dict.fromkeys(CATEGORIES, 0)}
              for m in _months(date_from, date_to)}
    for kind, month, subtype, n in raw.execute(_MONTHS.format(and_where=and_where), params):
        slot = months.get(month)
        if slot is None:
            continue
        if kind == "intake":
            slot["intake"] += n
        elif subtype in SUBTYPES:
            slot["left"] += n
            slot["cat"][d.OutcomeSubtype(subtype).category.value] += n
    return Monitoring(date_from, date_to, total, per, tuple(
        Month(m, v["intake"], v["left"], v["cat"]) for m, v in months.items()))
