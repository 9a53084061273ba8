"""Cells for partners' input before the meeting (issue 15): who submitted, on agenda rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text

from db import domain as d
from lvv_tui.i18n import t
from screens.widgets.base import literal


def submitted_title(title: Text, submitted: Sequence[str] | None,
                    names: Mapping[str, str | None]) -> Text:
    """The item's title, followed by the organisations that submitted their input (``names``:
    organisation id → the word shown, short on the agenda)."""
    if not submitted:
        return title
    out = title.copy()
    out.append("  ✉ " + t("input.submitted_short") + " ", style="cyan")
    who = ", ".join((names.get(org) or "?") for org in submitted)
    out.append_text(literal(who, one_line=True, limit=40))
    return out


def prefilled_view(inp: Any) -> d.View | None:
    """A view to start the form from: the partner's submitted input (position, and the
    feiten, oordeel where the table may read it, and inzet as the note). Saving it records
    what was said at the table; the input itself stays as it was."""
    if inp is None:
        return None
    parts = [(t("input.feiten"), inp.feiten), (t("input.oordeel"), inp.oordeel or ""),
             (t("input.inzet"), inp.inzet)]
    note = "\n".join(f"{name}: {text}" for name, text in parts if text)
    return d.View("", inp.agenda_item_id, inp.case_id, inp.organisation_id, inp.position,
                  note, False)
