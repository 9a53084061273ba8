"""The actielijst as a working list: every open action of the overleg.

``o`` cycles the owner filter (each organisation, then each named person), ``l`` shows only
overdue actions, ``s`` cycles the sort (due date, owner, person, case, meeting), ``x``
closes the highlighted action after a question, ``u`` reopens the action closed last
(undo), ``enter`` opens the item where it was agreed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Label, Static

from db import domain as d
from lvv_tui.i18n import t
from lvv_tui.presentation import format_date
from screens.widgets.base import ScreenBase, StoreMixin, literal
from screens.widgets.tables import selected_key, sync_rows
from screens.widgets.topbar import TopBar

SORTS = ("due", "owner", "person", "case", "meeting")


@dataclass(frozen=True)
class ActionListData:
    """What the list shows: the actions and the names of their owners, cases, meetings."""

    actions: list[d.Action]
    orgs: dict[str, str]
    cases: dict[str, str]
    meetings: dict[str, dt.date]
    items: dict[str, str] = field(default_factory=dict)
    persons: list[str] = field(default_factory=list)
    """The named persons of the overleg's open actions (the owner filter's choices)."""


def load_action_list(store: Any, overleg_id: str, owner: str | None, overdue: bool,
                     sort: str, today: dt.date, person: str | None = None) -> ActionListData:
    """Read the list (in a worker)."""
    actions = store.action_list(overleg_id, owner_organisation_id=owner, owner_person=person,
                                overdue=overdue, today=today, sort=sort)
    orgs = {o.id: o.name for o in store.organisations(overleg_id)}
    cases = {c.id: c.code or "" for c in store.cases(overleg_id)}
    meetings = {m.id: m.date for m in store.meetings(overleg_id, today=today)}
    persons: dict[str, str] = {}
    for a in store.action_list(overleg_id, today=today, sort="person"):
        if a.owner_person:
            persons.setdefault(" ".join(a.owner_person.split()).casefold(), a.owner_person)
    return ActionListData(actions, orgs, cases, meetings, persons=list(persons.values()))


def owner_words(orgs: dict[str, str], a: d.Action) -> str:
    """``IND · J. de Vries``: the owner organisation and the named person (if any)."""
    org = orgs.get(a.owner_organisation_id or "")
    parts = [p for p in (org, a.owner_person) if p]
    return " · ".join(parts) if parts else "—"


class ConfirmClose(ScreenBase, ModalScreen[bool]):
    """Asks before an action is closed; ``enter``/``y`` closes, ``esc``/``n`` does not."""

    DEFAULT_CSS = """
    ConfirmClose { align: center middle; }
    ConfirmClose > Vertical { width: 70; height: auto; border: thick $primary;
        background: $surface; padding: 1 2; }
    ConfirmClose .dialog-buttons { height: auto; align-horizontal: right; }
    ConfirmClose Button { margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,j", "answer(True)", "Yes", id="action-close-yes"),
        Binding("n,escape", "answer(False)", "No", id="action-close-no"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            question = Text(t("actions.confirm_close") + "\n\n")
            question.append_text(literal(self.text, one_line=True, limit=200))
            yield Static(question)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("actions.close_yes"), id="close-yes", variant="primary")
                yield Button(t("actions.close_no"), id="close-no")

    def on_mount(self) -> None:
        self.query_one("#close-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "close-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ActionListScreen(StoreMixin, Screen[None]):
    """All open actions of an overleg, filtered and sorted."""

    DEFAULT_CSS = """
    ActionListScreen #action-filter { height: 1; padding: 0 1; color: $text-muted; }
    ActionListScreen DataTable { height: 1fr; }
    ActionListScreen #action-detail { height: auto; max-height: 4; padding: 0 1;
        border-top: solid $primary; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="actions-back"),
        Binding("o", "owner", "Owner", id="actions-owner"),
        Binding("l", "overdue", "Overdue", id="actions-overdue"),
        Binding("s", "sort", "Sort", id="actions-sort"),
        Binding("x", "close_action", "Done", id="actions-close"),
        Binding("u", "undo", "Undo", id="actions-undo"),
    ]

    @dataclass
    class ListLoaded(Message):
        """The list was read."""

        data: ActionListData

    def __init__(self, overleg_id: str) -> None:
        super().__init__()
        self.overleg_id = overleg_id
        self.owner: str | None = None
        self.person: str | None = None
        """The owner filter: an organisation's id or a named person (not both)."""
        self.overdue = False
        self.sort = "due"
        self.data: ActionListData | None = None
        self.owners: list[str] = []
        self.persons: list[str] = []
        self.closed: list[str] = []
        """Ids of the actions closed here, last last (``u`` reopens the last)."""

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Label("", id="action-filter")
        yield DataTable(id="action-list", cursor_type="row", zebra_stripes=True)
        # the highlighted action in full: a long text or owner never lost off the edge
        yield Static("", id="action-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TopBar).set_title(Text(t("actions.title")))
        table = self.query_one(DataTable)
        # the action's text right after the date: at 80 columns it is what must show
        for key in ("due", "text", "owner", "case", "since"):  # widths fit the content
            table.add_column(t(f"actions.col.{key}"), key=key)
        table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.data is not None:  # back from an item: read again what may have changed
            self.load()

    def _today(self) -> dt.date:
        return self.ctx.today()

    def load(self) -> None:
        store, args = self.store, (self.overleg_id, self.owner, self.overdue, self.sort,
                                   self._today(), self.person)
        self.call_store(lambda: load_action_list(store, *args),
                        lambda data: self.post_message(self.ListLoaded(data)),
                        group="actions-load", description="load action list")

    def on_action_list_screen_list_loaded(self, message: ListLoaded) -> None:
        self.show(message.data)

    def show(self, data: ActionListData) -> None:
        self.data = data
        self.owners = list(data.orgs)
        self.persons = data.persons
        today = self._today()
        owner = self.person or data.orgs.get(self.owner or "", t("actions.all"))
        self.query_one("#action-filter", Label).update(Text(t(
            "actions.filter", owner=owner, n=len(data.actions),
            overdue=t("actions.only_overdue") if self.overdue else "",
            sort=t(f"actions.sort.{self.sort}"))))
        rows = []
        for a in data.actions:
            late = a.due_date is not None and a.due_date < today
            due = Text(format_date(a.due_date) or t("minutes.no_due"),
                       style="bold red" if late else "")
            if late:
                due.append(" !", style="bold red")
            since = data.meetings.get(a.meeting_id or "")
            rows.append((a.id, [
                due,
                literal(a.text, one_line=True, limit=80),
                literal(owner_words(data.orgs, a), one_line=True),
                literal(data.cases.get(a.case_id or "", "—"), one_line=True),
                Text(format_date(since) if since else "—"),
            ]))
        sync_rows(self.query_one(DataTable), rows)
        self.show_detail()

    def show_detail(self) -> None:
        """The highlighted action whole: its text, owner (and person), case and due date."""
        action, data = self.selected(), self.data
        detail = Text()
        if action is not None and data is not None:
            detail.append_text(literal(action.text, limit=400))
            detail.append("\n" + t("actions.detail", owner=owner_words(data.orgs, action) or "—",
                                    case=data.cases.get(action.case_id or "", "—"),
                                    due=format_date(action.due_date) or t("minutes.no_due")),
                          style="dim")
        self.query_one("#action-detail", Static).update(detail)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_detail()

    def selected(self) -> d.Action | None:
        key = selected_key(self.query_one(DataTable))
        if self.data is None or key is None:
            return None
        return next((a for a in self.data.actions if a.id == key), None)

    def action_owner(self) -> None:
        choices: list[tuple[str | None, str | None]] = [
            (None, None), *((o, None) for o in self.owners), *((None, p) for p in self.persons)]
        now = (self.owner, self.person)
        self.owner, self.person = choices[(choices.index(now) + 1) % len(choices)] \
            if now in choices else (None, None)
        self.load()

    def action_overdue(self) -> None:
        self.overdue = not self.overdue
        self.load()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.load()

    def action_close_action(self) -> None:
        action = self.selected()
        if action is None:
            self.app.bell()
            return
        store = self.store

        def answered(yes: bool | None) -> None:
            if not yes:
                return

            def done(_a: object) -> None:
                self.closed.append(action.id)
                self.app.notify(t("actions.closed"), markup=False)
                self.load()

            self.call_store(lambda: store.close_action(action.id), done,
                            group="actions-save", description="close action", exclusive=False)

        self.app.push_screen(ConfirmClose(action.text), answered)

    def action_undo(self) -> None:
        if not self.closed:
            self.app.notify(t("actions.nothing_to_undo"), markup=False)
            return
        action_id, store = self.closed.pop(), self.store

        def done(_a: object) -> None:
            self.app.notify(t("actions.reopened"), markup=False)
            self.load()

        self.call_store(lambda: store.reopen_action(action_id), done,
                        group="actions-save", description="reopen action", exclusive=False)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        action = self.selected()
        if action is None or not action.meeting_id or not action.agenda_item_id:
            self.app.bell()
            return
        # through the app: the item screen opens this one too (no import cycle)
        opening = f"open_item({action.meeting_id!r}, {action.agenda_item_id!r})"
        self.call_later(self.app.run_action, opening)

    def action_back(self) -> None:
        self.app.pop_screen()
