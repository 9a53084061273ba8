"""The rules of the record: limits, formats, the lock after approval, the decision rules.

Screens ask these functions before they open a form; the store calls the same functions on
every write path, so a rule holds whoever writes (a screen, the CLI, a script, the demo).
Every refusal carries an i18n ``code`` (and ``params``) that a screen can show as it is.

The lock after approval (the product rule)
------------------------------------------
Once the minutes of a meeting are approved (*vastgesteld*), the record of that meeting
changes only by a recorded correction (:meth:`Store.add_correction`), which the minutes list
under "Correcties na vaststelling". The record is: the partners' views, the decisions, the
agenda (add, update, move, remove, defer, discussed, time box), the attendance, the meeting
details (date, time, place, chair, secretary), the minutes summaries, and the approval itself
(a second approval is refused). Every store method that writes one of those raises
:class:`Locked`; :func:`why_locked` (or :meth:`Store.why_locked`) says so beforehand.

Still allowed after approval:

- **actions**: closing, reopening or updating an action. The action list lives on across
  meetings (the next meeting's minutes list what was closed), so an action is not part of
  one meeting's frozen record. *Adding* an action to an approved meeting is refused: a new
  agreement belongs to the meeting where it is made.
- **corrections**, and the case file (a case lives on across meetings too).
- **conflict resolution** (:meth:`Store.resolve_conflict`): it picks one of the values two
  laptops already wrote, it invents nothing, and a replica must be able to settle it.

Replication is not refused: ops pulled from the server or another laptop
(``apply_remote``, ``bulk_import``, the sync path) are applied as they are, even on an
approved meeting. Refusing them would make the replicas diverge for good (one laptop holding
an op that another refuses) and the log is the record of what was written and when. The lock
is checked where an op is *made*, on the device of its author, against what that device
knows: an edit made offline before that device saw the approval still arrives, and shows in
the log and the audit trail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from db import domain as d
from db.engine import StoreError

#: Longest text a note, rationale or summary may hold (characters).
MAX_TEXT = 20_000
#: Longest short text (a code, a name, a place).
MAX_SHORT = 200
#: Longest case code.
MAX_CODE = 40
#: The time box of an agenda item, in minutes.
TIMEBOX_MIN, TIMEBOX_MAX = 0, 600
#: The term of stay of a case, in days (ten years at most).
STAY_TERM_MIN, STAY_TERM_MAX = 0, 3650
#: The places of an overleg (the whole pilot had 1,070).
PLACES_MIN, PLACES_MAX = 0, 100_000
#: Date formats accepted in a field; dates are stored as ISO ``YYYY-MM-DD``.
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")

V_NUMBER_RE = re.compile(r"^\d{10}$")


class ValidationError(StoreError, ValueError):
    """Bad input for one field. ``field`` names it, ``code`` is an i18n key."""

    def __init__(self, field: str, code: str, **params: Any) -> None:
        self.field = field
        self.code = code
        self.params = params
        super().__init__(f"{field}: {code} {params}" if params else f"{field}: {code}")


class RuleViolation(ValidationError):
    """A rule of the record refuses the change (not a badly typed field)."""


class NotFound(StoreError):
    """No row with that id (or it was deleted)."""


class Locked(StoreError):
    """Approved minutes: the record changes only through a recorded correction."""

    field: str | None = None

    def __init__(self, message: str = "minutes approved: record a correction instead", *,
                 code: str = "error.locked", **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(message)


@dataclass(frozen=True)
class Refusal:
    """Why a change would be refused: an i18n ``code`` with its ``params``."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def error(self) -> StoreError:
        """The exception the store raises for this refusal."""
        if self.code.startswith("error.locked"):
            return Locked(code=self.code, **self.params)
        return RuleViolation("item", self.code, **self.params)


# ---------------------------------------------------------------------------------------
# rules of the record (pure: screens ask them first, the store enforces them)
# ---------------------------------------------------------------------------------------


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def why_locked(meeting: d.Meeting | Mapping[str, Any]) -> Refusal | None:
    """A refusal when the meeting's minutes are approved (a domain object or a row)."""
    status = _get(meeting, "minutes_status")
    if status not in (d.MinutesStatus.APPROVED, d.MinutesStatus.APPROVED.value):
        return None
    approved_on = _get(meeting, "approved_on")
    if isinstance(approved_on, dt.date):
        approved_on = approved_on.isoformat()
    if approved_on:
        return Refusal("error.locked_on", {"date": approved_on})
    return Refusal("error.locked")


def check_unlocked(meeting: d.Meeting | Mapping[str, Any]) -> None:
    """Raise :class:`Locked` when the meeting's record is frozen by approval."""
    refusal = why_locked(meeting)
    if refusal is not None:
        raise refusal.error()


def why_not_case_item(item: d.AgendaItem | Mapping[str, Any]) -> Refusal | None:
    """Views and decisions belong to a case item; a general item has neither."""
    kind = _get(item, "kind")
    if kind in (d.ItemKind.CASE, d.ItemKind.CASE.value) and _get(item, "case_id"):
        return None
    return Refusal("error.case_item_only")


def check_case_item(item: d.AgendaItem | Mapping[str, Any]) -> None:
    refusal = why_not_case_item(item)
    if refusal is not None:
        raise RuleViolation("item", refusal.code)


def check_case_not_on_agenda(case_id: str, on_agenda: Iterable[str | None],
                             case_code: str = "") -> None:
    """One case only once per agenda."""
    if case_id in set(on_agenda):
        raise RuleViolation("case_id", "error.case_on_agenda", case_code=case_code)


def check_dissent(consensus: d.Consensus | str, dissent: Iterable[d.Dissent]) -> None:
    """Unanimous: no dissent. No consensus: at least one dissenting organisation, each with
    its reason. An organisation dissents once."""
    consensus = _enum(d.Consensus, consensus, "consensus")
    dissent = tuple(dissent)
    if consensus is d.Consensus.UNANIMOUS and dissent:
        raise RuleViolation("dissent", "error.dissent_unanimous")
    if consensus is d.Consensus.NONE:
        if not dissent:
            raise RuleViolation("dissent", "error.dissent_required")
        if any(not (x.reason or "").strip() for x in dissent):
            raise RuleViolation("dissent", "error.dissent_reason")
    orgs = [x.organisation_id for x in dissent]
    if len(set(orgs)) != len(orgs):
        raise RuleViolation("dissent", "error.dissent_twice")
    for x in dissent:
        check_text(x.reason, "dissent", MAX_TEXT)


# ---------------------------------------------------------------------------------------
# limits and formats (public: the forms validate with the same functions)
# ---------------------------------------------------------------------------------------


def parse_date(text: str | dt.date | None, field: str = "date") -> dt.date | None:
    """A date from ``YYYY-MM-DD``, ``DD-MM-YYYY`` or ``DD/MM/YYYY``; None for empty."""
    if text is None:
        return None
    if isinstance(text, dt.date):
        return check_date_range(text, field)
    text = text.strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return check_date_range(day, field)
    raise ValidationError(field, "error.date")


#: The hard window of every date of the record (an absurd date such as 9999-12-31 or
#: 1900-01-01 is refused, whoever writes it); dates inside it but unusual for the field
#: are asked about first by the forms (:func:`date_doubt`).
DATE_MIN = dt.date(1990, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
#: A date further ahead than this (two years), or further back than that (one year), or
#: before the case's intake, makes a form ask before it saves.
DOUBT_AHEAD = dt.timedelta(days=2 * 365)
DOUBT_BEHIND = dt.timedelta(days=365)


def check_date_range(day: dt.date, field: str = "date") -> dt.date:
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(field, "error.date_range", low=DATE_MIN.isoformat(),
                              high=DATE_MAX.isoformat())
    return day


def date_doubt(day: dt.date, today: dt.date, *, intake: dt.date | None = None,
               past_ok: bool = False) -> tuple[str, dict[str, Any]] | None:
    """Why a date is unusual (an i18n key and its parameters), or None: before the case's
    intake, more than two years ahead, or (unless ``past_ok``) more than a year back."""
    if intake is not None and day < intake:
        return "date.before_intake", {"intake": intake.isoformat()}
    if day > today + DOUBT_AHEAD:
        return "date.far_ahead", {}
    if not past_ok and day < today - DOUBT_BEHIND:
        return "date.long_ago", {}
    return None


def check_date(text: str | dt.date | None, field: str) -> str | None:
    """A date field (review date, escalation date, due date …) as stored: ISO or None."""
    return _iso(parse_date(text, field))


def check_int(value: Any, field: str, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high``; None for empty. Codes: number, range."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError(field, "error.number")
    try:
        number = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(field, "error.number") from exc
    if isinstance(value, float) and value != number:
        raise ValidationError(field, "error.number")
    if not low <= number <= high:
        raise ValidationError(field, "error.range", low=low, high=high)
    return number


def check_timebox(value: Any, field: str = "timebox_min") -> int | None:
    """The time box of an agenda item in minutes (0–600), None for none."""
    return check_int(value, field, TIMEBOX_MIN, TIMEBOX_MAX)


def check_stay_term(value: Any, field: str = "stay_term_days") -> int | None:
    """The term of stay of a case in days (0–3650), None for none."""
    return check_int(value, field, STAY_TERM_MIN, STAY_TERM_MAX)


def check_places(value: Any, field: str = "places") -> int | None:
    return check_int(value, field, PLACES_MIN, PLACES_MAX)


def check_v_number(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    text = text.strip()
    if not V_NUMBER_RE.match(text):
        raise ValidationError("v_number", "error.v_number")
    return text


def check_text(text: str | None, field: str, limit: int = MAX_TEXT, required: bool = False) -> str:
    text = "" if text is None else str(text)
    if required and not text.strip():
        raise ValidationError(field, "error.required")
    if len(text) > limit:
        raise ValidationError(field, "error.too_long", limit=limit, length=len(text))
    return text


def check_person(text: str | None, field: str = "owner_person") -> str | None:
    """A named person (an action's owner besides the organisation): one line, at most
    MAX_SHORT characters; blank is none."""
    if text is None or not str(text).strip():
        return None
    text = check_text(str(text).strip(), field, MAX_SHORT)
    if "\n" in text or "\r" in text:
        raise ValidationError(field, "error.one_line")
    return text


#: Longest search text of a list (the case register's box matches codes and nationalities;
#: a longer text matches nothing and only costs: refused with a message).
MAX_SEARCH = MAX_SHORT


def check_search(text: str | None, field: str = "search") -> str | None:
    """A list's search text, stripped; blank is none; longer than MAX_SEARCH is refused."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    if len(text) > MAX_SEARCH:
        raise ValidationError(field, "error.search_too_long", limit=MAX_SEARCH,
                              length=len(text))
    return text


def check_time(text: str | None, field: str = "start_time") -> str | None:
    if text is None or not text.strip():
        return None
    text = text.strip()
    m = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValidationError(field, "error.time")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _enum(cls: type, value: Any, field: str) -> Any:
    try:
        return cls(value)
    except ValueError as exc:
        raise ValidationError(field, "error.choice") from exc


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


#: who may read a record's op: the whole overleg, the chair and the record's organisation,
#: or the record's organisation alone (need-to-know, issue 10)
AUDIENCES: tuple[str, ...] = ("overleg", "chair", "organisation")


def check_audience(audience: str) -> str:
    """The audience of a record: ``overleg`` (everyone at the table), ``chair`` (the
    chairing gemeente and the partner itself) or ``organisation`` (the partner itself)."""
    if audience not in AUDIENCES:
        raise ValidationError("audience", "error.choice")
    return audience
