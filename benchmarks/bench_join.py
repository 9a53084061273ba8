"""An empty laptop joining a PostgreSQL server that holds the pilot demo.

Budget (issue 11, DESIGN.md): the join (open a new local database, ``sync_once``: the
snapshot, its checks, the op log, the projection rebuilt, the cursor) <= 2 x the baseline
of copying the same rows out of PostgreSQL with ``COPY`` and inserting them with
``executemany`` into a bare SQLCipher table (no index, no key) in one transaction, with the
same durability settings (WAL, synchronous=FULL). Both as the same member role, each run
in its own process (time inside it, peak RSS from ``wait4``), alternating. Also ``lvv-tui
sync`` into an empty laptop as a whole command: time and peak RSS (budget 300 MiB).

The benchmark creates a PostgreSQL database and a login role, loads the pilot file's ops
into it (the file is only read), and drops both at the end.

    lvv-tui demo --scale pilot --db /tmp/pilot.db     # once
    LVV_PASSPHRASE=demo python benchmarks/bench_join.py --db /tmp/pilot.db [--reps 3] [--pg URL]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_sync import with_db  # noqa: E402

from db.tables import WIRE_COLUMNS  # noqa: E402

MIB = 1024
PASSPHRASE = "bench"
COLS = ", ".join(WIRE_COLUMNS)
TYPES = ["text", "text", "int8", "text", "text", "text", "text", "text", "text", "text",
         "text", "int4", "text", "text"]  # ..., schema_version, audience, org_id


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def read_only(path: Path, passphrase: str):  # noqa: ANN201
    import sqlcipher3

    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    conn = sqlcipher3.connect("file:" + urllib.parse.quote(str(path)) + "?" + flags, uri=True,
                              isolation_level=None)
    conn.execute("PRAGMA key = '" + passphrase.replace("'", "''") + "'")
    return conn


def load_server(admin: str, pilot: Path, passphrase: str) -> tuple[str, str, int]:
    """A new database holding the pilot's ops and a member role of each of its overleggen:
    (database name, role, ops)."""
    import psycopg

    from db.server import grant, init_server

    name, role = "lvv_bj_" + secrets.token_hex(5), "lvv_bj_" + secrets.token_hex(4)
    with psycopg.connect(libpq(admin), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
        conn.execute(f"CREATE ROLE {role} LOGIN")
    url = with_db(admin, name)
    init_server(url)
    src = read_only(pilot, passphrase)
    n = 0
    with psycopg.connect(libpq(url)) as conn:
        with conn.cursor().copy(f"COPY ops (server_seq, {COLS}) FROM STDIN") as copy:
            for row in src.execute(f"SELECT {COLS} FROM op ORDER BY local_seq"):
                n += 1
                copy.write_row((n, *row))
        conn.execute("UPDATE lvv_hub SET value = %s WHERE key = 'last_seq'", (str(n),))
        overleggen = [r[0] for r in src.execute("SELECT DISTINCT overleg_id FROM op")]
    src.close()
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("ANALYZE ops")
    for overleg in overleggen:
        grant(url, role, overleg, org="gemeente")  # the chair's laptop
    return name, role, n


def drop_server(admin: str, name: str, role: str) -> None:
    import psycopg

    with psycopg.connect(libpq(admin), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"DROP ROLE IF EXISTS {role}")


# -- the two subjects, each run in a child process ---------------------------------------


def child_baseline(url: str, out: Path) -> dict:
    import psycopg
    import sqlcipher3

    started = time.perf_counter()
    lite = sqlcipher3.connect(str(out), isolation_level=None)
    lite.execute("PRAGMA key = '" + PASSPHRASE + "'")
    lite.execute("PRAGMA journal_mode = WAL")
    lite.execute("PRAGMA synchronous = FULL")
    lite.execute(f"CREATE TABLE op ({COLS})")
    insert = f"INSERT INTO op VALUES ({', '.join('?' * len(WIRE_COLUMNS))})"
    from itertools import islice

    rows_in = 0
    with psycopg.connect(libpq(url)) as conn, conn.cursor() as cur:
        lite.execute("BEGIN")
        with cur.copy(f"COPY (SELECT {COLS} FROM ops ORDER BY server_seq) TO STDOUT "
                      "(FORMAT BINARY)") as copy:
            copy.set_types(TYPES)
            rows = copy.rows()
            while chunk := list(islice(rows, 10000)):
                lite.executemany(insert, chunk)
                rows_in += len(chunk)
        lite.execute("COMMIT")
    lite.close()
    return {"seconds": time.perf_counter() - started, "ops": rows_in}


def child_join(url: str, out: Path) -> dict:
    from db.store import Store
    from db.sync import sync_once

    started = time.perf_counter()
    store = Store.open(out, PASSPHRASE, author="Nieuw", create=True)
    report = sync_once(store, url)
    n = store.op_count()
    store.close()  # inside the clock, as the baseline's close is
    took = time.perf_counter() - started
    return {"seconds": took, "ops": n, "pulled": report.pulled,
            "quarantined": report.quarantined}


def run_child(kind: str, url: str, out: Path) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, "--child", kind, url, str(out)],
                            stdout=subprocess.PIPE, text=True)
    text = proc.stdout.read() if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} failed")
    result = json.loads(text.strip().splitlines()[-1])
    result["rss_mib"] = usage.ru_maxrss / MIB
    return result


def run_cli(url: str, out: Path) -> dict:
    env = {**os.environ, "LVV_PASSPHRASE": PASSPHRASE}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "lvv_tui", "sync", "--db", str(out),
                             "--server", url, "--author", "Nieuw"],
                            stdout=subprocess.DEVNULL, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    return {"seconds": time.perf_counter() - started, "rss_mib": usage.ru_maxrss / MIB,
            "status": os.waitstatus_to_exitcode(status)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/pilot.db"))
    parser.add_argument("--pg", default=os.environ.get(
        "LVV_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--keep", action="store_true",
                        help="keep the database and role (prints the member URL)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "URL", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, url, out = args.child
        fn = child_baseline if kind == "baseline" else child_join
        print(json.dumps(fn(url, Path(out))))
        return 0
    passphrase = os.environ.get("LVV_PASSPHRASE", "demo")
    print(f"loading {args.db} into a new PostgreSQL database ...", flush=True)
    name, role, n = load_server(args.pg, args.db, passphrase)
    member = with_db(args.pg, name, user=role)
    base, join = [], []
    try:
        print(f"server holds {n} ops; member role {role}", flush=True)
        if args.reps == 0:
            return 0
        with tempfile.TemporaryDirectory() as tmp:
            for rep in range(args.reps):
                for kind, runs in (("baseline", base), ("join", join)):
                    out = Path(tmp) / f"{kind}-{rep}.db"
                    result = run_child(kind, member, out)
                    runs.append(result)
                    print(f"  {kind:8} rep {rep + 1}: {result['seconds']:6.2f} s, "
                          f"peak RSS {result['rss_mib']:5.0f} MiB, {result['ops']} ops",
                          flush=True)
                    for f in Path(tmp).glob(f"{kind}-{rep}.db*"):
                        f.unlink()
            cli = run_cli(member, Path(tmp) / "cli.db")
        b = statistics.median(r["seconds"] for r in base)
        j = statistics.median(r["seconds"] for r in join)
        ratios = [jr["seconds"] / br["seconds"] for br, jr in zip(base, join, strict=True)]
        print(f"baseline (COPY -> bare SQLCipher table): median {b:.2f} s, "
              f"peak RSS {max(r['rss_mib'] for r in base):.0f} MiB")
        print(f"join (empty laptop, sync_once):          median {j:.2f} s, "
              f"peak RSS {max(r['rss_mib'] for r in join):.0f} MiB")
        print(f"join / baseline: {j / b:.2f} x (per rep: "
              + ", ".join(f"{r:.2f}" for r in ratios) + "; budget <= 2 x)")
        print(f"lvv-tui sync into an empty laptop: {cli['seconds']:.2f} s, peak RSS "
              f"{cli['rss_mib']:.0f} MiB (budget 300 MiB), exit {cli['status']}")
    finally:
        if args.keep:
            print(f"kept: {member}")
        else:
            drop_server(args.pg, name, role)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
