"""Pilot: the command palette speaks Dutch, Textual's own entries included."""

from __future__ import annotations

from screen_helpers import make_app, press, settle


async def test_palette_placeholder_and_system_entries_are_dutch(demo_db) -> None:  # noqa: ANN001
    from textual.command import CommandInput, CommandPalette

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Afsluiten" in titles and "Thema" in titles and "Schermafdruk" in titles
        assert not {"Quit", "Theme", "Screenshot", "Keys"} & set(titles)
        await press(pilot, "ctrl+p")
        assert CommandPalette.is_open(app)
        assert app.screen.query_one(CommandInput).placeholder == "Zoek een opdracht…"


async def test_english_stays_english(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Quit" in titles and "Afsluiten" not in titles
