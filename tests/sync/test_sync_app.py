"""The sync in the app: the background loop, the header status, the conflicts screen."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sync_helpers import seed_meeting

from db.sync import sync_once
from lvv_tui.config import Config
from lvv_tui.syncworker import MAX_BACKOFF, SyncLoop, SyncState

PASSPHRASE = "test-passphrase"


def _conflicted(laptops, url: str):  # noqa: ANN001, ANN202
    """Two laptops whose meeting place conflicts; returns (a, b, meeting_id)."""
    a, b = laptops("Anna"), laptops("Bram")
    _, meeting_id, _ = seed_meeting(a)
    sync_once(a, url)
    sync_once(b, url)
    a.update_meeting(meeting_id, place="Zaal [b]Anna[/b]")
    b.update_meeting(meeting_id, place="Zaal Bram")
    for laptop in (a, b, a):
        sync_once(laptop, url)
    assert len(a.conflicts()) == 1
    return a, b, meeting_id


# -- the loop ---------------------------------------------------------------------------


def test_round_counts_and_goes_offline_with_back_off(laptops, tmp_path: Path) -> None:
    a = laptops("A")
    seed_meeting(a)
    seen: list[SyncState] = []
    loop = SyncLoop(a, f"sqlite:///{tmp_path / 'hub.db'}", interval=2, on_change=seen.append)
    state = loop.run_round()
    assert (state.phase, state.unsynced, state.conflicts) == ("synced", 0, 0)
    assert state.last_sync_ms and state.rounds == 1
    assert [s.phase for s in seen] == ["syncing", "synced"]
    assert loop.next_wait() == 2
    a.update_meeting(a.meetings(a.overleggen()[0].id)[0].id, place="Elders")
    offline = SyncLoop(a, f"sqlite:///{tmp_path / 'gone' / 'hub.db'}", interval=2)
    state = offline.run_round()
    assert state.phase == "offline" and "gone" in state.message
    assert state.unsynced == 1
    waits = [offline.next_wait()]
    for _ in range(8):
        offline.run_round()
        waits.append(offline.next_wait())
    assert waits == sorted(waits) and waits[0] == 4 and waits[-1] == MAX_BACKOFF


class Reports:
    """Collects the states a loop reports (from its thread); waits on them, not on time."""

    def __init__(self) -> None:
        self.states: list[SyncState] = []
        self._changed = threading.Condition()

    def __call__(self, state: SyncState) -> None:
        with self._changed:
            self.states.append(state)
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float = 20) -> SyncState:  # noqa: ANN001
        """The first reported state that satisfies ``predicate`` (fails after ``timeout``)."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: next((s for s in self.states if predicate(s)), None), timeout)
        assert found is not None, f"no such state reported: {self.states}"
        return found


def test_notify_wakes_the_loop_at_once(pg_hub: str, laptops) -> None:
    a, b = laptops("A"), laptops("B")
    seed_meeting(a)
    reports = Reports()
    # without NOTIFY the second round would be a minute away
    loop = SyncLoop(b, pg_hub, interval=60, on_change=reports)
    loop.start()
    try:
        first = reports.wait_for(lambda s: s.rounds == 1)
        assert first.phase == "synced"
        assert loop.listening.wait(20), "LISTEN never started"
        sync_once(a, pg_hub)
        second = reports.wait_for(lambda s: s.rounds == 2)
        assert second.phase == "synced"
        assert b.op_count() == a.op_count()
    finally:
        loop.stop()
    assert not loop.running
    assert b.dump() == a.dump()


def test_the_loop_keeps_running_after_failures(laptops, tmp_path: Path) -> None:
    a = laptops("A")
    reports = Reports()
    loop = SyncLoop(a, "postgresql://lvv@127.0.0.1:1/lvv", interval=0.05, listen=False,
                    on_change=reports)
    loop.start()
    try:
        reports.wait_for(lambda s: s.rounds == 2)
    finally:
        loop.stop()
    finished = [s for s in reports.states if s.rounds >= 1 and s.phase != "syncing"]
    assert [s.rounds for s in finished[:2]] == [1, 2]
    assert {s.phase for s in finished} == {"offline"}


# -- the header ----------------------------------------------------------------------------


def test_status_texts() -> None:
    from screens.widgets.sync_status import status_text

    assert status_text(None, has_server=False).plain == "alleen lokaal"
    assert status_text(SyncState(phase="offline", unsynced=3)).plain == (
        "offline · 3 niet gesynchroniseerd")
    assert status_text(SyncState(phase="syncing")).plain == "synchroniseren…"
    synced = SyncState(phase="synced", conflicts=2,
                       last_sync_ms=int(time.time() * 1000))
    text = status_text(synced).plain
    assert text.startswith("gesynchroniseerd ") and text.endswith(" · 2 conflicten")
    assert text[len("gesynchroniseerd "):len("gesynchroniseerd ") + 5].count(":") == 1


async def _settle(pilot) -> None:  # noqa: ANN001
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _until(pilot, predicate, timeout: float = 15) -> None:  # noqa: ANN001
    """Wait for the sync loop's thread (not a Textual worker), bounded."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the sync loop"
        await asyncio.sleep(0.05)
    await _settle(pilot)


async def test_app_syncs_in_the_background_and_shows_it(laptops, tmp_path: Path) -> None:
    from lvv_tui.app import LvvApp
    from screens.widgets.sync_status import SyncStatus

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b, _ = _conflicted(laptops, url)
    cfg = Config(db=a.path, server=url, sync_interval=60)  # one round, at start
    app = LvvApp(cfg, store=a)
    async with app.run_test(size=(120, 30)) as pilot:
        # the app's context gets the state by the loop's message (the widget never asks)
        await _until(pilot, lambda: app.context.sync is not None
                     and app.context.sync.phase == "synced")
        status = app.screen.query_one(SyncStatus)
        text = str(status.render())
        assert "gesynchroniseerd" in text and text.endswith(" · 1 conflict")
        # a later report reaches the widget the same way
        app.post_message(app.SyncChanged(replace(app.context.sync, phase="offline",
                                                 unsynced=3)))
        await _settle(pilot)
        assert str(status.render()).startswith("offline · 3 niet gesynchroniseerd")
    assert app.context.sync_loop is not None and not app.context.sync_loop.running


async def test_app_without_server_is_local_only(laptops) -> None:
    from lvv_tui.app import LvvApp
    from screens.widgets.sync_status import SyncStatus

    a = laptops("A")
    seed_meeting(a)
    app = LvvApp(Config(db=a.path), store=a)
    async with app.run_test(size=(120, 30)) as pilot:
        await _settle(pilot)
        assert app.context.sync_loop is None
        assert "alleen lokaal" in str(app.screen.query_one(SyncStatus).render())


# -- the conflicts screen -------------------------------------------------------------------


async def _open_conflicts(pilot) -> None:  # noqa: ANN001
    from screens.conflicts import ConflictsScreen

    await _settle(pilot)
    await pilot.press("ctrl+k")
    await _settle(pilot)
    assert isinstance(pilot.app.screen, ConflictsScreen)


async def test_pick_a_value(laptops, tmp_path: Path) -> None:
    from lvv_tui.app import LvvApp

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b, meeting_id = _conflicted(laptops, url)
    app = LvvApp(Config(db=a.path), store=a)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_conflicts(pilot)
        screen = app.screen
        values = screen.query_one("#conflict-values")
        assert screen.query_one("#conflict-list").row_count == 1
        assert values.row_count == 2
        cells = [values.get_row_at(i) for i in range(2)]
        shown = {cell[0].plain.split("  (")[0] for cell in cells}
        assert shown == {"Zaal [b]Anna[/b]", "Zaal Bram"}  # markup stays text
        assert {cell[1].plain for cell in cells} == {"Anna", "Bram"}
        row = next(i for i, cell in enumerate(cells) if cell[1].plain == "Bram")
        values.focus()
        values.move_cursor(row=row)
        await pilot.press("enter")
        await _settle(pilot)
        assert screen.query_one("#conflict-list").row_count == 0
    assert a.conflicts() == []
    assert a.meeting(meeting_id).place == "Zaal Bram"
    sync_once(a, url)
    sync_once(b, url)
    assert b.conflicts() == [] and b.meeting(meeting_id).place == "Zaal Bram"


async def test_write_a_merged_value(laptops, tmp_path: Path) -> None:
    from lvv_tui.app import LvvApp
    from screens.conflicts import MergeArea

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b, meeting_id = _conflicted(laptops, url)
    app = LvvApp(Config(db=a.path, lang="en"), store=a)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_conflicts(pilot)
        await pilot.press("m")
        await _settle(pilot)
        area = app.screen.query_one(MergeArea)
        assert app.focused is area and area.text in ("Zaal [b]Anna[/b]", "Zaal Bram")
        area.text = "x" * 201  # too long for a place: refused, the text stays
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert "201" in str(app.screen.query_one("#merge-error").render())
        assert area.text == "x" * 201 and len(a.conflicts()) == 1
        area.text = "Zaal Anna en Bram"
        await pilot.press("ctrl+j")
        await _settle(pilot)
        assert app.screen.query_one("#conflict-list").row_count == 0
        assert not app.screen.query_one("#merge-box").display
    assert a.conflicts() == []
    assert a.meeting(meeting_id).place == "Zaal Anna en Bram"
    sync_once(a, url)
    sync_once(b, url)
    assert b.conflicts() == [] and b.meeting(meeting_id).place == "Zaal Anna en Bram"


async def test_merge_refused_for_choices(laptops, tmp_path: Path) -> None:
    from db import domain as d
    from lvv_tui.app import LvvApp

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a, b = laptops("A"), laptops("B")
    _, _, item_id = seed_meeting(a)
    for laptop in (a, b):
        sync_once(laptop, url)
    a.decide(item_id, d.Perspective.RETURN)
    b.decide(item_id, d.Perspective.STAY)
    for laptop in (a, b, a):
        sync_once(laptop, url)
    before = a.conflicts()
    assert before
    app = LvvApp(Config(db=a.path), store=a)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_conflicts(pilot)
        list_table = app.screen.query_one("#conflict-list")
        fields = [list_table.get_row_at(i)[2].plain for i in range(list_table.row_count)]
        list_table.move_cursor(row=fields.index("perspectief"))
        await _settle(pilot)
        await pilot.press("m")
        await _settle(pilot)
        assert not app.screen.query_one("#merge-box").display
    assert len(a.conflicts()) == len(before)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_field_and_entity_has_a_label(lang: str) -> None:
    from db.tables import ENTITIES, entity_fields
    from lvv_tui.i18n import catalog

    keys = catalog(lang)
    for entity in ENTITIES:
        assert f"conflicts.entity.{entity}" in keys
        for field in entity_fields(entity):
            assert f"conflicts.field.{field}" in keys


def test_refused_ops_show_in_the_header(laptops, tmp_path: Path) -> None:
    import json

    from db.projection import WireOp
    from screens.widgets.sync_status import status_text

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    a = laptops("A")
    seed_meeting(a)
    sync_once(a, url)
    original = a.all_ops()[0]
    m = laptops("M")
    m.bulk_import([WireOp(**{**original.as_dict(), "value": json.dumps("anders")})])
    state = SyncLoop(m, url, listen=False).run_round()
    assert state.phase == "synced" and state.refused == 2  # refused up, set aside down
    assert state.unsynced == 1
    assert "2 geweigerd" in status_text(state).plain
