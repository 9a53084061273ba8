"""Publishing the agenda from the meeting screen: its own key and the palette (issue 15)."""

from __future__ import annotations

from screen_helpers import TODAY, make_app, press, settle


async def test_u_publishes_the_agenda_and_a_change_makes_version_2(demo_db, reader) -> None:  # noqa: ANN001
    from screens.meeting import MeetingScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        meeting_id = screen.meeting_id
        await press(pilot, "u")
        assert any("versie 1" in str(n.message) for n in app._notifications)
        titles = [title for title, _help, _run in screen.palette_commands()]
        assert "Publiceren" in titles
        # a change after publication: the store writes version 2 with its change list
        await press(pilot, "g")
        form = app.screen
        form.query_one("#title").value = "Extra punt"
        await press(pilot, "ctrl+s")
    store = reader()
    try:
        versions = store.agenda_versions(meeting_id)
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].published_on == TODAY
        assert [(c.change, c.label) for c in versions[1].changes] == [("added", "Extra punt")]
    finally:
        store.close()
