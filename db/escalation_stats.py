"""The monitoring figures of escalation threads, counted from the threads alone (no database):
shared by the store's :meth:`escalation_stats` (the escalation screen) and the monitoring
report (:mod:`db.monitoring`), so that both show the same figures by one definition.

Definitions (the report prints them; ``[start, end]`` includes both days):

- open on ``end``: sent (or, not yet sent, opened) on or before ``end``, and not closed nor
  taken to a next level by then; counted by level and by age in days since sending (or
  opening): ``lt28`` (< 28), ``28to90`` (28–90), ``gt90`` (> 90);
- ``adopted`` / ``not_adopted``: the LSO's decision on an advice, recorded in the period;
- ``advice_count``, ``advice_days_mean`` (one decimal), ``advice_days_median``: advice
  received in the period, days from sending to advice.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from db import domain as d

#: the age bands of open threads, in days since sending
AGE_BANDS = ("lt28", "28to90", "gt90")
#: the keys of the report's ``escalations`` section, in its order
SECTION_KEYS = ("open_by_level", "open_by_age", "adopted", "not_adopted", "advice_count",
                "advice_days_mean", "advice_days_median")
#: the figures of the section that add up over overleggen (mean and median do not)
SECTION_ADDITIVE = ("adopted", "not_adopted", "advice_count")
LEVELS = tuple(lvl.value for lvl in d.ESCALATION_ORDER)


def mean_median(days: list[float]) -> tuple[float | None, float | int | None]:
    """The mean (one decimal, half up) and the median (a whole number when it is one)."""
    if not days:
        return None, None
    mean = float((Decimal(str(sum(days))) / len(days)).quantize(Decimal("0.1"), ROUND_HALF_UP))
    median = statistics.median(days)
    return mean, (int(median) if float(median).is_integer() else float(median))


def age_band(age: int) -> str:
    return "lt28" if age < 28 else "28to90" if age <= 90 else "gt90"


def escalation_stats(threads: Iterable[d.EscalationThread], start: dt.date | None,
                     end: dt.date) -> d.EscalationStats:
    """The figures of ``threads`` for the period [start, end] (start None: since ever)."""
    threads = list(threads)
    opened_next = {x.previous_id: x.opened_on for x in threads if x.previous_id}

    def in_period(day: dt.date | None) -> bool:
        return day is not None and (start is None or day >= start) and day <= end

    open_by_level = dict.fromkeys(LEVELS, 0)
    bands = dict.fromkeys(AGE_BANDS, 0)
    oldest: int | None = None
    adopted = not_adopted = awaiting = 0
    advice_days: list[float] = []
    for x in threads:
        began = x.sent_on or x.opened_on
        ended = x.closed_on or opened_next.get(x.id)
        if began is not None and began <= end and (ended is None or ended > end):
            open_by_level[x.level.value] = open_by_level.get(x.level.value, 0) + 1
            age = (end - began).days
            bands[age_band(age)] += 1
            oldest = age if oldest is None else max(oldest, age)
            if x.advice_on is not None and x.advice_on <= end and (
                    x.adoption_on is None or x.adoption_on > end):
                awaiting += 1
        if in_period(x.adoption_on) and x.adopted is not None:
            if x.adopted:
                adopted += 1
            else:
                not_adopted += 1
        if in_period(x.advice_on) and x.sent_on is not None and x.advice_on is not None:
            advice_days.append((x.advice_on - x.sent_on).days)
    mean, median = mean_median(advice_days)
    return d.EscalationStats(
        open_by_level=open_by_level, open_by_age=bands, oldest_open_days=oldest,
        adopted=adopted, not_adopted=not_adopted, awaiting_decision=awaiting,
        advice_count=len(advice_days), advice_days_mean=mean, advice_days_median=median,
    )


def section(stats: d.EscalationStats) -> dict[str, object]:
    """The report's ``escalations`` section of one overleg (or of all)."""
    return {
        "open_by_level": dict(stats.open_by_level), "open_by_age": dict(stats.open_by_age),
        "adopted": stats.adopted, "not_adopted": stats.not_adopted,
        "advice_count": stats.advice_count, "advice_days_mean": stats.advice_days_mean,
        "advice_days_median": stats.advice_days_median,
    }
