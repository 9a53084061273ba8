"""The app shell: unlock, languages, keymap, help, command palette, an empty database."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from screen_helpers import (
    make_app,
    open_today_item,
    palette_highlight,
    press,
    settle,
    type_text,
    wait_for,
)

from db import domain as d


def test_screens_catalogs_have_the_same_keys() -> None:
    folder = resources.files("lvv_tui.locales")
    nl = json.loads((folder / "screens.nl.json").read_text(encoding="utf-8"))
    en = json.loads((folder / "screens.en.json").read_text(encoding="utf-8"))
    assert nl.keys() == en.keys()
    assert all(v.strip() for v in [*nl.values(), *en.values()])


def test_every_binding_has_an_id_and_a_text_in_both_languages() -> None:
    from textual.binding import Binding

    from lvv_tui import i18n
    from lvv_tui.app import LvvApp
    from screens.keys import declared, registry

    found = registry()  # every screen and widget class of screens/, by binding id
    assert {"item-next", "decision-record", "minutes", "form-save", "help-close"} <= set(found)
    own = [(cls, b) for entries in found.values() for cls, b in entries]
    own += [("LvvApp", b) for b in declared(LvvApp) if b.id]
    missing = [f"{cls}: binding.{b.id} ({lang})" for cls, b in own for lang in ("nl", "en")
               if b.description and f"binding.{b.id}" not in i18n.catalog(lang)]
    assert missing == []
    # an id names one binding (the keymap rebinds it by id)
    doubled = {binding_id: [cls for cls, _b in entries]
               for binding_id, entries in found.items() if len(entries) > 1}
    assert doubled == {}
    assert not {b.id for b in declared(LvvApp)} & set(found)
    # and no class of screens/ declares a binding without an id
    import importlib
    import pkgutil

    import screens

    no_id = []
    for info in pkgutil.walk_packages(screens.__path__, "screens."):
        for value in vars(importlib.import_module(info.name)).values():
            if isinstance(value, type) and value.__module__ == info.name:
                no_id += [f"{value.__name__}: {b.key}"
                          for b in Binding.make_bindings(vars(value).get("BINDINGS", []))
                          if not b.id]
    assert no_id == []


def test_every_screen_gets_the_context_and_the_catalog_texts() -> None:
    """Each screen class of screens/ mixes in ScreenBase (``self.ctx``, translated footer)."""
    import importlib
    import pkgutil

    from textual.screen import Screen

    import screens
    from screens.widgets.base import ScreenBase

    bare = []
    for info in pkgutil.walk_packages(screens.__path__, "screens."):
        for value in vars(importlib.import_module(info.name)).values():
            if (isinstance(value, type) and issubclass(value, Screen)
                    and value.__module__ == info.name and not issubclass(value, ScreenBase)):
                bare.append(value.__name__)
    assert bare == []


async def test_env_passphrase_skips_unlock(demo_db) -> None:  # noqa: ANN001
    from screens.meetings import MeetingsScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MeetingsScreen)
        table = app.screen.query_one("#meetings")
        assert table.row_count == 12
        # upcoming first: today's meeting, then next week's, then the past, latest first
        dates = [table.get_row_at(n)[0].plain for n in range(4)]
        assert dates == ["2026-03-04", "2026-03-11", "2026-02-25", "2026-02-18"]


async def test_unlock_wrong_then_right(demo_db, monkeypatch) -> None:  # noqa: ANN001
    from screens.meetings import MeetingsScreen
    from screens.unlock import UnlockScreen

    monkeypatch.delenv("LVV_PASSPHRASE")
    before = demo_db.read_bytes()
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        await type_text(pilot, "wrong")
        await press(pilot, "enter")
        message = str(app.screen.query_one("#unlock-message").render())
        assert message == "Onjuiste wachtwoordzin. Het bestand is niet gewijzigd."
        assert demo_db.read_bytes() == before
        await type_text(pilot, "test-passphrase")
        await press(pilot, "enter")
        assert isinstance(app.screen, MeetingsScreen)


async def test_new_database_asks_twice_then_overleg_and_meeting(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from screens.meeting import MeetingScreen
    from screens.meetings import MeetingsScreen
    from screens.unlock import UnlockScreen

    monkeypatch.delenv("LVV_PASSPHRASE")
    path = tmp_path / "new" / "lvv.db"
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        await type_text(pilot, "geheim")
        await press(pilot, "enter")
        await type_text(pilot, "geheimx")
        await press(pilot, "enter")
        assert "verschillen" in str(app.screen.query_one("#unlock-message").render())
        assert not path.exists()
        app.screen.query_one("#passphrase-again").value = ""
        await type_text(pilot, "geheim")
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, MeetingsScreen)
        assert "o om een overleg" in str(screen.query_one("#meetings-hint").render())
        # n without an overleg offers the overleg form first
        await press(pilot, "n")
        await type_text(pilot, "LSO Test")
        await press(pilot, "tab")
        await type_text(pilot, "Teststad")
        await press(pilot, "ctrl+s")
        assert app.screen is screen
        await press(pilot, "n")
        await type_text(pilot, "2026-13-01")
        await press(pilot, "tab")
        await type_text(pilot, "25:00")
        await press(pilot, "ctrl+s")
        form = app.screen
        assert str(form.query_one("#date-error").render()).startswith("Ongeldige datum")
        assert str(form.query_one("#start_time-error").render()).startswith("Ongeldige tijd")
        form.query_one("#date").value = "12-03-2026"
        form.query_one("#start_time").value = "9.30"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MeetingScreen)
        meeting = app.screen.data.meeting
        assert (meeting.date.isoformat(), meeting.start_time) == ("2026-03-12", "09:30")
        assert [i.kind for i in app.screen.data.items] == [
            d.ItemKind.OPENING, d.ItemKind.ANNOUNCEMENTS, d.ItemKind.PREVIOUS_MINUTES,
            d.ItemKind.AOB, d.ItemKind.CLOSING]
        assert len(app.screen.data.organisations) == 5
    from db.store import Store

    store = Store.open(path, "geheim")
    try:
        assert [o.name for o in store.overleggen()] == ["LSO Test"]
    finally:
        store.close()


async def test_english(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        screen = app.screen
        assert str(screen.query_one("#views-title").render()) == "Views (Enter records)"
        footer_keys = {b.binding.description for b in screen.active_bindings.values()}
        assert {"Next item", "Decision", "Action"} <= footer_keys
    from lvv_tui import i18n

    i18n.set_language("nl")


async def test_user_keymap_rebinds_by_id(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db, keymap={"item-next": "j", "item-previous": "k"})
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 1)
        screen = app.screen
        ids = [i.id for i in screen.data.items]
        await press(pilot, "j", "j")
        assert screen.item_id == ids[2]
        await press(pilot, "k")
        assert screen.item_id == ids[1]


async def test_help_lists_the_keys_with_ids(demo_db) -> None:  # noqa: ANN001
    from screens.help import HelpScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-keys")
        rows = {table.get_row_at(n)[2].plain: table.get_row_at(n)[1].plain
                for n in range(table.row_count)}
        assert rows["item-next"] == "Volgend punt"
        assert rows["decision-record"] == "Besluit"
        assert rows["view-record"] == "Standpunt"
        assert rows["quit"] == "Afsluiten"
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_goes_to_item_n(demo_db) -> None:  # noqa: ANN001
    from textual.command import CommandPalette

    from screens.decision_form import DecisionForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 1)
        screen = app.screen
        ids = [i.id for i in screen.data.items]
        await press(pilot, "ctrl+p")
        assert CommandPalette.is_open(app)
        await type_text(pilot, "punt 5")
        await wait_for(pilot, lambda: palette_highlight(app).startswith("Ga naar punt 5:"),
                       "the palette offers item 5")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: screen.data is not None and screen.data.item.id == ids[4],
                       "item 5 is shown")
        assert screen.data.items[4].kind is d.ItemKind.CASE
        # and record a decision through the palette: the decision form opens
        await press(pilot, "ctrl+p")
        await type_text(pilot, "besluit vastleggen")
        await wait_for(pilot, lambda: palette_highlight(app) == "Besluit vastleggen",
                       "the palette offers the decision")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DecisionForm),
                       "the decision form opens")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_timer_counts_against_the_time_box(demo_db, size) -> None:  # noqa: ANN001
    now = [100.0]
    app = make_app(demo_db)
    app.context.clock = lambda: now[0]
    async with app.run_test(size=size) as pilot:
        await open_today_item(pilot, 4)
        screen = app.screen
        now[0] += 16 * 60 + 5
        screen.tick()
        bar = screen.query_one("#item-bar").render()
        assert "16:05 / 15:00" in str(bar)
        await press(pilot, "s")  # pause
        now[0] += 600
        screen.tick()
        assert "16:05 / 15:00" in str(screen.query_one("#item-bar").render())
        await press(pilot, "n", "p")  # away and back: the time spent is kept
        screen.tick()
        assert "16:05" in str(screen.query_one("#item-bar").render())
