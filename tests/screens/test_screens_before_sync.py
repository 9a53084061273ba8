"""Before the meeting across two laptops (issue 15, "Done when"): the chair publishes, the
partner prepares its input offline on its own laptop (draft, then submit), both sync; the
chair changes the agenda (version 2 with its change list on the partner's laptop after the
sync); the chair's meeting screen shows who submitted and the view form starts from it."""

from __future__ import annotations

from pathlib import Path

from screen_helpers import TODAY, make_app, press, settle

from tests.conftest import PASSPHRASE


def _sync(path: Path, hub: str, author: str) -> None:
    from db.store import Store
    from db.sync import sync_once

    store = Store.open(path, PASSPHRASE, author=author, create=not path.exists())
    try:
        sync_once(store, hub)
    finally:
        store.close()


def _info(app) -> str:  # noqa: ANN001
    return str(app.screen.query_one("#meeting-info").render())


def _first_case_item(db: Path) -> tuple:
    """The first overleg, the first case item on its meeting today, and its NGO."""
    from db import domain as d
    from db.store import Store

    store = Store.open(db, PASSPHRASE)
    try:
        overleg = store.overleggen()[0]
        meeting = store.meetings(overleg.id, today=TODAY)[0]
        item = next(i for i in store.agenda(meeting.id) if i.kind is d.ItemKind.CASE)
        ngo = next(o for o in store.organisations(overleg.id) if o.kind is d.OrgKind.NGO)
    finally:
        store.close()
    return overleg, item, ngo


async def _to_item(pilot, item_id: str) -> None:  # noqa: ANN001
    await settle(pilot)
    await press(pilot, "enter")  # today's meeting
    agenda = pilot.app.screen.query_one("#agenda")
    agenda.move_cursor(row=agenda.get_row_index(item_id))


async def test_publish_prepare_offline_sync_and_the_chair_starts_from_the_input(
        demo_db: Path, tmp_path: Path) -> None:
    from db import domain as d
    from db.store import Store
    from lvv_tui.app import LvvApp
    from lvv_tui.config import Config
    from screens.input_form import InputForm
    from screens.item import ItemScreen
    from screens.view_form import ViewForm

    hub = f"sqlite:///{tmp_path / 'hub.db'}"
    laptop = tmp_path / "ngo-laptop.db"
    overleg, item, ngo = _first_case_item(demo_db)

    # 1. the chair publishes from the meeting screen (P); the laptops sync
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_item(pilot, item.id)
        await press(pilot, "P")
        assert "Agenda versie 1" in _info(app)
    _sync(demo_db, hub, "Voorzitter")
    _sync(laptop, hub, "NGO")

    # 2. on its own laptop, offline, the NGO drafts its input, then submits it
    partner = LvvApp(Config(db=laptop, lang="nl", organisation=ngo.name), today=TODAY,
                     clock=lambda: 0.0)
    async with partner.run_test(size=(120, 40)) as pilot:
        await _to_item(pilot, item.id)
        assert "Agenda versie 1" in _info(partner)
        await press(pilot, "i")
        form = partner.screen
        assert isinstance(form, InputForm)
        form.query_one("#feiten").text = "Opgenomen in het ziekenhuis"
        form.query_one("#oordeel").text = "Alleen voor de NGO"
        form.query_one("#inzet").text = "Zoekt behandelaar"
        await press(pilot, "ctrl+s")  # a draft
        await press(pilot, "i")
        form = partner.screen
        assert form.query_one("#feiten").text == "Opgenomen in het ziekenhuis"
        form.query_one("#submit").value = True
        await press(pilot, "ctrl+s")
        assert "✉ inbreng: NGO" in pilot.app.screen.query_one("#agenda").get_row(item.id)[1].plain

    # 3. the chair changes the agenda after publication: version 2 with its change list
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_item(pilot, item.id)
        await press(pilot, "g")
        app.screen.query_one("#title").value = "Extra punt"
        await press(pilot, "ctrl+s")
        assert "Agenda versie 2" in _info(app)
    for path, who in ((demo_db, "Voorzitter"), (laptop, "NGO"), (demo_db, "Voorzitter")):
        _sync(path, hub, who)

    # 4. the partner's laptop shows version 2 and what changed
    partner = LvvApp(Config(db=laptop, lang="nl", organisation=ngo.name), today=TODAY,
                     clock=lambda: 0.0)
    async with partner.run_test(size=(120, 40)) as pilot:
        await _to_item(pilot, item.id)
        info = _info(partner)
        assert "Agenda versie 2" in info and "toegevoegd (Extra punt)" in info

    # 5. the chair sees who submitted; the view form starts from the input (no oordeel)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_item(pilot, item.id)
        row = app.screen.query_one("#agenda").get_row(item.id)
        assert "✉ inbreng: NGO" in row[1].plain
        await press(pilot, "enter")
        assert isinstance(app.screen, ItemScreen)
        views = app.screen.query_one("#views")
        views.move_cursor(row=views.get_row_index(ngo.id))
        await press(pilot, "enter")
        form = app.screen
        assert isinstance(form, ViewForm)
        note = form.query_one("#note").text
        assert note == "Feiten: Opgenomen in het ziekenhuis\nInzet: Zoekt behandelaar"
        assert "Alleen voor de NGO" not in note
        form.query_one("#note").text = note + "\nAan tafel: arts bellen"
        await press(pilot, "ctrl+s")
    store = Store.open(demo_db, PASSPHRASE)
    try:  # the record keeps both: the input as submitted, the view as said at the table
        (view,) = [v for v in store.views(item.id) if v.organisation_id == ngo.id]
        assert view.note.endswith("Aan tafel: arts bellen")
        gemeente = next(o for o in store.organisations(overleg.id)
                        if o.kind is d.OrgKind.GEMEENTE)
        (kept,) = store.partner_inputs(item.id, gemeente.id)
        # (a SQLite hub is one trust domain: the op may be on this laptop, never on screen;
        # with PostgreSQL the server withholds it, tests/sync/test_sync_before.py)
        assert kept.feiten == "Opgenomen in het ziekenhuis" and kept.oordeel is None
    finally:
        store.close()


async def test_input_on_a_laptop_without_its_own_organisation_asks_for_one(
        demo_db: Path) -> None:
    """A laptop with no organisation configured (the chair's) presses ``i`` after publishing:
    the form opens with no organisation chosen (it crashed on Textual's blank value) and
    saving without one says it is required."""
    from screens.input_form import InputForm

    _overleg, item, _ngo = _first_case_item(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_item(pilot, item.id)
        await press(pilot, "P", "i")
        form = app.screen
        assert isinstance(form, InputForm)
        assert form.query_one("#organisation").prompt == "Kies de organisatie"  # not "Select"
        form.query_one("#inzet").text = "Zoekt behandelaar"
        await press(pilot, "ctrl+s")
        assert app.screen is form  # not saved
        assert "verplicht" in str(form.query_one("#organisation_id-error").render()).lower()
        assert form.query_one("#inzet").text == "Zoekt behandelaar"
