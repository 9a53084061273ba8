"""Issue 17: live screens. A change arriving by sync repaints an open item screen (cursor
kept, the changed row marked); an open form on a changed record says so and offers the
choice: take theirs, keep mine, merge."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sync_helpers import seed_meeting

from db import domain as d
from db.sync import sync_once
from lvv_tui.config import Config


async def _settle(pilot) -> None:  # noqa: ANN001
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _until(pilot, predicate, timeout: float = 20) -> None:  # noqa: ANN001
    """Wait for the sync loop's thread (not a Textual worker), bounded."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the change to show"
        await asyncio.sleep(0.05)
        await pilot.pause()


def _pair(laptops, url: str):  # noqa: ANN001, ANN202
    a, b = laptops("Voorzitter"), laptops("Secretaris")
    b.set_device_name("Laptop secretaris")
    _, meeting_id, item_id = seed_meeting(a)
    org = a.views(item_id)[0].organisation_id
    sync_once(a, url)
    sync_once(b, url)
    return a, b, meeting_id, item_id, org


def _note_cell(app) -> str:  # noqa: ANN001
    views = app.screen.query_one("ViewsTable")
    return "".join(views.get_row(k)[2].plain for k in views.rows)


async def test_a_change_by_sync_repaints_the_open_item_screen(laptops, tmp_path: Path) -> None:
    from lvv_tui.app import LvvApp
    from screens.item import ItemScreen

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b, meeting_id, item_id, org = _pair(laptops, url)
    app = LvvApp(Config(db=a.path, server=url, sync_interval=0.2), store=a)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(pilot)
        await app.push_screen(ItemScreen(meeting_id, item_id))
        await _settle(pilot)
        assert _note_cell(app) == "eerste inbreng"
        views = app.screen.query_one("ViewsTable")
        views.focus()
        row_before = views.cursor_row
        b.record_view(item_id, org, d.Position.STAY, "bijgewerkt door de secretaris",
                      seen=b.views(item_id)[0].seen)
        sync_once(b, url)
        await _until(pilot, lambda: _note_cell(app) == "bijgewerkt door de secretaris")
        assert views.cursor_row == row_before
        org_cell = views.get_row(org)[0]
        assert any("reverse" in str(span.style) for span in org_cell.spans)  # marked


async def test_an_open_form_on_a_changed_record_offers_the_choice(laptops,
                                                                  tmp_path: Path) -> None:
    from lvv_tui.app import LvvApp
    from screens.item import ItemScreen
    from screens.view_form import ViewForm

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b, meeting_id, item_id, org = _pair(laptops, url)
    app = LvvApp(Config(db=a.path, server=url, sync_interval=0.2), store=a)
    async with app.run_test(size=(140, 40)) as pilot:
        await _settle(pilot)
        await app.push_screen(ItemScreen(meeting_id, item_id))
        await _settle(pilot)
        app.screen.query_one("ViewsTable").focus()
        await pilot.press("enter")
        await _settle(pilot)
        form = app.screen
        assert isinstance(form, ViewForm)
        form.query_one("#note").text = "mijn aanvulling"
        b.record_view(item_id, org, d.Position.STAY, "hun versie",
                      seen=b.views(item_id)[0].seen)
        sync_once(b, url)
        notice = form.query_one("#form-live")
        await _until(pilot, lambda: form.changed_under is not None)
        text = str(notice.render())
        assert text.startswith("Gewijzigd door Secretaris om ")
        assert "F6" in text and "F7" in text and "F8" in text
        # keep mine: a resolution naming both — mine is shown, no conflict stays
        await pilot.press("f7")
        await _settle(pilot)
        assert not isinstance(app.screen, ViewForm)
    view = a.views(item_id)[0]
    assert view.note == "mijn aanvulling" and a.conflicts() == []
    mine = a.history("partner_view", view.id)[-1]
    theirs = next(o for o in b.history("partner_view", view.id) if o["value"] == '"hun versie"')
    assert theirs["id"] in next(o.base_ids for o in a.all_ops() if o.id == mine["id"])


async def _changed_form(app, pilot, b, url, item_id, org, meeting_id):  # noqa: ANN001, ANN202
    from screens.item import ItemScreen
    from screens.view_form import ViewForm

    await _settle(pilot)
    await app.push_screen(ItemScreen(meeting_id, item_id))
    await _settle(pilot)
    app.screen.query_one("ViewsTable").focus()
    await pilot.press("enter")
    await _settle(pilot)
    form = app.screen
    assert isinstance(form, ViewForm)
    form.query_one("#note").text = "mijn aanvulling"
    b.record_view(item_id, org, d.Position.RETURN, "hun versie", seen=b.views(item_id)[0].seen)
    sync_once(b, url)
    await _until(pilot, lambda: form.changed_under is not None)
    return form


async def test_merge_keeps_both_and_opens_the_conflict(laptops, tmp_path: Path) -> None:
    from lvv_tui.app import LvvApp
    from screens.conflicts import ConflictsScreen

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b, meeting_id, item_id, org = _pair(laptops, url)
    app = LvvApp(Config(db=a.path, server=url, sync_interval=0.2), store=a)
    async with app.run_test(size=(140, 40)) as pilot:
        await _changed_form(app, pilot, b, url, item_id, org, meeting_id)
        await pilot.press("f8")
        await _settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        current = app.screen.current()
        assert current is not None and (current.entity, current.field) == ("partner_view",
                                                                           "note")
        assert {v.value for v in current.values} == {"mijn aanvulling", "hun versie"}


async def test_take_theirs_saves_nothing(laptops, tmp_path: Path) -> None:
    from lvv_tui.app import LvvApp
    from screens.item import ItemScreen

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b, meeting_id, item_id, org = _pair(laptops, url)
    app = LvvApp(Config(db=a.path, server=url, sync_interval=0.2), store=a)
    async with app.run_test(size=(140, 40)) as pilot:
        await _changed_form(app, pilot, b, url, item_id, org, meeting_id)
        ops = a.op_count()
        await pilot.press("f6")
        await _settle(pilot)
        assert isinstance(app.screen, ItemScreen)
        assert a.op_count() == ops
    assert a.views(item_id)[0].note == "hun versie" and a.conflicts() == []
