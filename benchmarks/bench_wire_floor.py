"""The floor of issue 9's wire format: what push + pull of N ops cost with the format alone.

Issue 9 fixes the door (``lvv_push(batch)``, a JSON array of op objects) and asks push +
pull of 100,000 ops through it to stay within 3 x a raw psycopg COPY (``bench_sync.py``).
This script measures what that format costs with everything else taken away, in the same
run as the same COPY baseline (``bench_sync.copy_baseline``):

* push: the JSON array text of each batch of 10,000 built *before* the clock starts; the
  database owner runs one ``INSERT … SELECT … FROM json_to_recordset`` per batch, one commit
  each, into a table with the COPY baseline's columns and its two unique indexes (``id``,
  ``server_seq``) only: no checks, no lock, no device binding, no ``pushed_by``, no NOTIFY;
* pull: the same rows read back in windows of 10,000 by ``server_seq`` with a binary
  cursor, as the owner (no row-level security, no pull log).

``--connections 2`` pushes the batches on two connections at once (batch i on connection
i mod 2; each its own transaction): the two cores parse at the same time. ``lvv_push``
cannot do that as it stands (it numbers under one lock, parsing included), so this is the
floor of a redesigned door, not of today's.

Whatever ``lvv_push`` and the pull do beyond this (every check of the issue, RLS, the log,
the third unique index) comes on top; so when this floor is above 3 x, the budget cannot be
met with this wire format, whatever the code.

    .venv/bin/python benchmarks/bench_wire_floor.py [--ops 100000] [--rounds 3]
        [--connections 1|2] [--pg URL]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_sync import copy_baseline, make_ops, pg_connect, scratch_database  # noqa: E402

from db.clock import uuid7  # noqa: E402
from db.tables import WIRE_COLUMNS  # noqa: E402

BATCH = 10_000
_TYPES = ("id text, device_id text, device_seq bigint, hlc text, author text, "
          "overleg_id text, entity text, entity_id text, field text, value json, base json, "
          "schema_version integer, audience text, org_id text")


def batches(ops: list) -> list[str]:  # noqa: ANN001
    """The JSON array text of each batch, as a client would send it."""
    out = []
    for i in range(0, len(ops), BATCH):
        out.append(json.dumps([
            {"id": o.id, "device_id": o.device_id, "device_seq": o.device_seq, "hlc": o.hlc,
             "author": o.author, "overleg_id": o.overleg_id, "entity": o.entity,
             "entity_id": o.entity_id, "field": o.field, "value": json.loads(o.value),
             "base": json.loads(o.base), "schema_version": o.schema_version,
             "audience": o.audience, "org_id": o.org_id} for o in ops[i:i + BATCH]]))
    return out


def floor(url: str, texts: list[str], n: int, connections: int = 1) -> tuple[float, float]:
    """(push s, pull s) of the bare format, pushed on ``connections`` connections."""
    cols = ", ".join(WIRE_COLUMNS)
    with pg_connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS floor_ops")
        conn.execute(
            "CREATE TABLE floor_ops (server_seq bigint NOT NULL UNIQUE, id text PRIMARY KEY, "
            "device_id text NOT NULL, device_seq bigint NOT NULL, hlc text NOT NULL, "
            "author text NOT NULL, overleg_id text NOT NULL, entity text NOT NULL, "
            "entity_id text NOT NULL, field text NOT NULL, value text NOT NULL, "
            "base text NOT NULL, schema_version integer NOT NULL, audience text NOT NULL, "
            "org_id text NOT NULL)")
        insert = (
            f"INSERT INTO floor_ops (server_seq, {cols}) SELECT %s + p.ord, p.id, "
            "p.device_id, p.device_seq, p.hlc, p.author, p.overleg_id, p.entity, "
            "p.entity_id, p.field, p.value::text, p.base::text, p.schema_version, "
            "coalesce(p.audience, 'overleg'), coalesce(p.org_id, '') "
            f"FROM ROWS FROM (json_to_recordset(%s::json) AS ({_TYPES})) "
            "WITH ORDINALITY AS p(id, device_id, device_seq, hlc, author, overleg_id, "
            "entity, entity_id, field, value, base, schema_version, audience, org_id, ord)")
        pushers = [pg_connect(url) for _ in range(connections)]

        def push_share(k: int) -> None:
            for i in range(k, len(texts), connections):
                with pushers[k].transaction():
                    pushers[k].execute(insert, (i * BATCH, texts[i]))

        threads = [threading.Thread(target=push_share, args=(k,)) for k in range(connections)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        push = time.perf_counter() - started
        for pusher in pushers:
            pusher.close()
        started = time.perf_counter()
        cursor, got = 0, 0
        while True:
            rows = conn.cursor(binary=True).execute(
                f"SELECT server_seq, {cols} FROM floor_ops WHERE server_seq > %s "
                "ORDER BY server_seq LIMIT %s", (cursor, BATCH)).fetchall()
            if not rows:
                break
            cursor, got = rows[-1][0], got + len(rows)
        pull = time.perf_counter() - started
        conn.execute("DROP TABLE floor_ops")
    assert got == n, (got, n)
    return push, pull


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=1, choices=(1, 2),
                        help="push on this many connections at once")
    parser.add_argument("--pg", default=os.environ.get(
        "LVV_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    with scratch_database(args.pg, "lvv_floor_") as url:
        ops = make_ops(args.ops, uuid7())
        texts = batches(ops)
        ratios = []
        print(f"ops: {args.ops:,}; the wire format alone (no checks, no RLS, no log), "
              f"pushed on {args.connections} connection(s)")
        for n in range(args.rounds):
            copy_s = copy_baseline(url, ops)
            push_s, pull_s = floor(url, texts, args.ops, args.connections)
            ratios.append((push_s + pull_s) / copy_s)
            print(f"round {n + 1}: raw COPY {copy_s:.2f} s; bare JSON push {push_s:.2f} s; "
                  f"bare pull {pull_s:.2f} s; floor / COPY {ratios[-1]:.2f} x", flush=True)
        print(f"floor of push + pull / COPY: median {statistics.median(ratios):.2f} x "
              f"(issue 9's budget 3 x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
