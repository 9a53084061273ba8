"""Publishing a meeting's agenda (issue 15): version 1, then a version per change.

:meth:`PublicationMixin.publish_agenda` writes version 1 with the publication date (and
whether it is later than the overleg's lead time). From then on every write to the agenda's
items, whatever use case makes it, ends in :meth:`_after_agenda_write` (called by the
store's transaction): when the agenda a partner would see changed, the next version is
written in the same transaction with its list of changes. Versions are ops like any other:
they sync, and two laptops writing the same version number show a conflict.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.engine import Connection

from db.agenda_versions import (
    DEFAULT_LEAD_DAYS,
    Change,
    Publication,
    changes,
    is_late,
    snapshot,
)
from db.rules import ValidationError
from db.store.base import StoreBase

#: The longest lead time an overleg can set (days).
MAX_LEAD_DAYS = 90


def _publication(row: dict[str, Any]) -> Publication:
    return Publication(
        meeting_id=row["meeting_id"], version=int(row["version"] or 0),
        published_on=dt.date.fromisoformat(row["published_on"]),
        published_by=row["published_by"] or "", late=bool(row["late"]),
        changes=tuple(Change.from_json(c) for c in json.loads(row["changes"] or "[]")),
        items=tuple(json.loads(row["snapshot"] or "[]")),
    )


class PublicationMixin(StoreBase):
    """The published agenda and its versions."""

    def _agenda_snapshot(self, conn: Connection, meeting_id: str) -> list[dict[str, Any]]:
        rows = self._rows(
            conn,
            "SELECT a.id, a.kind, a.case_id, a.confidential, "
            "COALESCE(c.code, a.title, '') AS label FROM agenda_item a "
            "LEFT JOIN casus c ON c.id = a.case_id "
            "WHERE a.meeting_id = ? AND a.deleted = 0 ORDER BY a.position, a.id",
            (meeting_id,),
        )
        return snapshot(rows)

    def _latest_version_row(self, conn: Connection, meeting_id: str) -> dict[str, Any] | None:
        rows = self._rows(
            conn,
            "SELECT * FROM agenda_version WHERE meeting_id = ? AND deleted = 0 "
            "ORDER BY version DESC LIMIT 1",
            (meeting_id,),
        )
        return rows[0] if rows else None

    def _lead_days(self, conn: Connection, overleg_id: str) -> int:
        row = self._row(conn, "overleg", overleg_id)
        days = row.get("agenda_lead_days")
        return DEFAULT_LEAD_DAYS if days is None else int(days)

    def _write_version(self, conn: Connection, meeting: dict[str, Any], version: int,
                       items: list[dict[str, Any]], found: list[Change],
                       today: dt.date) -> None:
        late = is_late(today, dt.date.fromisoformat(meeting["date"]),
                       self._lead_days(conn, meeting["overleg_id"]))
        self._set(conn, "agenda_version", f"{meeting['id']}/{version}", meeting["overleg_id"], {
            "meeting_id": meeting["id"], "version": version, "published_on": today.isoformat(),
            "published_by": self.author, "late": late,
            "changes": json.dumps([c.as_json() for c in found], ensure_ascii=False),
            "snapshot": json.dumps(items, ensure_ascii=False),
        })

    def publish_agenda(self, meeting_id: str, today: dt.date | None = None) -> Publication:
        """Publish the agenda: version 1 with today's date. Publishing again changes nothing
        and returns the current version (changes after publication version themselves)."""
        today = today or dt.date.today()
        with self._tx() as conn:
            meeting = self._unlocked_meeting(conn, meeting_id)
            latest = self._latest_version_row(conn, meeting_id)
            if latest is None:
                self._write_version(conn, meeting, 1, self._agenda_snapshot(conn, meeting_id),
                                    [], today)
                latest = self._latest_version_row(conn, meeting_id)
            assert latest is not None
            return _publication(latest)

    def _after_agenda_write(self, conn: Connection, item_ids: set[str]) -> None:
        marks = ",".join("?" * len(item_ids))
        meeting_ids = {r["meeting_id"] for r in self._rows(
            conn, f"SELECT DISTINCT meeting_id FROM agenda_item WHERE id IN ({marks})",
            sorted(item_ids))}
        for meeting_id in sorted(m for m in meeting_ids if m):
            latest = self._latest_version_row(conn, meeting_id)
            if latest is None:
                continue  # not published yet: no versions
            items = self._agenda_snapshot(conn, meeting_id)
            found = changes(json.loads(latest["snapshot"] or "[]"), items)
            if found:
                meeting = self._row(conn, "meeting", meeting_id)
                self._write_version(conn, meeting, int(latest["version"]) + 1, items, found,
                                    dt.date.today())

    def agenda_publication(self, meeting_id: str) -> Publication | None:
        """The latest version of the published agenda, or None when it is not published."""
        with self._read() as conn:
            row = self._latest_version_row(conn, meeting_id)
        return _publication(row) if row else None

    def agenda_versions(self, meeting_id: str) -> list[Publication]:
        """Every version of the published agenda, the first first."""
        with self._read() as conn:
            rows = self._rows(
                conn, "SELECT * FROM agenda_version WHERE meeting_id = ? AND deleted = 0 "
                "ORDER BY version", (meeting_id,))
        return [_publication(r) for r in rows]

    def agenda_lead_days(self, overleg_id: str) -> int:
        """Days before a meeting its agenda should be published (default 7)."""
        with self._read() as conn:
            return self._lead_days(conn, overleg_id)

    def set_agenda_lead_days(self, overleg_id: str, days: int | str) -> int:
        try:
            value = int(days)
        except (TypeError, ValueError) as exc:
            raise ValidationError("agenda_lead_days", "error.number") from exc
        if not 0 <= value <= MAX_LEAD_DAYS:
            raise ValidationError("agenda_lead_days", "error.range", low=0, high=MAX_LEAD_DAYS)
        with self._tx() as conn:
            self._row(conn, "overleg", overleg_id)
            self._set(conn, "overleg", overleg_id, overleg_id, {"agenda_lead_days": value})
        return value
