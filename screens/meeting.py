"""A meeting: attendance per organisation, and the agenda (add, reorder, time box, defer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from db import domain as d
from lvv_tui.agenda_text import change_text, version_line
from lvv_tui.i18n import label, t
from screens.conflicts import JUMP_BINDING, mark, open_conflict
from screens.meeting_data import MeetingData, load_meeting
from screens.widgets.agenda import item_title, status_cell
from screens.widgets.base import QuietFooter, ScreenCommands, StoreMixin, literal
from screens.widgets.inputs import submitted_title
from screens.widgets.rules import refusal_for, would_refuse
from screens.widgets.tables import fit_texts, selected_key, sync_rows
from screens.widgets.topbar import TopBar

ATTENDANCE_STYLE = {
    d.Attendance.PRESENT: "green",
    d.Attendance.ABSENT: "red",
    d.Attendance.APOLOGIES: "yellow",
    d.Attendance.UNKNOWN: "dim",
}


class AttendanceTable(DataTable):
    """One row per organisation; p / a / m set present, absent, sent apologies for the
    highlighted row, and the cursor stays on it (↓ goes to the next): a key never changes
    a row the user did not see highlighted."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "mark('present')", "Present", id="attendance-present"),
        Binding("a", "mark('absent')", "Absent", id="attendance-absent"),
        Binding("m", "mark('apologies')", "Apologies", id="attendance-apologies"),
        Binding("space", "mark('next')", "Next status", id="attendance-cycle", show=False),
    ]

    @dataclass
    class Marked(Message):
        """The user chose an attendance status for an organisation."""

        organisation_id: str
        status: str

    def __init__(self) -> None:
        super().__init__(id="attendance", cursor_type="row")

    def action_mark(self, status: str) -> None:
        key = selected_key(self)
        if key is not None:
            self.post_message(self.Marked(key, status))


class AgendaTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open item", id="agenda-open"),
    ]

    def __init__(self) -> None:
        super().__init__(id="agenda", cursor_type="row", zebra_stripes=True)


class MeetingScreen(StoreMixin, Screen[None]):
    """Attendance on the left, the agenda on the right; enter opens an item."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="meeting-back"),
        Binding("c", "add_case", "Add case", id="agenda-add-case"),
        # on f1 and in the palette; out of the footer (full at 120 columns)
        Binding("g", "add_general", "General item", id="agenda-add-general", show=False),
        Binding("shift+up,left_square_bracket", "move(-1)", "Move up", id="agenda-move-up",
                show=False),
        Binding("shift+down,right_square_bracket", "move(1)", "Move down",
                id="agenda-move-down", show=False),
        Binding("t", "timebox", "Time box", id="agenda-timebox", show=False),
        Binding("d", "defer", "Defer", id="agenda-defer"),
        Binding("k", "discussed", "Discussed", id="agenda-discussed", show=False),
        Binding("e", "edit_meeting", "Edit meeting", id="meeting-edit", show=False),
        Binding("v", "minutes", "Minutes", id="minutes"),
        JUMP_BINDING,
        Binding("s", "close_meeting", "Close meeting", id="meeting-close"),
        Binding("l", "action_list", "Action list", id="action-list", show=False),
        Binding("u", "carry_deferred", "Carry deferred on", id="meeting-carry", show=False),
        Binding("P", "publish_agenda", "Publish agenda", id="agenda-publish", show=False),
        Binding("i", "prepare_input", "Input beforehand", id="input-prepare", show=False),
        # p / a / m away from the attendance table: go there and say how (the header
        # promises these keys; which organisation is meant is chosen there)
        Binding("p,a,m", "to_attendance", "Attendance", id="meeting-to-attendance",
                show=False),
    ]
    COMMANDS = {ScreenCommands}
    AUTO_FOCUS = "#agenda"  # focused as the screen is composed: painted once, focused

    @dataclass
    class MeetingLoaded(Message):
        """The meeting, its attendance and agenda were read."""

        data: MeetingData

    def __init__(self, meeting_id: str, data: MeetingData | None = None) -> None:
        """``data`` (from :func:`load_meeting`, read in a worker) paints it at once."""
        super().__init__()
        self.meeting_id = meeting_id
        self.data: MeetingData | None = None
        self._preloaded = data
        self._subjects: dict[str, Text] = {}  # the agenda's subjects, whole (see _fit_subjects)

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Static("", id="meeting-info")
        with Horizontal(id="meeting-body"):
            with Vertical(id="attendance-pane"):
                yield Label(t("meeting.attendance"), classes="pane-title")
                yield AttendanceTable()
            with Vertical(id="agenda-pane"):
                yield Label(t("meeting.agenda"), classes="pane-title")
                yield AgendaTable()
        yield QuietFooter()

    def on_mount(self) -> None:
        att = self.query_one(AttendanceTable)
        # widths follow the content (labels and names whole at 120 columns and wider)
        att.add_column(t("meeting.col.organisation"), key="org")
        att.add_column(t("meeting.col.attendance"), key="status")
        agenda = self.query_one(AgendaTable)
        for key in ("n", "subject", "timebox", "status", "decision"):
            agenda.add_column(t(f"meeting.col.{key}"), key=key)
        agenda.focus()
        if self._preloaded is not None:
            self.show(self._preloaded)
            self._preloaded = None
        else:
            self.load()

    def on_screen_suspend(self) -> None:
        self._suspended = True

    def on_screen_resume(self) -> None:
        # back from a screen on top (a form, the minutes …): read again what may have changed
        if getattr(self, "_suspended", False) and self.data is not None:
            self._suspended = False
            self.load()

    def on_resize(self) -> None:
        # narrow terminals: attendance above the agenda instead of beside it
        self.set_class(self.size.width < 100, "-narrow")
        self.call_after_refresh(self._fit_subjects)

    def load(self) -> None:
        store, meeting_id = self.store, self.meeting_id
        self.call_store(lambda: load_meeting(store, meeting_id),
                        lambda data: self.post_message(self.MeetingLoaded(data)),
                        group="meeting-load", description="load meeting")

    def on_meeting_screen_meeting_loaded(self, message: MeetingLoaded) -> None:
        self.show(message.data)

    def show(self, data: MeetingData) -> None:
        self.data = data
        m = data.meeting
        title = Text(t("meeting.title", date=m.date.isoformat()))
        self.query_one(TopBar).set_title(title)
        info = Text()
        for key, value in (("time", m.start_time), ("place", m.place), ("chair", m.chair),
                           ("secretary", m.secretary)):
            if value:
                if info:
                    info.append("   ")
                info.append(t(f"meeting.info.{key}") + ": ", style="dim")
                info.append_text(literal(value, one_line=True, limit=40))
        info.append("   " if info else "")
        info.append(t("meeting.info.minutes") + ": ", style="dim")
        info.append(label(m.minutes_status))
        if data.publication is not None:  # issue 15: the published agenda's version
            info.append(" · " + version_line(data.publication), style="dim")
            if data.publication.changes:  # the partners see what changed in this version
                info.append(" (" + "; ".join(change_text(c) for c in data.publication.changes)
                            + ")", style="yellow")
        if refusal_for(m) is not None:  # approved: say how the record changes now
            info.append(" · " + t("meeting.locked_how"), style="yellow")
        self.query_one("#meeting-info", Static).update(info)
        names = {o.id: o.name for o in data.organisations}
        sync_rows(self.query_one(AttendanceTable), [
            (row.organisation_id, [
                literal(names.get(row.organisation_id, "?"), one_line=True, limit=40),
                Text(label(row.status), style=ATTENDANCE_STYLE[row.status]),
            ])
            for row in data.attendance
        ])
        # who submitted input, by kind (NGO, IND …): the agenda's subject column is narrow;
        # the item screen names the organisation in full
        short = {o.id: t(f"OrgKind.short.{o.kind.value}") for o in data.organisations}
        self._subjects = {
            item.id: mark(submitted_title(item_title(item, data.cases),
                                          data.submitted.get(item.id), short),
                          item.id in data.marks.items)
            for item in data.items}
        sync_rows(self.query_one(AgendaTable), [
            (item.id, [
                Text(str(n)),
                self._subjects[item.id],
                Text(t("meeting.minutes", n=item.timebox_min) if item.timebox_min else ""),
                status_cell(item),
                Text(t("meeting.decided_mark") if item.has_decision else "", style="green"),
            ])
            for n, item in enumerate(data.items, start=1)
        ])
        self.call_after_refresh(self._fit_subjects)

    def _fit_subjects(self) -> None:
        """The subjects take what the other columns leave: never off the right edge."""
        fit_texts(self.query_one(AgendaTable), "subject", self._subjects)

    def refused(self) -> bool:
        """Ask before changing the record or opening a form: True, and say why, if locked."""
        return would_refuse(self.app, self.data.meeting if self.data is not None else None)

    # -- attendance -------------------------------------------------------------------

    def action_to_attendance(self) -> None:
        self.query_one(AttendanceTable).focus()
        self.app.notify(t("meeting.attendance_here"), markup=False)

    def on_attendance_table_marked(self, message: AttendanceTable.Marked) -> None:
        if self.refused():
            return
        status = message.status
        if status == "next":
            order = [d.Attendance.PRESENT, d.Attendance.ABSENT, d.Attendance.APOLOGIES]
            now = next((r.status for r in self.data.attendance
                        if r.organisation_id == message.organisation_id), d.Attendance.UNKNOWN)
            status = order[(order.index(now) + 1) % 3 if now in order else 0].value
        store, meeting_id, org = self.store, self.meeting_id, message.organisation_id

        def job() -> MeetingData:
            store.set_attendance(meeting_id, org, status)
            return load_meeting(store, meeting_id)

        self.call_store(job, self.show, group="meeting-save", description="set attendance",
                        exclusive=False)

    # -- agenda -----------------------------------------------------------------------

    def selected_item(self) -> d.AgendaItem | None:
        key = selected_key(self.query_one(AgendaTable))
        if self.data is None or key is None:
            return None
        return next((i for i in self.data.items if i.id == key), None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "agenda" and event.row_key.value:
            event.stop()
            self.open_item(event.row_key.value)

    def open_item(self, item_id: str) -> None:
        from screens.item import ItemScreen

        def returned(last_item_id: str | None) -> None:
            # the agenda's cursor follows the walk: back on the item shown last
            table = self.query_one(AgendaTable)
            if last_item_id and self.data and any(i.id == last_item_id for i in self.data.items):
                table.move_cursor(row=table.get_row_index(last_item_id))

        self.app.push_screen(ItemScreen(self.meeting_id, item_id), returned)

    def _change(self, job: Any, description: str, then: Any = None) -> None:
        store, meeting_id = self.store, self.meeting_id

        def run() -> MeetingData:
            job(store)
            return load_meeting(store, meeting_id)

        def done(data: MeetingData) -> None:
            self.show(data)
            if then is not None:
                then()

        self.call_store(run, done, group="meeting-save", description=description,
                        exclusive=False)

    def action_move(self, delta: int) -> None:
        item = self.selected_item()
        if item is None:
            self.app.bell()
            return
        if self.refused():
            return
        table = self.query_one(AgendaTable)
        row = table.cursor_row

        def keep_cursor() -> None:
            table.move_cursor(row=max(0, min(table.row_count - 1, row + delta)))

        self._change(lambda s: s.move_agenda_item(item.id, delta), "move item", keep_cursor)

    def _toggle_status(self, status: d.ItemStatus, description: str) -> None:
        """Give the selected item ``status``, or take it back to open if it has it."""
        item = self.selected_item()
        if item is None or self.refused():
            return
        new = d.ItemStatus.OPEN if item.status is status else status
        self._change(lambda s: s.update_agenda_item(item.id, status=new), description)

    def action_defer(self) -> None:
        self._toggle_status(d.ItemStatus.DEFERRED, "defer item")

    def action_discussed(self) -> None:
        self._toggle_status(d.ItemStatus.DISCUSSED, "item discussed")

    def action_timebox(self) -> None:
        from screens.timebox_form import TimeboxForm

        item = self.selected_item()
        if item is None or self.refused():
            return
        store = self.store

        def save(values: dict) -> d.AgendaItem:
            return store.update_agenda_item(item.id, timebox_min=values["timebox_min"])

        self.app.push_screen(TimeboxForm(save, item.timebox_min), lambda _r: self.load())

    def action_add_case(self) -> None:
        from screens.case_picker import CasePicker

        if self.refused():
            return
        store, meeting_id = self.store, self.meeting_id
        on_agenda = {i.case_id for i in self.data.items if i.case_id}

        def chosen(case: d.Case | None) -> None:
            if case is None:
                return
            if case.id in on_agenda:
                self.app.notify(t("error.case_on_agenda", case_code=case.code),
                                severity="warning", markup=False)
                return
            self._change(lambda s: s.add_agenda_item(meeting_id, d.ItemKind.CASE,
                                                     case_id=case.id, timebox_min=15),
                         "add case item",
                         lambda: self.app.notify(t("meeting.case_added", code=case.code),
                                                 markup=False))

        self.app.push_screen(CasePicker(store, self.data.meeting.overleg_id), chosen)

    def action_add_general(self) -> None:
        from screens.general_item_form import GeneralItemForm

        if self.refused():
            return
        store, meeting_id = self.store, self.meeting_id

        def save(values: dict) -> d.AgendaItem:
            return store.add_agenda_item(meeting_id, values["kind"], title=values["title"],
                                         timebox_min=values["timebox_min"])

        self.app.push_screen(GeneralItemForm(save), lambda _r: self.load())

    def action_edit_meeting(self) -> None:
        from screens.meeting_form import MeetingForm

        if self.refused():
            return
        store, meeting_id = self.store, self.meeting_id
        self.app.push_screen(
            MeetingForm(lambda v: store.update_meeting(meeting_id, **v), self.data.meeting),
            lambda _r: self.load(),
        )

    def on_lvv_app_records_changed(self, _message: Message) -> None:
        self.load()  # live: sync brought values; the agenda is updated by row key

    def action_jump_to_conflict(self) -> None:
        if self.data is not None:
            item = self.selected_item()
            open_conflict(self, self.data.meeting.overleg_id, "item" if item else "meeting",
                          item.id if item else self.data.meeting.id)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_minutes(self) -> None:
        from screens.minutes import MinutesScreen

        self.app.push_screen(MinutesScreen(self.meeting_id))

    def action_action_list(self) -> None:
        from screens.action_list import ActionListScreen

        self.app.push_screen(ActionListScreen(self.store.meeting(self.meeting_id).overleg_id))

    def action_close_meeting(self) -> None:
        from screens.checklist import close_meeting_flow

        if not self.refused():
            close_meeting_flow(self)

    def action_carry_deferred(self) -> None:
        from screens.checklist import carry_deferred_flow

        if not self.refused():
            carry_deferred_flow(self)

    def action_publish_agenda(self) -> None:
        from screens.publish import publish_agenda

        if not self.refused():
            publish_agenda(self)

    def action_prepare_input(self) -> None:
        from screens.input_form import prepare_input

        if not self.refused():
            prepare_input(self)

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        out: list[tuple[str, str, Any]] = []
        if self.data is None:
            return out
        for n, item in enumerate(self.data.items, start=1):
            title = item_title(self.data.items[n - 1], self.data.cases).plain
            out.append((t("cmd.goto_item", n=n, title=title), t("cmd.goto_item_help"),
                        lambda item_id=item.id: self.open_item(item_id)))
        out.append((t("cmd.add_case"), "", self.action_add_case))
        out.append((t("cmd.add_general"), "", self.action_add_general))
        out.append((t("binding.agenda-publish"), t("cmd.publish_help"),
                    self.action_publish_agenda))
        out.append((t("binding.input-prepare"), t("cmd.input_help"), self.action_prepare_input))
        return out
