"""A meeting as the meeting and item screens read it: one loader for both."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    marks: d.ConflictMarks = d.ConflictMarks()
    """What holds an open conflict (⚠ on the agenda rows)."""
    #: The published agenda's latest version (None: not published) — issue 15.
    publication: Any = None
    #: Per agenda item id, the organisations that submitted their input beforehand.
    submitted: dict[str, list[str]] = field(default_factory=dict)
    #: Per agenda item id and organisation, the submitted input as the table may read it.
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def present(self) -> set[str]:
        """Ids of the organisations marked present."""
        return {r.organisation_id for r in self.attendance if r.status is d.Attendance.PRESENT}


def load_meeting(store: Any, meeting_id: str) -> MeetingData:
    """Everything the meeting screen shows, read in one go (call in a worker)."""
    meeting = store.meeting(meeting_id)
    items = store.agenda(meeting_id)
    cases = {i.case_id: store.case(i.case_id) for i in items if i.case_id}
    inputs: dict[str, dict[str, Any]] = {}
    for x in store.meeting_inputs(meeting_id, None):
        inputs.setdefault(x.agenda_item_id, {})[x.organisation_id] = x
    submitted = {item: sorted(orgs) for item, orgs in inputs.items()}
    return MeetingData(meeting, store.organisations(meeting.overleg_id),
                       store.attendance(meeting_id), items, cases,
                       store.conflict_marks(meeting.overleg_id),
                       store.agenda_publication(meeting_id), submitted, inputs)
