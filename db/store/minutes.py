"""Minutes texts, approval and corrections.

Summaries and the approval are part of a meeting's record: refused once the minutes are
approved. A correction is the one way to change an approved record (see :mod:`db.rules`).
"""

from __future__ import annotations

import datetime as dt

from db import domain as d
from db.clock import uuid7
from db.rules import (
    ValidationError,
    _date,
    check_text,
)
from db.store.base import StoreBase
from db.store.rows import _meeting


class MinutesMixin(StoreBase):
    """Minutes texts, approval and corrections."""

    # -- minutes ----------------------------------------------------------------------

    def minutes_texts(self, meeting_id: str) -> dict[str | None, str]:
        """Summaries by agenda item id (None: the meeting as a whole)."""
        with self._read() as conn:
            rows = self._rows(
                conn, "SELECT agenda_item_id, text FROM minutes_text "
                "WHERE meeting_id = ? AND deleted = 0", (meeting_id,),
            )
        return {r["agenda_item_id"]: r["text"] or "" for r in rows}

    def set_minutes_text(self, meeting_id: str, item_id: str | None, text: str) -> None:
        text = check_text(text, "summary")
        with self._tx() as conn:
            meeting = self._unlocked_meeting(conn, meeting_id)
            mid = f"{meeting_id}/{item_id or '-'}"
            self._set(conn, "minutes_text", mid, meeting["overleg_id"],
                      {"meeting_id": meeting_id, "agenda_item_id": item_id, "text": text})

    def approve_minutes(self, meeting_id: str, in_meeting_id: str | None = None,
                        on: dt.date | None = None) -> d.Meeting:
        """Mark minutes vastgesteld (approved), optionally in a later meeting.

        Approved once: a second approval is refused (:class:`~db.rules.Locked`).
        """
        with self._tx() as conn:
            meeting = self._unlocked_meeting(conn, meeting_id)
            if in_meeting_id is not None:
                later = self._row(conn, "meeting", in_meeting_id)
                if later["overleg_id"] != meeting["overleg_id"]:
                    raise ValidationError("approved_in", "error.choice")
            self._set(conn, "meeting", meeting_id, meeting["overleg_id"], {
                "minutes_status": d.MinutesStatus.APPROVED.value,
                "approved_in": in_meeting_id,
                "approved_on": (on or dt.date.today()).isoformat(),
            })
            row = self._row(conn, "meeting", meeting_id)
        return _meeting(row)

    def add_correction(self, meeting_id: str, text: str, item_id: str | None = None,
                       on: dt.date | None = None) -> d.Correction:
        text = check_text(text, "correction", required=True)
        cid = uuid7()
        made_on = (on or dt.date.today()).isoformat()
        with self._tx() as conn:
            meeting = self._row(conn, "meeting", meeting_id)
            self._set(conn, "minutes_correction", cid, meeting["overleg_id"], {
                "meeting_id": meeting_id, "agenda_item_id": item_id, "text": text,
                "made_on": made_on, "made_by": self.author,
            })
        return d.Correction(cid, meeting_id, item_id, text, _date(made_on), self.author)

    def corrections(self, meeting_id: str) -> list[d.Correction]:
        with self._read() as conn:
            rows = self._rows(
                conn, "SELECT * FROM minutes_correction WHERE meeting_id = ? AND deleted = 0 "
                "ORDER BY made_on, id", (meeting_id,),
            )
        return [d.Correction(r["id"], r["meeting_id"], r["agenda_item_id"], r["text"] or "",
                             _date(r["made_on"]), r["made_by"]) for r in rows]

    def minutes_conflicts(self, meeting_id: str) -> set[str | None]:
        """Agenda item ids (None: the meeting as a whole) whose summary has an open conflict.

        A narrow, index-range form of :meth:`conflicts` for the minutes screen.
        """
        prefix = f"{meeting_id}/"
        with self._read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT entity_id FROM field_head WHERE entity = 'minutes_text' "
                "AND entity_id >= ? AND entity_id < ? AND field = 'text' "
                "GROUP BY entity_id HAVING count(DISTINCT value) > 1",
                (prefix, f"{meeting_id}0"),
            ).fetchall()
        out: set[str | None] = set()
        for (entity_id,) in rows:
            item = entity_id[len(prefix):]
            out.add(None if item == "-" else item)
        return out

