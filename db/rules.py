"""The rules of the record that do not need the database: limits, formats, errors.

Screens call these to check a field before saving; the store calls the same functions on
every write path, so a rule holds whoever writes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from db.engine import StoreError

#: Longest text a note, rationale or summary may hold (characters).
MAX_TEXT = 20_000
#: Longest short text (a code, a name, a place).
MAX_SHORT = 200

V_NUMBER_RE = re.compile(r"^\d{10}$")


class ValidationError(StoreError, ValueError):
    """Bad input for one field. ``field`` names it, ``code`` is an i18n key."""

    def __init__(self, field: str, code: str, **params: Any) -> None:
        self.field = field
        self.code = code
        self.params = params
        super().__init__(f"{field}: {code} {params}" if params else f"{field}: {code}")


class NotFound(StoreError):
    """No row with that id (or it was deleted)."""


class Locked(StoreError):
    """Approved minutes: changes only through a recorded correction."""


# ---------------------------------------------------------------------------------------
# validation helpers (public: the screens validate with the same rules)
# ---------------------------------------------------------------------------------------


def parse_date(text: str | dt.date | None, field: str = "date") -> dt.date | None:
    """A date from ``YYYY-MM-DD`` or ``DD-MM-YYYY``; None for empty."""
    if text is None or isinstance(text, dt.date):
        return text
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(field, "error.date")


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

