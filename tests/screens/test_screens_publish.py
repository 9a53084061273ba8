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
        await press(pilot, "P")
        assert any("versie 1" in str(n.message) for n in app._notifications)
        titles = [title for title, _help, _run in screen.palette_commands()]
        assert "Publiceren" in titles
        # a change after publication: the store writes version 2 with its change list
        await press(pilot, "g")
        form = app.screen
        form.query_one("#title").value = "Extra punt"
        await press(pilot, "ctrl+s")
        await press(pilot, "escape")
        await press(pilot, "enter")  # the meeting again: the version and its change list
        info = str(app.screen.query_one("#meeting-info").render())
        assert "Agenda versie 2" in info and "toegevoegd (Extra punt)" in info
    store = reader()
    try:
        versions = store.agenda_versions(meeting_id)
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].published_on == TODAY
        assert [(c.change, c.label) for c in versions[1].changes] == [("added", "Extra punt")]
    finally:
        store.close()


async def test_the_chair_sees_who_submitted_and_the_view_form_starts_from_it(
        demo_db, reader) -> None:  # noqa: ANN001
    from db import domain as d
    from screens.item import ItemScreen
    from screens.meeting import MeetingScreen
    from screens.view_form import ViewForm

    store = reader()
    try:
        overleg = store.overleggen()[0]
        meeting = store.meetings(overleg.id, today=TODAY)[0]
        item = next(i for i in store.agenda(meeting.id) if i.kind is d.ItemKind.CASE)
        ngo = next(o for o in store.organisations(overleg.id) if o.kind is d.OrgKind.NGO)
        store.publish_agenda(meeting.id, today=TODAY)
        store.save_input(item.id, ngo.id, position=d.Position.STAY, feiten="Opgenomen in [b]MC",
                         oordeel="Geheim oordeel", inzet="Zoekt behandelaar")
        store.submit_input(item.id, ngo.id, today=TODAY)
    finally:
        store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, MeetingScreen) and screen.meeting_id == meeting.id
        agenda = screen.query_one("#agenda")
        row = agenda.get_row(item.id)
        assert "✉ inbreng: NGO" in row[1].plain
        assert "Agenda versie 1" in str(screen.query_one("#meeting-info").render())
        agenda.move_cursor(row=agenda.get_row_index(item.id))
        await press(pilot, "enter")
        assert isinstance(app.screen, ItemScreen)
        views = app.screen.query_one("#views")
        views.move_cursor(row=views.get_row_index(ngo.id))
        await press(pilot, "enter")
        form = app.screen
        assert isinstance(form, ViewForm)
        note = form.query_one("#note").text
        assert note == "Feiten: Opgenomen in [b]MC\nInzet: Zoekt behandelaar"
        assert "Geheim" not in note  # the oordeel is for the NGO itself
        await press(pilot, "ctrl+s")
    store = reader()
    try:
        (view,) = [v for v in store.views(item.id) if v.organisation_id == ngo.id]
        assert view.position is d.Position.STAY and view.note.startswith("Feiten:")
        (kept,) = store.partner_inputs(item.id, ngo.id)
        assert kept.oordeel == "Geheim oordeel"  # the record keeps both
    finally:
        store.close()


async def test_a_partner_drafts_offline_then_submits_from_the_meeting_screen(
        demo_db, reader) -> None:  # noqa: ANN001
    from db import domain as d
    from lvv_tui.app import LvvApp
    from lvv_tui.config import Config
    from screens.input_form import InputForm
    from screens.meeting import MeetingScreen

    store = reader()
    try:
        overleg = store.overleggen()[0]
        meeting = store.meetings(overleg.id, today=TODAY)[0]
        item = next(i for i in store.agenda(meeting.id) if i.kind is d.ItemKind.CASE)
        ngo = next(o for o in store.organisations(overleg.id) if o.kind is d.OrgKind.NGO)
        store.publish_agenda(meeting.id, today=TODAY)
    finally:
        store.close()
    app = LvvApp(Config(db=demo_db, lang="nl", organisation=ngo.name), today=TODAY,
                 clock=lambda: 0.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        agenda = screen.query_one("#agenda")
        agenda.move_cursor(row=0)  # the opening is no case: refused with a message
        await press(pilot, "i")
        assert app.screen is screen
        assert any("alleen bij een casus" in str(n.message) for n in app._notifications)
        agenda.move_cursor(row=agenda.get_row_index(item.id))
        await press(pilot, "i")
        form = app.screen
        assert isinstance(form, InputForm)
        form.query_one("#feiten").text = "Concept: [red]feiten"
        form.query_one("#oordeel").text = "Ons oordeel"
        await press(pilot, "ctrl+s")
        assert app.screen is screen
        assert "✉ inbreng" not in agenda.get_row(item.id)[1].plain  # a draft only
        await press(pilot, "i")
        form = app.screen
        assert isinstance(form, InputForm)
        assert form.query_one("#feiten").text == "Concept: [red]feiten"  # the draft is back
        form.query_one("#submit").value = True
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert "✉ inbreng: NGO" in screen.query_one("#agenda").get_row(item.id)[1].plain
    store = reader()
    try:
        gem = next(o for o in store.organisations(overleg.id) if o.kind is d.OrgKind.GEMEENTE)
        (seen,) = store.partner_inputs(item.id, gem.id)
        assert (seen.feiten, seen.oordeel, seen.submitted) == ("Concept: [red]feiten", None, True)
    finally:
        store.close()
