"""Pilot: before approval the same checklist as before closing; enter in the approve
question confirms; a meeting without open points gets the plain question."""

from __future__ import annotations

from test_minutes_screen import make_app, open_minutes, settle

from db import domain as d


async def test_approval_shows_the_checklist_and_esc_keeps_it_concept(store, fixed) -> None:  # noqa: ANN001
    from screens.checklist import ChecklistDialog

    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_minutes(pilot, fixed.meeting_id)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistDialog)
        assert app.screen.points == store.meeting_checklist(fixed.meeting_id)
        assert app.screen.points  # the fixed meeting has open points
        await pilot.press("escape")
        await settle(pilot)
    assert store.meeting(fixed.meeting_id).minutes_status is d.MinutesStatus.CONCEPT


async def test_without_open_points_enter_in_the_question_approves(store, fixed) -> None:  # noqa: ANN001
    from screens.minutes_dialogs import ApproveDialog

    meeting = store.meeting(fixed.meeting_id)
    for item in store.agenda(meeting.id):
        if item.kind is d.ItemKind.CASE:
            if not item.has_decision:
                store.decide(item.id, d.Perspective.RETURN, "ok")
            store.set_minutes_text(meeting.id, item.id, "Besproken")
        store.update_agenda_item(item.id, status=d.ItemStatus.DISCUSSED)
    for row in store.attendance(meeting.id):
        store.set_attendance(meeting.id, row.organisation_id, d.Attendance.PRESENT)
    assert store.meeting_checklist(meeting.id) == []
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_minutes(pilot, fixed.meeting_id)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ApproveDialog)
        await pilot.press("enter")
        await settle(pilot)
    assert store.meeting(fixed.meeting_id).minutes_status is d.MinutesStatus.APPROVED
