"""A meeting as the meeting and item screens read it: one loader for both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db import domain as d


@dataclass(frozen=True)
class MeetingData:
    meeting: d.Meeting
    organisations: list[d.Organisation]
    attendance: list[d.AttendanceRow]
    items: list[d.AgendaItem]
    #: The cases on the agenda by id (the item screen adds one it meets later).
    cases: dict[str, d.Case]

    def present(self) -> set[str]:
        """Ids of the organisations marked present."""
        return {r.organisation_id for r in self.attendance if r.status is d.Attendance.PRESENT}


def load_meeting(store: Any, meeting_id: str) -> MeetingData:
    """Everything the meeting screen shows, read in one go (call in a worker)."""
    meeting = store.meeting(meeting_id)
    items = store.agenda(meeting_id)
    cases = {i.case_id: store.case(i.case_id) for i in items if i.case_id}
    return MeetingData(meeting, store.organisations(meeting.overleg_id),
                       store.attendance(meeting_id), items, cases)
