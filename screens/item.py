"""The agenda item: the case file, a view per partner, the decision, actions, a timer.

The heart of the product. Everything the screen shows comes from one worker round trip
(:func:`load_item`); moving to the next or previous item swaps the data in place (tables
updated by row key), so the walk through the agenda stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from db import domain as d
from lvv_tui.i18n import t
from screens.conflicts import JUMP_BINDING, open_conflict
from screens.item_ahead import ReadAhead
from screens.item_panels import (
    ItemData,
    action_rows,
    case_file,
    case_history,
    decision_text,
    load_item,
    view_cells,
)
from screens.item_tables import ActionsTable, ViewsTable, fit_item_columns, fmt_seconds, name_width
from screens.meeting_data import MeetingData, load_meeting
from screens.widgets.agenda import item_title, status_cell
from screens.widgets.base import QuietFooter, ScreenCommands, StoreMixin
from screens.widgets.live import flash_pending, remember_flash
from screens.widgets.rules import lock_banner, would_refuse
from screens.widgets.tables import selected_key, sync_rows
from screens.widgets.topbar import TopBar


class ItemScreen(StoreMixin, Screen[str]):
    """One agenda item; n / p walk the agenda. Dismisses with the item shown last."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Agenda", id="item-back"),
        # priority: the tables would take page up / down for scrolling
        Binding("n,pagedown", "step(1)", "Next item", id="item-next", priority=True,
                key_display="n"),
        Binding("p,pageup", "step(-1)", "Previous item", id="item-previous", priority=True,
                key_display="p", show=False),
        Binding("v", "record_view", "View", id="view-record-key", show=False),
        Binding("b", "decide", "Decision", id="decision-record"),
        Binding("a", "add_action", "Action", id="action-add"),
        Binding("e", "escalation", "Escalation", id="item-escalation"),
        # on the help screen (f1) and in the palette; the footer is full at 80 columns
        Binding("i", "case_form('intake')", "Intake step", id="item-intake-step", show=False),
        Binding("u", "case_form('exit')", "Exit", id="item-exit", show=False),
        Binding("g", "case_form('detail')", "Sensitive detail", id="item-case-detail", show=False),
        Binding("s", "toggle_timer", "Timer", id="timer-toggle", show=False),
        Binding("d", "defer", "Defer", id="item-defer", show=False),
        Binding("k", "discussed", "Discussed", id="item-discussed", show=False),
        JUMP_BINDING,
        Binding("h", "timeline", "Timeline", id="item-timeline"),
    ]
    COMMANDS = {ScreenCommands}

    def action_timeline(self) -> None:
        """The case's whole story (a case item only)."""
        from screens.timeline import TimelineScreen

        case_id = self.data.item.case_id if self.data is not None else None
        if case_id is None:
            self.app.bell()
            return
        self.app.push_screen(TimelineScreen(case_id))

    @dataclass
    class ItemLoaded(Message):
        """An item's data was read (after opening, moving or saving)."""

        data: ItemData

    @dataclass
    class ViewRecorded(Message):
        """A view was saved (durable)."""

        view: d.View

    @dataclass
    class DecisionRecorded(Message):
        """A decision was saved (durable)."""

        decision: d.Decision

    @dataclass
    class ActionAdded(Message):
        """An action was saved (durable)."""

        action: d.Action

    def __init__(self, meeting_id: str, item_id: str) -> None:
        super().__init__()
        self.meeting_id = meeting_id
        self.item_id = item_id
        self.data: ItemData | None = None
        self.part: MeetingData | None = None
        self.timer_running = True
        self._started: float | None = None
        self._names = 0  # the width names were cut to (wider at 150 columns and more)
        self.ahead = ReadAhead()  # the neighbours, read once this item is painted

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Static("", id="item-bar")
        yield Static("", id="item-locked")  # approved minutes: says so before any form
        with Horizontal(id="item-body"):
            with VerticalScroll(id="case-pane"):
                yield Static("", id="case-file")
                yield Static("", id="case-history")
            with Vertical(id="work-pane"):
                yield Label(t("item.views"), classes="pane-title", id="views-title")
                yield ViewsTable()
                yield Label(t("item.decision"), classes="pane-title")
                yield Static("", id="decision")
                yield Label(t("item.actions"), classes="pane-title")
                yield ActionsTable()
        yield QuietFooter()

    def on_mount(self) -> None:
        views = self.query_one(ViewsTable)
        for key, width in (("org", 18), ("position", 16), ("note", 12), ("conf", 6)):
            views.add_column(t(f"item.col.{key}"), key=key, width=width)
        actions = self.query_one(ActionsTable)
        for key, width in (("owner", 16), ("text", 12), ("due", 10), ("status", 8)):
            actions.add_column(t(f"item.col.{key}"), key=key, width=width)
        self.set_interval(1.0, self.tick)
        self.reload(meeting_too=True)

    def on_screen_suspend(self) -> None:
        self._suspended = True

    def on_screen_resume(self) -> None:
        # back from a screen on top (a form, the minutes …): read again what may have changed
        if getattr(self, "_suspended", False) and self.data is not None:
            self._suspended = False
            self.reload(meeting_too=True)

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")
        if self.data is not None and name_width(self.size.width) != self._names:
            self.show(self.data)  # names cut to the new width
        self.call_after_refresh(self._fit_columns)

    def _fit_columns(self) -> None:
        fit_item_columns(self.query_one(ViewsTable), self.query_one(ActionsTable),
                         self.size.width)

    # -- loading ----------------------------------------------------------------------

    def reload(self, meeting_too: bool = False, *, keep_ahead: bool = False) -> None:
        """Read the item (a worker); what was read ahead is forgotten unless ``keep_ahead``."""
        if not keep_ahead:
            self.ahead.forget()
        store, meeting_id, item_id, part = self.store, self.meeting_id, self.item_id, self.part

        def job() -> ItemData:
            use = part if part is not None and not meeting_too else load_meeting(
                store, meeting_id)
            return load_item(store, use, item_id)

        self.call_store(job, lambda data: self.post_message(self.ItemLoaded(data)),
                        group="item-load", description="load agenda item")

    def on_item_screen_item_loaded(self, message: ItemLoaded) -> None:
        if message.data.item.id == self.item_id:
            if message.data != self.data:
                self.show(message.data)
            else:  # as shown (read ahead): no repaint; read the neighbours if forgotten
                self.ahead.after_paint(self)
            flash_pending(self, self.query_one(ViewsTable), "org")

    def on_lvv_app_records_changed(self, message: Message) -> None:
        """Live: read the item again (cursor and scroll stay); mark the views others changed."""
        remember_flash(self, message.changes, "partner_view", f"{self.item_id}/")
        self.reload(meeting_too=True)

    def show(self, data: ItemData) -> None:
        first = self.data is None or self.data.item.id != data.item.id
        self.data, self.part = data, data.part
        if first:
            self._started = self.ctx.clock()
        item, meeting = data.item, data.part.meeting
        self.query_one(TopBar).set_title(Text(t(
            "item.title", date=meeting.date.isoformat(), n=data.index + 1,
            total=len(data.items))))
        self.show_lock(data)
        self.query_one("#case-file", Static).update(case_file(data, self.ctx.today()))
        self.query_one("#case-history", Static).update(case_history(data, self.ctx.today()))
        is_case = item.kind is d.ItemKind.CASE
        views = self.query_one(ViewsTable)
        views.display = self.query_one("#views-title").display = is_case
        if first:  # a new item starts at its views, or at its actions where it has none
            (views if is_case else self.query_one(ActionsTable)).focus()
        self._names = names = name_width(self.size.width)
        if is_case:
            sync_rows(views, [(org.id, view_cells(org, data.views.get(org.id), names))
                              for org in data.table_orgs()])
            if first:  # a new item starts at its first organisation, not the last one's row
                views.move_cursor(row=0)
        self.query_one("#decision", Static).update(decision_text(data))
        sync_rows(self.query_one(ActionsTable), action_rows(data, names))
        self.tick()
        self.call_after_refresh(self._fit_columns)
        self.call_after_refresh(self.ahead.after_paint, self)

    def show_lock(self, data: ItemData) -> None:
        """Approved minutes: a line under the item bar says so before any form opens."""
        banner = self.query_one("#item-locked", Static)
        text = lock_banner(data.part.meeting, "item.locked_how")
        banner.display = text is not None
        banner.update(text or "")

    def refused(self, *, case_only: bool = False) -> bool:
        """Ask the core's rules before a form opens: True, and say why, if it would be refused."""
        data = self.data
        return data is None or would_refuse(self.app, data.part.meeting,
                                            data.item if case_only else None)

    # -- timer ------------------------------------------------------------------------

    def elapsed(self) -> float:
        spent = self.ctx.item_timers.get(self.item_id, 0.0)
        if self.timer_running and self._started is not None:
            spent += self.ctx.clock() - self._started
        return spent

    def _bank_timer(self) -> None:
        """Add the running stretch to the item's total (before leaving or pausing)."""
        if self.timer_running and self._started is not None:
            timers = self.ctx.item_timers
            timers[self.item_id] = self.elapsed()
            self._started = self.ctx.clock()

    def tick(self) -> None:
        if self.data is None:
            return
        item = self.data.item
        bar = item_title(item, self.data.part.cases)
        bar.stylize("bold")
        spent = self.elapsed()
        bar.append("   ⏱ ")
        box = item.timebox_min
        over = bool(box) and spent > box * 60  # type: ignore[operator]
        clock = fmt_seconds(spent) + (f" / {box:02d}:00" if box else "")
        bar.append(clock, style="bold red" if over else "")
        if not self.timer_running:
            bar.append(" " + t("item.paused"), style="yellow")
        bar.append("   ")
        bar.append_text(status_cell(item))
        if item.has_decision or self.data.decision is not None:
            bar.append("   " + t("meeting.decided"), style="green")
        self.query_one("#item-bar", Static).update(bar)

    def action_toggle_timer(self) -> None:
        if self.timer_running:
            self._bank_timer()
            self.timer_running = False
        else:
            self.timer_running = True
            self._started = self.ctx.clock()
        self.tick()

    # -- walking ----------------------------------------------------------------------

    def action_step(self, delta: int) -> None:
        if self.data is None:
            return
        ids = [i.id for i in self.data.items]  # from the item asked for last, loaded or not
        n = (ids.index(self.item_id) if self.item_id in ids else self.data.index) + delta
        if not 0 <= n < len(ids):
            self.app.bell()
            return
        self.go_to(self.data.items[n].id, delta)

    def go_to(self, item_id: str, direction: int = 1) -> None:
        if item_id == self.item_id:
            return
        self._bank_timer()
        self.item_id = item_id
        self.timer_running = True  # a new item starts its own clock
        self._started = self.ctx.clock()
        ahead = self.ahead.take(item_id, direction, self.data)  # shown now, read again once painted
        self.show(ahead) if ahead is not None else self.reload(keep_ahead=True)

    def action_back(self) -> None:
        self._bank_timer()
        self.dismiss(self.item_id)

    # -- recording ----------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "views":
            self.record_view(key)
        elif event.data_table.id == "actions":
            self.edit_action(key)

    def action_jump_to_conflict(self) -> None:
        if self.data is not None:
            open_conflict(self, self.data.part.meeting.overleg_id, "item", self.data.item.id)

    def action_record_view(self) -> None:
        key = selected_key(self.query_one(ViewsTable))
        if key is not None:
            self.record_view(key)

    def record_view(self, organisation_id: str) -> None:
        from screens.view_form import ViewForm
        from screens.widgets.inputs import prefilled_view

        data = self.data
        if data is None or self.refused(case_only=True):
            return
        org = next(o for o in data.part.organisations if o.id == organisation_id)
        store, item_id = self.store, data.item.id

        def save(values: dict) -> d.View:
            return store.record_view(item_id, organisation_id, **values)

        def done(view: d.View | None) -> None:
            if view is not None:
                self.post_message(self.ViewRecorded(view))
                self.reload()
                views = self.query_one(ViewsTable)
                if views.cursor_row < views.row_count - 1:
                    views.move_cursor(row=views.cursor_row + 1)

        view = data.views.get(organisation_id) or prefilled_view(  # issue 15: the input
            data.part.inputs.get(item_id, {}).get(organisation_id))
        self.app.push_screen(ViewForm(save, org.name, view), done)

    def action_decide(self) -> None:
        from screens.decision_form import DecisionForm

        data = self.data
        if data is None or self.refused(case_only=True) or data.history is None:
            return
        store, item_id, today = self.store, data.item.id, self.ctx.today()

        def save(values: dict) -> d.Decision:
            decision = store.decide(item_id, **values, today=today)
            store.escalation_from_decision(item_id, today=today)  # a decision without consensus opens it
            return decision

        def done(decision: d.Decision | None) -> None:
            if decision is not None:
                self.post_message(self.DecisionRecorded(decision))
                self.reload(meeting_too=True)

        form = DecisionForm(save, data.table_orgs(), data.decision,
                            data.history.case.perspective)
        form.intake = data.history.case.intake_date  # a date before it is asked about
        self.app.push_screen(form, done)

    def action_add_action(self) -> None:
        self.edit_action(None)

    def action_escalation(self) -> None:
        """The next step of the case's escalation thread, recorded at this item."""
        from screens.escalation_form import open_step_at_item

        if self.data is None or self.data.history is None:
            self.app.notify(t("escalation.none_here"), severity="warning", markup=False)
            return
        open_step_at_item(self, self.store, self.data, self.reload)

    def action_case_form(self, what: str) -> None:
        """The case at this item: its stay's next intake step (i) or its exit (u) — not once
        the minutes are approved — or a partner's sensitive detail (g)."""
        from screens.case_detail_form import open_case_detail
        from screens.stay_form import open_exit, open_intake_step

        if self.data is not None and self.data.history is not None and \
                (what == "detail" or not self.refused(case_only=True)):
            opener = {"intake": open_intake_step, "exit": open_exit}.get(what, open_case_detail)
            opener(self, self.store, self.data, self._saved)

    def _saved(self, result: object) -> None:
        if result is not None:
            self.reload(meeting_too=True)

    def edit_action(self, action_id: str | None) -> None:
        from screens.action_form import ActionForm

        data = self.data
        if data is None or (action_id is None and self.refused()):
            return  # a new action belongs to the meeting's record; editing one stays allowed
        store, item_id = self.store, data.item.id
        action = next((a for a in data.actions if a.id == action_id), None)

        def save(values: dict) -> d.Action:
            if action is None:
                return store.add_action(item_id, **values)
            return store.update_action(action.id, **values)

        def done(result: d.Action | None) -> None:
            if result is not None:
                if action is None:
                    self.post_message(self.ActionAdded(result))
                self.reload()

        form = ActionForm(save, data.part.organisations, action)
        form.intake = data.history.case.intake_date if data.history is not None else None
        self.app.push_screen(form, done)

    def on_actions_table_close_requested(self, message: ActionsTable.CloseRequested) -> None:
        from screens.item_actions import close_or_reopen

        close_or_reopen(self, message.action_id)

    def _set_status(self, status: d.ItemStatus) -> None:
        if self.data is None or self.refused():
            return
        if self.data.item.status is status:
            status = d.ItemStatus.OPEN
        store, item_id = self.store, self.data.item.id
        self.call_store(lambda: store.update_agenda_item(item_id, status=status),
                        lambda _i: self.reload(), group="item-save",
                        description="item status", exclusive=False)

    def action_defer(self) -> None:
        self._set_status(d.ItemStatus.DEFERRED)

    def action_discussed(self) -> None:
        self._set_status(d.ItemStatus.DISCUSSED)

    # -- palette ------------------------------------------------------------------------

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        from screens.item_commands import item_commands

        return item_commands(self)
