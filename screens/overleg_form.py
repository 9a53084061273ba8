"""A new overleg (meeting body) with the usual partners at the table."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from db import domain as d
from lvv_tui.i18n import t
from screens.widgets.form import Field, FormModal

#: The partners of a local LVV table, in the order the minutes list them.
DEFAULT_PARTNERS = (
    ("Gemeente", d.OrgKind.GEMEENTE),
    ("IND", d.OrgKind.IND),
    ("DTenV", d.OrgKind.DTENV),
    ("Politie (AVIM)", d.OrgKind.POLITIE),
    ("Maatschappelijke organisatie", d.OrgKind.NGO),
)


def create_overleg_with_partners(store, values: dict[str, Any]) -> d.Overleg:  # noqa: ANN001
    """Create the overleg and its five usual partner organisations."""
    overleg = store.create_overleg(values["name"], values["municipality"])
    for sort, (name, kind) in enumerate(DEFAULT_PARTNERS, start=1):
        store.add_organisation(overleg.id, name, kind, sort)
    return overleg


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
