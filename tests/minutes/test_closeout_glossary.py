"""One word per concept: the catalog's ``glossary.*`` words, and every form label, screen
column and minutes heading of that concept uses it (and not the other word it once had)."""

from __future__ import annotations

import pytest

from lvv_tui.i18n import catalog

#: concept -> the catalog keys that name it (forms, item screen, action list, minutes)
USES: dict[str, tuple[str, ...]] = {
    "rationale": ("decision_form.rationale", "minutes.rationale", "conflicts.field.rationale"),
    "review": ("decision_form.review", "minutes.review", "item.review",
               "minutes.besluit_review", "conflicts.field.review_date"),
    "owner": ("action_form.owner", "item.col.owner", "actions.col.owner",
              "minutes.col.owner"),
    "due": ("action_form.due", "item.col.due", "actions.col.due", "minutes.col.due",
            "conflicts.field.due_date"),
    "escalation_date": ("decision_form.escalation_date", "minutes.escalation_date",
                        "item.escalation_date"),
    "question": ("decision_form.question", "minutes.escalation_question"),
    "perspective": ("decision_form.perspective", "minutes.decision", "case.perspective",
                    "register.col.perspective"),
    "advice_reasoning": ("escalation.form.reasoning", "escalation.minutes.reasoning",
                         "escalations.detail.reasoning"),
}
#: words a concept had before the glossary: none may come back for it
RETIRED = {"nl": {"rationale": ("Onderbouwing",), "review": ("Herbeoordeling",),
                  "owner": ("Wie",)},
           "en": {"owner": ("Who",)}}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_labels_and_headings_use_the_glossary_word(lang: str) -> None:
    words = catalog(lang)
    assert {k.removeprefix("glossary.") for k in words if k.startswith("glossary.")} == set(USES)
    for concept, keys in USES.items():
        word = words[f"glossary.{concept}"].casefold()
        for key in keys:
            assert word in words[key].casefold(), f"{key}: {words[key]!r} lacks {word!r}"
            for old in RETIRED[lang].get(concept, ()):
                assert old.casefold() not in words[key].casefold().split(), (key, old)
