"""A paste of several lines into a one-line field: joined visibly, never cut.

Textual's ``Input`` keeps only the first line of a paste and drops the rest without a word
(a chair pasting a name and address into "Plaats" lost the address). The app takes such a
paste first (``LvvApp.on_event``): the lines are joined with a space into the field and a
message says how many lines were joined, so the user sees it and can correct it.
"""

from __future__ import annotations

from typing import Any

from lvv_tui.i18n import t


def join_lines(text: str) -> tuple[str, int]:
    """The pasted text as one line (its lines joined by a space, blank lines dropped) and
    the number of lines it had."""
    lines = text.splitlines()  # what Input itself splits on (\n, \r, \x1c, \u2028 …)
    kept = [line.strip() for line in lines if line.strip()]
    return " ".join(kept), len(lines)


def paste_into_one_line(app: Any, text: str) -> bool:
    """Handle a paste of more than one line when the focused widget is a one-line
    ``Input``: True when done (the caller does not pass the paste on)."""
    from textual.widgets import Input

    field = app.focused
    if not isinstance(field, Input) or len(text.splitlines()) < 2:
        return False
    joined, count = join_lines(text)
    selection = field.selection
    if selection.is_empty:
        field.insert_text_at_cursor(joined)
    else:
        field.replace(joined, *selection)
    app.notify(t("paste.joined", n=count), markup=False)
    return True
