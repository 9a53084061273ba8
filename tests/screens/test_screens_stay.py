"""A case's stay with the keys a chair presses at its agenda item: the LSO's decision that it
is an LVV-zaak, the dossiers, the rusttermijn, the begeleidingsscenario with a partner's
inzet, the exit linked to the decision it came from, and the case coming back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from screen_helpers import TODAY, make_app, press, settle, type_text

from db import domain as d
from tests.conftest import PASSPHRASE

LATER = TODAY + dt.timedelta(days=15)  # the rusttermijn of dossiers on TODAY is over


@pytest.fixture
def stay_db(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """One overleg with its partners; a case put forward a week ago, on the agenda of
    today's meeting and of one 15 days later (with a decision already taken there)."""
    from db.store import Store

    path = tmp_path / "stay.db"
    with Store.open(path, PASSPHRASE, author="Tester", create=True) as store:
        ov = store.create_overleg_with_partners("LSO Stad", "Stad", 40)
        case = store.create_case(ov.id, "ST-001", put_forward_on=TODAY - dt.timedelta(days=7),
                                 put_forward_by="NGO")
        m1 = store.create_meeting(ov.id, TODAY, standard_agenda=False)
        m2 = store.create_meeting(ov.id, LATER, standard_agenda=False)
        i1 = store.add_agenda_item(m1.id, d.ItemKind.CASE, case_id=case.id)
        i2 = store.add_agenda_item(m2.id, d.ItemKind.CASE, case_id=case.id)
    return path, {"case": case.id, "m1": m1.id, "m2": m2.id, "i1": i1.id, "i2": i2.id}


async def test_a_chair_walks_a_case_from_intake_to_exit_and_back(stay_db) -> None:  # noqa: ANN001
    from db.store import Store
    from screens.item import ItemScreen
    from screens.meeting import MeetingScreen
    from screens.report import DossierForm, VerdictForm
    from screens.stay_form import ExitForm, PutForwardForm, ScenarioForm

    path, ids = stay_db
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # today's meeting
        await press(pilot, "enter")  # its one item
        item = app.screen
        assert isinstance(item, ItemScreen) and item.item_id == ids["i1"]
        assert "Aangemeld, wacht op besluit LSO" in item.query_one("#case-file").render().plain

        # -- i: the LSO's decision: an LVV-zaak (yes is proposed) ---------------------------
        await press(pilot, "i")
        assert isinstance(app.screen, VerdictForm)
        await press(pilot, "ctrl+s")
        assert app.screen is item
        assert item.data.stay.lvv_verdict is d.LvvVerdict.YES
        assert item.data.stay.intake_date == TODAY

        # -- i: the dossiers of IND and DTenV, both today -----------------------------------
        await press(pilot, "i")
        assert isinstance(app.screen, DossierForm)
        await type_text(pilot, TODAY.strftime("%d-%m-%Y"))
        await press(pilot, "tab")
        await type_text(pilot, TODAY.isoformat())
        await press(pilot, "ctrl+s")
        assert app.screen is item
        end = TODAY + dt.timedelta(days=14)
        assert item.data.stay.rest_period_end == end
        assert f"rusttermijn tot {end.isoformat()}" in item.query_one("#case-file").render().plain

        # -- i during the rusttermijn: no form, the screen says until when ------------------
        await press(pilot, "i")
        assert app.screen is item

        # -- to the meeting 15 days later ---------------------------------------------------
        await press(pilot, "escape", "escape", "down", "enter")
        assert isinstance(app.screen, MeetingScreen) and app.screen.data.meeting.date == LATER
        await press(pilot, "enter")
        later = app.screen
        assert isinstance(later, ItemScreen) and later.item_id == ids["i2"]

        # -- i: the begeleidingsscenario (return) and the IND's inzet -----------------------
        await press(pilot, "i")
        form = app.screen
        assert isinstance(form, ScenarioForm)
        ind = next(n for n, o in enumerate(form.organisations) if o.kind is d.OrgKind.IND)
        form.query_one(f"#inzet-{ind}").focus()
        await type_text(pilot, "Vertrekgesprek plannen")
        await press(pilot, "tab")
        await type_text(pilot, (LATER + dt.timedelta(days=28)).isoformat())
        await press(pilot, "ctrl+s")
        assert app.screen is later, form.query_one("#form-message").render()
        assert later.data.stay.scenario is d.Perspective.RETURN
        assert [a.text for a in later.data.actions] == ["Vertrekgesprek plannen"]

        # -- b: the decision, then u: the exit it came from (art. 64: semi-durable) ---------
        later.store.decide(ids["i2"], d.Perspective.STAY, "Medisch: artikel 64")  # the
        later.reload(meeting_too=True)  # decision form has tests of its own
        await settle(pilot)
        await press(pilot, "u")
        form = app.screen
        assert isinstance(form, ExitForm)
        await press(pilot, "enter", "down", "down", "down", "down", "down", "enter")
        assert "Semi-bestendige oplossing" in str(form.query_one("#exit-category").render())
        await press(pilot, "ctrl+s")
        assert app.screen is later, form.query_one("#form-message").render()
        assert later.data.stay.step(LATER) is d.IntakeStep.LEFT

        # -- u again: refused, it left -------------------------------------------------------
        await press(pilot, "u")
        assert app.screen is later

        # -- i: it comes back: put forward again, a new stay; i: admitted again -------------
        await press(pilot, "i")
        assert isinstance(app.screen, PutForwardForm)
        await type_text(pilot, "Gemeente")
        await press(pilot, "ctrl+s")
        assert app.screen is later
        assert later.data.stay.number == 2
        await press(pilot, "i")
        assert isinstance(app.screen, VerdictForm)
        await press(pilot, "ctrl+s")
        assert "verblijf 2" in later.query_one("#case-file").render().plain

    with Store.open(path, PASSPHRASE) as store:
        first, second = store.stays(ids["case"])
        assert (first.lvv_item_id, first.scenario_item_id, first.exit_item_id) == (
            ids["i1"], ids["i2"], ids["i2"])
        assert first.outcome_subtype is d.OutcomeSubtype.ART64
        assert first.outcome_category is d.OutcomeCategory.SEMI_DURABLE
        assert (first.exit_date, first.ind_dossier_on, first.dtenv_dossier_on) == (
            LATER, TODAY, TODAY)
        assert (second.number, second.put_forward_by, second.intake_date) == (
            2, "Gemeente", LATER)
        case = store.case(ids["case"])
        assert case.status is d.CaseStatus.ACTIVE and case.exit_date is None
        # the timeline: each step at the item where it was decided
        timeline = [(e.kind, e.item_id, e.meeting_id) for e in store.case_timeline(ids["case"])
                    if e.kind in ("intake", "scenario", "exit")]
        assert ("exit", ids["i2"], ids["m2"]) in timeline
        assert ("scenario", ids["i2"], ids["m2"]) in timeline
        assert ("intake", ids["i1"], ids["m1"]) in timeline
        assert ("intake", ids["i2"], ids["m2"]) in timeline  # the second stay
        # the minutes of the later meeting: the decision and the exit it came from
        from lvv_tui.export import to_markdown
        from lvv_tui.minutes import build_minutes

        text = to_markdown(build_minutes(store, ids["m2"], made_on=LATER))
        assert "Artikel 64 (uitstel van vertrek, medisch) (Semi-bestendige oplossing)" in text
        assert "Begeleidingsscenario" in text and "Terugkeer" in text
        assert store.check() == []
