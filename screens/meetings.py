"""Overleg and meetings: upcoming first; a new meeting; open one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Select, Static

from db import domain as d
from lvv_tui.i18n import label, t
from screens.conflicts import JUMP_BINDING, mark, open_conflict
from screens.widgets.base import StoreMixin, literal
from screens.widgets.tables import selected_key, sync_rows
from screens.widgets.topbar import TopBar


@dataclass(frozen=True)
class MeetingsData:
    overleggen: list[d.Overleg]
    overleg_id: str | None
    meetings: list[tuple[d.Meeting, int, int]]
    conflicted: frozenset[str] = frozenset()
    """Meetings holding an open conflict (⚠ in the list)."""


class MeetingTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="meeting-open"),
        Binding("home", "first_row", "First meeting", id="meeting-first", show=False),
        Binding("end", "last_row", "Last meeting", id="meeting-last", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="meetings", cursor_type="row", zebra_stripes=True)

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)


class MeetingsScreen(StoreMixin, Screen[None]):
    """The overleg's meetings; ``n`` plans a new one, enter opens it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_meeting", "New meeting", id="meeting-new"),
        Binding("o", "new_overleg", "New overleg", id="overleg-new"),
        Binding("w", "switch_overleg", "Other overleg", id="overleg-switch"),
        JUMP_BINDING,
    ]

    @dataclass
    class MeetingsLoaded(Message):
        """The overleggen and meetings were read."""

        data: MeetingsData

    def __init__(self) -> None:
        super().__init__()
        self.data: MeetingsData | None = None

    def compose(self) -> ComposeResult:
        yield TopBar(t("meetings.title"))
        yield Select([], prompt=t("meetings.overleg"), allow_blank=True, id="overleg")
        yield Static("", id="meetings-hint")
        yield MeetingTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(MeetingTable)
        for key in ("date", "time", "place", "chair", "status", "minutes", "items", "decisions"):
            table.add_column(t(f"meetings.col.{key}"), key=key)
        table.focus()
        self.load()

    def on_screen_suspend(self) -> None:
        self._suspended = True

    def on_screen_resume(self) -> None:
        # back from a screen on top (a form, the minutes …): read again what may have changed
        if getattr(self, "_suspended", False) and self.data is not None:
            self._suspended = False
            self.load()

    def load(self, overleg_id: str | None = None) -> None:
        store, today = self.store, self.ctx.today()
        wanted = overleg_id or self.ctx.overleg_id

        def job() -> MeetingsData:
            overleggen = store.overleggen()
            ids = [o.id for o in overleggen]
            chosen = wanted if wanted in ids else (ids[0] if ids else None)
            rows = []
            if chosen:
                for meeting in store.meetings(chosen, today=today):
                    items, decisions = store.meeting_stats(meeting.id)
                    rows.append((meeting, items, decisions))
            marks = store.conflict_marks(chosen).meetings if chosen else frozenset()
            return MeetingsData(overleggen, chosen, rows, marks)

        self.call_store(job, lambda data: self.post_message(self.MeetingsLoaded(data)),
                        group="meetings-load", description="load meetings")

    def on_meetings_screen_meetings_loaded(self, message: MeetingsLoaded) -> None:
        data = self.data = message.data
        self.ctx.overleg_id = data.overleg_id
        select = self.query_one("#overleg", Select)
        with self.prevent(Select.Changed):
            select.set_options([(literal(o.name), o.id) for o in data.overleggen])
            if data.overleg_id:
                select.value = data.overleg_id
        select.display = len(data.overleggen) > 1
        hint = self.query_one("#meetings-hint", Static)
        if not data.overleggen:
            hint.update(Text(t("meetings.no_overleg")))
        elif not data.meetings:
            hint.update(Text(t("meetings.no_meetings")))
        else:
            name = next(o.name for o in data.overleggen if o.id == data.overleg_id)
            hint.update(literal(t("meetings.hint", overleg=name), one_line=True))
        today = self.ctx.today()
        rows = []
        for meeting, items, decisions in data.meetings:
            style = "" if meeting.date >= today else "dim"
            rows.append((meeting.id, [
                mark(Text(meeting.date.isoformat(), style=style),
                     meeting.id in data.conflicted),
                Text(meeting.start_time or "", style=style),
                literal(meeting.place, one_line=True, limit=48),
                literal(meeting.chair, one_line=True, limit=36),
                Text(label(meeting.status), style=style),
                Text(label(meeting.minutes_status), style=style),
                Text(str(items), style=style),
                Text(str(decisions), style=style),
            ]))
        sync_rows(self.query_one(MeetingTable), rows)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "overleg" and isinstance(event.value, str):
            self.load(event.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.open_meeting(event.row_key.value)

    def open_meeting(self, meeting_id: str) -> None:
        """Read the meeting in a worker, then show its screen already filled (one paint)."""
        from screens.meeting import MeetingScreen, load_meeting

        store = self.store
        self.call_store(lambda: load_meeting(store, meeting_id),
                        lambda data: self.app.push_screen(MeetingScreen(meeting_id, data)),
                        group="meeting-open", description="open meeting")

    def action_new_meeting(self) -> None:
        from screens.meeting_form import MeetingForm

        if not self.data or not self.data.overleg_id:
            self.action_new_overleg()
            return
        store, overleg_id = self.store, self.data.overleg_id

        def save(values: dict) -> d.Meeting:
            return store.create_meeting(overleg_id, **values)

        def done(meeting: d.Meeting | None) -> None:
            if meeting is not None:
                self.app.notify(t("meetings.created", date=meeting.date.isoformat()), markup=False)
                self.open_meeting(meeting.id)

        self.app.push_screen(MeetingForm(save), done)

    def action_new_overleg(self) -> None:
        from screens.overleg_form import OverlegForm, create_overleg_with_partners

        store = self.store

        def done(overleg: d.Overleg | None) -> None:
            if overleg is not None:
                self.load(overleg.id)

        self.app.push_screen(OverlegForm(lambda v: create_overleg_with_partners(store, v)), done)

    def action_switch_overleg(self) -> None:
        if not self.data or len(self.data.overleggen) < 2:
            self.app.bell()
            return
        ids = [o.id for o in self.data.overleggen]
        nxt = ids[(ids.index(self.data.overleg_id) + 1) % len(ids)] if self.data.overleg_id \
            in ids else ids[0]
        self.load(nxt)

    def on_lvv_app_records_changed(self, _message: Message) -> None:
        self.load()  # live: sync brought values; the list is updated by row key

    def action_jump_to_conflict(self) -> None:
        data = getattr(self, "data", None)
        open_conflict(self, data.overleg_id if data else None, "meeting",
                      self.selected_meeting())

    def selected_meeting(self) -> str | None:
        return selected_key(self.query_one(MeetingTable))
