"""The one presentation of the record: words shared by the screens and the exports.

Dates and plurals through Babel, an item's title in both forms, a decision's lines in the
minutes, the Markdown/HTML templates (escaping, a kept line break).
"""

from __future__ import annotations

import datetime as dt

from db import domain as d
from lvv_tui.export import to_html, to_markdown
from lvv_tui.minutes import build_minutes
from lvv_tui.presentation import (
    decision_lines,
    format_date,
    item_title,
    plural,
)


def test_dates_come_from_babel_in_each_language() -> None:
    day = dt.date(2026, 3, 1)
    assert format_date(day, "nl") == "1 maart 2026"
    assert format_date(day, "en") == "1 March 2026"
    assert format_date(None, "nl") == ""


def test_plural_forms_follow_the_language_rule() -> None:
    key = "minutes_screen.n_corrections"
    assert plural(key, 1, "nl") == "1 correctie"
    assert plural(key, 2, "nl") == "2 correcties"
    assert plural(key, 0, "nl") == "0 correcties"
    assert plural(key, 1, "en") == "1 correction"
    assert plural(key, 3, "en") == "3 corrections"
    assert plural("minutes_screen.n_conflicts", 1, "nl") == "1 conflict in samenvattingen"


def _item(kind: d.ItemKind, title: str = "", case_id: str | None = None) -> d.AgendaItem:
    return d.AgendaItem(id="i1", meeting_id="m1", position=1, kind=kind, title=title,
                        case_id=case_id)


def _case(code: str, nationality: str | None) -> d.Case:
    return d.Case(id="c1", overleg_id="o1", code=code, nationality=nationality)


def test_an_item_has_one_title_in_two_forms() -> None:
    case = _case("VBS-001", "NG")
    item = _item(d.ItemKind.CASE, case_id="c1")
    assert item_title(item, case, "nl") == "Casus VBS-001"
    assert item_title(item, case, "nl", short=True) == "VBS-001 · NG"
    titled = _item(d.ItemKind.CASE, "vervolg", case_id="c1")
    assert item_title(titled, case, "nl") == "Casus VBS-001: vervolg"
    general = _item(d.ItemKind.AOB, "vragen")
    assert item_title(general, None, "nl") == "vragen"
    assert item_title(general, None, "nl", short=True).endswith(": vragen")
    assert item_title(_item(d.ItemKind.AOB), None, "nl", short=True) == item_title(
        _item(d.ItemKind.AOB), None, "nl")


def test_the_minutes_screen_and_the_exports_read_the_same_decision(store, fixed, made_on):
    from screens.minutes_detail import item_detail

    doc = build_minutes(store, fixed.meeting_id, made_on=made_on)
    item = next(i for i in doc.items if i.decision is not None)
    lines = decision_lines(item.decision, "nl")
    assert [x.key for x in lines] == ["perspective", "consensus", "rationale", "dissent",
                                      "escalation", "escalation_question", "escalation_date",
                                      "review"]
    screen = item_detail(item, "nl").plain
    md = to_markdown(doc)
    for x in lines:
        assert f"{x.label}: {x.value}" in screen
        assert f"{x.value}" in to_html(doc).replace("&lt;", "<").replace("&gt;", ">") \
            .replace("&amp;", "&")
    assert "- **Evaluatiemoment:** 14 april 2026" in md


def test_a_multi_line_note_keeps_its_first_line_break_in_markdown(store, fixed, made_on):
    store.record_view(fixed.item_ids["B"], fixed.org_ids["ind"], d.Position.RETURN,
                      "eerste regel\ntweede regel")
    md = to_markdown(build_minutes(store, fixed.meeting_id, made_on=made_on))
    assert "- IND: Terugkeer — eerste regel  \n  tweede regel\n" in md


def test_html_escapes_quotes_and_control_characters_in_user_text(store, fixed, made_on):
    store.set_minutes_text(fixed.meeting_id, None, 'Zei "ja" & \'nee\'\x1b[31m')
    page = to_html(build_minutes(store, fixed.meeting_id, made_on=made_on))
    assert "<p>Zei &quot;ja&quot; &amp; &#x27;nee&#x27;\ufffd[31m</p>" in page
    assert "\x1b" not in page
