"""The monitoring report of a 3,000-case import: every format, and JSON under a second.

Writes a CSV case list of ``--cases`` cases (three overleggen, six years of intake, most
of them left, in all eight subtypes; one row per case, as Dutch Excel saves it), imports
it with ``lvv-tui import cases`` into a new encrypted database, then times in the same
process:

- baseline: reading the cases (``Store.cases`` of every overleg: the rows the report
  counts, as domain objects);
- ``Store.monitoring`` + JSON (the budget: < 1 s), and each format end to end (figures,
  render, write).

Prints the median of ``--rounds`` runs of each, with its ratio against the baseline.

    python benchmarks/bench_report.py [--cases 3000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.store import Store  # noqa: E402

PASS = "bench-passphrase"
BUDGET_JSON_S = 1.0
WORDS = ["terugkeer", "doormigratie", "verblijfsvergunning", "herhaalde asielaanvraag",
         "artikel 64", "beëindigd door gemeente", "onbekende bestemming", "detentie"]


def write_csv(path: Path, n: int, seed: int = 12) -> None:
    rng = random.Random(seed)
    start, end = dt.date(2019, 4, 1), dt.date(2025, 6, 30)
    span = (end - start).days
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write("code;overleg;nationaliteit;instroomdatum;uitstroomdatum;uitstroom\r\n")
        for i in range(n):
            intake = start + dt.timedelta(days=rng.randint(0, span - 30))
            leave = intake + dt.timedelta(days=int(rng.expovariate(1 / 330)) + 14)
            left = leave <= end and rng.random() < 0.9
            fh.write(f"BEN-{i:05d};LSO Bench {'ABC'[i % 3]};Nigeria;"
                     f"{intake.strftime('%d-%m-%Y')};"
                     f"{leave.strftime('%d-%m-%Y') if left else ''};"
                     f"{rng.choice(WORDS) if left else ''}\r\n")


def timed(fn, rounds: int) -> float:  # noqa: ANN001
    runs = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from lvv_tui.cli import main as cli
    from lvv_tui.report import FORMATS, to_json, write

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        csv_path, db = tmp / "cases.csv", tmp / "bench.db"
        write_csv(csv_path, args.cases)
        os.environ["LVV_PASSPHRASE"] = PASS
        t0 = time.perf_counter()
        code = cli(["import", "cases", str(csv_path), "--db", str(db), "--create-overleggen"])
        took_import = time.perf_counter() - t0
        if code:
            print("import failed", file=sys.stderr)
            return 1
        frm, to = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
        with Store.open(db, PASS) as store:
            overleggen = store.overleggen()

            def read_cases() -> None:
                for o in overleggen:
                    store.cases(o.id)

            def report_json() -> None:
                to_json(store.monitoring(frm, to))

            read_cases(), report_json()  # warm: imports, caches
            base = timed(read_cases, args.rounds)
            results = {"json (figures + render)": timed(report_json, args.rounds)}
            for fmt in FORMATS:
                out = tmp / f"report.{fmt}"
                results[f"{fmt} (figures + render + write)"] = timed(
                    lambda fmt=fmt, out=out: write(store.monitoring(frm, to), fmt, out),
                    args.rounds)
            figures = timed(lambda: store.monitoring(frm, to), args.rounds)
            total = store.monitoring(frm, to).total
        print(f"{args.cases} cases imported in {took_import:.1f} s; period {frm} .. {to}: "
              f"intake {total.intake}, left {total.left}, stock_end {total.stock_end}")
        print(f"baseline: reading the cases            {base * 1000:8.1f} ms")
        print(f"figures only (store.monitoring)        {figures * 1000:8.1f} ms  "
              f"{figures / base:5.2f} x baseline")
        for name, value in results.items():
            print(f"{name:38s} {value * 1000:8.1f} ms  {value / base:5.2f} x baseline")
        json_s = results["json (figures + render)"]
        verdict = "OK" if json_s < BUDGET_JSON_S else "OVER BUDGET"
        print(f"JSON: {json_s:.3f} s against the budget of {BUDGET_JSON_S:.1f} s: {verdict}")
        return 0 if json_s < BUDGET_JSON_S else 1


if __name__ == "__main__":
    sys.exit(main())
