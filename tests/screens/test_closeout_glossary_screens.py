"""Pilot: the decision and action forms show the glossary's words, and the minutes of the
same decision use the same words."""

from __future__ import annotations

from screen_helpers import make_app, open_today_item, press


def _label(form, name: str) -> str:  # noqa: ANN001
    return str(form.query_one(f"#field-{name} .field-label").render())


async def test_form_labels_are_the_minutes_words(demo_db) -> None:  # noqa: ANN001
    from lvv_tui.i18n import t
    from screens.action_form import ActionForm
    from screens.decision_form import DecisionForm

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot, 4)
        await press(pilot, "b")
        form = app.screen
        assert isinstance(form, DecisionForm)
        assert _label(form, "rationale") == t("minutes.rationale") == "Motivering"
        assert _label(form, "review_date") == t("minutes.review") == "Evaluatiemoment"
        await press(pilot, "escape", "a")
        form = app.screen
        assert isinstance(form, ActionForm)
        assert _label(form, "owner_organisation_id").startswith(t("glossary.owner"))
        assert t("minutes.col.owner") == t("glossary.owner")
        assert _label(form, "due_date").startswith(t("minutes.col.due"))
