"""Core subcommands: demo, dump, check."""

from __future__ import annotations

import argparse
import sys
import time

from lvv_tui.cli import CliError, add_db_arg, db_path, open_store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="create a database with synthetic, clearly fictional data")
    add_db_arg(p)
    p.add_argument("--scale", choices=("small", "pilot"), default="small",
                   help="small: one overleg, a few meetings; pilot: five municipalities, "
                   "five years (default small)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--open", action="store_true", help="open the app on it afterwards")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("dump", help="print the current state as canonical JSON")
    add_db_arg(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=cmd_dump)

    p = sub.add_parser("check", help="check the op log, the projections and the file")
    add_db_arg(p)
    p.set_defaults(func=cmd_check)


def cmd_demo(args: argparse.Namespace) -> int:
    import os

    from db.demo import generate

    path = db_path(args)
    if path.exists() and path.stat().st_size > 0:
        raise CliError(f"{path} exists already; demo data goes into a new file")
    if not os.environ.get("LVV_PASSPHRASE"):
        os.environ["LVV_PASSPHRASE"] = "demo"
        print("Passphrase of the demo database: demo", file=sys.stderr)
    started = time.perf_counter()
    store = open_store(path, create=True, author="Demo")
    try:
        counts = generate(store, scale=args.scale, seed=args.seed)
    finally:
        store.close()
    took = time.perf_counter() - started
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"{path}: {summary} ({took:.1f} s, {path.stat().st_size / 2**20:.1f} MiB)")
    if args.open:
        from lvv_tui.cli import run_app

        args.db = str(path)
        return run_app(args)
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    import json

    store = open_store(db_path(args))
    try:
        state = store.dump()
    finally:
        store.close()
    text = json.dumps(state, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    path = db_path(args)
    store = open_store(path)
    try:
        faults = store.check()
        n = store.op_count()
        quarantined = store.quarantined()
    finally:
        store.close()
    if quarantined:  # kept aside, never applied: listed, not a fault of this file
        from lvv_tui.i18n import t

        print(t("check.quarantine", n=len(quarantined)))
        for row in quarantined:
            print(t("check.quarantine_row", op_id=row["op_id"], source=row["source"],
                    reason=row["reason"]))
    if faults:
        for fault in faults:
            print(f"FAULT {fault}")
        print(f"{path}: {len(faults)} fault(s) in {n} ops", file=sys.stderr)
        return 1
    print(f"{path}: ok ({n} ops; device_seq gapless, projection equals rebuild, "
          "SQLite integrity ok)")
    return 0
