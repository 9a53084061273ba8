"""Minutes: golden Markdown and HTML, DOCX read back, LibreOffice opens it, privacy defaults.

Regenerate the golden files after a deliberate change with ``LVV_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from lvv_tui.export import export, format_for, md_escape, to_docx, to_html, to_markdown
from lvv_tui.minutes import build_minutes

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("LVV_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from the golden file"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_markdown_golden(store, fixed, made_on, lang):
    doc = build_minutes(store, fixed.meeting_id, made_on=made_on, lang=lang)
    check_golden(f"meeting.{lang}.md", to_markdown(doc))


def test_html_golden(store, fixed, made_on):
    doc = build_minutes(store, fixed.meeting_id, made_on=made_on)
    check_golden("meeting.nl.html", to_html(doc))


def test_document_content(store, fixed, made_on):
    doc = build_minutes(store, fixed.meeting_id, made_on=made_on)
    assert [i.title for i in doc.items][3:6] == ["Casus VBS-001", "Casus VBS-002",
                                                  "Casus VBS-003"]
    assert [a.organisation for a in doc.header.present] == [
        "Gemeente Voorbeeldstad", "IND", "DTenV"]
    assert {a.organisation for a in doc.header.absent} == {"Politie AVIM",
                                                           "Stichting <Noodopvang> & Co"}
    assert [b.number for b in doc.besluitenlijst] == [1, 2]
    assert doc.besluitenlijst[0].text.startswith("Casus VBS-001: Terugkeer (Geen consensus)")
    item_a = doc.items[3]
    assert item_a.decision is not None
    assert item_a.decision.dissent[0].organisation == "Stichting <Noodopvang> & Co"
    assert item_a.decision.escalation == "Multidisciplinair Review Team (MRT)"
    assert [a.text for a in item_a.actions] == ["Vertrekgesprek plannen"]
    # the actielijst: every open action of the overleg up to this meeting, earlier ones too
    texts = [a.text for a in doc.actielijst]
    assert texts == ["Dossier opvragen bij IND", "Vertrekgesprek plannen", "Aanvraag indienen"]
    assert "Actie van later" not in texts
    assert doc.actielijst[0].since_text == "10 februari 2026"


def test_confidential_and_v_numbers_stay_out_by_default(store, fixed, made_on):
    doc = build_minutes(store, fixed.meeting_id, made_on=made_on)
    for text in (to_markdown(doc), to_html(doc)):
        assert "Vertrouwelijke politie-info" not in text
        assert "Geheime notitie" not in text
        assert "Geheime samenvatting" not in text
        assert "1234567890" not in text
        assert "Zonder vertrouwelijke inbreng. Zonder V-nummers." in text
        assert "Gemaakt op 20 maart 2026." in text
    assert doc.items[3].withheld_views == 1
    assert doc.items[5].withheld

    full = build_minutes(store, fixed.meeting_id, made_on=made_on, include_confidential=True,
                         include_v_numbers=True)
    text = to_markdown(full)
    for secret in ("Vertrouwelijke politie-info", "Geheime notitie", "Geheime samenvatting",
                   "1234567890", "Inclusief vertrouwelijke inbreng. Met V-nummers."):
        assert secret in text


def test_user_text_is_escaped(store, fixed, made_on):
    doc = build_minutes(store, fixed.meeting_id, made_on=made_on)
    page = to_html(doc)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Stichting &lt;Noodopvang&gt; &amp; Co" in page
    assert "[bold]markup[/bold]" in page  # Rich markup is just text here
    md = to_markdown(doc)
    assert "\\<script\\>" in md and "\\*medische\\*" in md
    assert md_escape("a|b") == "a\\|b"


def test_docx_read_back(store, fixed, made_on, tmp_path):
    from docx import Document

    doc = build_minutes(store, fixed.meeting_id, made_on=made_on)
    path = tmp_path / "verslag.docx"
    to_docx(doc, path)
    word = Document(str(path))
    headings = [(p.style.name, p.text) for p in word.paragraphs
                if p.style.name.startswith(("Heading", "Title"))]
    assert ("Title", "Verslag LSO Voorbeeldstad, 10 maart 2026") in headings
    assert ("Heading 1", "4. Casus VBS-001") in headings
    assert ("Heading 1", "Besluitenlijst") in headings
    assert ("Heading 1", "Actielijst") in headings
    assert ("Heading 2", "Besluit") in headings
    body = "\n".join(p.text for p in word.paragraphs)
    assert "Perspectief: Terugkeer" in body
    assert "Afwijkend standpunt Stichting <Noodopvang> & Co: Medische situatie" in body
    assert "Vertrouwelijke politie-info" not in body
    tables = [[[c.text for c in row.cells] for row in tbl.rows] for tbl in word.tables]
    besluiten = next(tb for tb in tables if tb[0] == ["#", "Besluit"])
    assert [r[0] for r in besluiten[1:]] == ["1", "2"]
    assert besluiten[1][1].startswith("Casus VBS-001: Terugkeer")
    acties = next(tb for tb in tables if tb[0][:2] == ["#", "Actie"])
    assert [r[1] for r in acties[1:]] == ["Dossier opvragen bij IND", "Vertrekgesprek plannen",
                                           "Aanvraag indienen"]
    assert acties[1][3] == "IND"
    footer = word.sections[0].footer.paragraphs[0].text
    assert "Zonder V-nummers." in footer and "Gemaakt op 20 maart 2026." in footer
    assert word.core_properties.title == doc.title


def test_docx_opens_in_libreoffice(store, fixed, made_on, tmp_path, soffice):
    doc = build_minutes(store, fixed.meeting_id, made_on=made_on)
    path = tmp_path / "verslag.docx"
    to_docx(doc, path)
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True, text=True, timeout=180,
    )
    pdf = tmp_path / "verslag.pdf"
    assert pdf.exists(), f"soffice made no PDF: {result.stdout} {result.stderr}"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000


def test_export_writes_atomically_and_keeps_old_file_on_failure(store, fixed, made_on,
                                                                 tmp_path):
    doc = build_minutes(store, fixed.meeting_id, made_on=made_on)
    target = tmp_path / "out.PERSOONSGEGEVENS.md"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ValueError):
        export(doc, "pdf", target)
    assert target.read_text(encoding="utf-8") == "old"
    assert export(doc, "md", target) == target
    assert target.read_text(encoding="utf-8") == (
        "**BEVAT PERSOONSGEGEVENS — vertrouwelijk; niet doorsturen, na gebruik vernietigen.**"
        "\n\n" + to_markdown(doc))
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert (format_for("a.HTML"), format_for("a.docx"), format_for("a.txt")) == (
        "html", "docx", None)


def test_control_characters_in_user_text_do_not_break_any_format(store, fixed, made_on,
                                                                 tmp_path):
    from docx import Document

    store.set_minutes_text(fixed.meeting_id, fixed.item_ids["B"],
                           "Geplakt uit een terminal: \x1b[31mrood\x1b[0m en \x00 nul\x07.")
    doc = build_minutes(store, fixed.meeting_id, made_on=made_on)
    for fmt in ("md", "html", "docx"):
        assert export(doc, fmt, tmp_path / f"v.{fmt}") == tmp_path / f"v.PERSOONSGEGEVENS.{fmt}"
    paragraphs = Document(str(tmp_path / "v.PERSOONSGEGEVENS.docx")).paragraphs
    assert paragraphs[0].text.startswith("BEVAT PERSOONSGEGEVENS")
    body = "\n".join(p.text for p in paragraphs)
    assert "Geplakt uit een terminal: \ufffd[31mrood\ufffd[0m en \ufffd nul\ufffd." in body
    page = (tmp_path / "v.PERSOONSGEGEVENS.html").read_text(encoding="utf-8")
    assert page.startswith("<!-- BEVAT PERSOONSGEGEVENS")
    assert "\x1b" not in page and "\x00" not in page
    assert "\x1b" not in (tmp_path / "v.PERSOONSGEGEVENS.md").read_text(encoding="utf-8")
