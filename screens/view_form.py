"""One organisation's view on a case: a position from the fixed list, a note, confidential."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Checkbox, RadioButton, RadioSet, Static, TextArea

from db import domain as d
from db.store import AUDIENCES
from lvv_tui.i18n import label, t
from screens.widgets.form import Field, FormModal, NoteArea

POSITIONS = (d.Position.RETURN, d.Position.ONWARD, d.Position.STAY, d.Position.RESEARCH,
             d.Position.END, d.Position.NONE)


class PositionSet(RadioSet):
    """The fixed list of positions; 1–6 choose directly."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(str(n), f"choose({n - 1})", show=False, id=f"view-position-{n}")
        for n in range(1, len(POSITIONS) + 1)
    ]

    def __init__(self, *buttons: RadioButton, current: int, id: str) -> None:  # noqa: A002
        super().__init__(*buttons, id=id)
        self.chosen = current
        """Index of the chosen position, kept in step at once (the buttons catch up later)."""

    def action_choose(self, index: int) -> None:
        buttons = list(self.query(RadioButton))
        if 0 <= index < len(buttons):
            self.chosen = index
            for n, button in enumerate(buttons):
                button.value = n == index
            self._selected = index

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.chosen = event.index



class ViewForm(FormModal[d.View]):
    """Returns the recorded view (durable), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "audience", "Who reads", id="view-audience", priority=True),
    ]

    DEFAULT_CSS = """
    ViewForm #note { height: 6; }
    ViewForm RadioSet { width: 100%; }
    """

    def __init__(self, save, organisation: str, view: d.View | None) -> None:  # noqa: ANN001
        super().__init__(save)
        self.view = view
        self.seen = view.seen if view else frozenset()
        self.record = ("partner_view", view.id) if view and view.id else None
        self.title_text = t("view_form.title", organisation=organisation)
        self.audience = view.audience if view else "overleg"
        """Who may read the note; ``ctrl+o`` goes round overleg, chair, organisation."""

    def fields(self) -> ComposeResult:
        current = self.view.position if self.view else d.Position.NONE
        yield Field("position", t("view_form.position"), PositionSet(
            *[RadioButton(f"{n}. {label(p)}", value=p is current, id=f"pos-{p.value}")
              for n, p in enumerate(POSITIONS, start=1)],
            current=POSITIONS.index(current), id="position",
        ))
        yield Field("note", t("view_form.note"), NoteArea(
            self.view.note if self.view else "", id="note", soft_wrap=True))
        yield Field("confidential", t("view_form.confidential"), Checkbox(
            Text(t("view_form.confidential_label")),
            self.view.confidential if self.view else False, id="confidential"))
        yield Field("audience", t("privacy.audience.label"),
                    Static(self._audience_text(), id="audience"))

    def _audience_text(self) -> Text:
        from lvv_tui.presentation import audience_mark

        text = Text(t(f"privacy.audience.{self.audience}"))
        mark = audience_mark(self.audience)
        if mark:
            text.append("  " + mark, style="yellow")
        if self.view is not None and AUDIENCES.index(self.audience) > AUDIENCES.index(
                self.view.audience):
            text.append("\n" + t("privacy.audience.recall"), style="italic")
        return text

    def action_audience(self) -> None:
        self.audience = AUDIENCES[(AUDIENCES.index(self.audience) + 1) % len(AUDIENCES)]
        self.query_one("#audience", Static).update(self._audience_text())

    def on_mount(self) -> None:
        self.query_one("#position", RadioSet).focus()

    def collect(self) -> dict[str, Any]:
        index = self.query_one("#position", PositionSet).chosen
        return {
            "position": POSITIONS[index].value,
            "note": self.query_one("#note", TextArea).text,
            "confidential": self.query_one("#confidential", Checkbox).value,
            "audience": self.audience,
        }

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import MAX_TEXT

        if len(values["note"]) > MAX_TEXT:
            return {"note": t("error.too_long", limit=MAX_TEXT, length=len(values["note"]))}
        return {}
