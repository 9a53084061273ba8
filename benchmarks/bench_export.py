"""Minutes of a 40-item meeting to DOCX: read from the store, build, render, save.

Budget (DESIGN.md): <= 0.5 s. Builds an encrypted store with one meeting of 40 case items
(six partner views each with a note, a decision with dissent and escalation on every
third item, two actions per item, a three-paragraph summary per item), then times the
whole export path — ``build_minutes`` (store reads) + ``to_docx`` (python-docx, saved to
disk) — and prints the median and p95 against the budget, plus the split between the two
steps and a cold first run (which includes importing python-docx).

With ``--pilot PATH`` (a database made by ``lvv-tui demo --scale pilot``, passphrase from
``LVV_PASSPHRASE`` or ``demo``) it also times the meeting with the most agenda items of
that 5-year dataset, whose actielijst holds every open action of its overleg.

    python benchmarks/bench_export.py [--items 40] [--rounds 15] [--pilot /tmp/pilot.db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db import domain as d  # noqa: E402
from db.store import Store  # noqa: E402

PASS = "bench-passphrase"
BUDGET_S = 0.5


def fill(store: Store, n_items: int) -> str:
    ov = store.create_overleg("LSO Benchmark", "Benchstad")
    orgs = [store.add_organisation(ov.id, name, kind, sort=i).id for i, (name, kind) in
            enumerate([("Gemeente", d.OrgKind.GEMEENTE), ("IND", d.OrgKind.IND),
                       ("DTenV", d.OrgKind.DTENV), ("Politie", d.OrgKind.POLITIE),
                       ("NGO één", d.OrgKind.NGO), ("NGO twee", d.OrgKind.NGO)])]
    earlier = store.create_meeting(ov.id, "2026-01-06", "10:00", "Stadhuis", "Voorzitter",
                                   "Notulist")
    m = store.create_meeting(ov.id, "2026-02-03", "10:00", "Stadhuis", "Voorzitter", "Notulist")
    for org in orgs:
        store.set_attendance(m.id, org, d.Attendance.PRESENT, "Naam Achternaam")
    paragraph = ("De casus is uitgebreid besproken. Partners lichten hun standpunt toe en "
                 "wegen de medische situatie, de identiteit en de medewerking mee. ") * 3
    for i in range(n_items):
        case = store.create_case(ov.id, f"BEN-{i:04d}", nationality="NG")
        old = store.add_agenda_item(earlier.id, d.ItemKind.CASE, case_id=case.id)
        store.add_action(old.id, orgs[i % 6], f"Eerdere actie {i}", "2026-01-31")
        item = store.add_agenda_item(m.id, d.ItemKind.CASE, case_id=case.id)
        store.set_minutes_text(m.id, item.id, "\n\n".join([paragraph] * 3))
        for j, org in enumerate(orgs):
            store.record_view(item.id, org, list(d.Position)[j % 5],
                              f"Toelichting van partner {j} op casus {i}. " * 4,
                              confidential=(j == 3))
        if i % 3 == 0:
            store.decide(item.id, d.Perspective.RETURN, "Motivering. " * 10, d.Consensus.NONE,
                         [d.Dissent(orgs[4], "Bezwaar op medische gronden.")],
                         d.Escalation.MRT, "Centrale vraag?", "2026-02-10", None, "2026-03-03")
        else:
            store.decide(item.id, d.Perspective.STAY, "Motivering. " * 10)
        for k in range(2):
            store.add_action(item.id, orgs[k], f"Actie {k} voor casus {i}", "2026-02-17")
    return m.id


def time_export(store: Store, meeting_id: str, folder: Path, rounds: int,
                made_on: dt.date) -> tuple[list[float], list[float], float, int]:
    """(build times, docx times, cold first total, file size) of ``rounds`` exports."""
    from lvv_tui.export import to_docx
    from lvv_tui.minutes import build_minutes

    def once(n: int) -> tuple[float, float]:
        a = time.perf_counter()
        doc = build_minutes(store, meeting_id, made_on=made_on)
        b = time.perf_counter()
        to_docx(doc, folder / f"out{n}.docx")
        c = time.perf_counter()
        return b - a, c - b

    cold = sum(once(0))
    builds, docxs = [], []
    for n in range(1, rounds + 1):
        build, docx = once(n)
        builds.append(build)
        docxs.append(docx)
    return builds, docxs, cold, (folder / "out1.docx").stat().st_size


def report(title: str, builds: list[float], docxs: list[float], cold: float) -> bool:
    totals = sorted(b + x for b, x in zip(builds, docxs, strict=True))
    median = statistics.median(totals)
    p95 = totals[min(len(totals) - 1, round(0.95 * (len(totals) - 1)))]
    print(title)
    print(f"  build_minutes median {statistics.median(builds) * 1000:.0f} ms, "
          f"to_docx median {statistics.median(docxs) * 1000:.0f} ms")
    print(f"  total median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; "
          f"cold first run (imports python-docx) {cold * 1000:.0f} ms")
    print(f"  ratio median / budget (0.5 s) = {median / BUDGET_S:.2f}  "
          f"p95 / budget = {p95 / BUDGET_S:.2f}  -> {'OK' if p95 <= BUDGET_S else 'OVER'}")
    return p95 <= BUDGET_S


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--pilot", metavar="PATH", help="also time a pilot-scale database")
    args = parser.parse_args()

    ok = True
    made_on = dt.date(2026, 2, 4)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store.open(folder / "bench.db", PASS, author="Bench", create=True)
        t0 = time.perf_counter()
        meeting_id = fill(store, args.items)
        print(f"filled {args.items} case items in {time.perf_counter() - t0:.1f} s")
        builds, docxs, cold, size = time_export(store, meeting_id, folder, args.rounds, made_on)
        store.close()
        ok &= report(f"DOCX of a {args.items}-item meeting ({size / 1024:.0f} KiB), "
                     f"{args.rounds} rounds:", builds, docxs, cold)
        if args.pilot:
            store = Store.open(args.pilot, os.environ.get("LVV_PASSPHRASE") or "demo")
            try:
                n_items, busiest = max((store.meeting_stats(m.id)[0], m.id)
                                       for o in store.overleggen()
                                       for m in store.meetings(o.id))
                builds, docxs, cold, size = time_export(store, busiest, folder, args.rounds,
                                                        made_on)
                n_actions = len(store.actions(overleg_id=store.meeting(busiest).overleg_id,
                                              open_only=True))
            finally:
                store.close()
            ok &= report(f"pilot dataset, busiest meeting ({n_items} items, up to "
                         f"{n_actions} open actions in its overleg; {size / 1024:.0f} KiB):",
                         builds, docxs, cold)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
