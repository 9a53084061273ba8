"""Import of case lists: CSV as Dutch Excel writes it and XLSX; all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db import domain as d
from db.case_import import ImportRefused, ImportResult, read_file
from lvv_tui.cli import main

D = dt.date.fromisoformat

DUTCH = (
    "code;overleg;nationaliteit;instroomdatum;uitstroomdatum;uitstroom;naam\r\n"
    "U-001;LSO Utrecht;Nigeria;01-02-2024;;;Niet importeren\r\n"
    "U-002;LSO Utrecht;Irak;5-3-2024;15-06-2024;terugkeer;\r\n"
    "U-003;LSO Utrecht;;01-04-2024;01-05-2024;Artikel 64;\r\n"
    ";;;;;;\r\n"
)
ENGLISH = (
    "Code,Overleg,Nationality,Intake date,Exit date,Outcome\n"
    "U-001,LSO Utrecht,Nigeria,2024-02-01,,\n"
    "U-002,LSO Utrecht,Irak,2024-03-05,2024-06-15,return\n"
    "U-003,LSO Utrecht,,2024-04-01,2024-05-01,art64\n"
)


def _state(store) -> list[tuple]:  # noqa: ANN001
    out = []
    for ov in store.overleggen():
        for c in store.cases(ov.id):
            out.append((ov.name, c.code, c.nationality, c.intake_date, c.exit_date,
                        c.outcome_subtype, c.outcome_category, c.status))
    return out


EXPECTED = [
    ("LSO Utrecht", "U-001", "Nigeria", D("2024-02-01"), None, None, None, d.CaseStatus.ACTIVE),
    ("LSO Utrecht", "U-002", "Irak", D("2024-03-05"), D("2024-06-15"),
     d.OutcomeSubtype.RETURN, d.OutcomeCategory.DURABLE, d.CaseStatus.LEFT),
    ("LSO Utrecht", "U-003", None, D("2024-04-01"), D("2024-05-01"),
     d.OutcomeSubtype.ART64, d.OutcomeCategory.SEMI_DURABLE, d.CaseStatus.LEFT),
]


@pytest.mark.parametrize(("text", "encoding"), [
    (DUTCH, "utf-8-sig"),  # BOM, ';', dd-mm-jjjj, Dutch headers and words
    (DUTCH, "utf-8"),
    (ENGLISH, "utf-8"),  # ',', ISO dates, English headers and codes
    (ENGLISH, "utf-8-sig"),
])
def test_csv_dutch_and_english(store, tmp_path: Path, text: str, encoding: str) -> None:  # noqa: ANN001
    store.create_overleg("LSO Utrecht", "Utrecht")
    path = tmp_path / "cases.csv"
    path.write_bytes(text.encode(encoding))
    result = ImportResult()
    rows = read_file(path, result=result)
    assert [r.line for r in rows] == [2, 3, 4]
    store.import_cases(rows, result=result)
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert _state(store) == EXPECTED
    assert result.ignored_columns == (["naam"] if text is DUTCH else [])
    assert store.check() == []


def test_reimport_changes_nothing_and_a_change_updates(store, tmp_path: Path) -> None:  # noqa: ANN001
    store.create_overleg("LSO Utrecht", "Utrecht")
    path = tmp_path / "cases.csv"
    path.write_text(DUTCH, encoding="utf-8-sig")
    store.import_cases(read_file(path))
    ops = store.op_count()
    again = store.import_cases(read_file(path))
    assert (again.created, again.updated, again.unchanged, again.ops) == (0, 0, 3, 0)
    assert store.op_count() == ops
    path.write_text(DUTCH.replace("01-02-2024;;;", "01-02-2024;01-03-2024;detentie;"),
                    encoding="utf-8-sig")
    changed = store.import_cases(read_file(path))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    u1 = store.cases(store.overleggen()[0].id, search="U-001")[0]
    assert (u1.exit_date, u1.outcome_category) == (D("2024-03-01"), d.OutcomeCategory.NONE)


def test_a_bad_file_is_refused_whole_with_every_line(store, tmp_path: Path) -> None:  # noqa: ANN001
    store.create_overleg("LSO Utrecht", "Utrecht")
    before = store.op_count()
    path = tmp_path / "bad.csv"
    path.write_text(
        "code;overleg;instroomdatum;uitstroomdatum;uitstroom\n"
        "B-1;LSO Utrecht;01-01-2024;;\n"  # fine
        "B-2;LSO Utrecht;31-02-2024;;\n"  # impossible date
        "B-3;LSO Utrecht;01-03-2024;01-02-2024;terugkeer\n"  # exit before intake
        "B-4;LSO Utrecht;01-03-2024;01-04-2024;naar huis\n"  # unknown outcome
        '"B-5";"LSO Utrecht";"01-03-2024";"01-04-2024";""\n'  # exit without outcome
        "B-1;LSO Utrecht;02-01-2024;;\n"  # duplicate code
        ";LSO Utrecht;02-01-2024;;\n",  # no code
        encoding="utf-8")
    with pytest.raises(ImportRefused) as exc:
        read_file(path)
    assert [(p.line, p.column, p.code) for p in exc.value.problems] == [
        (3, "instroomdatum", "import.error.date"),
        (4, "uitstroomdatum", "import.error.exit_before_intake"),
        (5, "uitstroom", "import.error.outcome"),
        (6, "uitstroom", "import.error.exit_needs_outcome"),
        (7, "code", "import.error.duplicate"),
        (8, "code", "import.error.required"),
    ]
    assert exc.value.problems[4].params == {"first": 2}
    assert store.op_count() == before


def test_line_numbers_count_lines_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text('code;overleg;instroomdatum\n"A\nB";X;01-01-2024\nC;X;gisteren\n',
                    encoding="utf-8")
    with pytest.raises(ImportRefused) as exc:
        read_file(path)
    assert [(p.line, p.column) for p in exc.value.problems] == [(4, "instroomdatum")]


def test_missing_columns_and_unknown_overleg(store, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "x.csv"
    path.write_text("nationaliteit;uitstroom\nNigeria;\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as exc:
        read_file(path)
    assert [(p.line, p.column, p.code) for p in exc.value.problems] == [
        (1, "code", "import.error.missing_column"),
        (1, "intake_date", "import.error.missing_column"),
        (1, "overleg", "import.error.missing_column")]
    path.write_text("code;instroomdatum\nA-1;01-01-2024\nA-2;02-01-2024\n", encoding="utf-8")
    rows = read_file(path, default_overleg="LSO Nieuw")
    with pytest.raises(ImportRefused) as exc:
        store.import_cases(rows)
    assert [(p.line, p.code) for p in exc.value.problems] == [
        (2, "import.error.overleg"), (3, "import.error.overleg")]
    assert store.op_count() == 0
    result = store.import_cases(rows, create_overleggen=True)
    assert result.overleggen_created == ["LSO Nieuw"]
    assert [o.name for o in store.overleggen()] == ["LSO Nieuw"]


def test_xlsx_with_date_cells_and_text_dates(store, tmp_path: Path) -> None:  # noqa: ANN001
    from openpyxl import Workbook

    store.create_overleg("LSO Utrecht", "Utrecht")
    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Overleg", "Nationaliteit", "Instroomdatum", "Uitstroomdatum",
                  "Uitstroom"])
    sheet.append(["U-001", "LSO Utrecht", "Nigeria", dt.datetime(2024, 2, 1), None, None])
    sheet.append(["U-002", "LSO Utrecht", "Irak", "05-03-2024", dt.date(2024, 6, 15),
                  "Terugkeer"])
    sheet.append(["U-003", "LSO Utrecht", None, "2024-04-01", "01-05-2024", "artikel 64"])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    store.import_cases(read_file(path))
    assert _state(store) == EXPECTED


def test_a_case_in_the_list_again_after_its_exit_is_a_new_stay(store, tmp_path: Path) -> None:  # noqa: ANN001
    store.create_overleg("LSO Utrecht", "Utrecht")
    path = tmp_path / "cases.csv"
    path.write_text(DUTCH, encoding="utf-8")
    store.import_cases(read_file(path))
    path.write_text("code;overleg;instroomdatum\nU-002;LSO Utrecht;01-09-2024\n", encoding="utf-8")
    store.import_cases(read_file(path))
    (u2,) = store.cases(store.overleggen()[0].id, search="U-002")
    first, second = store.stays(u2.id)
    assert (first.intake_date, first.exit_date, second.number, second.intake_date) == (
        D("2024-03-05"), D("2024-06-15"), 2, D("2024-09-01"))
    assert (u2.status, u2.intake_date, u2.exit_date) == (d.CaseStatus.ACTIVE,
                                                         D("2024-09-01"), None)


def test_cli_import_refuses_with_exit_1_and_dry_run_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "lvv.db"
    good = tmp_path / "good.csv"
    good.write_text(DUTCH, encoding="utf-8-sig")
    bad = tmp_path / "bad.csv"
    bad.write_text("code;overleg;instroomdatum\nX-1;LSO Utrecht;32-01-2024\n", encoding="utf-8")
    # no database yet, and the overleg is unknown: refused, nothing created
    assert main(["import", "cases", str(good), "--db", str(db)]) == 1
    assert not db.exists()
    assert main(["import", "cases", str(good), "--db", str(db), "--create-overleggen"]) == 0
    out = capsys.readouterr()
    assert "3 regels, 3 nieuw" in out.out
    assert main(["import", "cases", str(bad), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "regel 2, kolom instroomdatum: geen geldige datum" in err
    assert "32-01-2024" not in err  # no cell contents in messages
    assert main(["import", "cases", str(good), "--db", str(db), "--dry-run"]) == 0
    assert "0 nieuw, 0 bijgewerkt, 3 ongewijzigd" in capsys.readouterr().out
    more = tmp_path / "more.csv"
    more.write_text("code;overleg;instroomdatum\nU-009;LSO Utrecht;01-01-2024\n", encoding="utf-8")
    assert main(["import", "cases", str(more), "--db", str(db), "--dry-run"]) == 0
    assert "1 nieuw" in capsys.readouterr().out
    assert main(["import", "cases", str(more), "--db", str(db)]) == 0  # the dry run wrote nothing
    assert "1 regels, 1 nieuw" in capsys.readouterr().out


def test_imported_cases_sync_and_report_alike_on_another_laptop(store, tmp_path: Path) -> None:  # noqa: ANN001
    from db.store import Store
    from db.sync import sync_once
    from tests.conftest import PASSPHRASE

    store.create_overleg("LSO Utrecht", "Utrecht")
    path = tmp_path / "cases.csv"
    path.write_text(DUTCH, encoding="utf-8-sig")
    store.import_cases(read_file(path))
    hub = f"sqlite:///{tmp_path / 'hub.db'}"
    sync_once(store, hub)
    with Store.open(tmp_path / "other.db", PASSPHRASE, create=True) as other:
        sync_once(other, hub)
        assert _state(other) == EXPECTED
        period = (D("2024-01-01"), D("2024-12-31"))
        assert other.monitoring(*period) == store.monitoring(*period)
        assert other.dump() == store.dump()


def test_a_damaged_xlsx_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "cases.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["import", "cases", str(path), "--db", str(tmp_path / "x.db")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("lvv-tui: cases.xlsx: cannot be read as CSV or XLSX")
    assert "Traceback" not in err


def test_progress_is_reported_row_by_row(store, tmp_path: Path) -> None:  # noqa: ANN001
    store.create_overleg("LSO Utrecht", "Utrecht")
    path = tmp_path / "many.csv"
    path.write_text("code;overleg;instroomdatum\n" + "".join(
        f"M-{n:04d};LSO Utrecht;01-01-2024\n" for n in range(600)), encoding="utf-8")
    seen: list[int] = []
    store.import_cases(read_file(path), progress=seen.append)
    assert seen == list(range(1, 601))
