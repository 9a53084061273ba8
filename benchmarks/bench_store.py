"""Recording a view, acknowledged and durable, against a bare sqlite3 insert + commit.

Budget (DESIGN.md): record_view <= 3 x a bare sqlite3 insert + commit with the same
durability settings (WAL, synchronous=FULL). Both run in this process, on the same disk,
interleaved in rounds so that disk noise hits both alike. Also prints the peak RSS with
a pilot-scale database open and its busiest meeting read (budget 200 MiB) when given
``--pilot PATH`` (a database made by ``lvv-tui demo --scale pilot``).

    python benchmarks/bench_store.py [--n 300] [--pilot /tmp/pilot.db]
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.store import Store  # noqa: E402

PASS = "bench-passphrase"


def _bare_inserts(conn, n: int) -> list[float]:  # noqa: ANN001 - a DB-API connection
    """n durable one-row transactions (WAL, synchronous=FULL) on ``conn``."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS v (id TEXT PRIMARY KEY, item TEXT, org TEXT, "
                 "position TEXT, note TEXT, confidential INTEGER)")
    times = []
    for i in range(n):
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR REPLACE INTO v VALUES (?, ?, ?, ?, ?, ?)",
                     (f"i{i}/o", f"i{i}", "o", "return", f"note {i}", 0))
        conn.execute("COMMIT")
        times.append(time.perf_counter() - t)
    conn.close()
    return times


def bare_sqlite(folder: Path, n: int) -> list[float]:
    return _bare_inserts(sqlite3.connect(folder / "bare.db", isolation_level=None), n)


def bare_sqlcipher(folder: Path, n: int) -> list[float]:
    import sqlcipher3

    conn = sqlcipher3.connect(str(folder / "bare-enc.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = '{PASS}'")
    return _bare_inserts(conn, n)


def store_views(folder: Path, n: int) -> list[float]:
    from db.demo import generate

    store = Store.open(folder / "store.db", PASS, create=True)
    generate(store, "small", seed=1)
    (ov,) = store.overleggen()
    meeting = store.meetings(ov.id)[0]
    items = [i for i in store.agenda(meeting.id) if i.case_id]
    orgs = store.organisations(ov.id)
    times = []
    for i in range(n):
        item = items[i % len(items)]
        org = orgs[(i // len(items)) % len(orgs)]
        t = time.perf_counter()
        store.record_view(item.id, org.id, "return", f"note {i}")
        times.append(time.perf_counter() - t)
    store.close()
    return times


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def pilot_memory(path: Path) -> None:
    t = time.perf_counter()
    store = Store.open(path, os.environ.get("LVV_PASSPHRASE", "demo"))
    overleggen = store.overleggen()
    biggest = max(overleggen, key=lambda o: o.places or 0)
    meetings = store.meetings(biggest.id)
    for m in meetings[:3]:
        for item in store.agenda(m.id):
            store.views(item.id)
            store.decision(item.id)
            if item.case_id:
                store.case_history(item.case_id, before_meeting_id=m.id)
    store.cases(biggest.id)
    took = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pilot db open + {biggest.name}: {len(meetings)} meetings, agenda/views/history of "
          f"3 meetings, case register: {took:.2f} s, peak RSS {rss:.0f} MiB (budget 200)")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pilot", type=Path)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"sqlite3": [], "sqlcipher3": [], "record_view": []}
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
            folder = Path(tmp)
            results["sqlite3"] += bare_sqlite(folder, args.n)
            results["sqlcipher3"] += bare_sqlcipher(folder, args.n)
            results["record_view"] += store_views(folder, args.n)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    base = statistics.median(results["sqlite3"])
    print(f"{'':<28}{'median ms':>10}{'p95 ms':>10}{'ratio':>8}")
    for name, values in results.items():
        med = statistics.median(values)
        print(f"{name:<28}{med * 1000:>10.3f}{pct(values, 0.95) * 1000:>10.3f}"
              f"{med / base:>8.2f}")
    ratio = statistics.median(results["record_view"]) / base
    print(f"record_view / bare sqlite3 insert+commit (WAL, synchronous=FULL): {ratio:.2f} "
          f"(budget 3.00) {'OK' if ratio <= 3 else 'OVER BUDGET'}")
    if args.pilot:
        pilot_memory(args.pilot)


if __name__ == "__main__":
    main()
