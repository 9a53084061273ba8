"""Recording a view, acknowledged and durable, against a bare sqlite3 insert + commit.

Budget (issue 11): record_view <= 2 x a bare sqlite3 insert + commit with the same
durability settings (WAL, synchronous=FULL). All run in this process, on the same disk,
interleaved call by call so that disk noise hits them alike; a bare SQLCipher
insert + commit is printed too (the part of the cost that is encryption). Also prints the peak RSS with
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
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.store import Store  # noqa: E402

PASS = "bench-passphrase"
BUDGET = 2.0


def _bare(conn):  # noqa: ANN001, ANN202 - a DB-API connection
    """One durable one-row transaction per call (WAL, synchronous=FULL) on ``conn``."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS v (id TEXT PRIMARY KEY, item TEXT, org TEXT, "
                 "position TEXT, note TEXT, confidential INTEGER)")

    def insert(i: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR REPLACE INTO v VALUES (?, ?, ?, ?, ?, ?)",
                      (f"i{i}/o", f"i{i}", "o", "return", f"note {i}", 0))
        conn.execute("COMMIT")

    return insert


def bare_sqlite(folder: Path):  # noqa: ANN201
    return sqlite3.connect(folder / "bare.db", isolation_level=None)


def bare_sqlcipher(folder: Path):  # noqa: ANN201
    import sqlcipher3

    conn = sqlcipher3.connect(str(folder / "bare-enc.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = '{PASS}'")
    return conn


def store_views(folder: Path):  # noqa: ANN201
    """A store with the small demo, and a call that records (or changes) one view."""
    from db.demo import generate

    store = Store.open(folder / "store.db", PASS, create=True)
    generate(store, "small", seed=1)
    (ov,) = store.overleggen()
    meeting = store.meetings(ov.id)[0]
    items = [i for i in store.agenda(meeting.id) if i.case_id]
    orgs = store.organisations(ov.id)

    def record(i: int) -> None:
        item = items[i % len(items)]
        org = orgs[(i // len(items)) % len(orgs)]
        store.record_view(item.id, org.id, "return", f"note {i}")

    return store, record


def per_view(folder: Path) -> dict[str, tuple[int, int, int, int]]:
    """What one record_view writes and runs, for a new view (6 fields) and a changed note:
    (statements, WAL pages) until durable, and (statements, WAL pages) of the index
    catch-up. Statements counted as SQLite traces them (a trigger's statements too);
    pages as WAL frames, the WAL emptied (checkpoint) before each part."""
    store, record = store_views(folder)
    store.index_later = True
    again = len(store.organisations(store.overleggen()[0].id)) * 1000  # same view, new note
    raw = store._conn.connection.dbapi_connection
    frame = int(raw.execute("PRAGMA page_size").fetchone()[0]) + 24
    wal = Path(str(store.path) + "-wal")

    def measure(call: Callable[[], object]) -> tuple[int, int]:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        seen: list[str] = []
        raw.set_trace_callback(seen.append)
        call()
        raw.set_trace_callback(None)
        return len(seen), wal.stat().st_size // frame

    out = {"new view (6 fields)": (*measure(lambda: record(0)),
                                   *measure(store.catch_up_index))}
    for i in range(1, 100):  # as in the timed rounds: mostly changed notes
        record(i)
        store.catch_up_index()
    out["changed note"] = (*measure(lambda: record(again)), *measure(store.catch_up_index))
    store.close()
    return out


def run_round(folder: Path, n: int, results: dict[str, list[float]]) -> None:
    """The three writers interleaved op by op, so that disk noise hits them alike.

    A view is durable when its own transaction commits; the search index follows in a
    small transaction of its own (``Store.catch_up_index``), which the app runs right
    after, inside the same call. Here the two are timed apart (``index_later``): the time
    until the view is durable, the catch-up, and the two together (what the user waits)."""
    plain, enc = bare_sqlite(folder), bare_sqlcipher(folder)
    store, record = store_views(folder)
    store.index_later = True
    calls = {"sqlite3": _bare(plain), "sqlcipher3": _bare(enc), "record_view": record,
             "index catch-up": lambda _i: store.catch_up_index()}
    try:
        for i in range(n):
            for name, call in calls.items():
                t = time.perf_counter()
                call(i)
                results[name].append(time.perf_counter() - t)
            results["record_view + catch-up"].append(
                results["record_view"][-1] + results["index catch-up"][-1])
    finally:
        plain.close()
        enc.close()
        store.close()


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
    results: dict[str, list[float]] = {"sqlite3": [], "sqlcipher3": [], "record_view": [],
                                       "index catch-up": [], "record_view + catch-up": []}
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
            run_round(Path(tmp), args.n, results)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        shapes = per_view(Path(tmp))
    base = statistics.median(results["sqlite3"])
    print(f"{'':<28}{'median ms':>10}{'p95 ms':>10}{'ratio':>8}")
    for name, values in results.items():
        med = statistics.median(values)
        print(f"{name:<28}{med * 1000:>10.3f}{pct(values, 0.95) * 1000:>10.3f}"
              f"{med / base:>8.2f}")
    ratio = statistics.median(results["record_view"]) / base
    print(f"record_view (until durable) / bare sqlite3 insert+commit (WAL, synchronous=FULL): "
          f"{ratio:.2f} (budget {BUDGET:.2f}) {'OK' if ratio <= BUDGET else 'OVER BUDGET'}")
    both = statistics.median(results["record_view + catch-up"]) / base
    print(f"record_view + search index catch-up (what the call takes) / bare sqlite3: "
          f"{both:.2f}")
    enc_ratio = statistics.median(results["record_view"]) / statistics.median(
        results["sqlcipher3"])
    print(f"record_view / bare SQLCipher insert+commit: {enc_ratio:.2f}")
    for name, (stmts, pages, idx_stmts, idx_pages) in shapes.items():
        print(f"{name}: {stmts} SQL statements and {pages} WAL pages until durable; "
              f"index catch-up {idx_stmts} statements, {idx_pages} pages")
    if args.pilot:
        pilot_memory(args.pilot)


if __name__ == "__main__":
    main()
