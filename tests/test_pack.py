"""The meeting pack (issue 15 item 2): per case the case file, the last decision, open
actions and submitted input; for --for ORG only what that organisation may see, said on the
first page; the personal-data mark in the file name and first line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db import domain as d
from db.partner_inputs import Audience
from db.store import Store
from lvv_tui.cli import main
from tests.conftest import PASSPHRASE


def _published(path: Path) -> dict:
    store = Store.open(path, PASSPHRASE, create=True)
    try:
        ov = store.create_overleg("LSO Teststad", "Teststad")
        orgs = {k: store.add_organisation(ov.id, name, k) for k, name in (
            (d.OrgKind.GEMEENTE, "Gemeente"), (d.OrgKind.DTENV, "DTenV"),
            (d.OrgKind.NGO, "Stichting [Hulp]"))}
        case = store.create_case(ov.id, "TS-0007", nationality="Eritrea")
        earlier = store.create_meeting(ov.id, dt.date(2026, 2, 1))
        old_item = store.add_agenda_item(earlier.id, d.ItemKind.CASE, case_id=case.id)
        store.decide(old_item.id, perspective=d.Perspective.RETURN, rationale="Eerder besluit.")
        store.add_action(old_item.id, orgs[d.OrgKind.DTENV].id, "Vertrekgesprek plannen",
                         dt.date(2026, 3, 1))
        meeting = store.create_meeting(ov.id, dt.date(2026, 4, 1))
        item = store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
        secret_case = store.create_case(ov.id, "TS-0008")
        store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=secret_case.id,
                              confidential=True)
        store.publish_agenda(meeting.id, today=dt.date(2026, 3, 20))
        ngo = orgs[d.OrgKind.NGO].id
        store.save_input(item.id, ngo, position=d.Position.STAY, feiten="Feit A.",
                         oordeel="NGO-OORDEEL", withheld="Dossier arts",
                         withheld_reason="NGO-REDEN", inzet="Inzet B.")
        store.submit_input(item.id, ngo, today=dt.date(2026, 3, 25))
        return {"meeting": meeting, "orgs": orgs, "ngo": ngo, "store_path": path}
    finally:
        store.close()


def test_pack_for_dtenv_holds_no_ngo_oordeel_and_says_for_whom(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    ctx = _published(tmp_path / "p.db")
    out = tmp_path / "pack.md"
    assert main(["agenda", "--db", str(tmp_path / "p.db"), "--meeting", "2026-04-01",
                 "--for", "DTenV", "-o", str(out)]) == 0
    written = tmp_path / "pack.PERSOONSGEGEVENS.md"
    assert not out.exists()
    text = written.read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    assert first.startswith("**BEVAT PERSOONSGEGEVENS")
    assert "Voor DTenV: alleen wat DTenV mag zien" in rest.split("## 1.")[0]
    assert "Feit A." in text and "Inzet B." in text and "Dossier arts" in text
    assert "NGO-OORDEEL" not in text and "NGO-REDEN" not in text
    assert "Eritrea" in text and "Eerder besluit." in text and "Vertrekgesprek plannen" in text
    assert "Stichting \\[Hulp\\]" in text  # user text is escaped
    assert "Vertrouwelijk punt" in text  # the confidential item without its papers
    assert ctx["ngo"]


def test_pack_for_the_ngo_and_for_the_chair(tmp_path: Path) -> None:
    ctx = _published(tmp_path / "p.db")
    assert main(["agenda", "--db", str(tmp_path / "p.db"), "--meeting", ctx["meeting"].id,
                 "--for", "Stichting [Hulp]", "--format", "html", "-o",
                 str(tmp_path / "ngo-persoonsgegevens.html")]) == 0
    page = (tmp_path / "ngo-persoonsgegevens.html").read_text(encoding="utf-8")
    assert page.startswith("<!-- BEVAT PERSOONSGEGEVENS")
    assert "NGO-OORDEEL" in page and "NGO-REDEN" in page  # its own
    assert "Stichting [Hulp]" in page
    assert main(["agenda", "--db", str(tmp_path / "p.db"), "--meeting", "2026-04-01",
                 "--for", "Gemeente", "-o", str(tmp_path / "chair.docx")]) == 0
    from docx import Document

    paras = [p.text for p in Document(str(tmp_path / "chair.PERSOONSGEGEVENS.docx")).paragraphs]
    assert paras[0].startswith("BEVAT PERSOONSGEGEVENS")
    body = "\n".join(paras)
    assert "NGO-OORDEEL" not in body  # default audience: the NGO itself, not the chair
    assert "TS-0008" in body and "Vertrouwelijk punt" not in body  # the chair sees it
    store = Store.open(tmp_path / "p.db", PASSPHRASE)
    try:
        item = store.agenda(ctx["meeting"].id)[0]
        item = next(i for i in store.agenda(ctx["meeting"].id) if i.case_id)
        store.save_input(item.id, ctx["ngo"], oordeel_audience=Audience.CHAIR)
    finally:
        store.close()
    assert main(["agenda", "--db", str(tmp_path / "p.db"), "--meeting", "2026-04-01",
                 "--for", "Gemeente", "-o", str(tmp_path / "chair2.md")]) == 0
    text = (tmp_path / "chair2.PERSOONSGEGEVENS.md").read_text(encoding="utf-8")
    assert "NGO-OORDEEL" in text and "NGO-REDEN" not in text


def test_pack_refusals(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    _published(tmp_path / "p.db")
    assert main(["agenda", "--db", str(tmp_path / "p.db"), "--meeting", "2026-02-01",
                 "-o", str(tmp_path / "x.md")]) == 1
    assert "niet gepubliceerd" in capsys.readouterr().err
    assert main(["agenda", "--db", str(tmp_path / "p.db"), "--meeting", "2026-04-01",
                 "--for", "Marsmannetjes", "-o", str(tmp_path / "x.md")]) == 1
    assert "Marsmannetjes" in capsys.readouterr().err
    assert not list(tmp_path.glob("x*"))
