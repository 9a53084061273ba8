"""Pilot: unusual dates are asked about before a form saves (before the case's intake,
more than two years ahead, more than a year back); absurd ones (9999-12-31, 1900-01-01)
are refused by the store's hard window, and the form says so in those words."""

from __future__ import annotations

import datetime as dt

import pytest
from screen_helpers import make_app, open_today_item, press, type_text

from db.rules import DATE_MAX, DATE_MIN, ValidationError, date_doubt, parse_date


async def _fill_decision(pilot) -> None:  # noqa: ANN001
    await press(pilot, "b")
    await press(pilot, "enter", "home", "enter")  # perspective: the first
    await press(pilot, "tab")
    await type_text(pilot, "Terugkeer is haalbaar")


async def _set(pilot, form, name: str, text: str) -> None:  # noqa: ANN001
    box = form.query_one(f"#{name}")
    box.value = ""
    box.focus()
    await type_text(pilot, text)


def _said(form, name: str) -> str:  # noqa: ANN001
    return str(form.query_one(f"#{name}-error").render())


async def test_review_date_far_ahead_asks_then_saves(demo_db, reader) -> None:  # noqa: ANN001
    from screens.decision_form import DecisionForm
    from screens.item import ItemScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        item_id = app.screen.item_id
        await _fill_decision(pilot)
        form = app.screen
        assert isinstance(form, DecisionForm)
        await _set(pilot, form, "review_date", "31-12-9999")
        await press(pilot, "ctrl+s")
        assert app.screen is form  # absurd: refused
        assert "buiten 1990-01-01 – 2099-12-31" in _said(form, "review_date")
        await _set(pilot, form, "review_date", "2031-01-15")
        await press(pilot, "ctrl+s")
        assert app.screen is form  # unusual: asked first, nothing saved
        assert _said(form, "review_date") == "Ligt meer dan twee jaar vooruit"
        assert "nogmaals ctrl+s" in str(form.query_one("#form-message").render())
        await press(pilot, "ctrl+s")  # the same date again: saved
        assert isinstance(app.screen, ItemScreen)
    store = reader()
    try:
        assert store.decision(item_id).review_date == dt.date(2031, 1, 15)
    finally:
        store.close()


async def test_dates_before_the_intake_ask(demo_db) -> None:  # noqa: ANN001
    from screens.decision_form import DecisionForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        intake = app.screen.data.history.case.intake_date
        assert intake is not None
        await _fill_decision(pilot)
        form = app.screen
        assert isinstance(form, DecisionForm) and form.intake == intake
        await press(pilot, "tab", "enter", "down", "down", "enter")  # consensus: none
        form.query_one("#dissent-2").focus()  # the third organisation dissents
        await press(pilot, "space", "tab")
        await type_text(pilot, "Ziet kansen op verblijf")
        form.query_one("#escalation_level").focus()
        await press(pilot, "enter", "down", "enter")  # none -> mrt
        await _set(pilot, form, "escalation_date", "2021-05-01")
        before = (intake - dt.timedelta(days=3)).isoformat()
        await _set(pilot, form, "review_date", before)
        await press(pilot, "ctrl+s")
        assert app.screen is form
        said = f"Ligt vóór de intake van de casus ({intake.isoformat()})"
        assert _said(form, "escalation_date") == said  # years back, before the intake
        assert _said(form, "review_date") == said
        await _set(pilot, form, "review_date", "2026-04-01")  # another date: asked again
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert _said(form, "review_date") == ""
        assert _said(form, "escalation_date") == said
        await _set(pilot, form, "escalation_date", "2026-03-04")  # corrected: no question
        await press(pilot, "ctrl+s")
        assert app.screen is not form


def test_the_store_keeps_the_hard_window(store) -> None:  # noqa: ANN001
    from db import domain as d

    ov = store.create_overleg("LSO Datumstad", "Datumstad")
    case = store.create_case(ov.id, "D-001")
    meeting = store.create_meeting(ov.id, "2026-03-02")
    item = store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
    for bad in ("9999-12-31", "1900-01-01", dt.date(2100, 1, 1)):
        with pytest.raises(ValidationError) as err:
            store.add_action(item.id, None, "Bellen", bad)
        assert err.value.code == "error.date_range"
    assert parse_date("01-01-1990") == DATE_MIN and parse_date(DATE_MAX) == DATE_MAX
    today = dt.date(2026, 3, 4)
    assert date_doubt(dt.date(2028, 3, 1), today) is None
    assert date_doubt(dt.date(2028, 3, 10), today)[0] == "date.far_ahead"
    assert date_doubt(dt.date(2024, 1, 1), today)[0] == "date.long_ago"
    assert date_doubt(dt.date(2024, 1, 1), today, past_ok=True) is None
    assert date_doubt(dt.date(2026, 1, 1), today, intake=dt.date(2026, 2, 1))[0] == \
        "date.before_intake"
