"""The monitoring report: figures against a hand-computed fixture, and every format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from db import domain as d
from db.escalation_stats import SECTION_ADDITIVE, SECTION_KEYS
from db.monitoring import ADDITIVE, CATEGORIES, KEYS, SUBTYPES
from lvv_tui.cli import main

D = dt.date.fromisoformat
FROM, TO = D("2024-01-01"), D("2024-03-31")


def _zeros(keys: tuple[str, ...]) -> dict[str, int]:
    return dict.fromkeys(keys, 0)


@pytest.fixture
def fixture_store(store):  # noqa: ANN001, ANN201
    """Two overleggen; the figures of the period 2024-01-01 .. 2024-03-31 by hand below."""
    a = store.create_overleg("LSO A", "A")
    b = store.create_overleg("LSO B", "B")
    case = store.create_case
    # A
    a1 = case(a.id, "a1", intake_date="2023-12-31")  # in stock on both days
    a2 = case(a.id, "a2", intake_date="2024-01-01", exit_date="2024-03-31",
              outcome_subtype="return")  # both boundaries: in, present on from, left on to (90 d)
    case(a.id, "a3", intake_date="2023-06-01", exit_date="2024-01-01",
         outcome_subtype="ended")  # left on the first day: not in stock at start (214 d)
    case(a.id, "a4", intake_date="2024-03-31")  # intake on the last day: in stock at end
    case(a.id, "a5", intake_date="2024-04-01")  # after the period
    case(a.id, "a6", intake_date="2023-01-01", exit_date="2023-12-31",
         outcome_subtype="art64")  # left before the period
    case(a.id, "a7", put_forward_on="2024-02-01")  # in intake on to
    case(a.id, "a8", put_forward_on="2024-03-31")  # put forward on to: in intake
    case(a.id, "a9", put_forward_on="2024-04-02")  # after to
    # B
    b1 = case(b.id, "b1", intake_date="2024-02-15", exit_date="2024-03-01",
              outcome_subtype="detention")  # 15 d
    b2 = case(b.id, "b2", intake_date="2022-05-05")
    b3 = case(b.id, "b3", intake_date="2023-01-10")
    store.record_exit(b3.id, "2024-02-10", d.OutcomeSubtype.PERMIT)  # 396 d
    store.put_forward(b3.id, "NGO", "2024-03-01")  # comes back: decided on 03-10
    m1 = store.create_meeting(b.id, "2024-03-10", standard_agenda=False)
    item = store.add_agenda_item(m1.id, d.ItemKind.CASE, case_id=b3.id)
    store.decide_intake(item.id, d.LvvVerdict.YES)
    ngo = store.add_organisation(b.id, "NGO", d.OrgKind.NGO)
    store.decide(item.id, d.Perspective.RETURN, consensus=d.Consensus.NONE,
                 dissent=[d.Dissent(ngo.id, "Geen overeenstemming")],
                 escalation_level=d.Escalation.MRT)  # its thread: see _escalations
    m2 = store.create_meeting(b.id, "2024-04-05", standard_agenda=False)
    later = store.add_agenda_item(m2.id, d.ItemKind.CASE, case_id=b3.id)
    store.decide(later.id, d.Perspective.RETURN, consensus=d.Consensus.NONE,
                 dissent=[d.Dissent(ngo.id, "Geen overeenstemming")],
                 escalation_level=d.Escalation.STUURGROEP)
    _escalations(store, a.id, b.id, (a1.id, a2.id, b1.id, b2.id, b3.id), item.id, later.id)
    store.add_action(item.id, None, "due before to, open", "2024-03-30")  # overdue
    store.add_action(item.id, None, "due on to", "2024-03-31")  # not overdue on to
    done = store.add_action(item.id, None, "due before, done after to", "2024-02-01")
    store.close_action(done.id)  # closed today (after to): it was overdue on to
    return store


def _escalations(store, a: str, b: str, cases: tuple[str, ...], b3_item: str,  # noqa: ANN001
                 b3_later: str) -> None:
    """Escalation threads; their figures on 2024-01-01 .. 2024-03-31 by hand in A, B, TOTAL."""
    a1, a2, b1, b2, b3 = cases
    ngo_a = store.add_organisation(a, "NGO A", d.OrgKind.NGO)

    def item_on(overleg: str, day: str, case_id: str, ngo: str | None = None) -> str:
        m = store.create_meeting(overleg, day, standard_agenda=False)
        it = store.add_agenda_item(m.id, d.ItemKind.CASE, case_id=case_id)
        if ngo is not None:
            store.decide(it.id, d.Perspective.RETURN, consensus=d.Consensus.NONE,
                         dissent=[d.Dissent(ngo, "Geen overeenstemming")])
        return it.id

    # A: MRT sent 01-01, advice 01-11 (10 d), not adopted 02-01 and taken to the
    # stuurgroep, sent 02-01: open on to at 59 d (28-90); the MRT thread is not open
    x = store.open_escalation(item_on(a, "2024-01-01", a1, ngo_a.id), d.Escalation.MRT,
                              "Vraag", sent_on="2024-01-01")
    store.record_advice(x.id, "Advies", received_on="2024-01-11")
    at = item_on(a, "2024-02-01", a1)
    store.record_adoption(x.id, at, False, "Niet haalbaar")
    store.escalate_further(x.id, d.Escalation.STUURGROEP, sent_on="2024-02-01", item_id=at)
    # A: a draft opened on to itself (0 d, under 28): open
    store.open_escalation(item_on(a, "2024-03-31", a2, ngo_a.id), d.Escalation.MRT, "Vraag")
    ngo_b = next(o.id for o in store.organisations(b) if o.kind is d.OrgKind.NGO)
    # B: b3's MRT (the decision of 03-10), sent 03-11, advice 03-21 (10 d); not adopted
    # only on 04-05, after to: open on to (20 d), no adoption counted
    x = store.open_escalation(b3_item, d.Escalation.MRT, "Vraag", sent_on="2024-03-11")
    store.record_advice(x.id, "Advies", received_on="2024-03-21")
    store.record_adoption(x.id, b3_later, False, "Niet haalbaar")
    # B: b2's MRT sent 2023-09-05, advice 2024-03-01 (178 d): open on to at 208 d (over 90)
    x = store.open_escalation(item_on(b, "2023-09-01", b2, ngo_b), d.Escalation.MRT,
                              "Vraag", sent_on="2023-09-05")
    store.record_advice(x.id, "Advies", received_on="2024-03-01")
    # B: b1's MRT sent 02-20, advice 02-27 (7 d), adopted and closed 03-10: not open
    x = store.open_escalation(item_on(b, "2024-02-20", b1, ngo_b), d.Escalation.MRT,
                              "Vraag", sent_on="2024-02-20")
    store.record_advice(x.id, "Advies", received_on="2024-02-27")
    m1 = store.agenda_item(b3_item).meeting_id
    at = store.add_agenda_item(m1, d.ItemKind.CASE, case_id=b1).id
    store.record_adoption(x.id, at, True)
    store.close_escalation(x.id, item_id=at)
    # B: a thread opened after to does not count at all
    store.open_escalation(b3_later, d.Escalation.STUURGROEP, "Vraag", sent_on="2024-04-05")


def _esc(levels: tuple[int, int, int, int], ages: tuple[int, int, int], adopted: int,
         not_adopted: int, advice: int, mean: float | None, median: float | None) -> dict:
    return {"open_by_level": dict(zip(("mrt", "stuurgroep", "programmaraad", "bestuurlijk"),
                                      levels, strict=True)),
            "open_by_age": dict(zip(("lt28", "28to90", "gt90"), ages, strict=True)),
            "adopted": adopted, "not_adopted": not_adopted, "advice_count": advice,
            "advice_days_mean": mean, "advice_days_median": median}


A = {
    "intake": 2, "intake_cumulative": 5, "stock_start": 2, "stock_end": 2, "left": 2,
    "left_by_category": {"durable": 1, "semi_durable": 0, "none": 1},
    "left_by_subtype": {**_zeros(SUBTYPES), "return": 1, "ended": 1},
    "days_in_lvv_mean": 152.0, "days_in_lvv_median": 152,
    "in_intake": 2, "escalations_open": 2,
    "escalations": _esc((1, 1, 0, 0), (1, 1, 0), 0, 1, 1, 10.0, 10),
    "actions_overdue": 0,
}
B = {
    "intake": 2, "intake_cumulative": 4, "stock_start": 2, "stock_end": 2, "left": 2,
    "left_by_category": {"durable": 1, "semi_durable": 0, "none": 1},
    "left_by_subtype": {**_zeros(SUBTYPES), "permit": 1, "detention": 1},
    "days_in_lvv_mean": 205.5, "days_in_lvv_median": 205.5,
    "in_intake": 0, "escalations_open": 2,
    "escalations": _esc((2, 0, 0, 0), (1, 0, 1), 1, 0, 3, 65.0, 10),  # (10+178+7)/3
    "actions_overdue": 2,
}
TOTAL = {
    "intake": 4, "intake_cumulative": 9, "stock_start": 4, "stock_end": 4, "left": 4,
    "left_by_category": {"durable": 2, "semi_durable": 0, "none": 2},
    "left_by_subtype": {**_zeros(SUBTYPES), "return": 1, "ended": 1, "permit": 1,
                        "detention": 1},
    "days_in_lvv_mean": 178.8, "days_in_lvv_median": 152,  # (15+90+214+396)/4; (90+214)/2
    "in_intake": 2, "escalations_open": 4,
    "escalations": _esc((3, 1, 0, 0), (2, 1, 1), 1, 1, 4, 51.3, 10),  # 205/4 = 51.25
    "actions_overdue": 2,
}


def test_figures_against_the_hand_computed_fixture(fixture_store) -> None:  # noqa: ANN001
    mon = fixture_store.monitoring(FROM, TO)
    assert [o.name for o in mon.overleggen] == ["LSO A", "LSO B"]
    assert mon.overleggen[0].figures.as_dict() == A
    assert mon.overleggen[1].figures.as_dict() == B
    assert mon.total.as_dict() == TOTAL
    one = fixture_store.monitoring(FROM, TO, mon.overleggen[1].id)
    assert [o.name for o in one.overleggen] == ["LSO B"]
    assert one.total.as_dict() == B


def test_a_one_day_period(fixture_store) -> None:  # noqa: ANN001
    day = D("2024-01-01")
    total = fixture_store.monitoring(day, day).total
    # intake on the day: a2; left on the day: a3; present: a1, a2, b2, b3 (first stay)
    assert (total.intake, total.left, total.stock_start, total.stock_end) == (1, 1, 4, 4)
    assert total.left_by_subtype["ended"] == 1


def test_monthly_series_of_the_period(fixture_store) -> None:  # noqa: ANN001
    mon = fixture_store.monitoring(FROM, TO)
    assert [(m.month, m.intake, m.left) for m in mon.months] == [
        ("2024-01", 1, 1), ("2024-02", 1, 1), ("2024-03", 2, 2)]
    assert mon.months[2].left_by_category == {"durable": 1, "semi_durable": 0, "none": 1}


def test_figures_of_two_overleggen_add_up_to_the_total(fixture_store) -> None:  # noqa: ANN001
    for start, end in ((FROM, TO), (D("2020-01-01"), D("2030-12-31")),
                       (D("2024-02-10"), D("2024-02-10"))):
        mon = fixture_store.monitoring(start, end)
        parts = [o.figures.as_dict() for o in mon.overleggen]
        total = mon.total.as_dict()
        for key in ADDITIVE:
            assert sum(p[key] for p in parts) == total[key], (key, start)
        for cat in CATEGORIES:
            assert sum(p["left_by_category"][cat] for p in parts) == \
                total["left_by_category"][cat]
        for sub in SUBTYPES:
            assert sum(p["left_by_subtype"][sub] for p in parts) == total["left_by_subtype"][sub]
        assert sum(total["left_by_category"].values()) == total["left"]
        esc = total["escalations"]
        for sub in ("open_by_level", "open_by_age"):
            for key, n in esc[sub].items():
                assert sum(p["escalations"][sub][key] for p in parts) == n, (sub, key, start)
            assert sum(esc[sub].values()) == total["escalations_open"]
        for key in SECTION_ADDITIVE:
            assert sum(p["escalations"][key] for p in parts) == esc[key], (key, start)


def test_the_json_has_the_shape_of_the_issue(fixture_store, tmp_path: Path,
                                             capsys: pytest.CaptureFixture) -> None:  # noqa: ANN001
    fixture_store.close()
    code = main(["report", "--db", str(fixture_store.path), "--from", "01-01-2024",
                 "--to", "2024-03-31", "--format", "json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["from", "to", "definitions", "total", "overleggen"]
    assert (data["from"], data["to"]) == ("2024-01-01", "2024-03-31")
    at = KEYS.index("escalations") + 1  # the section's own definitions follow its key
    assert list(data["definitions"]) == [*KEYS[:at], *(f"escalations.{k}" for k in SECTION_KEYS),
                                         *KEYS[at:]]
    assert all(data["definitions"].values())
    assert data["total"] == TOTAL
    assert data["overleggen"] == [{"name": "LSO A", **A}, {"name": "LSO B", **B}]


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json", "docx", "xlsx"])
def test_every_format_renders(fixture_store, tmp_path: Path, fmt: str) -> None:  # noqa: ANN001
    from lvv_tui.report import write

    mon = fixture_store.monitoring(FROM, TO)
    path = write(mon, fmt, tmp_path / f"r.{fmt}", lang="en", made_on=D("2024-04-02"))
    if fmt == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert "Period 2024-01-01 to 2024-03-31 inclusive" in text
        cells = [c.text for c in Document(str(path)).tables[0].rows[1].cells]
        assert cells == ["Intake", "4", "2", "2"]
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
        assert ("days_in_lvv_mean", "Mean days in the LVV", 178.8, 152.0, 205.5) in rows
    else:
        text = path.read_bytes().decode("utf-8")
        if fmt == "csv":
            assert text.startswith("\ufeffkey;Figure;Total;LSO A;LSO B\r\n")
            assert "left_by_subtype.permit;Residence permit (regular grounds);1;0;1\r\n" in text
            assert "days_in_lvv_mean;Mean days in the LVV;178.8;152.0;205.5\r\n" in text
            assert "escalations.open_by_age.gt90;open, over 90 days;1;0;1\r\n" in text
            assert "escalations.advice_days_mean;Days to advice, mean;51.3;10.0;65.0\r\n" in text
        elif fmt == "md":
            assert "| Intake | 4 | 2 | 2 |" in text
            assert "**Stock at start**: Present on the first day" in text
            assert "|   open at Steering group | 1 | 1 | 0 |" in text
            assert "**Open by age**: The escalations open on the reference date" in text
        elif fmt == "html":
            assert "<td>Intake</td><td class=\"n\">4</td>" in text
        else:
            assert json.loads(text)["total"]["left"] == 4


def test_html_escapes_names(store, tmp_path: Path) -> None:  # noqa: ANN001
    from lvv_tui.report import to_html, to_markdown

    store.create_overleg("<script>x</script> | A", "X")
    mon = store.monitoring(FROM, TO)
    html = to_html(mon)
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "\\| A" in to_markdown(mon)


def test_cli_refuses_a_bad_period(fixture_store, capsys: pytest.CaptureFixture) -> None:  # noqa: ANN001
    fixture_store.close()
    db = str(fixture_store.path)
    assert main(["report", "--db", db, "--from", "2024-03-01", "--to", "2024-01-01"]) == 1
    assert "einde van de periode" in capsys.readouterr().err
    assert main(["report", "--db", db, "--from", "31-02-2024", "--to", "2024-03-01"]) == 1
    assert main(["report", "--db", db, "--from", "2024-01-01", "--to", "2024-03-01",
                 "--format", "docx"]) == 1
    assert main(["report", "--db", db, "--from", "2024-01-01", "--to", "2024-03-01",
                 "--overleg", "LSO Z"]) == 1


def test_bar_lines_scale_and_plain_fallback() -> None:
    from lvv_tui.report import bar_lines

    assert bar_lines([("jan", 8), ("feb", 2), ("mrt", 0)], width=4) == [
        "jan ████ 8", "feb █    2", "mrt      0"]
    assert bar_lines([("jan", 8), ("feb", 1)], width=4, unicode=False) == [
        "jan #### 8", "feb #    1"]  # a value above zero always shows
    assert bar_lines([("a", 3)], width=8, peak=6) == ["a ████     3"]


async def test_report_screen_figures_charts_and_intake(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from textual.widgets import DataTable, Input, Static

    from db.demo import generate
    from db.store import Store
    from lvv_tui.app import LvvApp
    from lvv_tui.config import Config
    from tests.conftest import PASSPHRASE

    today = D("2026-03-04")
    path = tmp_path / "demo.db"
    with Store.open(path, PASSPHRASE, create=True) as s:
        generate(s, scale="small", seed=1, today=today)
        expected = s.monitoring(D("2026-01-01"), today).total
        (ov,) = s.overleggen()
        in_intake = s.intake_overview(ov.id, today)
    # two put forward and waiting for the LSO, four back for a second stay awaiting dossiers
    assert sorted(r.step.value for r in in_intake) == ["dossiers"] * 4 + ["put_forward"] * 2

    async def settle(pilot) -> None:  # noqa: ANN001
        for _ in range(3):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    from screens.report import ReportScreen

    monkeypatch.setattr(ReportScreen, "can_draw", lambda self: False)
    app = LvvApp(Config(db=path, lang="nl", keymap={}), today=today, clock=lambda: 0.0)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        app.action_monitoring_report()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        figures = screen.query_one("#report-figures", DataTable)
        assert [str(c) for c in figures.get_row("intake")] == [
            "Instroom", str(expected.intake), str(expected.intake)]
        assert [str(c) for c in figures.get_row("stock_end")][1] == str(expected.stock_end)
        categories = str(screen.query_one("#report-chart-categories", Static).render())
        assert "Duurzame oplossing" in categories and "█" not in categories
        months = str(screen.query_one("#report-chart-months", Static).render()).splitlines()
        assert [line.split()[0] for line in months] == [
            "2026-01", "2026-01", "2026-02", "2026-02", "2026-03", "2026-03"]
        intake = screen.query_one("#report-intake", DataTable)
        assert sorted(intake.rows) == sorted(r.case.id for r in in_intake)
        intake.focus()
        intake.move_cursor(row=0)
        first = intake.coordinate_to_cell_key((0, 0)).row_key.value
        await pilot.press("a")
        await settle(pilot)
        # dossier dates of a case back for a second stay
        waiting = next(r for r in in_intake if r.step is d.IntakeStep.DOSSIERS)
        intake.move_cursor(row=intake.get_row_index(waiting.case.id))
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"04-03-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        # the LSO's decision: refused without a meeting that discussed the case, saying why
        fresh = next(r for r in in_intake if r.step is d.IntakeStep.PUT_FORWARD
                     and r.case.id != first)
        intake.move_cursor(row=intake.get_row_index(fresh.case.id))
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "nog in geen overleg besproken" in str(
            app.screen.query_one("#lvv_verdict-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        # a bad period is refused with a message, not a traceback
        period = screen.query_one("#report-to", Input)
        period.value = "2025-01-01"
        screen.load()
        await settle(pilot)
        assert "einde van de periode" in str(screen.query_one("#report-status", Static).render())
    with Store.open(path, PASSPHRASE) as s:
        stay = s.current_stay(waiting.case.id)
        assert (stay.ind_dossier_on, stay.dtenv_dossier_on) == (today, None)
        meetings = [m for m in s.meetings(ov.id, today) if m.date >= today]
        assert first in [i.case_id for i in s.agenda(meetings[0].id)]


def test_the_escalation_screen_counts_as_the_report(fixture_store) -> None:  # noqa: ANN001
    from db.escalation_stats import section

    mon = fixture_store.monitoring(FROM, TO)
    for part, expected in zip(mon.overleggen, (A, B), strict=True):
        stats = fixture_store.escalation_stats(part.id, start=FROM, end=TO)
        assert section(stats) == expected["escalations"]
        assert stats.open_total == expected["escalations_open"]
