"""Killed right after the screen shows a view as saved: the view is on disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from db import domain as d

SCRIPT = textwrap.dedent("""
    import asyncio, os, signal, sys
    sys.path.insert(0, {helpers!r})
    from screen_helpers import make_app, open_today_item, press, settle
    from screens.item import ItemScreen
    from pathlib import Path

    def hook(message):
        if isinstance(message, ItemScreen.ViewRecorded):
            print(message.view.agenda_item_id, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)   # no clean shutdown, no close()

    async def main():
        app = make_app(Path({db!r}))
        async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
            await open_today_item(pilot, 4)
            await press(pilot, "enter", "2", "tab")
            app.screen.query_one("#note").text = "saved before the kill"
            await press(pilot, "ctrl+s")
            await settle(pilot)

    asyncio.run(main())
""")


def test_kill_9_after_saved_loses_nothing(demo_db: Path, reader) -> None:  # noqa: ANN001
    helpers = str(Path(__file__).resolve().parent)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(helpers=helpers, db=str(demo_db))],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )
    assert out.returncode == -signal.SIGKILL, out.stderr[-2000:]
    item_id = out.stdout.strip()
    assert item_id
    store = reader()
    try:
        views = store.views(item_id)
        assert [(v.position, v.note) for v in views] == [
            (d.Position.ONWARD, "saved before the kill")]
        assert store.check() == []
    finally:
        store.close()
