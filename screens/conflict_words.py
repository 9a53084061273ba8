"""A conflict in the words of the app: values as the screens name them (Doormigratie, not
``onward``), where it is (overleg, meeting date, case code, organisation, field), and who
wrote each value on which laptop (by its human name, never a hex id)."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Any

from rich.text import Text

from db import domain as d
from lvv_tui.i18n import label, t
from screens.widgets.base import literal

#: (entity or "*", field) -> the enum whose words a value is shown in
ENUMS: dict[tuple[str, str], type[Enum]] = {
    ("*", "position"): d.Position,
    ("*", "perspective"): d.Perspective,
    ("*", "consensus"): d.Consensus,
    ("*", "escalation_level"): d.Escalation,
    ("*", "cooperation"): d.Cooperation,
    ("*", "outcome_subtype"): d.OutcomeSubtype,
    ("*", "minutes_status"): d.MinutesStatus,
    ("attendance", "status"): d.Attendance,
    ("agenda_item", "status"): d.ItemStatus,
    ("agenda_item", "kind"): d.ItemKind,
    ("casus", "status"): d.CaseStatus,
    ("action_item", "status"): d.ActionStatus,
    ("meeting", "status"): d.MeetingStatus,
    ("organisation", "kind"): d.OrgKind,
}
ORG_FIELDS = frozenset({"organisation_id", "owner_organisation_id"})


def words(conflict: d.Conflict, value: Any, orgs: dict[str, str]) -> str | None:
    """The value as the app says it, or None when it is free text (shown as typed)."""
    if value is None or value == "":
        return None
    enum = ENUMS.get((conflict.entity, conflict.field)) or ENUMS.get(("*", conflict.field))
    if enum is not None and isinstance(value, str):
        try:
            return label(enum(value))
        except ValueError:
            return value
    if conflict.field in ORG_FIELDS and isinstance(value, str):
        return orgs.get(value, t("conflicts.unknown_org"))
    if conflict.field == "dissent" and isinstance(value, list):
        parts = [f"{orgs.get(x.get('organisation_id', ''), '?')}: {x.get('reason', '')}".strip()
                 for x in value if isinstance(x, dict)]
        return "; ".join(parts) or t("conflicts.empty_value")
    if isinstance(value, str) and conflict.field.endswith(("date", "_on")):
        try:
            return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            return value
    return None


def value_text(conflict: d.Conflict | None, value: Any, orgs: dict[str, str] | None = None,
               *, one_line: bool = False, limit: int | None = None) -> Text:
    """A conflict value for the screen; user text is never markup."""
    if value is None or value == "":
        return Text(t("conflicts.empty_value"), style="dim")
    if isinstance(value, bool):
        return Text(t("conflicts.yes") if value else t("conflicts.no"))
    said = words(conflict, value, orgs or {}) if conflict is not None else None
    if said is not None:
        return literal(said, one_line=one_line, limit=limit)
    if isinstance(value, str):
        return literal(value, one_line=one_line, limit=limit)
    return literal(json.dumps(value, ensure_ascii=False), one_line=one_line, limit=limit)


def where_text(place: d.ConflictPlace | None) -> str:
    """Overleg · meeting date · case code (or item title) — what a person recognises."""
    if place is None:
        return ""
    parts = []
    if place.overleg:
        parts.append(place.overleg)
    if place.meeting_date:
        try:
            parts.append(dt.date.fromisoformat(place.meeting_date).strftime("%d-%m-%Y"))
        except ValueError:
            parts.append(place.meeting_date)
    if place.case_code:
        parts.append(place.case_code)
    elif place.item_title:
        parts.append(place.item_title)
    return " · ".join(parts)


def what_text(conflict: d.Conflict, place: d.ConflictPlace | None = None) -> str:
    """The kind of record, with the organisation it is about (``Inbreng IND``)."""
    what = t(f"conflicts.entity.{conflict.entity}")
    if place is not None and place.organisation:
        return f"{what} {place.organisation}"
    return what


def device_text(value: d.ConflictValue, me: str, names: dict[str, str]) -> str:
    """The laptop by its human name; this laptop says so; never a hex id."""
    name = names.get(value.device_id)
    if value.device_id == me:
        return t("conflicts.this_device_named", name=name) if name else t("conflicts.this_device")
    return name or t("conflicts.laptop_of", author=value.author)


def author_text(value: d.ConflictValue) -> str:
    """The author, and the account that pushed the value where that is another name
    (the server stamps the account; the author is what the laptop said). A SQLite hub,
    which has no accounts, records the pushing laptop: the laptop column shows it."""
    if value.pushed_by and value.pushed_by not in (value.author, value.device_id):
        return t("conflicts.author_via", author=value.author, account=value.pushed_by)
    return value.author
