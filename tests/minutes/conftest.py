"""A fixed meeting, built through the Store API, for golden-file tests of the minutes."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass

import pytest

from db import domain as d
from tests.conftest import in_ci

MADE_ON = dt.date(2026, 3, 20)


@dataclass
class Fixed:
    overleg_id: str
    meeting_id: str
    next_meeting_id: str
    case_ids: dict[str, str]
    item_ids: dict[str, str]
    org_ids: dict[str, str]
    action_ids: dict[str, str]


def build_fixed(store) -> Fixed:  # noqa: ANN001
    """One overleg, an earlier meeting with an open action, the meeting under test, a next one."""
    ov = store.create_overleg("LSO Voorbeeldstad", "Voorbeeldstad", places=40)
    orgs = {}
    for sort, (name, kind) in enumerate([
        ("Gemeente Voorbeeldstad", d.OrgKind.GEMEENTE), ("IND", d.OrgKind.IND),
        ("DTenV", d.OrgKind.DTENV), ("Politie AVIM", d.OrgKind.POLITIE),
        ("Stichting <Noodopvang> & Co", d.OrgKind.NGO),
    ]):
        orgs[kind.value] = store.add_organisation(ov.id, name, kind, sort=sort).id
    cases = {
        "A": store.create_case(ov.id, "VBS-001", v_number="1234567890", nationality="NG").id,
        "B": store.create_case(ov.id, "VBS-002", nationality="GE").id,
        "C": store.create_case(ov.id, "VBS-003").id,
    }
    earlier = store.create_meeting(ov.id, "2026-02-10", "10:00", "Stadhuis", "J. Voorzitter",
                                   "S. Notulist")
    early_item = store.add_agenda_item(earlier.id, d.ItemKind.CASE, case_id=cases["A"])
    old_action = store.add_action(early_item.id, orgs["ind"], "Dossier opvragen bij IND",
                                  "2026-03-01")

    m = store.create_meeting(ov.id, "2026-03-10", "10:00", "Stadhuis, kamer 2.14",
                             "J. Voorzitter", "S. Notulist")
    store.set_attendance(m.id, orgs["gemeente"], d.Attendance.PRESENT, "J. Voorzitter")
    store.set_attendance(m.id, orgs["ind"], d.Attendance.PRESENT, "A. de Vries")
    store.set_attendance(m.id, orgs["dtenv"], d.Attendance.PRESENT)
    store.set_attendance(m.id, orgs["politie"], d.Attendance.APOLOGIES)
    store.set_attendance(m.id, orgs["ngo"], d.Attendance.ABSENT)
    a = store.add_agenda_item(m.id, d.ItemKind.CASE, case_id=cases["A"])
    b = store.add_agenda_item(m.id, d.ItemKind.CASE, case_id=cases["B"])
    c = store.add_agenda_item(m.id, d.ItemKind.CASE, case_id=cases["C"], confidential=True)
    items = {"A": a.id, "B": b.id, "C": c.id}
    agenda = store.agenda(m.id)
    items["opening"] = agenda[0].id
    store.set_minutes_text(m.id, items["opening"], "De voorzitter opent om 10.00 uur.")
    store.set_minutes_text(
        m.id, a.id,
        "Besproken is de *medische* situatie.\nHet dossier is compleet.\n\n"
        "Tweede alinea met [bold]markup[/bold] en <script>alert(1)</script>.",
    )
    store.set_minutes_text(m.id, c.id, "Geheime samenvatting")
    store.record_view(a.id, orgs["gemeente"], d.Position.RETURN, "Terugkeer ligt voor de hand.")
    store.record_view(a.id, orgs["ind"], d.Position.RETURN, "Geen gronden voor verblijf.")
    store.record_view(a.id, orgs["dtenv"], d.Position.RETURN, "")
    store.record_view(a.id, orgs["ngo"], d.Position.STAY, "Medische gronden | art. 64",
                      confidential=False)
    store.record_view(a.id, orgs["politie"], d.Position.RESEARCH, "Vertrouwelijke politie-info",
                      confidential=True)
    store.decide(a.id, d.Perspective.RETURN, "Meerderheid ziet terugkeer.",
                 d.Consensus.NONE, [d.Dissent(orgs["ngo"], "Medische situatie onvoldoende "
                                               "gewogen.")],
                 d.Escalation.MRT, "Is terugkeer medisch verantwoord?", "2026-03-17", None,
                 "2026-04-14")
    store.record_view(b.id, orgs["gemeente"], d.Position.STAY, "")
    store.decide(b.id, d.Perspective.STAY, "Aanvraag regulier verblijf.", d.Consensus.UNANIMOUS)
    store.record_view(c.id, orgs["gemeente"], d.Position.END, "Geheime notitie")
    act1 = store.add_action(a.id, orgs["dtenv"], "Vertrekgesprek plannen", "2026-03-24")
    act2 = store.add_action(b.id, orgs["gemeente"], "Aanvraag indienen", None)
    nxt = store.create_meeting(ov.id, "2026-04-07", "10:00", "Stadhuis", "J. Voorzitter",
                               "S. Notulist")
    store.add_agenda_item(nxt.id, d.ItemKind.CASE, case_id=cases["A"])
    later_item = store.add_agenda_item(nxt.id, d.ItemKind.CASE, case_id=cases["C"])
    store.add_action(later_item.id, orgs["ind"], "Actie van later", None)
    return Fixed(ov.id, m.id, nxt.id, cases, items, orgs,
                 {"old": old_action.id, "a": act1.id, "b": act2.id})


@pytest.fixture
def fixed(store) -> Fixed:  # noqa: ANN001
    return build_fixed(store)


@pytest.fixture
def made_on() -> dt.date:
    return MADE_ON


@pytest.fixture
def soffice() -> str:
    """The LibreOffice binary; fails under CI when it is missing, skips elsewhere."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if in_ci():
            pytest.fail("soffice (libreoffice-writer-nogui) is missing under CI")
        pytest.skip("soffice not installed (apt-get install libreoffice-writer-nogui)")
    return path
