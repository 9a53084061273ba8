"""Bad input: messages beside the field, nothing typed lost, user text shown literally."""

from __future__ import annotations

from rich.text import Text
from screen_helpers import make_app, open_today_item, press, settle, type_text
from textual import events

from db import domain as d


def _first_case_row(app) -> int:  # noqa: ANN001
    return next(n for n, i in enumerate(app.screen.data.items) if i.kind is d.ItemKind.CASE)


async def _open_first_case(pilot) -> None:  # noqa: ANN001
    await settle(pilot)
    await press(pilot, "enter")
    row = _first_case_row(pilot.app)
    await open_today_item_at(pilot, row)


async def open_today_item_at(pilot, row: int) -> None:  # noqa: ANN001
    table = pilot.app.screen.query_one("#agenda")
    table.move_cursor(row=row)
    await press(pilot, "enter")


async def test_markup_in_a_note_is_shown_as_typed(demo_db, reader) -> None:  # noqa: ANN001
    from screens.item import ItemScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_first_case(pilot)
        screen = app.screen
        assert isinstance(screen, ItemScreen)
        await press(pilot, "enter", "2", "tab")
        await type_text(pilot, "[red]x[/red] and [bold]y")
        await press(pilot, "ctrl+s")
        views = screen.query_one("#views")
        org_id = views.coordinate_to_cell_key(views.cursor_coordinate).row_key.value
        first_row = views.get_row_at(0)
        assert first_row[2].plain == "[red]x[/red] and [bold]y"
        assert first_row[2].spans == []  # no style came out of the text
        # and on the screen itself, character for character (the note column holds 21
        # characters at 120 columns since the position labels are whole: the rest is cut)
        lines = "\n".join(
            "".join(seg.text for seg in strip) for strip in screen._compositor.render_strips()
        )
        assert "[red]x[/red] and [bol" in lines, lines
        item_id = screen.item_id
    store = reader()
    try:
        notes = [v.note for v in store.views(item_id)]
        assert notes == ["[red]x[/red] and [bold]y"]
        assert org_id
    finally:
        store.close()


async def test_control_characters_are_shown_not_sent(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_first_case(pilot)
        screen = app.screen
        await press(pilot, "enter")
        note = app.screen.query_one("#note")
        note.text = "a\x1b[31mb\x07c"
        await press(pilot, "ctrl+s")
        cell = screen.query_one("#views").get_row_at(0)[2]
        assert isinstance(cell, Text)
        assert cell.plain == "a\u241b[31mb\u2407c"


async def test_100_kb_pasted_into_a_note_is_refused_and_kept(demo_db, reader) -> None:  # noqa: ANN001
    from screens.view_form import ViewForm

    big = ("Lorem ipsum [b]dolor[/b] sit amet. " * 3000)[:100_000]
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_first_case(pilot)
        item_id = app.screen.item_id
        await press(pilot, "enter", "tab")
        form = app.screen
        assert isinstance(form, ViewForm)
        note = form.query_one("#note")
        app.post_message(events.Paste(big))  # as the terminal delivers it
        await settle(pilot)
        assert len(note.text) == 100_000
        await press(pilot, "ctrl+s")
        assert app.screen is form  # still open: nothing lost
        assert note.text == big
        message = form.query_one("#note-error").render()
        assert "100000" in str(message) and "20000" in str(message)
        # shorten it and save: works
        note.text = big[:5000]
        await press(pilot, "ctrl+s")
        assert app.screen is not form
    store = reader()
    try:
        assert [len(v.note) for v in store.views(item_id)] == [5000]
    finally:
        store.close()


async def test_dates_are_checked_beside_the_field_and_kept(demo_db, reader) -> None:  # noqa: ANN001
    from screens.action_form import ActionForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 1)
        item_id = app.screen.item_id
        await press(pilot, "a")
        form = app.screen
        assert isinstance(form, ActionForm)
        form.query_one("#text").focus()
        await type_text(pilot, "Bel de advocaat")
        await press(pilot, "tab")
        await type_text(pilot, "31-02-2026")
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert "datum" in str(form.query_one("#due_date-error").render()).lower()
        assert form.query_one("#text").value == "Bel de advocaat"
        assert form.query_one("#due_date").value == "31-02-2026"
        form.query_one("#text").value = ""
        await press(pilot, "ctrl+s")
        assert str(form.query_one("#text-error").render()) == "Verplicht veld"
        await press(pilot, "escape")
    store = reader()
    try:
        assert store.actions(item_id=item_id) == []
    finally:
        store.close()


async def test_decision_without_consensus_needs_dissent_and_escalation(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_first_case(pilot)
        await press(pilot, "b")
        form = app.screen
        form.query_one("#consensus").value = d.Consensus.NONE.value
        await settle(pilot)
        assert form.query_one("#field-dissent").display
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert str(form.query_one("#dissent-error").render())
        assert str(form.query_one("#escalation_level-error").render())
        form.query_one("#dissent-reason-1").value = "reden zonder vinkje"
        await press(pilot, "ctrl+s")
        assert "niet is aangevinkt" in str(form.query_one("#dissent-error").render())
        assert form.query_one("#dissent-reason-1").value == "reden zonder vinkje"


async def test_case_register_validates_and_saves(demo_db, reader) -> None:  # noqa: ANN001
    from screens.case_form import CaseForm
    from screens.register import CaseRegisterScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+r")
        register = app.screen
        assert isinstance(register, CaseRegisterScreen)
        total = register.query_one("#cases").row_count
        with reader() as on_disk:  # the demo's cases (with its history of stays and exits)
            assert total == len(on_disk.cases(on_disk.overleggen()[0].id)) > 40
        # filters and search
        by_status: dict[d.CaseStatus, int] = {}
        for c in register.cases.values():
            by_status[c.status] = by_status.get(c.status, 0) + 1
        status = min(by_status, key=by_status.__getitem__)
        register.query_one("#status").value = status.value
        await settle(pilot)
        assert register.query_one("#cases").row_count == by_status[status]
        assert all(c.status is status for c in register.cases.values())
        register.query_one("#status").clear()
        await press(pilot, "ctrl+f")
        await type_text(pilot, "0001")
        assert [c.code for c in register.cases.values()] == ["DEMO-UTR-0001"]
        register.query_one("#search").value = ""
        await settle(pilot)
        # a new case with a bad V-number: message beside it, then fixed
        await press(pilot, "ctrl+n")
        form = app.screen
        assert isinstance(form, CaseForm)
        await type_text(pilot, "NEW-1")
        await press(pilot, "tab")
        await type_text(pilot, "123456789")
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert str(form.query_one("#v_number-error").render()) == \
            "Een V-nummer heeft precies 10 cijfers"
        assert form.query_one("#code").value == "NEW-1"
        await type_text(pilot, "0")
        await press(pilot, "ctrl+s")
        assert app.screen is register
        assert register.query_one("#cases").row_count == total + 1
        # the code is taken now: the store says so, beside the field
        await press(pilot, "ctrl+n")
        await type_text(pilot, "NEW-1")
        await press(pilot, "ctrl+s")
        assert str(app.screen.query_one("#code-error").render()) == \
            "Deze casuscode bestaat al in dit overleg"
        await press(pilot, "escape")
        # edit: the nationality
        table = register.query_one("#cases")
        table.focus()
        table.move_cursor(row=0)
        await press(pilot, "e")  # enter opens the timeline; e edits the case
        form = app.screen
        form.query_one("#nationality").value = "Testland"
        await press(pilot, "ctrl+s")
        code = form.case.code
    store = reader()
    try:
        overleg = store.overleggen()[0]
        new = store.cases(overleg.id, search="NEW-1")
        assert [(c.code, c.v_number) for c in new] == [("NEW-1", "1234567890")]
        assert store.cases(overleg.id, search=code)[0].nationality == "Testland"
    finally:
        store.close()


async def test_position_key_then_save_at_once(demo_db, reader) -> None:  # noqa: ANN001
    """A digit and ctrl+s in one burst (a fast typist): the digit's position is saved."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_first_case(pilot)
        item_id = app.screen.item_id
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("5", "ctrl+s")
        await settle(pilot)
    store = reader()
    try:
        assert [v.position for v in store.views(item_id)] == [d.Position.END]
    finally:
        store.close()
