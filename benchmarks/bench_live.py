"""Live screens benchmark (issue 17): an edit on laptop A appears on laptop B's open item
screen, carried by PostgreSQL ``NOTIFY`` (B's sync loop polls only every 60 s, so only the
notification can bring it in time).

For each of N edits: A records a partner's view and syncs (push → ``NOTIFY``); the clock
stops when B's open screen shows the new note. Prints p50 / p95 / max, the budget (p95 within
2 s) and, as the baseline measured in the same run, a bare ``NOTIFY`` → ``LISTEN`` round trip
through the same server.

    .venv/bin/python benchmarks/bench_live.py [--edits 50] [--pg URL]

Creates and drops its own database; needs a superuser URL (default LVV_TEST_PG or
postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_sync import pg_connect, scratch_database  # noqa: E402

PASSPHRASE = "bench"
BUDGET_S = 2.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def notify_baseline(url: str, n: int) -> list[float]:
    """A bare NOTIFY from one connection until LISTEN on another receives it."""
    out = []
    with pg_connect(url) as listener, pg_connect(url) as sender:
        listener.execute("LISTEN lvv_bench")
        for i in range(n):
            started = time.perf_counter()
            sender.execute(f"NOTIFY lvv_bench, '{i}'")
            next(listener.notifies(timeout=5, stop_after=1), None)  # wait for the one
            out.append(time.perf_counter() - started)
    return out


async def live(owner: str, edits: int, folder: Path) -> list[float]:
    from db import domain as d
    from db.store import Store
    from db.sync import sync_once
    from lvv_tui.app import LvvApp
    from lvv_tui.config import Config
    from screens.item import ItemScreen

    a = Store.open(folder / "a.db", PASSPHRASE, author="Voorzitter", create=True)
    b = Store.open(folder / "b.db", PASSPHRASE, author="Secretaris", create=True)
    overleg = a.create_overleg("LSO Bench", "Bench")
    org = a.add_organisation(overleg.id, "Gemeente Bench", d.OrgKind.GEMEENTE)
    case = a.create_case(overleg.id, "B-001")
    meeting = a.create_meeting(overleg.id, "2026-03-02", "10:00", "Stadhuis")
    item = a.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
    a.record_view(item.id, org.id, d.Position.RETURN, "begin")
    sync_once(a, owner)
    sync_once(b, owner)
    app = LvvApp(Config(db=b.path, server=owner, sync_interval=60.0), store=b)
    times: list[float] = []
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await app.push_screen(ItemScreen(meeting.id, item.id))
            await pilot.pause()
            await app.workers.wait_for_complete()
            views = app.screen.query_one("ViewsTable")
            deadline_round = time.monotonic() + 120
            while app.sync_loop is None or app.sync_loop.state.rounds < 1:
                assert time.monotonic() < deadline_round, "B's sync loop did not start"
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)  # the LISTEN connection is up

            def note() -> str:
                return "".join(views.get_row(k)[2].plain for k in views.rows)

            for i in range(edits):
                text = f"bewerking {i}"
                done = threading.Event()

                def edit(text: str = text, done: threading.Event = done) -> None:
                    seen = a.views(item.id)[0].seen
                    a.record_view(item.id, org.id, d.Position.RETURN, text, seen=seen)
                    sync_once(a, owner)
                    done.set()

                started = time.perf_counter()
                threading.Thread(target=edit, daemon=True).start()
                limit = time.monotonic() + 30
                while note() != text:
                    assert time.monotonic() < limit, f"edit {i} never appeared on B"
                    await asyncio.sleep(0.005)
                times.append(time.perf_counter() - started)
                while not done.is_set():
                    await asyncio.sleep(0.005)
    finally:
        a.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--pg", default=os.environ.get(
        "LVV_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    from db.server import init_server

    with scratch_database(args.pg) as owner:
        init_server(owner)
        base = notify_baseline(owner, args.edits)
        with tempfile.TemporaryDirectory() as folder:
            times = asyncio.run(live(owner, args.edits, Path(folder)))
        print(f"edits: {len(times)}  (laptop A edits + syncs; laptop B's open item screen, "
              "woken by PostgreSQL NOTIFY, sync interval 60 s)")
        print(f"edit on A -> shown on B     p50 {statistics.median(times) * 1000:7.0f} ms   "
              f"p95 {p95(times) * 1000:7.0f} ms   max {max(times) * 1000:7.0f} ms")
        print(f"bare NOTIFY -> LISTEN       p50 {statistics.median(base) * 1000:7.1f} ms   "
              f"p95 {p95(base) * 1000:7.1f} ms   (baseline, same server)")
        print(f"p95 / budget 2 s            {p95(times) / BUDGET_S:7.2f}  "
              f"({'within' if p95(times) <= BUDGET_S else 'OVER'} budget)")
        print(f"p95 / bare NOTIFY p95       {p95(times) / p95(base):7.1f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
