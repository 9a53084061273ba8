"""Pilot: a multi-line paste into a one-line field is joined visibly (never cut to its
first line); a note (a text area) keeps every line; what is saved is what the field shows."""

from __future__ import annotations

from screen_helpers import make_app, open_today_item, press, settle
from textual import events


async def test_multi_line_paste_into_place_is_joined_and_said(demo_db, reader) -> None:  # noqa: ANN001
    from textual.widgets import Input

    from screens.meeting import MeetingScreen
    from screens.meeting_form import MeetingForm

    app = make_app(demo_db)
    notes: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, MeetingScreen)
        meeting_id = app.screen.meeting_id
        await press(pilot, "e")
        assert isinstance(app.screen, MeetingForm)
        place = app.screen.query_one("#place", Input)
        place.focus()
        place.value = ""
        await settle(pilot)
        app.notify = lambda message, **_kw: notes.append(str(message))
        app.post_message(events.Paste("Stadhuis\r\nZaal 3\n\n  Utrecht  "))
        await settle(pilot)
        assert place.value == "Stadhuis Zaal 3 Utrecht"
        assert notes == ["4 regels geplakt in een veld van één regel: samengevoegd met "
                         "spaties — controleer de tekst"]
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MeetingScreen)
    store = reader()
    try:
        assert store.meeting(meeting_id).place == "Stadhuis Zaal 3 Utrecht"
    finally:
        store.close()


async def test_one_line_paste_and_a_note_are_left_to_textual(demo_db) -> None:  # noqa: ANN001
    from textual.widgets import TextArea

    app = make_app(demo_db)
    notes: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        await press(pilot, "enter")  # the view form of the highlighted partner
        note = app.screen.query_one("#note", TextArea)
        note.focus()
        note.text = ""
        await settle(pilot)
        app.notify = lambda message, **_kw: notes.append(str(message))
        app.post_message(events.Paste("regel een\nregel twee\x07"))
        await settle(pilot)
        assert note.text == "regel een\nregel twee\x07"  # every line, the BEL as pasted
        assert notes == []
