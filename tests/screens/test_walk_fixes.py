"""Pilot: small defects found walking the app as a new chair (session 3, helper "walk").

The action list shows the action's text at 80 columns and the highlighted action whole
below the table (owner with the named person); the register says "1 casus"; the decision
form's dissent rows show an organisation's name whole at 120 columns; the report's dates
are not scrolled off their fields."""

from __future__ import annotations

from rich.cells import cell_len
from screen_helpers import TODAY, make_app, open_today_item, press, settle, wait_for


async def test_action_list_text_visible_at_80_and_whole_below(demo_db, reader) -> None:  # noqa: ANN001
    from screens.action_list import ActionListScreen

    store = reader()
    try:
        ov = store.overleggen()[0].id
        meeting = next(m for m in store.meetings(ov) if m.date == TODAY)
        item = store.agenda(meeting.id)[3]
        org = store.organisations(ov)[0]
        long_text = "Aanvraag [b]regulier[/b] voorbereiden " + "met alle stukken " * 4
        store.add_action(item.id, org.id, long_text.strip(), "2026-03-05", owner_person="J. de Vries")
    finally:
        store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "l")
        screen = app.screen
        assert isinstance(screen, ActionListScreen)
        table = screen.query_one("#action-list")
        assert [c.key.value for c in table.columns.values()][:2] == ["due", "text"]
        # the text column starts well inside 80 columns
        due = table.columns[next(k for k in table.columns if k.value == "due")]
        assert due.get_render_width(table) < 40
        while "J. de Vries" not in str(screen.query_one("#action-detail").render()):
            before = table.cursor_row
            await press(pilot, "down")
            assert table.cursor_row != before, "the action never came under the cursor"
        detail = str(screen.query_one("#action-detail").render())
        assert long_text.strip() in detail  # whole, markup shown as typed
        assert f"Eigenaar: {org.name} · J. de Vries" in detail


async def test_register_counts_one_case_in_the_singular(demo_db) -> None:  # noqa: ANN001
    from screens.register import CaseRegisterScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+r")
        screen = app.screen
        assert isinstance(screen, CaseRegisterScreen)
        await press(pilot, "ctrl+f")
        code = next(iter(screen.cases.values())).code
        await pilot.press(*code)
        await settle(pilot)
        await wait_for(pilot, lambda: len(screen.cases) == 1, "one case found")
        assert str(screen.query_one("#register-count").render()) == "1 casus"


async def test_dissenting_names_whole_in_the_decision_form(demo_db) -> None:  # noqa: ANN001
    from textual.widgets import Checkbox

    from screens.decision_form import DecisionForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        await press(pilot, "b")
        form = app.screen
        assert isinstance(form, DecisionForm)
        await press(pilot, "tab", "tab", "enter", "down", "down", "enter")  # consensus: none
        boxes = list(form.query("#dissent Checkbox").results(Checkbox))
        assert boxes
        for box in boxes:
            label = box.label.plain
            assert "…" not in label, label
            assert box.content_region.width >= cell_len(label), label


async def test_report_dates_show_whole(demo_db) -> None:  # noqa: ANN001
    from textual.widgets import Input

    from screens.report import ReportScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.app.run_action("monitoring_report")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        for field in ("#report-from", "#report-to"):
            box = app.screen.query_one(field, Input)
            box.focus()
            await press(pilot, "end")
            # the date and the cursor after it fit: nothing scrolled off the left
            assert box.scroll_x == 0, (field, box.value, box.scroll_x)


async def test_home_and_end_move_the_meeting_list(demo_db) -> None:  # noqa: ANN001
    from textual.widgets import DataTable

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#meetings", DataTable)
        await press(pilot, "end")
        assert table.cursor_row == table.row_count - 1 > 0
        await press(pilot, "home")
        assert table.cursor_row == 0


def test_the_lock_screen_says_je_like_the_rest_of_the_app() -> None:
    import re

    from lvv_tui.i18n import t

    hint = t("lock.hint", lang="nl")
    assert "je was" in hint and not re.search(r"\bu\b", hint)
