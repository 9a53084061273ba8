"""Pilot tests: the chair walks a whole meeting with the keyboard, and the store has it all."""

from __future__ import annotations

from screen_helpers import make_app, open_today_item, press, settle, type_text, wait_for

from db import domain as d


def _today_meeting(store) -> d.Meeting:  # noqa: ANN001
    from screen_helpers import TODAY

    overleg = store.overleggen()[0]
    return next(m for m in store.meetings(overleg.id, today=TODAY) if m.date == TODAY)


async def test_walk_a_whole_meeting(demo_db, reader) -> None:  # noqa: ANN001
    from screens.decision_form import DecisionForm
    from screens.item import ItemScreen
    from screens.meeting import MeetingScreen
    from screens.meetings import MeetingsScreen

    app = make_app(demo_db)
    recorded: list[type] = []
    async with app.run_test(size=(120, 40), message_hook=lambda m: recorded.append(type(m))) \
            as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MeetingsScreen)

        # -- the meeting: attendance ----------------------------------------------------
        await press(pilot, "enter")
        assert isinstance(app.screen, MeetingScreen)
        meeting_id = app.screen.meeting_id
        app.screen.query_one("#attendance").focus()
        for key in ("p", "p", "p", "p", "p", "m"):  # five present, one sent apologies
            await press(pilot, key, "down")  # the cursor stays on the row marked

        # -- first case item ------------------------------------------------------------
        agenda = app.screen.query_one("#agenda")
        agenda.focus()
        first_case = next(n for n, i in enumerate(app.screen.data.items)
                          if i.kind is d.ItemKind.CASE)
        agenda.move_cursor(row=first_case)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, ItemScreen)
        item_id = screen.item_id
        assert screen.query_one("#views").row_count == 5  # the five present

        # -- five views, each: enter, a position key, tab, a note, ctrl+s -----------------
        for n, key in enumerate(["1", "1", "3", "3", "4"]):
            await press(pilot, "enter")
            await press(pilot, key, "tab")
            await type_text(pilot, f"note {n}")
            await press(pilot, "ctrl+s")
            assert app.screen is screen, "the view form closed after saving"

        # -- the decision: no consensus, dissent with a reason, escalation -----------------
        await press(pilot, "b")
        form = app.screen
        assert isinstance(form, DecisionForm)
        await press(pilot, "enter", "home", "enter")  # perspective: the first, return
        await press(pilot, "tab")
        await type_text(pilot, "Terugkeer is haalbaar")
        await press(pilot, "tab", "enter", "down", "down", "enter")  # consensus: none
        form.query_one("#dissent-2").focus()  # the third organisation dissents
        await press(pilot, "space", "tab")
        await type_text(pilot, "Ziet kansen op verblijf")
        form.query_one("#escalation_level").focus()
        await press(pilot, "enter", "down", "down", "enter")  # none -> mrt -> stuurgroep
        form.query_one("#review_date").focus()
        await type_text(pilot, "2026-04-01")
        await press(pilot, "ctrl+j")
        assert app.screen is screen, form.query_one("#form-message").render()

        # -- an action ------------------------------------------------------------------
        await press(pilot, "a")
        await press(pilot, "enter", "down", "enter")  # owner: the first organisation
        await press(pilot, "tab", "tab")  # past the (optional) named person
        await type_text(pilot, "Gesprek over terugkeer")
        await press(pilot, "tab")
        await type_text(pilot, "15-03-2026")
        await press(pilot, "ctrl+s")
        assert app.screen is screen
        actions = screen.query_one("#actions")
        new_rows = [actions.get_row_at(r) for r in range(actions.row_count)
                    if not actions.get_row_at(r)[1].plain.startswith("↻")]
        assert len(new_rows) == 1  # the one just added (the others are carried over)

        # -- next item --------------------------------------------------------------------
        await press(pilot, "n")
        assert screen.item_id != item_id
        assert screen.data.index == first_case + 1

    assert ItemScreen.ViewRecorded in recorded
    assert ItemScreen.DecisionRecorded in recorded
    assert ItemScreen.ActionAdded in recorded

    # -- what is on disk, read through a second connection ----------------------------------
    store = reader()
    try:
        att = {r.organisation_id: r.status for r in store.attendance(meeting_id)}
        orgs = store.organisations(store.meeting(meeting_id).overleg_id)
        assert [att[o.id] for o in orgs] == [d.Attendance.PRESENT] * 5 + [d.Attendance.APOLOGIES]
        views = {v.organisation_id: v for v in store.views(item_id)}
        assert [views[o.id].position for o in orgs[:5]] == [
            d.Position.RETURN, d.Position.RETURN, d.Position.STAY, d.Position.STAY,
            d.Position.RESEARCH]
        assert [views[o.id].note for o in orgs[:5]] == [f"note {n}" for n in range(5)]
        decision = store.decision(item_id)
        assert decision is not None
        assert decision.perspective is d.Perspective.RETURN
        assert decision.rationale == "Terugkeer is haalbaar"
        assert decision.consensus is d.Consensus.NONE
        assert decision.dissent == (d.Dissent(orgs[2].id, "Ziet kansen op verblijf"),)
        assert decision.escalation_level is d.Escalation.STUURGROEP
        assert decision.review_date.isoformat() == "2026-04-01"
        actions = store.actions(item_id=item_id)
        assert [(a.owner_organisation_id, a.text, a.due_date.isoformat()) for a in actions] == [
            (orgs[0].id, "Gesprek over terugkeer", "2026-03-15")]
        assert store.agenda_item(item_id).status is d.ItemStatus.DISCUSSED
        assert store.check() == []
    finally:
        store.close()


async def test_next_and_previous_walk_the_agenda(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 1)
        screen = app.screen
        ids = [i.id for i in screen.data.items]
        for n in range(1, len(ids)):
            await press(pilot, "n")
            assert screen.item_id == ids[n]
        await press(pilot, "n")  # at the end: stays, rings the bell
        assert screen.item_id == ids[-1]
        await press(pilot, "pageup", "p")
        assert screen.item_id == ids[-3]
        await press(pilot, "escape")
        assert app.screen is not screen
        assert app.screen.query_one("#agenda").cursor_row == len(ids) - 3  # where we were


async def test_agenda_add_case_reorder_timebox_defer(demo_db, reader) -> None:  # noqa: ANN001
    from screens.case_picker import CasePicker
    from screens.meeting import MeetingScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        before = [i.id for i in screen.data.items]
        on_agenda = {i.case_id for i in screen.data.items if i.case_id}

        # add a case from the register, searched by code
        await press(pilot, "c")
        picker = app.screen
        assert isinstance(picker, CasePicker)
        code = next(c.code for c in picker.cases.values() if c.id not in on_agenda)
        await type_text(pilot, code)
        assert [c.code for c in picker.cases.values()] == [code]
        await press(pilot, "enter")
        assert app.screen is screen
        # the agenda reads again in a worker after the store wrote (a chain of workers
        # under load can outlast settle's rounds)
        await wait_for(pilot, lambda: len(screen.data.items) == len(before) + 1,
                       "the added case on the agenda")
        items = screen.data.items
        added = next(i for i in items if i.id not in before)
        assert added.kind is d.ItemKind.CASE and added.timebox_min == 15
        # case items go before any other business and closing
        assert [i.kind for i in items[-2:]] == [d.ItemKind.AOB, d.ItemKind.CLOSING]

        # move item 2 down, then time box and defer it
        table = screen.query_one("#agenda")
        table.focus()
        table.move_cursor(row=1)
        second = items[1].id
        await press(pilot, "shift+down")
        assert screen.data.items[2].id == second
        assert table.cursor_row == 2
        await press(pilot, "t")
        field = app.screen.query_one("#timebox_min")
        field.value = ""
        await type_text(pilot, "abc")
        await press(pilot, "enter")
        assert app.screen.query_one("#timebox_min-error").render().plain  # message beside
        assert app.screen.query_one("#timebox_min").value == "abc"  # nothing typed lost
        field.value = ""
        await type_text(pilot, "25")
        await press(pilot, "enter")
        assert app.screen is screen
        await press(pilot, "d")
        row = screen.data.items[2]
        assert (row.id, row.timebox_min, row.status) == (second, 25, d.ItemStatus.DEFERRED)
        assert table.get_row_at(2)[3].plain == "Uitgesteld"

        # a general item
        await press(pilot, "g")
        app.screen.query_one("#title").focus()
        await type_text(pilot, "Werkbezoek")
        await press(pilot, "ctrl+s")
        assert any(i.title == "Werkbezoek" for i in screen.data.items)
        meeting_id = screen.meeting_id

    store = reader()
    try:
        agenda = store.agenda(meeting_id)
        assert agenda[2].id == second and agenda[2].status is d.ItemStatus.DEFERRED
        assert any(i.title == "Werkbezoek" for i in agenda)
    finally:
        store.close()
