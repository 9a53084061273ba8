"""check, dump and demo on the pilot database: time, peak RSS, and writes during check.

Budgets (DESIGN.md, issue 11): ``lvv-tui check`` <= 3 x ``PRAGMA integrity_check`` of the
same file and <= 10 s on this machine; ``check``, ``dump`` and ``demo`` each <= 300 MiB peak
RSS; the app's writes succeed while a check runs. Works on a copy of the given file (the
original is never written); each command runs in its own process, its peak RSS from
``wait4``.

    lvv-tui demo --scale pilot --db /tmp/pilot.db     # once, about a minute
    LVV_PASSPHRASE=demo python benchmarks/bench_check.py --db /tmp/pilot.db [--demo]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.store import Store  # noqa: E402

CLI = [sys.executable, "-m", "lvv_tui"]
MIB = 1024


def run(args: list[str]) -> tuple[float, float, int, float]:
    """(seconds, peak RSS MiB, exit status, CPU seconds) of one CLI command in its own
    process."""
    started = time.perf_counter()
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    return (took, usage.ru_maxrss / MIB, os.waitstatus_to_exitcode(status),
            usage.ru_utime + usage.ru_stime)


def integrity_check(path: Path, passphrase: str) -> tuple[float, float]:
    """(seconds, CPU seconds) of ``PRAGMA integrity_check`` on a bare connection."""
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA key = '" + passphrase.replace("'", "''") + "'")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the key derivation
        started, cpu = time.perf_counter(), time.process_time()
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        conn.close()


def writes_during_check(path: Path, passphrase: str) -> tuple[int, int, float]:
    """Record views while ``lvv-tui check`` runs in another process: (ok, failed, worst s)."""
    store = Store.open(path, passphrase)
    ov = max(store.overleggen(), key=lambda o: o.places or 0)
    meeting = store.meetings(ov.id)[0]
    items = [i for i in store.agenda(meeting.id) if i.case_id]
    org = store.organisations(ov.id)[0]
    proc = subprocess.Popen([*CLI, "check", "--db", str(path)], stdout=subprocess.DEVNULL)
    ok = failed = 0
    worst = 0.0
    try:
        n = 0
        while proc.poll() is None:
            started = time.perf_counter()
            try:
                store.record_view(items[n % len(items)].id, org.id, "return", f"tijdens {n}")
                ok += 1
            except Exception:  # noqa: BLE001 - counted: this is what is measured
                failed += 1
            worst = max(worst, time.perf_counter() - started)
            n += 1
            time.sleep(0.05)  # a chair's pace, not a flood
    finally:
        proc.wait()
        store.close()
    return ok, failed, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a pilot-scale demo database")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--demo", action="store_true", help="also time `demo --scale pilot`")
    args = parser.parse_args()
    passphrase = os.environ.setdefault("LVV_PASSPHRASE", "demo")
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        path = Path(tmp) / "pilot.db"
        shutil.copy(args.db, path)
        Store.open(path, passphrase).close()  # migrate the copy once, outside the timings
        for stale in Path(tmp).glob("pilot.db.v*.bak"):
            stale.unlink()
        base, checks, dumps = [], [], []
        for _ in range(args.rounds):  # interleaved, so that load on the machine hits both
            base.append(integrity_check(path, passphrase))
            checks.append(run(["check", "--db", str(path)]))
            dumps.append(run(["dump", "--db", str(path), "-o", str(Path(tmp) / "d.json")]))
        b = statistics.median(t for t, _ in base)
        b_cpu = statistics.median(c for _, c in base)
        c = statistics.median(t for t, _, _, _ in checks)
        c_cpu = statistics.median(x for _, _, _, x in checks)
        c_rss = max(r for _, r, _, _ in checks)
        d = statistics.median(t for t, _, _, _ in dumps)
        d_rss = max(r for _, r, _, _ in dumps)
        assert all(run[2] == 0 for run in checks + dumps), (checks, dumps)
        print(f"pilot database {args.db} ({args.db.stat().st_size / MIB / MIB:.0f} MiB), "
              f"median of {args.rounds}:")
        print(f"  PRAGMA integrity_check        {b:6.2f} s   CPU {b_cpu:6.2f} s")
        print(f"  lvv-tui check                 {c:6.2f} s   CPU {c_cpu:6.2f} s   ratio "
              f"{c / b:.2f} (budget 3.00; <= 10 s: {'OK' if c <= 10 else 'OVER'})   "
              f"peak RSS {c_rss:.0f} MiB (budget 300)")
        print(f"  lvv-tui dump                  {d:6.2f} s   peak RSS {d_rss:.0f} MiB "
              f"(budget 300)")
        ok, failed, worst = writes_during_check(path, passphrase)
        print(f"  views recorded during a check: {ok} ok, {failed} failed, slowest "
              f"{worst * 1000:.0f} ms")
        if args.demo:
            took, rss, code, _ = run(["demo", "--scale", "pilot", "--db",
                                      str(Path(tmp) / "n.db")])
            assert code == 0
            print(f"  lvv-tui demo --scale pilot    {took:6.2f} s   peak RSS {rss:.0f} MiB "
                  f"(budget 300)")


if __name__ == "__main__":
    main()
