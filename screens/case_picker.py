"""Pick a case from the register by code (or nationality) to put on the agenda."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from db import domain as d
from lvv_tui.i18n import label, t
from screens.widgets.base import StoreMixin, literal

LIMIT = 50


class CasePicker(StoreMixin, ModalScreen[d.Case | None]):
    """Type to search; up/down and enter choose; escape cancels."""

    DEFAULT_CSS = """
    CasePicker { align: center middle; }
    CasePicker > Vertical { width: 76; max-width: 100%; height: 22; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    CasePicker #picker-title { text-style: bold; }
    CasePicker OptionList { height: 1fr; }
    CasePicker #picker-count { color: $text-muted; height: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker-cancel"),
        Binding("down", "to_list", "To the list", id="picker-down", show=False),
        Binding("ctrl+n", "new_case", "New case", id="picker-new-case"),
    ]

    def __init__(self, store: Any, overleg_id: str) -> None:
        super().__init__()
        self._store = store
        self.overleg_id = overleg_id
        self.cases: dict[str, d.Case] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("picker.title"), id="picker-title")
            yield Input(placeholder=t("picker.search"), id="picker-search")
            yield OptionList(id="picker-list")
            yield Static("", id="picker-count")

    def on_mount(self) -> None:
        self.query_one("#picker-search", Input).focus()
        self.search("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = options.highlighted or 0
            option = options.get_option_at_index(options.highlighted)
            self.dismiss(self.cases[option.id])  # type: ignore[index]

    def search(self, text: str) -> None:
        from db.store import MAX_SEARCH

        store, overleg_id = self._store, self.overleg_id
        if len(text.strip()) > MAX_SEARCH:  # ask first (the store refuses it too)
            self.query_one(OptionList).clear_options()
            self.cases = {}
            self.query_one("#picker-count", Static).update(Text(t(
                "error.search_too_long", limit=MAX_SEARCH, length=len(text.strip())),
                style="red"))
            return

        def job() -> list[d.Case]:
            return store.cases(overleg_id, search=text.strip() or None, limit=LIMIT + 1)

        self.call_store(job, self.show, group="picker-search", description="search cases")

    def show(self, cases: list[d.Case]) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        self.cases = {c.id: c for c in cases[:LIMIT]}
        for case in cases[:LIMIT]:
            prompt = literal(case.code, one_line=True)
            prompt.append("  ")
            prompt.append_text(literal(case.nationality or "", one_line=True))
            prompt.append(f"  {label(case.status)} · {label(case.perspective)}", style="dim")
            options.add_option(Option(prompt, id=case.id))
        count = t("picker.more", n=LIMIT) if len(cases) > LIMIT else t("picker.count",
                                                                          n=len(cases))
        self.query_one("#picker-count", Static).update(Text(count))
        if cases:
            options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id in self.cases:
            self.dismiss(self.cases[event.option.id])

    def action_to_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_new_case(self) -> None:
        from screens.case_form import CaseForm

        store, overleg_id = self._store, self.overleg_id

        def save(values: dict) -> d.Case:
            return store.create_case(overleg_id, **values)

        def done(case: d.Case | None) -> None:
            if case is not None:
                self.dismiss(case)

        self.app.push_screen(CaseForm(save), done)
