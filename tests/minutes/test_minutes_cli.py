"""``lvv-tui meetings`` and ``lvv-tui export``."""

from __future__ import annotations

import json

from lvv_tui.cli import main


def test_meetings_lists_id_date_status_items_decisions(store, fixed, db_file, capsys):
    assert main(["meetings", "--db", str(db_file), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["date"] for r in rows] == ["2026-02-10", "2026-03-10", "2026-04-07"]
    row = rows[1]
    assert row["id"] == fixed.meeting_id
    assert (row["minutes_status"], row["items"], row["decisions"]) == ("concept", 8, 2)
    assert main(["meetings", "--db", str(db_file)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["id", "date", "overleg", "status", "minutes", "items",
                                "decisions"]
    assert fixed.meeting_id in table[2]


def test_export_by_date_in_each_format(store, fixed, db_file, tmp_path, capsys):
    for fmt in ("md", "html", "docx"):
        out = tmp_path / f"verslag.{fmt}"
        assert main(["export", "--db", str(db_file), "--meeting", "2026-03-10",
                     "--format", fmt, "-o", str(out)]) == 0
        assert not out.exists()  # the name says the file holds personal data
        assert (tmp_path / f"verslag.PERSOONSGEGEVENS.{fmt}").stat().st_size > 500
    text = (tmp_path / "verslag.PERSOONSGEGEVENS.md").read_text(encoding="utf-8")
    assert text.startswith("**BEVAT PERSOONSGEGEVENS")
    assert text.split("\n\n", 1)[1].startswith("# Verslag LSO Voorbeeldstad, 10 maart 2026")
    assert "1234567890" not in text and "Vertrouwelijke politie-info" not in text
    assert "Gemaakt op " in text


def test_export_by_id_with_options_and_english(store, fixed, db_file, tmp_path):
    out = tmp_path / "minutes-persoonsgegevens.md"  # a name that says so is kept
    assert main(["export", "--db", str(db_file), "--meeting", fixed.meeting_id, "-o", str(out),
                 "--include-confidential", "--include-v-numbers", "--lang", "en"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("**CONTAINS PERSONAL DATA")
    assert text.split("\n\n", 1)[1].startswith("# Minutes LSO Voorbeeldstad, 10 March 2026")
    assert "1234567890" in text and "Vertrouwelijke politie-info" in text
    assert "Confidential views included. With V-numbers." in text


def test_export_refuses_bad_input_and_leaves_files_alone(store, fixed, db_file, tmp_path,
                                                         capsys):
    out = tmp_path / "keep.md"
    out.write_text("keep", encoding="utf-8")
    assert main(["export", "--db", str(db_file), "--meeting", "2031-01-01", "-o",
                 str(out)]) == 1
    assert "2031-01-01" in capsys.readouterr().err
    assert main(["export", "--db", str(db_file), "--meeting", "nonsense", "-o",
                 str(out)]) == 1
    assert "nonsense" in capsys.readouterr().err
    assert main(["export", "--db", str(db_file), "--meeting", "2026-03-10", "-o",
                 str(tmp_path / "x.txt")]) == 1
    assert "--format" in capsys.readouterr().err  # this call's message, not an earlier one
    assert main(["export", "--db", str(db_file), "--meeting", "2026-03-10", "--format",
                 "docx", "-o", "-"]) == 1
    assert capsys.readouterr().err.strip()
    assert out.read_text(encoding="utf-8") == "keep"
    assert not (tmp_path / "x.txt").exists()


def test_export_by_ambiguous_date_names_the_candidates(store, fixed, db_file, capsys):
    other = store.create_overleg("LSO Anderstad", "Anderstad")
    second = store.create_meeting(other.id, "2026-03-10")
    assert main(["export", "--db", str(db_file), "--meeting", "2026-03-10", "--format", "md",
                 "-o", "-"]) == 1
    err = capsys.readouterr().err
    assert fixed.meeting_id in err and second.id in err


def test_help_lists_meetings_and_export(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "meetings" in out and "export" in out
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    for flag in ("--meeting", "--format", "--include-confidential", "--include-v-numbers"):
        assert flag in out


def test_export_into_a_missing_folder_is_a_clear_error(store, fixed, db_file, tmp_path, capsys):
    target = tmp_path / "no-such-folder" / "verslag.md"
    assert main(["export", "--db", str(db_file), "--meeting", "2026-03-10", "-o",
                 str(target)]) == 1
    err = capsys.readouterr().err
    assert "no-such-folder" in err and "No such file or directory" in err
    assert not target.parent.exists()
