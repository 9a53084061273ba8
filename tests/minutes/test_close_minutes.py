"""Minutes: a deferred item says so, the actions closed since the previous meeting are
listed, and the DOCX pages are A4."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db import domain as d


def _two_meetings(store):  # noqa: ANN001, ANN202
    ov = store.create_overleg_with_partners("LSO Notulstad", "Notulstad", 40)
    orgs = store.organisations(ov.id)
    case = store.create_case(ov.id, "N-001")
    today = dt.date.today()
    first = store.create_meeting(ov.id, today - dt.timedelta(days=14))
    second = store.create_meeting(ov.id, today + dt.timedelta(days=1))
    item = store.add_agenda_item(first.id, d.ItemKind.CASE, case_id=case.id)
    action = store.add_action(item.id, orgs[1].id, "Dossier opvragen", None)
    return first, second, item, action


def test_a_deferred_item_says_so_in_the_minutes(store) -> None:  # noqa: ANN001
    from lvv_tui.export import to_html, to_markdown
    from lvv_tui.minutes import build_minutes

    first, _second, item, _action = _two_meetings(store)
    store.defer_item(item.id)
    doc = build_minutes(store, first.id, made_on=dt.date(2026, 3, 4))
    assert [i.deferred for i in doc.items if i.id == item.id] == [True]
    md = to_markdown(doc)
    section = md.split("N-001", 1)[1].split("\n## ", 1)[0]
    assert "*Uitgesteld naar een volgende vergadering.*" in section
    assert "Uitgesteld naar een volgende vergadering." in to_html(doc)


def test_the_next_minutes_list_the_actions_closed_since(store) -> None:  # noqa: ANN001
    from lvv_tui.export import to_markdown
    from lvv_tui.minutes import build_minutes

    first, second, _item, action = _two_meetings(store)
    assert build_minutes(store, second.id, made_on=dt.date.today()).closed_actions == ()
    store.close_action(action.id)
    doc = build_minutes(store, second.id, made_on=dt.date.today())
    assert [a.id for a in doc.closed_actions] == [action.id]
    md = to_markdown(doc)
    closed = md.split("## Afgehandelde acties sinds de vorige vergadering", 1)[1]
    assert "Dossier opvragen" in closed.split("\n## ", 1)[0]
    # the meeting where it was made does not list it as closed since *its* previous one
    assert build_minutes(store, first.id, made_on=dt.date.today()).closed_actions == ()


def test_docx_pages_are_a4(store, tmp_path: Path) -> None:  # noqa: ANN001
    from docx import Document

    from lvv_tui.export import to_docx
    from lvv_tui.minutes import build_minutes

    first, *_ = _two_meetings(store)
    out = tmp_path / "notulen.docx"
    to_docx(build_minutes(store, first.id, made_on=dt.date(2026, 3, 4)), out)
    section = Document(str(out)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
