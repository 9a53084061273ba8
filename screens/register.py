"""The case register: filters (status, perspective, nationality), search, add and edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select, Static

from db import domain as d
from lvv_tui.i18n import label, t
from screens.widgets.base import ScreenCommands, StoreMixin, literal
from screens.widgets.tables import selected_key, sync_rows
from screens.widgets.topbar import TopBar

LIMIT = 500


class CaseTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Timeline", id="case-timeline"),
        Binding("e", "edit_case", "Edit case", id="case-edit"),
        Binding("a", "audit_case", "Audit trail", id="case-audit"),
    ]

    def action_audit_case(self) -> None:
        screen = self.screen
        if isinstance(screen, CaseRegisterScreen):
            screen.open_audit(selected_key(self))

    def action_edit_case(self) -> None:
        key = selected_key(self)
        screen = self.screen
        if key is not None and isinstance(screen, CaseRegisterScreen) and key in screen.cases:
            screen.edit(screen.cases[key])

    def __init__(self) -> None:
        super().__init__(id="cases", cursor_type="row", zebra_stripes=True)


class CaseRegisterScreen(StoreMixin, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="register-back"),
        Binding("ctrl+n", "new_case", "New case", id="case-new"),
        Binding("ctrl+f", "focus_search", "Search", id="case-search"),
    ]
    COMMANDS = {ScreenCommands}

    @dataclass
    class CasesLoaded(Message):
        """A page of the register was read."""

        cases: list[d.Case]
        nationalities: list[str]

    def __init__(self, overleg_id: str) -> None:
        super().__init__()
        self.overleg_id = overleg_id
        self.cases: dict[str, d.Case] = {}
        self._nationalities: list[str] | None = None

    def compose(self) -> ComposeResult:
        yield TopBar(t("register.title"))
        with Horizontal(id="filters"):
            yield Input(placeholder=t("register.search"), id="search")
            yield Select([(label(s), s.value) for s in d.CaseStatus],
                         prompt=t("register.any_status"), id="status")
            yield Select([(label(p), p.value) for p in d.Perspective],
                         prompt=t("register.any_perspective"), id="perspective")
            yield Select([], prompt=t("register.any_nationality"), id="nationality")
        yield Static("", id="register-count")
        yield CaseTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(CaseTable)
        for key in ("code", "nationality", "status", "perspective", "days", "intake"):
            table.add_column(t(f"register.col.{key}"), key=key)
        table.focus()
        self.load()

    def filters(self) -> dict[str, Any]:
        out: dict[str, Any] = {"search": self.query_one("#search", Input).value.strip() or None}
        for name in ("status", "perspective", "nationality"):
            value = self.query_one(f"#{name}", Select).value
            out[name] = value if isinstance(value, str) else None
        return out

    def on_lvv_app_records_changed(self, _message: object) -> None:
        self.load()  # live: sync brought values; rows are updated by key

    def load(self) -> None:
        store, overleg_id, filters = self.store, self.overleg_id, self.filters()
        if not self._search_fits(filters["search"]):
            return
        need_nat = self._nationalities is None

        def job() -> CaseRegisterScreen.CasesLoaded:
            cases = store.cases(overleg_id, limit=LIMIT + 1, **filters)
            nats = store.nationalities(overleg_id) if need_nat else []
            return self.CasesLoaded(cases, nats)

        self.call_store(job, self.post_message, group="register-load",
                        description="load cases")

    def _search_fits(self, search: str | None) -> bool:
        """Ask first (the store refuses it too): a search text over the limit shows a
        message and no rows — never every case, never an SQL error."""
        from db.store import MAX_SEARCH

        if search is None or len(search) <= MAX_SEARCH:
            return True
        self.cases = {}
        sync_rows(self.query_one(CaseTable), [])
        self.query_one("#register-count", Static).update(Text(t(
            "error.search_too_long", limit=MAX_SEARCH, length=len(search)), style="red"))
        return False

    def on_case_register_screen_cases_loaded(self, message: CasesLoaded) -> None:
        if self._nationalities is None:
            self._nationalities = message.nationalities
            select = self.query_one("#nationality", Select)
            with self.prevent(Select.Changed):
                select.set_options([(literal(n, one_line=True), n)
                                    for n in message.nationalities])
        cases = message.cases[:LIMIT]
        self.cases = {c.id: c for c in cases}
        more = len(message.cases) > LIMIT
        self.query_one("#register-count", Static).update(Text(
            t("register.more", n=LIMIT) if more
            else t("register.count_one" if len(cases) == 1 else "register.count", n=len(cases))))
        today = self.ctx.today()
        rows = []
        for c in cases:
            days = c.days_in_lvv(today)
            over = days is not None and bool(c.stay_term_days) and days > c.stay_term_days
            rows.append((c.id, [
                literal(c.code, one_line=True),
                literal(c.nationality or "", one_line=True, limit=24),
                Text(label(c.status)),
                Text(label(c.perspective)),
                Text("" if days is None else str(days), style="red" if over else ""),
                Text(c.intake_date.isoformat() if c.intake_date else ""),
            ]))
        sync_rows(self.query_one(CaseTable), rows)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.load()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            self.query_one(CaseTable).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.load()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key in self.cases:  # the case's whole story; e edits it
            from screens.timeline import TimelineScreen

            self.app.push_screen(TimelineScreen(key))

    def edit(self, case: d.Case | None) -> None:
        from screens.case_form import CaseForm

        store, overleg_id = self.store, self.overleg_id

        def save(values: dict) -> d.Case:
            if case is None:
                return store.create_case(overleg_id, **values)
            return store.update_case(case.id, **values)

        def done(saved: d.Case | None) -> None:
            if saved is not None:
                self.app.notify(t("register.saved", code=saved.code), markup=False)
                self._nationalities = None
                self.load()

        self.app.push_screen(CaseForm(save, case), done)

    def open_audit(self, case_id: str | None) -> None:
        """The audit trail of the case (every change, who, when, from which laptop)."""
        from screens.case_audit import CaseAuditScreen

        case = self.cases.get(case_id) if case_id is not None else None
        if case is None:
            self.app.bell()
            return
        self.app.push_screen(CaseAuditScreen(case.id, case.code))

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        key = selected_key(self.query_one(CaseTable))
        case = self.cases.get(key) if key is not None else None
        if case is None:
            return []
        return [(t("cmd.case_audit", code=case.code), t("cmd.case_audit_help"),
                 lambda: self.open_audit(case.id))]

    def action_new_case(self) -> None:
        self.edit(None)

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
