"""Pilot test: the view form chooses the note's audience with one key and shows its mark."""

from __future__ import annotations

from screen_helpers import make_app, open_today_item, press, settle, type_text

from db import domain as d


async def test_the_view_form_narrows_the_audience_with_one_key(demo_db, reader) -> None:  # noqa: ANN001
    from screens.item import ItemScreen
    from screens.view_form import ViewForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot)
        screen = app.screen
        assert isinstance(screen, ItemScreen)
        item_id = screen.item_id
        assert screen.data.item.kind is d.ItemKind.CASE
        await press(pilot, "enter")
        form = app.screen
        assert isinstance(form, ViewForm)
        await press(pilot, "1", "tab")
        await type_text(pilot, "alleen voor ons")
        await press(pilot, "ctrl+o", "ctrl+o")  # overleg -> chair -> organisation
        shown = str(form.query_one("#audience").render())
        assert "Alleen deze partner zelf" in shown
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        table = screen.query_one("#views")
        row = table.get_row_at(table.cursor_row - 1)  # the cursor moved on
        assert "eigen organisatie" in str(row[-1])
    with reader() as store:
        view = next(v for v in store.views(item_id) if v.note == "alleen voor ons")
    assert view.audience == "organisation"


async def test_unlock_runs_the_retention_dry_run_and_tells_the_secretary(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    app.retention_notice = True
    told: list[str] = []
    notify = app.notify

    def spy(message: str, **kwargs) -> None:  # noqa: ANN003
        told.append(message)
        notify(message, **kwargs)

    app.notify = spy  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.context.retention_due is not None and app.context.retention_due > 0
    assert any("bewaartermijn" in m and str(app.context.retention_due) in m for m in told)


async def test_a_on_the_register_opens_the_cases_audit_trail(demo_db, reader) -> None:  # noqa: ANN001
    from screens.case_audit import CaseAuditScreen
    from screens.register import CaseRegisterScreen

    store = reader()
    try:
        ov = store.overleggen()[0].id
        case = next(c for c in store.cases(ov) if store.case_details(c.id))
        expected = store.case_audit(case.code, case.id)
    finally:
        store.close()
    assert any(r["entity"] == "case_detail" for r in expected)
    app = make_app(demo_db)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+r")
        register = app.screen
        assert isinstance(register, CaseRegisterScreen)
        table = register.query_one("#cases")
        table.focus()
        table.move_cursor(row=table.get_row_index(case.id))
        await press(pilot, "a")
        screen = app.screen
        assert isinstance(screen, CaseAuditScreen)
        assert screen.data is not None and screen.data.rows == expected
        lines = screen.query_one("#audit")
        assert lines.row_count == len(expected)
        shown = " ".join(str(c) for k in range(lines.row_count) for c in lines.get_row_at(k))
        assert "Gevoelig detail: tekst" in shown and "🔒voorzitter" in shown
        assert "deze laptop" in shown.lower()
        # no value is shown: the detail's text is not on the screen
        assert "huisarts" not in shown
        await press(pilot, "escape")
        assert app.screen is register
        # the palette offers the same for the selected case
        commands = register.palette_commands()
        assert any(case.code in title for title, _help, _cb in commands)
        next(cb for title, _help, cb in commands if case.code in title)()
        await settle(pilot)
        assert isinstance(app.screen, CaseAuditScreen)


async def test_g_on_a_case_item_records_a_sensitive_detail_under_an_audience(
        demo_db, reader) -> None:  # noqa: ANN001
    from db.store import DETAIL_TOPICS
    from screens import case_detail_form
    from screens.case_detail_form import CaseDetailForm
    from screens.item import ItemScreen

    assert case_detail_form.DETAIL_TOPICS == DETAIL_TOPICS
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot)
        screen = app.screen
        assert isinstance(screen, ItemScreen)
        case_id = screen.data.item.case_id
        before = len(screen.data.details)
        await press(pilot, "g")
        form = app.screen
        assert isinstance(form, CaseDetailForm)
        org = form.organisation_id
        if org in form.details:  # a partner without one: a new detail, default audience
            free = next(o.id for o in form.organisations if o.id not in form.details)
            form.query_one("#detail-organisation").value = free
            await settle(pilot)
            org = free
        assert form.audience == "organisation"
        assert "Alleen deze partner zelf" in str(form.query_one("#detail-audience").render())
        form.query_one("#detail-text").text = ""
        await type_text(pilot, "politie meldt incident")
        form.query_one("#detail-topic").value = "police"
        await press(pilot, "ctrl+o")  # organisation -> overleg
        await press(pilot, "ctrl+o")  # overleg -> chair
        assert form.audience == "chair"
        assert "voorzitter" in str(form.query_one("#detail-audience").render())
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert len(screen.data.details) == before + 1
        shown = str(screen.query_one("#case-file").render())
        assert "politie meldt incident" in shown and "🔒voorzitter" in shown
        assert "Gevoelige details" in shown
    with reader() as store:
        detail = next(x for x in store.case_details(case_id) if x.organisation_id == org)
    assert (detail.text, detail.topic, detail.audience) == (
        "politie meldt incident", "police", "chair")


async def test_the_detail_form_refuses_an_empty_text_and_stays_open(demo_db) -> None:  # noqa: ANN001
    from screens.case_detail_form import CaseDetailForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot)
        await press(pilot, "g")
        form = app.screen
        assert isinstance(form, CaseDetailForm)
        form.query_one("#detail-text").text = "   "
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert "Vul de tekst in" in str(form.query_one("#text-error").render())
        await press(pilot, "escape")
        assert app.screen is not form
