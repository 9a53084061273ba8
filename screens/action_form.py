"""A follow-up action: owner organisation (and optionally a named person), what, by when."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from db import domain as d
from lvv_tui.i18n import t
from screens.widgets.base import literal
from screens.widgets.form import Field, FormModal


class ActionForm(FormModal[d.Action]):
    """Returns the saved action, or None when cancelled."""

    date_fields = ("due_date",)

    def __init__(self, save, organisations: list[d.Organisation],  # noqa: ANN001
                 action: d.Action | None = None) -> None:
        super().__init__(save)
        self.organisations = organisations
        self.action = action
        self.seen = action.seen if action else None  # a new action: nothing to have seen
        self.record = ("action_item", action.id) if action else None
        self.title_text = t("action_form.edit" if action else "action_form.new")

    def fields(self) -> ComposeResult:
        a = self.action
        yield Field("owner_organisation_id", t("action_form.owner"), Select(
            [(literal(o.name, one_line=True), o.id) for o in self.organisations],
            prompt=t("action_form.no_owner"),
            value=a.owner_organisation_id if a and a.owner_organisation_id else Select.NULL,
            id="owner_organisation_id"))
        yield Field("owner_person", t("action_form.person"), Input(
            a.owner_person or "" if a else "", id="owner_person",
            placeholder=t("action_form.person_hint")))
        yield Field("text", t("action_form.text"), Input(a.text if a else "", id="text"))
        yield Field("due_date", t("action_form.due"), Input(
            a.due_date.isoformat() if a and a.due_date else "", id="due_date",
            placeholder=t("form.date_hint")))

    def on_mount(self) -> None:
        self.query_one("#owner_organisation_id", Select).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def collect(self) -> dict[str, Any]:
        owner = self.query_one("#owner_organisation_id", Select).value
        return {"owner_organisation_id": owner if isinstance(owner, str) else None,
                "owner_person": self.query_one("#owner_person", Input).value,
                "text": self.query_one("#text", Input).value,
                "due_date": self.query_one("#due_date", Input).value}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import MAX_TEXT, ValidationError, check_person, parse_date

        errors: dict[str, str] = {}
        try:
            check_person(values["owner_person"])
        except ValidationError as exc:
            errors["owner_person"] = t(exc.code, **exc.params)
        if not values["text"].strip():
            errors["text"] = t("error.required")
        elif len(values["text"]) > MAX_TEXT:
            errors["text"] = t("error.too_long", limit=MAX_TEXT, length=len(values["text"]))
        try:
            parse_date(values["due_date"], "due_date")
        except ValidationError as exc:
            errors["due_date"] = t(exc.code, **exc.params)
        return errors
