"""Sync benchmark against a local PostgreSQL.

The baseline, exactly: the N rows as the server stores them (``server_seq`` + the wire
columns, ``value`` and ``base`` as the same JSON text), already built as Python tuples,
written by the database owner with one psycopg ``COPY … FROM STDIN`` (text format) in one
transaction into a fresh table with the same columns and types and two unique indexes
(``id``, ``server_seq``); no checks, no row-level security, no ``pushed_by`` /
``received_at`` columns, and not the third unique index the server's ``ops`` has
(``device_id, device_seq``). Timed from the start of the transaction to its commit.
Everything below is printed as a ratio to it (budget: push + pull <= 3 x COPY):

* wire: push of N ops through the server function ``lvv_push`` as ``Hub.push`` sends them
  (batches of 10,000, one transaction and one commit each, sent as four calls of 2,500
  ops, each one JSON array built by the client, in one pipeline; every op checked,
  numbered under the advisory lock, stamped) + pull of them with who pushed each and when,
  as sync pulls (cursor windows of 10,000, each pull logged on the server), as a login role
  under row-level security;
* full: the same through ``sync_once`` from a laptop holding N unpushed ops (read from its
  encrypted file, marked pushed there; its own ops are not pulled back), and an empty
  laptop pulling them (every op checked, op log + projections + ``op_origin`` written in
  its encrypted file, ``synchronous=FULL``): an empty laptop joins from the hub's snapshot;
  the same pull window by window (as a laptop that is not new pulls) is printed too;

and the latency of an incremental sync of one meeting's ops (push from one laptop, pull on
another), median of several runs. On a shared machine the seconds move with the load; the
ratios, from one run, move less.

    .venv/bin/python benchmarks/bench_sync.py [--ops 100000] [--pg URL]

Creates and drops its own database and role; needs a superuser URL (default LVV_TEST_PG or
postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db import domain as d  # noqa: E402
from db.clock import HybridClock, new_device_id, uuid7  # noqa: E402
from db.projection import SCHEMA_VERSION_OPS, WireOp  # noqa: E402
from db.server import grant, init_server  # noqa: E402
from db.store import Store  # noqa: E402
from db.sync import BATCH, Hub, sync_once  # noqa: E402
from db.tables import WIRE_COLUMNS  # noqa: E402

ANY_ORG = "0191f0c2-0000-7000-8000-0000000000aa"  # the grants' organisation (unused here)

PASSPHRASE = "bench"


def make_ops(n: int, overleg: str) -> list[WireOp]:
    device, clock = new_device_id(), HybridClock()
    ops = []
    for i in range(n):
        entity_id = f"m{i // 10}"
        ops.append(WireOp(
            id=uuid7(), device_id=device, device_seq=i + 1, hlc=clock.tick(), author="Bench",
            overleg_id=overleg, entity="meeting", entity_id=entity_id,
            field=("place", "chair", "secretary", "start_time", "status")[i % 5],
            value=json.dumps(f"waarde {i}"), base="[]", schema_version=SCHEMA_VERSION_OPS,
        ))
    return ops


def pg_connect(url: str):  # noqa: ANN201
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True)


def with_db(url: str, name: str, user: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(database=name)
    if user:
        parsed = parsed.set(username=user, password=None)
    return parsed.render_as_string(hide_password=False)


@contextmanager
def scratch_database(pg: str, prefix: str = "lvv_bench_") -> Iterator[str]:
    """The owner URL of a new database on the server at ``pg`` (a superuser URL), dropped
    afterwards whatever happens."""
    name = prefix + secrets.token_hex(4)
    with pg_connect(pg) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield with_db(pg, name)
    finally:
        with pg_connect(pg) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def copy_baseline(url: str, ops: list[WireOp]) -> float:
    rows = [(n, *op.as_tuple()) for n, op in enumerate(ops, start=1)]
    with pg_connect(url) as conn:
        conn.execute(
            "CREATE TABLE ops_copy (server_seq bigint NOT NULL UNIQUE, id text PRIMARY KEY, "
            "device_id text NOT NULL, device_seq bigint NOT NULL, hlc text NOT NULL, "
            "author text NOT NULL, overleg_id text NOT NULL, entity text NOT NULL, "
            "entity_id text NOT NULL, field text NOT NULL, value text NOT NULL, "
            "base text NOT NULL, schema_version integer NOT NULL, audience text NOT NULL, "
            "org_id text NOT NULL)")
        started = time.perf_counter()
        with conn.transaction():
            cur = conn.cursor()
            cols = "server_seq, " + ", ".join(WIRE_COLUMNS)
            with cur.copy(f"COPY ops_copy ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        took = time.perf_counter() - started
        conn.execute("DROP TABLE ops_copy")
    return took


def wire(url: str, ops: list[WireOp]) -> tuple[float, float]:
    with Hub(url) as hub:
        started = time.perf_counter()
        for i in range(0, len(ops), BATCH):
            hub.push(ops[i:i + BATCH])
        pushed = time.perf_counter() - started
        started = time.perf_counter()
        cursor, got = 0, 0
        while True:
            batch, _origins, cursor = hub.pull_origin(cursor, BATCH)  # as sync pulls
            if not batch:
                break
            got += len(batch)
        pulled = time.perf_counter() - started
    assert got == len(ops), (got, len(ops))
    return pushed, pulled


def one_meeting(store: Store, overleg: str, orgs: list[str], case_ids: list[str],
                day: dt.date) -> None:
    meeting = store.create_meeting(overleg, day, "10:00", "Stadhuis")
    for case_id in case_ids:
        item = store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case_id)
        for org in orgs:
            store.record_view(item.id, org, d.Position.RETURN, "inbreng")
        store.decide(item.id, d.Perspective.RETURN, "besluit")
        store.add_action(item.id, orgs[0], "actie", day + dt.timedelta(days=14))
    store.set_minutes_text(meeting.id, None, "samenvatting")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--pg", default=os.environ.get(
        "LVV_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--runs", type=int, default=5, help="incremental sync runs")
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
        grant(owner, role, overleg, org=ANY_ORG)
        user = with_db(args.pg, name, role)
        ops = make_ops(args.ops, overleg)
        copy_s = copy_baseline(owner, ops)
        push_s, pull_s = wire(user, ops)
        print(f"ops: {args.ops:,}  (PostgreSQL, login role under row-level security)")
        print(f"raw psycopg COPY            {copy_s:8.2f} s")
        print(f"push                        {push_s:8.2f} s")
        print(f"pull                        {pull_s:8.2f} s")
        print(f"wire push + pull / COPY     {(push_s + pull_s) / copy_s:8.2f} x  (budget 3)")

        with tempfile.TemporaryDirectory() as folder, pg_connect(owner) as conn:
            # a fresh hub for the full path: empty it the only way ops allow, a new database
            conn.close()
            with pg_connect(args.pg) as admin:
                admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {name}")
            init_server(owner)
            grant(owner, role, overleg, org=ANY_ORG)
            laptop = Store.open(Path(folder) / "a.db", PASSPHRASE, create=True)
            laptop.bulk_import(ops, pushed=False)
            empty = Store.open(Path(folder) / "b.db", PASSPHRASE, create=True)
            started = time.perf_counter()
            up = sync_once(laptop, user)
            full_push = time.perf_counter() - started
            started = time.perf_counter()
            down = sync_once(empty, user)
            full_pull = time.perf_counter() - started
            assert up.pushed == down.pulled == args.ops
            print(f"full sync push (sync_once)  {full_push:8.2f} s")
            print(f"full sync pull into a laptop{full_pull:8.2f} s  (op log + projections)")
            print(f"full push + pull / COPY     {(full_push + full_pull) / copy_s:8.2f} x")
            # the same pull window by window (a laptop that is not new pulls this way)
            windowed = Store.open(Path(folder) / "c.db", PASSPHRASE, create=True)
            started = time.perf_counter()
            assert sync_once(windowed, user, snapshot=False).pulled == args.ops
            by_window = time.perf_counter() - started
            windowed.close()
            print(f"  pull window by window     {by_window:8.2f} s  (not from the snapshot)")
            print(f"  push + that pull / COPY   {(full_push + by_window) / copy_s:8.2f} x")

            # incremental: one meeting (10 cases, 5 partners) made on one laptop
            orgs = [laptop.add_organisation(overleg, f"Partner {i}", d.OrgKind.OTHER).id
                    for i in range(5)]
            cases = [laptop.create_case(overleg, f"B-{i:03d}").id for i in range(40)]
            sync_once(laptop, user)
            sync_once(empty, user)
            pushes, pulls, sizes = [], [], []
            for run in range(args.runs):
                one_meeting(laptop, overleg, orgs, cases[run * 8:run * 8 + 8],
                            dt.date(2026, 1, 5) + dt.timedelta(weeks=run))
                sizes.append(len(laptop.unpushed_ops(100_000)))
                started = time.perf_counter()
                sync_once(laptop, user)
                pushes.append(time.perf_counter() - started)
                started = time.perf_counter()
                got = sync_once(empty, user)
                pulls.append(time.perf_counter() - started)
                assert got.pulled == sizes[-1]
            laptop.close()
            empty.close()
        print(f"incremental sync of one meeting ({statistics.median(sizes):.0f} ops, "
              f"8 cases x 5 views + decision + action): push "
              f"{statistics.median(pushes) * 1000:.0f} ms, pull on another laptop "
              f"{statistics.median(pulls) * 1000:.0f} ms (median of {args.runs})")
    finally:
        with pg_connect(args.pg) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {role}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
