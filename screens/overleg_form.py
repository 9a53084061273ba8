"""A new overleg (meeting body) with the usual partners at the table."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from db import domain as d
from lvv_tui.i18n import t
from screens.widgets.form import Field, FormModal


def create_overleg_with_partners(store, values: dict[str, Any]) -> d.Overleg:  # noqa: ANN001
    """Create the overleg and its usual partners (:data:`db.domain.DEFAULT_PARTNERS`) in one
    store call, one transaction."""
    return store.create_overleg_with_partners(values["name"], values["municipality"])


class OverlegForm(FormModal[d.Overleg]):
    """Returns the new overleg, or None when cancelled."""

    def __init__(self, save) -> None:  # noqa: ANN001
        super().__init__(save)
        self.title_text = t("overleg_form.title")

    def fields(self) -> ComposeResult:
        yield Field("name", t("overleg_form.name"), Input(id="name", max_length=200,
                                                          placeholder="LSO Utrecht"))
        yield Field("municipality", t("overleg_form.municipality"),
                    Input(id="municipality", max_length=200, placeholder="Utrecht"))

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def collect(self) -> dict[str, Any]:
        return {k: self.query_one(f"#{k}", Input).value for k in ("name", "municipality")}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        return {k: t("error.required") for k, v in values.items() if not v.strip()}
