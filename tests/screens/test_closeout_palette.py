"""Pilot: what Textual itself says in the palette is Dutch too — "no matches", the theme
picker, ctrl+c's hint, the screenshot's message — and the one private method replaced for
"No matches found" is watched: this test fails when Textual changes it."""

from __future__ import annotations

import inspect
from pathlib import Path

from screen_helpers import make_app, press, settle, type_text, wait_for


def _screen_text(app) -> str:  # noqa: ANN001
    return app.export_screenshot()


def test_textual_no_matches_method_is_the_one_we_replace() -> None:
    """lvv_tui.system_commands.palette_class copies this method with our words; when
    Textual changes it (or its names), look at the copy again and update this test."""
    import textual
    from textual.command import CommandPalette

    source = inspect.getsource(CommandPalette._start_no_matches_countdown)
    for name in ("_stop_no_matches_countdown", "_NO_MATCHES_COUNTDOWN", "_NO_MATCHES",
                 "_list_visible", "_no_matches_timer", '"No matches found"',
                 "add_option", "disabled=True"):
        assert name in source, f"Textual {textual.__version__} changed: {name} not found"
    assert inspect.signature(CommandPalette._start_no_matches_countdown) == inspect.signature(
        __import__("lvv_tui.system_commands", fromlist=["palette_class"])
        .palette_class()._start_no_matches_countdown)


async def test_no_matches_is_dutch(demo_db) -> None:  # noqa: ANN001
    from textual.command import CommandList, CommandPalette

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        assert CommandPalette.is_open(app)
        await type_text(pilot, "qqqxyz")
        commands = app.screen.query_one(CommandList)
        for _ in range(40):  # the palette waits half a second before it says so
            if commands.option_count:
                break
            await pilot.pause(0.05)
        prompts = [str(commands.get_option_at_index(i).prompt.renderable)
                   for i in range(commands.option_count)]
        assert any("Geen opdrachten gevonden" in p for p in prompts), prompts
        assert "No matches found" not in _screen_text(app)


async def test_theme_picker_and_ctrl_c_hint_are_dutch(demo_db) -> None:  # noqa: ANN001
    from textual.command import CommandInput

    app = make_app(demo_db)
    notes: list[tuple[str, str]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.notify = lambda message, title="", **_kw: notes.append((message, title))
        await press(pilot, "ctrl+c")
        assert notes and notes[0][0].startswith("Druk op ") and "sluiten" in notes[0][0]
        app.search_themes()
        await settle(pilot)
        assert app.screen.query_one(CommandInput).placeholder == "Zoek een thema…"


async def test_screenshot_goes_to_the_export_folder_in_dutch(demo_db, tmp_path: Path,
                                                            monkeypatch) -> None:  # noqa: ANN001
    folder = tmp_path / "docs"
    folder.mkdir()
    monkeypatch.setenv("LVV_EXPORT_DIR", str(folder))
    from lvv_tui.app import LvvApp
    from lvv_tui.config import load

    cfg = load(db=str(demo_db))
    assert cfg.export_dir == folder
    app = LvvApp(cfg)
    notes: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.notify = lambda message, **_kw: notes.append(message)
        app.deliver_screenshot()
        await settle(pilot)
    shots = list(folder.glob("schermafdruk-*.svg"))
    assert len(shots) == 1 and notes == [f"Schermafdruk bewaard in {shots[0]}"]


async def test_export_dialog_defaults_to_the_documents_folder(demo_db, tmp_path: Path,
                                                              monkeypatch) -> None:  # noqa: ANN001
    from textual.widgets import Input

    from screens.minutes_dialogs import ExportDialog

    docs = tmp_path / "home" / "Documenten"
    docs.mkdir(parents=True)
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(docs))
    monkeypatch.chdir(tmp_path)
    app = make_app(demo_db)
    assert app.cfg.export_dir == docs
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "v")
        await press(pilot, "x")
        assert isinstance(app.screen, ExportDialog)
        path = Path(app.screen.query_one("#export-path", Input).value)
        assert path.parent == docs and path.suffix == ".docx"
        # the name the file is written under, personal-data mark and all
        assert path.name.startswith("verslag-") and path.name.endswith(".PERSOONSGEGEVENS.docx")
        app.screen.query_one("#export-path", Input).value = str(docs / "notulen.md")
        await press(pilot, "ctrl+s")
        assert app.screen.last_export.path == docs / "notulen.PERSOONSGEGEVENS.md"
        await wait_for(pilot, lambda: (docs / "notulen.PERSOONSGEGEVENS.md").exists(),
                       "the export written")
