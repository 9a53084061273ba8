"""Row-level security by audience: the cost of need-to-know on a pull (issue 10).

A server holds N ops of one overleg (a fifth of them notes with a narrower audience, half
of those for the pulling role's own organisation, half for another); a login role granted
as one organisation pulls them all through :meth:`db.hub.Hub.pull` (cursor batches):

* baseline: the policy without audience (every op of the role's overleggen);
* audience: the policy ``server init`` installs (an op only when its audience includes the
  role's organisation).

Prints both times and their ratio (budget: audience <= 1.2 x baseline), best of --runs.

    .venv/bin/python benchmarks/bench_rls.py [--ops 200000] [--runs 3] [--pg URL]

Creates and drops its own database and role; needs a superuser URL.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_sync import pg_connect, with_db  # noqa: E402

from db.clock import HybridClock, new_device_id, uuid7  # noqa: E402
from db.hub import BATCH, Hub  # noqa: E402
from db.projection import SCHEMA_VERSION_OPS, WireOp  # noqa: E402
from db.server import APP_ROLE, grant, init_server  # noqa: E402
from db.tables import WIRE_COLUMNS  # noqa: E402

MINE = "0191f0c2-0000-7000-8000-0000000000a1"
OTHER = "0191f0c2-0000-7000-8000-0000000000b2"
BASELINE_POLICY = ("CREATE POLICY ops_read ON ops FOR SELECT TO {role} USING "
                   "(overleg_id IN (SELECT m.overleg_id FROM lvv_member m))")


def make_ops(n: int, overleg: str) -> list[WireOp]:
    device, clock = new_device_id(), HybridClock()
    ops = []
    for i in range(n):
        narrow = i % 5 == 0
        org = (MINE if i % 10 == 0 else OTHER) if narrow else ""
        ops.append(WireOp(
            id=uuid7(), device_id=device, device_seq=i + 1, hlc=clock.tick(), author="Bench",
            overleg_id=overleg, entity="partner_view", entity_id=f"v{i // 10}",
            field="note" if narrow else "position", value=json.dumps(f"waarde {i}"),
            base="[]", schema_version=SCHEMA_VERSION_OPS,
            audience="organisation" if narrow else "overleg", org_id=org))
    return ops


def load(owner: str, ops: list[WireOp]) -> None:
    with pg_connect(owner) as conn, conn.transaction():
        cur = conn.cursor()
        cols = "server_seq, " + ", ".join(WIRE_COLUMNS)
        with cur.copy(f"COPY ops ({cols}) FROM STDIN") as copy:
            for n, op in enumerate(ops, start=1):
                copy.write_row((n, *op.as_tuple()))
        conn.execute("UPDATE lvv_hub SET value = %s WHERE key = 'last_seq'", (str(len(ops)),))
        conn.execute("ANALYZE ops")


def pull_all(url: str) -> tuple[float, int]:
    with Hub(url) as hub:
        started = time.perf_counter()
        cursor, got = 0, 0
        while True:
            batch, new = hub.pull(cursor, BATCH)
            if new == cursor:
                break
            cursor, got = new, got + len(batch)
        return time.perf_counter() - started, got


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get(
        "LVV_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    name = "lvv_bench_" + secrets.token_hex(4)
    role = "lvv_bench_" + secrets.token_hex(4)
    with pg_connect(args.pg) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        admin.execute(f"CREATE ROLE {role} LOGIN")
    owner = with_db(args.pg, name)
    try:
        init_server(owner)
        overleg = uuid7()
        grant(owner, role, overleg, org=MINE)
        load(owner, make_ops(args.ops, overleg))
        user = with_db(args.pg, name, role)
        with pg_connect(owner) as conn:
            audience_policy = conn.execute(
                "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy "
                "WHERE polname = 'ops_read'").fetchone()[0]
        times: dict[str, float] = {}
        rows: dict[str, int] = {}
        for _ in range(args.runs):
            for kind in ("baseline", "audience"):
                with pg_connect(owner) as conn:
                    conn.execute("DROP POLICY ops_read ON ops")
                    sql = (BASELINE_POLICY.format(role=APP_ROLE) if kind == "baseline" else
                           f"CREATE POLICY ops_read ON ops FOR SELECT TO {APP_ROLE} "
                           f"USING ({audience_policy})")
                    conn.execute(sql)
                took, got = pull_all(user)
                times[kind] = min(times.get(kind, took), took)
                rows[kind] = got
        print(f"ops on the server: {args.ops:,} (a fifth narrower, half of those the role's)")
        print(f"pull, policy without audience  {times['baseline']:7.2f} s  "
              f"({rows['baseline']:,} rows)")
        print(f"pull, policy by audience       {times['audience']:7.2f} s  "
              f"({rows['audience']:,} rows)")
        print(f"audience / without             {times['audience'] / times['baseline']:7.2f} x"
              "  (budget 1.2)")
    finally:
        with pg_connect(args.pg) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {role}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
