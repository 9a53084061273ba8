"""A case's whole story on one screen, newest first; ``enter`` opens the line's item.

The entries come from the core (:meth:`db.store.Store.case_timeline`); this screen only puts
them into words (the catalog's, through the one presentation's labels).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from db import domain as d
from lvv_tui.i18n import label, t
from lvv_tui.presentation import format_date
from screens.widgets.base import StoreMixin, literal
from screens.widgets.tables import fit_texts, sync_rows
from screens.widgets.topbar import TopBar

KIND_STYLE = {"put_forward": "cyan", "intake": "cyan", "scenario": "bold cyan", "view": "", "deferred": "yellow", "decision": "bold green",
              "action": "", "action_closed": "dim", "escalation": "bold magenta",
              "exit": "bold cyan"}


@dataclass(frozen=True)
class TimelineData:
    """The case, its entries, and the names a line needs."""

    case: d.Case
    entries: list[Any]
    orgs: dict[str, str]
    meetings: dict[str, dt.date]


def load_timeline(store: Any, case_id: str) -> TimelineData:
    """Read the timeline (in a worker)."""
    case = store.case(case_id)
    orgs = {o.id: o.name for o in store.organisations(case.overleg_id)}
    meetings = {m.id: m.date for m in store.meetings(case.overleg_id)}
    return TimelineData(case, store.case_timeline(case_id), orgs, meetings)


def _enum_label(enum: type, value: str | None) -> str:
    if not value:
        return ""
    try:
        return label(enum(value))
    except ValueError:
        return value


def stay_words(entry: Any) -> str:
    """A step of a stay: put forward, the LSO's decision whether it is an LVV-zaak, the
    begeleidingsscenario."""
    if entry.kind == "put_forward":
        return t("timeline.stay.put_forward")
    if entry.kind == "scenario":
        return t("timeline.stay.scenario",
                 perspective=_enum_label(d.Perspective, entry.value))
    return t(f"timeline.stay.intake.{entry.value or 'yes'}")


def entry_words(entry: Any, orgs: dict[str, str]) -> Text:
    """What happened, in words; user text as literal text (never markup)."""
    who = orgs.get(entry.who or "", "")
    kind = entry.kind
    if kind in ("put_forward", "intake", "scenario"):
        head = stay_words(entry)
    elif kind == "view":
        head = t("timeline.view", org=who, position=_enum_label(d.Position, entry.value))
    elif kind == "deferred":
        head = t("timeline.deferred")
    elif kind == "decision":
        head = t("timeline.decision", perspective=_enum_label(d.Perspective, entry.value))
        if entry.level:
            head += " · " + t("timeline.escalated", level=_enum_label(d.Escalation,
                                                                       entry.level))
    elif kind == "action":
        due = format_date(dt.date.fromisoformat(entry.value)) if entry.value else \
            t("minutes.no_due")
        head = t("timeline.action", org=who or "—", due=due)
    elif kind == "action_closed":
        head = t("timeline.action_closed", org=who or "—")
    elif kind == "escalation":
        head = t(f"timeline.esc.{entry.value}", level=_enum_label(d.Escalation, entry.level))
    else:
        head = t("timeline.exit", outcome=_enum_label(d.OutcomeSubtype, entry.value))
        if entry.value in {s.value for s in d.OutcomeSubtype}:
            head += f" ({label(d.OutcomeSubtype(entry.value).category)})"
    text = Text(head, style=KIND_STYLE.get(kind, ""))
    if entry.confidential:
        text.append(" (" + t("timeline.confidential") + ")", style="yellow")
    if entry.text.strip():
        text.append(": ")
        text.append_text(literal(entry.text, one_line=True, limit=72))
    return text


class TimelineScreen(StoreMixin, Screen[None]):
    """The timeline of one case; ``e`` edits the case, ``enter`` opens the line's item."""

    DEFAULT_CSS = """
    TimelineScreen #timeline-case { height: 1; padding: 0 1; }
    TimelineScreen DataTable { height: 1fr; }
    TimelineScreen #timeline-line { height: auto; max-height: 4; padding: 0 1;
                                    border-top: tall $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="timeline-back"),
        Binding("enter", "open_line", "Open item", id="timeline-open", show=True),
        Binding("e", "edit_case", "Edit case", id="timeline-edit-case"),
    ]

    @dataclass
    class TimelineLoaded(Message):
        """The timeline was read."""

        data: TimelineData

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.data: TimelineData | None = None
        self._whats: dict[str, Text] = {}

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Label("", id="timeline-case")
        yield DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
        yield Static("", id="timeline-line")  # the highlighted line whole (the table may cut)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(t("timeline.col.date"), key="date")
        table.add_column(t("timeline.col.meeting"), key="meeting")
        table.add_column(t("timeline.col.what"), key="what")
        table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.load()

    def load(self) -> None:
        store, case_id = self.store, self.case_id
        self.call_store(lambda: load_timeline(store, case_id),
                        lambda data: self.post_message(self.TimelineLoaded(data)),
                        group="timeline-load", description="load timeline")

    def on_timeline_screen_timeline_loaded(self, message: TimelineLoaded) -> None:
        self.show(message.data)

    def show(self, data: TimelineData) -> None:
        self.data = data
        code = data.case.code
        self.query_one(TopBar).set_title(Text(t("timeline.title", code=code)))
        info = Text(t("timeline.info", status=label(data.case.status),
                      perspective=label(data.case.perspective), n=len(data.entries)))
        self.query_one("#timeline-case", Label).update(info)
        rows = []
        self._whats = {str(n): entry_words(e, data.orgs) for n, e in enumerate(data.entries)}
        for n, e in enumerate(data.entries):
            meeting = data.meetings.get(e.meeting_id or "")
            rows.append((str(n), [
                Text(format_date(e.on) if e.on else "—"),
                Text(format_date(meeting) if meeting else "—", style="dim"),
                self._whats[str(n)],
            ]))
        sync_rows(self.query_one(DataTable), rows)
        self.call_after_refresh(self._fit)
        self._show_line()

    def _fit(self) -> None:
        """The what-column takes what the dates leave: never off the right edge."""
        fit_texts(self.query_one(DataTable), "what", self._whats)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _show_line(self) -> None:
        table = self.query_one(DataTable)
        whole = self._whats.get(str(table.cursor_row)) if table.row_count else None
        self.query_one("#timeline-line", Static).update(whole or "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_line()

    def action_open_line(self) -> None:
        table = self.query_one(DataTable)
        if self.data is None or not self.data.entries:
            self.app.bell()
            return
        entry = self.data.entries[table.cursor_row]
        if not entry.meeting_id or not entry.item_id:
            self.app.notify(t("timeline.no_item"), markup=False)
            return
        # through the app: the item screen opens this one too (no import cycle)
        opening = f"open_item({entry.meeting_id!r}, {entry.item_id!r})"
        self.call_later(self.app.run_action, opening)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_line()

    def action_edit_case(self) -> None:
        from screens.case_form import CaseForm

        if self.data is None:
            return
        store, case = self.store, self.data.case

        def save(values: dict) -> d.Case:
            return store.update_case(case.id, **values)

        self.app.push_screen(CaseForm(save, case), lambda _r: self.load())

    def action_back(self) -> None:
        self.app.pop_screen()
