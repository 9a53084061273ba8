"""Core subcommands: demo, dump, check."""

from __future__ import annotations

import argparse
import sys
import time

from lvv_tui.commands.base import CliError, add_db_arg, db_path, get_passphrase, open_store, t


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
        from lvv_tui.i18n import t

        print(t("cli.demo_passphrase"), file=sys.stderr)
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
        from lvv_tui.commands.base import run_app

        args.db = str(path)
        return run_app(args)
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    import os

    store = open_store(db_path(args))
    try:  # streamed: a dump of the pilot database never sits in memory whole
        if args.output:
            partial = args.output + ".part"
            with open(partial, "w", encoding="utf-8") as fh:
                store.write_dump(fh)
                fh.write("\n")
            os.replace(partial, args.output)
        else:
            store.write_dump(sys.stdout)
            sys.stdout.write("\n")
    finally:
        store.close()
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    path = db_path(args)
    if not path.exists():
        raise CliError(t("cli.err.missing", path=path))
    passphrase = get_passphrase(path)
    store = open_store(path, passphrase=passphrase)
    try:
        # SQLite's own integrity check and the check of the log run on two more connections
        # (opened in their threads) beside the check of the tables: all three only read
        # (a snapshot each), and the machine has more than one core
        def twin():  # noqa: ANN202 - a Store, imported lazily as open_store does
            return open_store(path, passphrase=passphrase)

        faults = store.check(twins=[twin, twin])
        n = store.op_count()
        quarantined = store.quarantined()
    finally:
        store.close()
    if quarantined:  # kept aside, never applied: listed, not a fault of this file
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
