"""Pilot: on an approved meeting the screens say so before any form opens, and open none."""

from __future__ import annotations

import datetime as dt

from screen_helpers import TODAY, make_app, press, settle

from db import domain as d
from tests.conftest import PASSPHRASE

APPROVED_ON = dt.date(2026, 3, 5)


def _approve_todays_meeting(demo_db) -> str:  # noqa: ANN001
    from db.store import Store

    store = Store.open(demo_db, PASSPHRASE)
    try:
        overleg = store.overleggen()[0]
        meeting = next(m for m in store.meetings(overleg.id, today=TODAY) if m.date == TODAY)
        store.approve_minutes(meeting.id, on=APPROVED_ON)
        return meeting.id
    finally:
        store.close()


async def test_an_item_of_an_approved_meeting_says_so_and_opens_no_form(demo_db, reader):  # noqa: ANN001, E501
    from screens.item import ItemScreen
    from screens.meeting import MeetingScreen

    meeting_id = _approve_todays_meeting(demo_db)
    check = reader()
    try:
        ops_before = check.op_count()
    finally:
        check.close()
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # today's meeting
        meeting_screen = app.screen
        assert isinstance(meeting_screen, MeetingScreen)
        assert meeting_screen.meeting_id == meeting_id
        info = str(meeting_screen.query_one("#meeting-info").render())
        assert "correctie in het verslag" in info

        # attendance: refused with a message, nothing saved
        meeting_screen.query_one("#attendance").focus()
        await press(pilot, "p")
        assert app.screen is meeting_screen
        notes = [str(n.message) for n in app._notifications]
        assert any("vastgesteld op 2026-03-05" in n for n in notes)

        # open the first case item
        agenda = meeting_screen.query_one("#agenda")
        agenda.focus()
        first_case = next(n for n, i in enumerate(meeting_screen.data.items)
                          if i.kind is d.ItemKind.CASE)
        agenda.move_cursor(row=first_case)
        app.clear_notifications()
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, ItemScreen)

        # before any key: the chair reads that the meeting is approved
        banner = screen.query_one("#item-locked")
        assert banner.display
        text = str(banner.render())
        assert "vastgesteld op 2026-03-05" in text and "correctie" in text

        # the view key, enter on a partner's row, the decision and action keys: no form
        for key in ("v", "enter", "b", "a"):
            app.clear_notifications()
            await press(pilot, key)
            assert app.screen is screen, f"{key} opened {type(app.screen).__name__}"
            assert any("vastgesteld" in str(n.message) for n in app._notifications), key

    check = reader()
    try:
        assert check.op_count() == ops_before
    finally:
        check.close()


async def test_an_item_of_a_concept_meeting_shows_no_lock(demo_db):  # noqa: ANN001
    from screens.item import ItemScreen
    from screens.view_form import ViewForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        agenda = app.screen.query_one("#agenda")
        agenda.focus()
        first_case = next(n for n, i in enumerate(app.screen.data.items)
                          if i.kind is d.ItemKind.CASE)
        agenda.move_cursor(row=first_case)
        await press(pilot, "enter")
        assert isinstance(app.screen, ItemScreen)
        assert not app.screen.query_one("#item-locked").display
        await press(pilot, "v")
        assert isinstance(app.screen, ViewForm)
