"""The idle lock: hides every screen, drops the key, keeps a half-typed note, needs the
passphrase (issue 15 item 4). The clock is injected; the timer's check is called directly."""

from __future__ import annotations

import pytest
from screen_helpers import TODAY, open_today_item, press, settle, type_text

from tests.conftest import PASSPHRASE


def _app(db, clock, lock_after: float = 10):  # noqa: ANN001, ANN202
    from lvv_tui.app import LvvApp
    from lvv_tui.config import Config

    return LvvApp(Config(db=db, lang="nl", lock_after=lock_after), today=TODAY,
                  clock=lambda: clock[0])


def _kept(path):  # noqa: ANN001, ANN202
    """The form texts the locked app keeps in the encrypted file (None: none)."""
    import json

    from db.engine import open_engine

    engine = open_engine(path, PASSPHRASE)
    try:
        with engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT value FROM meta WHERE key = 'locked_form_texts'").fetchone()
    finally:
        engine.dispose()
    return json.loads(row[0]) if row else None


def _screen_text(app) -> str:  # noqa: ANN001
    return "\n".join("".join(seg.text for seg in strip)
                     for strip in app.screen._compositor.render_strips())


async def _open_view_form(pilot) -> None:  # noqa: ANN001
    from db import domain as d
    from screens.item import ItemScreen

    await settle(pilot)
    await press(pilot, "enter")
    row = next(n for n, i in enumerate(pilot.app.screen.data.items)
               if i.kind is d.ItemKind.CASE)
    pilot.app.screen.query_one("#agenda").move_cursor(row=row)
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, ItemScreen)
    await press(pilot, "enter", "2", "tab")


async def test_idle_lock_hides_keeps_the_note_and_needs_the_passphrase(demo_db) -> None:  # noqa: ANN001
    from screens.lock import LockScreen
    from screens.view_form import ViewForm

    clock = [1000.0]
    app = _app(demo_db, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_view_form(pilot)
        form = app.screen
        assert isinstance(form, ViewForm)
        await type_text(pilot, "half typed secret")
        assert "half typed secret" in _screen_text(app)

        clock[0] += 9 * 60  # nine idle minutes: not yet
        assert app.idle.check() is False
        assert app.screen is form
        clock[0] += 61
        assert app.idle.check() is True
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert "half typed secret" not in _screen_text(app)
        assert app.store is not None and app.store.locked  # the key is dropped
        # the half-typed note is kept encrypted: out of the field, in the SQLCipher file only
        assert form.query_one("#note").text == ""
        assert _kept(demo_db) == ["half typed secret"]
        for path in (demo_db, demo_db.with_name(demo_db.name + "-wal")):
            assert not path.exists() or b"half typed secret" not in path.read_bytes()
        from db.store import StoreLocked

        with pytest.raises(StoreLocked):
            app.store.meeting("x")
        # nothing opens on top of the lock
        await press(pilot, "ctrl+r")
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, LockScreen)

        await type_text(pilot, "wrong")
        await press(pilot, "enter")
        assert isinstance(app.screen, LockScreen)
        assert app.store.locked
        assert "Onjuiste" in _screen_text(app) or "onjuist" in _screen_text(app).lower()

        await type_text(pilot, PASSPHRASE)
        await press(pilot, "enter")
        assert app.screen is form  # back where the user was
        assert not app.store.locked
        assert form.query_one("#note").text == "half typed secret"
        assert _kept(demo_db) is None  # handed back once, then gone from the file
        assert "half typed secret" in _screen_text(app)
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, ViewForm)  # the note saved after unlocking


async def test_ctrl_l_locks_at_once_and_zero_never_locks(demo_db) -> None:  # noqa: ANN001
    from screens.lock import LockScreen

    clock = [0.0]
    app = _app(demo_db, clock, lock_after=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot)
        item = app.screen
        clock[0] += 10 * 24 * 3600
        assert app.idle.check() is False
        assert app.screen is item
        await press(pilot, "ctrl+l")
        assert isinstance(app.screen, LockScreen)
        assert app.store.locked
        await type_text(pilot, PASSPHRASE)
        await press(pilot, "enter")
        assert app.screen is item


async def test_a_key_resets_the_idle_time(demo_db) -> None:  # noqa: ANN001
    clock = [0.0]
    app = _app(demo_db, clock, lock_after=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock[0] += 9 * 60
        await press(pilot, "down")
        clock[0] += 9 * 60
        assert app.idle.check() is False
        clock[0] += 61
        assert app.idle.check() is True
        await settle(pilot)
        from screens.lock import LockScreen

        assert isinstance(app.screen, LockScreen)


def test_lock_after_from_config(monkeypatch, isolated_env) -> None:  # noqa: ANN001
    from lvv_tui import config

    assert config.load().lock_after == 10
    (isolated_env / "config" / "config.toml").write_text("lock_after = 0\n")
    assert config.load().lock_after == 0
    monkeypatch.setenv("LVV_LOCK_AFTER", "3")
    assert config.load().lock_after == 3
    monkeypatch.setenv("LVV_LOCK_AFTER", "-1")
    with pytest.raises(config.ConfigError):
        config.load()


async def test_the_lock_stops_the_sync_and_the_passphrase_starts_it_again(
        demo_db, tmp_path) -> None:  # noqa: ANN001
    from lvv_tui.app import LvvApp
    from lvv_tui.config import Config
    from screens.lock import LockScreen

    app = LvvApp(Config(db=demo_db, lang="nl", lock_after=0,
                        server=f"sqlite:///{tmp_path / 'hub.db'}"),
                 today=TODAY, clock=lambda: 0.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = app.context.sync_loop
        assert first is not None
        await press(pilot, "ctrl+l")
        assert isinstance(app.screen, LockScreen)
        assert app.context.sync_loop is None and app.store.locked
        await type_text(pilot, PASSPHRASE)
        await press(pilot, "enter")
        assert not app.store.locked
        assert app.context.sync_loop is not None and app.context.sync_loop is not first
