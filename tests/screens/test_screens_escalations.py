"""Escalations with the keys a chair presses: from a decision without consensus to an MRT
escalation, the advice entered at a later meeting, adopted, closed; and a snapshot of the
escalation screen on the demo."""

from __future__ import annotations

import pytest
from screen_helpers import TODAY, make_app, open_today_item, press, settle, type_text

from db import domain as d


async def test_a_chair_takes_a_case_to_the_mrt_and_follows_the_advice(demo_db, reader) -> None:  # noqa: ANN001, E501
    from screens.decision_form import DecisionForm
    from screens.escalation_form import EscalationForm
    from screens.escalations import EscalationsScreen
    from screens.item import ItemScreen
    from screens.meeting import MeetingScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        item_screen = app.screen
        assert isinstance(item_screen, ItemScreen)
        first_item, case_id = item_screen.item_id, item_screen.data.item.case_id
        before = {x.id for x in item_screen.data.escalations}

        # -- the decision: no consensus, one dissent, escalation to the MRT ----------------
        await press(pilot, "b")
        form = app.screen
        assert isinstance(form, DecisionForm)
        await press(pilot, "enter", "home", "enter")  # perspective: return
        await press(pilot, "tab")
        await type_text(pilot, "Terugkeer is haalbaar")
        await press(pilot, "tab", "enter", "down", "down", "enter")  # consensus: none
        form.query_one("#dissent-4").focus()  # the NGO dissents
        await press(pilot, "space", "tab")
        await type_text(pilot, "Medisch niet verantwoord")
        form.query_one("#escalation_level").focus()
        await press(pilot, "enter", "down", "enter")  # none -> mrt
        await press(pilot, "tab")
        await type_text(pilot, "Is terugkeer medisch verantwoord")
        await press(pilot, "ctrl+s")
        assert app.screen is item_screen, form.query_one("#form-message").render()
        new = [x for x in item_screen.data.escalations if x.id not in before]
        assert [(x.level, x.status) for x in new] == [(d.Escalation.MRT,
                                                       d.EscalationStatus.DRAFT)]
        thread_id = new[0].id
        assert "MRT" in item_screen.query_one("#decision").render().plain

        # -- e: sent today, with the MRT's members as proposed -----------------------------
        await press(pilot, "e")
        assert isinstance(app.screen, EscalationForm) and app.screen.step == "send"
        await press(pilot, "ctrl+s")
        assert app.screen is item_screen
        sent = next(x for x in item_screen.data.escalations if x.id == thread_id)
        assert sent.status is d.EscalationStatus.SENT and sent.sent_on == TODAY
        assert len(sent.members) == 5 and sum(m.new_to_case for m in sent.members) == 3

        # -- ctrl+e: the escalation screen; g puts the case on the next agenda --------------
        await press(pilot, "ctrl+e")
        assert isinstance(app.screen, EscalationsScreen)
        table = app.screen.query_one("#escalations")
        table.move_cursor(row=table.get_row_index(thread_id))
        await press(pilot, "g")
        await press(pilot, "escape", "escape")  # the item, then the agenda
        assert isinstance(app.screen, MeetingScreen)
        await press(pilot, "escape", "down", "enter")  # next week's meeting
        meeting = app.screen
        assert isinstance(meeting, MeetingScreen) and meeting.data.meeting.date > TODAY
        row = next(n for n, i in enumerate(meeting.data.items) if i.case_id == case_id)
        agenda = meeting.query_one("#agenda")
        agenda.focus()
        agenda.move_cursor(row=row)
        await press(pilot, "enter")
        later = app.screen
        assert isinstance(later, ItemScreen) and later.item_id != first_item

        # -- e: the advice that came back, with its reasoning ------------------------------
        await press(pilot, "e")
        assert app.screen.step == "advice"
        await type_text(pilot, "Geen terugkeer; artikel 64 onderzoeken")
        await press(pilot, "tab")
        await type_text(pilot, "Medisch rapport")
        await press(pilot, "ctrl+s")
        # -- e: the LSO adopts it -----------------------------------------------------------
        await press(pilot, "e")
        assert app.screen.step == "adoption"
        await press(pilot, "tab")
        await type_text(pilot, "Het LSO volgt het MRT")
        await press(pilot, "ctrl+s")
        # -- e: closed ----------------------------------------------------------------------
        await press(pilot, "e")
        assert app.screen.step == "close"
        await press(pilot, "ctrl+s")
        assert app.screen is later
        later_item = later.item_id
        assert "afgesloten" in later.query_one("#decision").render().plain

    store = reader()
    try:
        x = store.escalation(thread_id)
        assert x.status is d.EscalationStatus.CLOSED and x.adopted is True
        assert x.advice == "Geen terugkeer; artikel 64 onderzoeken"
        assert x.advice_reasoning == "Medisch rapport"
        assert x.adoption_reasons == "Het LSO volgt het MRT"
        assert (x.advice_item_id, x.adoption_item_id, x.closed_item_id) == (
            later_item, later_item, later_item)
        # the advice form proposes today, never the later meeting's date (not yet come)
        assert x.sent_on == x.advice_on == TODAY and x.adoption_on == x.closed_on > TODAY
        assert store.check() == []
    finally:
        store.close()


async def test_adoption_is_not_offered_at_the_meeting_that_escalated(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        screen = app.screen
        store = app.store
        item_id = screen.item_id
        orgs = store.organisations(store.meeting(screen.meeting_id).overleg_id)
        store.decide(item_id, d.Perspective.RETURN, "", d.Consensus.NONE,
                     [d.Dissent(orgs[4].id, "Nee")], d.Escalation.MRT, "Vraag", TODAY)
        x = store.escalation_from_decision(item_id)
        store.record_advice(x.id, "Advies", received_on=TODAY)
        screen.reload()
        await settle(pilot)
        await press(pilot, "e")
        assert app.screen is screen  # no form: a message instead
        assert store.escalation(x.id).status is d.EscalationStatus.ADVICE


async def test_a_bad_date_gets_a_message_and_loses_nothing(demo_db) -> None:  # noqa: ANN001
    from screens.escalation_form import EscalationForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        screen, store = app.screen, app.store
        orgs = store.organisations(store.meeting(screen.meeting_id).overleg_id)
        store.decide(screen.item_id, d.Perspective.RETURN, "", d.Consensus.NONE,
                     [d.Dissent(orgs[4].id, "Nee")], d.Escalation.MRT, "Vraag")
        x = store.escalation_from_decision(screen.item_id)
        screen.reload()
        await settle(pilot)
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, EscalationForm) and form.step == "send"
        form.query_one("#sent_on").value = ""
        await type_text(pilot, "31-02-2026")
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert str(form.query_one("#sent_on-error").render()) == (
            "Ongeldige datum: gebruik JJJJ-MM-DD of DD-MM-JJJJ")
        assert form.query_one("#sent_on").value == "31-02-2026"
        assert store.escalation(x.id).status is d.EscalationStatus.DRAFT


@pytest.fixture
def snap_app(demo_db, monkeypatch):  # noqa: ANN001, ANN201
    from lvv_tui.app import LvvApp

    monkeypatch.setattr(LvvApp, "status_widgets", [])
    return make_app(demo_db)


def test_snapshot_escalations(snap_app, snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await press(pilot, "ctrl+e")
        await press(pilot, "a")  # closed ones too
        await settle(pilot)

    assert snap_compare(snap_app, terminal_size=(120, 40), run_before=run_before)


async def test_a_sent_date_after_today_is_refused_and_not_proposed(demo_db) -> None:  # noqa: ANN001
    import datetime as dt

    from screens.escalation_form import EscalationForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        screen, store = app.screen, app.store
        orgs = store.organisations(store.meeting(screen.meeting_id).overleg_id)
        store.decide(screen.item_id, d.Perspective.RETURN, "", d.Consensus.NONE,
                     [d.Dissent(orgs[4].id, "Nee")], d.Escalation.MRT, "Vraag", today=TODAY)
        x = store.escalation_from_decision(screen.item_id, today=TODAY)
        screen.reload()
        await settle(pilot)
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, EscalationForm) and form.step == "send"
        form.query_one("#sent_on").value = ""
        later = TODAY + dt.timedelta(days=7)
        await type_text(pilot, later.isoformat())
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert str(form.query_one("#sent_on-error").render()) == (
            f"Die datum ligt na vandaag ({TODAY.isoformat()}): vul de dag in waarop het "
            "gebeurde.")
        assert store.escalation(x.id).status is d.EscalationStatus.DRAFT
        await press(pilot, "escape")
        # a form opened at a later meeting proposes today, not the meeting's date
        app.push_screen(EscalationForm(lambda values: x, "send", x, orgs, today=TODAY,
                                       day=later))
        await settle(pilot)
        assert app.screen.query_one("#sent_on").value == TODAY.isoformat()
