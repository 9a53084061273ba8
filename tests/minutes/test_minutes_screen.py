"""The minutes screen (Pilot): edit a summary, approve, a refused edit and a correction,
close an action, export in a worker; and the meeting screen's binding that opens it."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, TextArea

TODAY = dt.date(2026, 3, 20)


def make_app(store):  # noqa: ANN001, ANN201
    from lvv_tui.app import LvvApp
    from lvv_tui.config import Config

    return LvvApp(Config(db=store.path, lang="nl"), store=store, today=TODAY,
                  clock=lambda: 0.0)


async def settle(pilot) -> None:  # noqa: ANN001
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_minutes(pilot, meeting_id: str):  # noqa: ANN001, ANN201
    from screens.minutes import MinutesScreen

    await settle(pilot)
    screen = MinutesScreen(meeting_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def select_item(screen, item_id: str) -> None:  # noqa: ANN001
    table = screen.query_one("#minutes-items", DataTable)
    table.move_cursor(row=table.get_row_index(item_id))


async def test_edit_summary_then_approve_then_refused_edit_and_correction(store, fixed):
    app = make_app(store)
    async with app.run_test(size=(140, 48)) as pilot:
        screen = await open_minutes(pilot, fixed.meeting_id)
        assert screen.data is not None and not screen.data.doc.locked
        # edit the summary of item B (enter focuses the editor), save with ctrl+s
        select_item(screen, fixed.item_ids["B"])
        await settle(pilot)
        await pilot.press("enter")
        editor = screen.query_one("#minutes-summary", TextArea)
        assert editor.has_focus
        await pilot.press(*"Akkoord [bold]")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.minutes_texts(fixed.meeting_id)[fixed.item_ids["B"]] == "Akkoord [bold]"
        detail_marks = screen.query_one("#minutes-items", DataTable).get_row(
            fixed.item_ids["B"])[2]
        assert "✎" in detail_marks.plain

        # typing, then leaving the item without saving, saves it too (nothing lost)
        await pilot.press("end", *" en verder")
        await pilot.press("escape")
        await settle(pilot)
        assert store.minutes_texts(fixed.meeting_id)[fixed.item_ids["B"]] == (
            "Akkoord [bold] en verder")

        # approve: a confirmation, then vastgesteld in the next meeting
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        m = store.meeting(fixed.meeting_id)
        assert m.minutes_status.value == "vastgesteld"
        assert m.approved_in == fixed.next_meeting_id and m.approved_on == TODAY
        assert screen.data.doc.locked
        assert editor.read_only

        # an edit is refused by the store; the typed text goes into a correction form
        editor.load_text("Stiekem gewijzigd")
        await pilot.press("ctrl+s")
        await settle(pilot)
        from screens.minutes_dialogs import CorrectionForm

        assert isinstance(app.screen, CorrectionForm)
        assert store.minutes_texts(fixed.meeting_id)[fixed.item_ids["B"]] == (
            "Akkoord [bold] en verder")
        box = app.screen.query_one("#correction-text", TextArea)
        assert box.text == "Stiekem gewijzigd"
        box.load_text("Lees: akkoord met voorbehoud.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        corrections = store.corrections(fixed.meeting_id)
        assert [c.text for c in corrections] == ["Lees: akkoord met voorbehoud."]
        assert corrections[0].agenda_item_id == fixed.item_ids["B"]
        assert len(screen.data.doc.corrections) == 1
        assert editor.text == "Akkoord [bold] en verder"


async def test_close_an_action_from_the_actielijst(store, fixed):
    app = make_app(store)
    async with app.run_test(size=(140, 48)) as pilot:
        screen = await open_minutes(pilot, fixed.meeting_id)
        table = screen.query_one("#minutes-actions", DataTable)
        assert table.row_count == 3
        table.focus()
        table.move_cursor(row=table.get_row_index(fixed.action_ids["old"]))
        await pilot.press("d")
        await settle(pilot)
        assert table.row_count == 2
        # the old action (due first) is closed; the other one of case A stays open
        assert [a.id for a in store.actions(case_id=fixed.case_ids["A"], open_only=True)] == [
            fixed.action_ids["a"]]


async def test_export_runs_in_a_worker_with_progress(store, fixed, tmp_path):
    app = make_app(store)
    target = tmp_path / "verslag.docx"
    async with app.run_test(size=(140, 48)) as pilot:
        screen = await open_minutes(pilot, fixed.meeting_id)
        await pilot.press("x")
        await settle(pilot)
        from screens.minutes_dialogs import ExportDialog

        assert isinstance(app.screen, ExportDialog)
        path_box = app.screen.query_one("#export-path")
        path_box.value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        written = tmp_path / "verslag.PERSOONSGEGEVENS.docx"  # the name says personal data
        assert not target.exists()
        assert written.exists() and written.stat().st_size > 5000
        bar = screen.query_one("#export-progress")
        assert bar.progress == bar.total == 3
        assert "verslag.PERSOONSGEGEVENS.docx" in str(screen.query_one("#export-label").render())
        # a failing export says so and keeps the request for the next try
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#export-path").value = str(tmp_path / "missing" / "v.md")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.exporting
        assert screen.query_one("#export-status").has_class("-hidden")
        assert any("missing" in str(n.message) for n in app._notifications)
        assert not (tmp_path / "missing").exists()
        assert screen.last_export is not None
        assert screen.last_export.path == tmp_path / "missing" / "v.PERSOONSGEGEVENS.md"  # the name written
        assert screen.last_export.fmt == "md"  # the file name decides the format
        # a name without a known suffix gets the chosen format's
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#export-path").value = str(tmp_path / "notulen")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = (tmp_path / "notulen.PERSOONSGEGEVENS.md").read_text(encoding="utf-8")
        assert text.startswith("**BEVAT PERSOONSGEGEVENS")
        assert "\n\n# Verslag" in text
    from docx import Document

    text = "\n".join(p.text for p in Document(str(written)).paragraphs)
    assert "Vertrouwelijke politie-info" not in text and "Besluitenlijst" in text


async def test_meeting_screen_opens_the_minutes_with_v(store, fixed):
    from screens.meeting import MeetingScreen
    from screens.minutes import MinutesScreen

    app = make_app(store)
    async with app.run_test(size=(140, 48)) as pilot:
        await settle(pilot)
        await app.push_screen(MeetingScreen(fixed.meeting_id))
        await settle(pilot)
        assert "minutes" in {b.binding.id for b in app.screen.active_bindings.values()}
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, MinutesScreen)
        assert app.screen.meeting_id == fixed.meeting_id


async def test_a_conflicting_summary_is_marked(store, fixed, tmp_path):
    from db.store import Store

    other = Store.open(tmp_path / "other.db", "test-passphrase", author="Ander", create=True)
    try:
        other.apply_remote(store.unpushed_ops(limit=100_000))
        item = fixed.item_ids["A"]
        store.set_minutes_text(fixed.meeting_id, item, "Versie een")
        other.set_minutes_text(fixed.meeting_id, item, "Versie twee")
        store.apply_remote([op for op in other.unpushed_ops(limit=100_000)
                            if op.device_id == other.device_id])
    finally:
        other.close()
    app = make_app(store)
    async with app.run_test(size=(140, 48)) as pilot:
        screen = await open_minutes(pilot, fixed.meeting_id)
        assert screen.data.conflicted == {item}
        marks = screen.query_one("#minutes-items", DataTable).get_row(item)[2]
        assert "conflict" in marks.plain
        select_item(screen, item)
        await settle(pilot)
        detail = str(screen.query_one("#minutes-detail").render())
        assert "Twee versies" in detail
