"""Pilot: a 100 KB paste into the case register's search box (and the case picker's) gives
a clear message and no rows — no "LIKE or GLOB pattern too complex", not every case; the
store refuses it too."""

from __future__ import annotations

import pytest
from screen_helpers import make_app, press, settle
from textual import events

from db.rules import MAX_SEARCH, ValidationError

BIG = "DEMO-" + "x" * 100_000


async def test_register_search_of_100_kb(demo_db) -> None:  # noqa: ANN001
    from textual.widgets import Input, Static

    from screens.register import CaseRegisterScreen

    app = make_app(demo_db)
    notes: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+r")
        screen = app.screen
        assert isinstance(screen, CaseRegisterScreen)
        table = screen.query_one("#cases")
        assert table.row_count > 0
        app.notify = lambda message, **_kw: notes.append(str(message))
        box = screen.query_one("#search", Input)
        box.focus()
        box.post_message(events.Paste(BIG))
        await settle(pilot)
        assert box.value == BIG  # what was pasted stays, to be corrected
        assert table.row_count == 0
        said = str(screen.query_one("#register-count", Static).render())
        assert "Zoektekst te lang" in said and str(MAX_SEARCH) in said
        assert notes == []  # no toast, no SQL error
        box.value = "DEMO-UTR-0001"
        await settle(pilot)
        assert table.row_count == 1


async def test_case_picker_search_of_100_kb(demo_db) -> None:  # noqa: ANN001
    from textual.widgets import Input, OptionList, Static

    from screens.case_picker import CasePicker

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "c")
        assert isinstance(app.screen, CasePicker)
        box = app.screen.query_one(Input)
        box.post_message(events.Paste(BIG))
        await settle(pilot)
        assert app.screen.query_one(OptionList).option_count == 0
        assert "Zoektekst te lang" in str(app.screen.query_one("#picker-count", Static).render())


def test_store_refuses_a_long_search(store) -> None:  # noqa: ANN001
    overleg = store.create_overleg("LSO Zoekstad", "Zoekstad")
    store.create_case(overleg.id, "Z-001")
    with pytest.raises(ValidationError) as err:
        store.cases(overleg.id, search=BIG)
    assert err.value.code == "error.search_too_long"
    assert [c.code for c in store.cases(overleg.id, search=" z-0 ")] == ["Z-001"]
