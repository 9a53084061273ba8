"""The minutes of a meeting: the draft from the record, summaries, approval, export.

Left the agenda items (a mark for a written summary, a conflict, corrections); right the
selected item as it will read in the minutes (views, decision, actions) and its summary in
an editor; below the actielijst (every open action of the overleg), where actions can be
closed. Once approved (vastgesteld) the minutes are locked: a change becomes a recorded
correction. Every store call and the export run in thread workers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, ProgressBar, Static, TextArea

from db import domain as d
from lvv_tui.i18n import language, t
from lvv_tui.minutes import build_minutes
from screens.minutes_detail import MinutesData, item_detail, load_minutes, status_line
from screens.minutes_dialogs import ApproveDialog, CorrectionForm, ExportDialog, ExportRequest
from screens.widgets.base import (
    StoreMixin,
    after_pending_keys,
    error_text,
    literal,
)
from screens.widgets.tables import selected_key, sync_rows
from screens.widgets.topbar import TopBar

#: The Stand column's mark of an item with a written summary (explained in the legend).
SUMMARY_MARK = "✎ "


class MinutesScreen(StoreMixin, Screen[None]):
    """The minutes of one meeting (opened from the meeting screen)."""

    CSS_PATH = "minutes.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="minutes-back"),
        Binding("ctrl+s,ctrl+j", "save_summary", "Save summary", id="minutes-save",
                priority=True),
        Binding("e", "edit_summary", "Edit summary", id="minutes-edit"),
        Binding("a", "approve", "Approve", id="minutes-approve"),
        Binding("r", "correction", "Correction", id="minutes-correction", show=False),
        Binding("x", "export", "Export", id="minutes-export"),
        # on f1 and in the palette; out of the footer (full at 120 columns)
        Binding("d", "close_action", "Close action", id="minutes-close-action", show=False),
    ]

    @dataclass
    class MinutesLoaded(Message):
        """The draft was built from the record."""

        data: MinutesData

    @dataclass
    class SummarySaved(Message):
        """A summary was written (an op, durable)."""

        item_id: str
        text: str

    @dataclass
    class ExportProgressed(Message):
        """The export finished a step (``step`` of ``total``)."""

        step: int
        total: int

    @dataclass
    class MinutesExported(Message):
        """The export was written to ``path``."""

        path: Path
        fmt: str

    @dataclass
    class ExportFailed(Message):
        """The export could not be written; ``error`` says why."""

        error: str

    def __init__(self, meeting_id: str) -> None:
        super().__init__()
        self.meeting_id = meeting_id
        self.data: MinutesData | None = None
        self._wide = False
        #: The item whose summary is in the editor, and the text as last saved.
        self.editing: str | None = None
        self.saved_text = ""
        self.saved_seen: frozenset[str] = frozenset()
        """What the summary being edited showed when it was loaded (its op ids)."""
        self.last_export: ExportRequest | None = None
        self.exporting = False

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Static("", id="minutes-info")
        with Horizontal(id="minutes-body"):
            with Vertical(id="minutes-items-pane"):
                yield Label(t("minutes_screen.items"), classes="pane-title")
                yield DataTable(id="minutes-items", cursor_type="row", zebra_stripes=True)
                yield Label(Text(t("minutes_screen.legend", summary=SUMMARY_MARK.strip(),
                                   decision=t("minutes_screen.mark_decision"))),
                            id="minutes-legend")
            with Vertical(id="minutes-item-pane"):
                with VerticalScroll(id="minutes-detail-scroll"):
                    yield Static("", id="minutes-detail")
                yield Label(t("minutes_screen.summary"), classes="pane-title",
                            id="minutes-summary-label")
                yield TextArea("", id="minutes-summary", soft_wrap=True)
        yield Label(t("minutes.actielijst"), classes="pane-title", id="minutes-actions-label")
        yield DataTable(id="minutes-actions", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="export-status", classes="-hidden"):
            yield Label("", id="export-label")
            yield ProgressBar(total=3, show_eta=False, id="export-progress")
        yield Footer()

    def on_mount(self) -> None:
        items = self.query_one("#minutes-items", DataTable)
        for key in ("n", "item", "marks"):
            items.add_column(t(f"minutes_screen.col.{key}"), key=key)
        actions = self.query_one("#minutes-actions", DataTable)
        actions.add_column(t("minutes.col.nr"), key="n")
        for key in ("action", "case", "owner", "due", "since"):
            actions.add_column(t(f"minutes.col.{key}"), key=key)
        items.focus()
        self.load()

    def on_lvv_app_records_changed(self, _message: object) -> None:
        self.load()  # live: sync brought values (typing in the editor is kept)

    def load(self) -> None:
        store, meeting_id, today = self.store, self.meeting_id, self._today()
        self.call_store(lambda: load_minutes(store, meeting_id, today),
                        lambda data: self.post_message(self.MinutesLoaded(data)),
                        group="minutes-load", description="load minutes")

    def _today(self) -> dt.date:
        return self.ctx.today()

    # -- showing ----------------------------------------------------------------------

    def on_minutes_screen_minutes_loaded(self, message: MinutesLoaded) -> None:
        self.show(message.data)

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 110, "-wide")  # whole item titles and marks
        if self.data is not None and self._wide != (self.size.width >= 150):
            self.show(self.data)  # the actielijst's texts cut to the new width

    def show(self, data: MinutesData) -> None:
        self.data, self._wide = data, self.size.width >= 150
        # below 150 columns the actielijst's own columns stay whole: long texts are cut
        text, owner = (50, 40) if self._wide else (30, 24)
        doc = data.doc
        self.query_one(TopBar).set_title(Text(doc.title))
        self.query_one("#minutes-info", Static).update(status_line(data))
        corrected = {c.item for c in doc.corrections if c.item}
        rows = []
        for item in doc.items:
            marks = Text()
            if item.deferred:
                marks.append(t("minutes.deferred") + " ", style="yellow")
            if item.summary.strip():
                marks.append(SUMMARY_MARK, style="green")
            if item.decision is not None:  # the legend under the table says what these are
                marks.append(t("minutes_screen.mark_decision") + " ", style="green")
            if item.id in data.conflicted:
                marks.append("⚠ " + t("minutes_screen.conflict"), style="red")
            if f"{item.number}. {item.title}" in corrected:
                marks.append(" " + t("minutes_screen.corrected"), style="yellow")
            rows.append((item.id, [Text(str(item.number)), literal(item.title, one_line=True,
                                                                   limit=42), marks]))
        sync_rows(self.query_one("#minutes-items", DataTable), rows)
        sync_rows(self.query_one("#minutes-actions", DataTable), [
            (a.id, [Text(str(n)), literal(a.text, one_line=True, limit=text),
                    literal(a.case_code or "—", one_line=True),
                    literal(a.owner, one_line=True, limit=owner),
                    Text(a.due_text), Text(a.since_text or "—")])
            for n, a in enumerate(doc.actielijst, start=1)
        ])
        editor = self.query_one("#minutes-summary", TextArea)
        editor.read_only = doc.locked
        self.set_class(doc.locked, "-locked")
        current = self.editing
        if current is None or data.item(current) is None:
            current = selected_key(self.query_one("#minutes-items", DataTable))
        self.show_item(current)

    def show_item(self, item_id: str | None) -> None:
        """Show an item; the editor takes its summary unless it holds unsaved typing."""
        if self.data is None:
            return
        item = self.data.item(item_id)
        detail = self.query_one("#minutes-detail", Static)
        editor = self.query_one("#minutes-summary", TextArea)
        if item is None:
            detail.update(Text(t("minutes.none")))
            return
        text = item_detail(item, self.data.doc.lang)
        if item.id in self.data.conflicted:
            text.append("\n" + t("minutes_screen.conflict_hint") + "\n", style="red")
        detail.update(text)
        dirty = self.editing == item.id and editor.text != self.saved_text
        if not dirty:
            self.editing = item.id
            self.saved_text = item.summary
            self.saved_seen = self.data.seen.get(item.id, frozenset())
            if editor.text != item.summary:
                editor.load_text(item.summary)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "minutes-items" or event.row_key is None:
            return
        new = event.row_key.value
        if new == self.editing:
            return
        self.save_if_dirty()
        self.editing = None
        self.show_item(new)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "minutes-items":
            event.stop()
            self.action_edit_summary()

    # -- summaries --------------------------------------------------------------------

    def save_if_dirty(self) -> None:
        """Leaving an item with unsaved typing saves it (nothing typed is lost)."""
        editor = self.query_one("#minutes-summary", TextArea)
        if (self.editing and editor.text != self.saved_text and self.data is not None
                and not self.data.doc.locked):
            self._save(self.editing, editor.text)

    def action_edit_summary(self) -> None:
        editor = self.query_one("#minutes-summary", TextArea)
        if self.data is not None and self.data.doc.locked:
            self.app.notify(t("error.locked"), severity="warning", markup=False)
        editor.focus()

    def action_save_summary(self) -> None:
        after_pending_keys(self, self._save_typed)

    def _save_typed(self) -> None:
        if self.editing is None:
            self.app.bell()
            return
        self._save(self.editing, self.query_one("#minutes-summary", TextArea).text)

    def _save(self, item_id: str, text: str) -> None:
        store, meeting_id = self.store, self.meeting_id
        seen = self.saved_seen if item_id == self.editing else None

        def job() -> tuple[str, str, frozenset[str]]:
            now = store.set_minutes_text(meeting_id, item_id, text, seen=seen)
            return item_id, text, now

        def saved(r: tuple[str, str, frozenset[str]]) -> None:
            if r[0] == self.editing:
                self.saved_seen = r[2]  # the next save builds on this one
            self.post_message(self.SummarySaved(r[0], r[1]))

        self.call_store(job, saved,
                        failed=lambda exc: self._save_failed(exc, item_id, text),
                        group="minutes-save", description="save summary", exclusive=False)

    def on_minutes_screen_summary_saved(self, message: SummarySaved) -> None:
        if message.item_id == self.editing:
            self.saved_text = message.text
        self.app.notify(t("minutes_screen.saved"), markup=False)
        self.load()

    def _save_failed(self, exc: Exception, item_id: str, text: str) -> None:
        from db.store import Locked

        if isinstance(exc, Locked):
            self.app.notify(t("error.locked"), severity="warning", markup=False)
            self.open_correction(item_id, text)
            return
        self.report_error(exc)  # the typed text stays in the editor

    # -- approval and corrections -----------------------------------------------------

    def action_approve(self) -> None:
        if self.data is None:
            return
        if self.data.doc.locked:
            self.app.notify(t("minutes_screen.already_approved"), markup=False)
            return
        self.save_if_dirty()
        nxt = self.data.next_meeting
        question = (t("minutes_screen.approve_in", date=nxt.date.isoformat()) if nxt
                    else t("minutes_screen.approve_now"))
        store, meeting_id, today = self.store, self.meeting_id, self._today()

        def answered(yes: bool | None) -> None:
            if not yes:
                return

            def job() -> None:
                store.approve_minutes(meeting_id, nxt.id if nxt else None, on=today)

            def done(_r: None) -> None:
                self.app.notify(t("minutes_screen.approved"), markup=False)
                self.load()

            self.call_store(job, done, group="minutes-save", description="approve minutes",
                            exclusive=False)

        from screens.checklist import approve_checklist_flow

        approve_checklist_flow(self, lambda: self.app.push_screen(ApproveDialog(question),
                                                                  answered), answered)

    def action_correction(self) -> None:
        if self.data is None:
            return
        self.open_correction(self.editing, "")

    def open_correction(self, item_id: str | None, text: str) -> None:
        if self.data is None:
            return
        item = self.data.item(item_id)
        store, meeting_id, today = self.store, self.meeting_id, self._today()
        title = f"{item.number}. {item.title}" if item else None

        def save(values: dict[str, Any]) -> d.Correction:
            return store.add_correction(meeting_id, values["text"], item_id, on=today)

        def done(result: d.Correction | None) -> None:
            if result is not None:
                self.app.notify(t("minutes_screen.correction_saved"), markup=False)
                if item is not None:
                    self.query_one("#minutes-summary", TextArea).load_text(item.summary)
                    self.saved_text = item.summary
                self.load()

        self.app.push_screen(CorrectionForm(save, title, text), done)

    # -- actions ------------------------------------------------------------------------

    def action_close_action(self) -> None:
        table = self.query_one("#minutes-actions", DataTable)
        action_id = selected_key(table)
        if action_id is None:
            self.app.bell()
            return
        store = self.store

        def done(action: d.Action) -> None:
            self.app.notify(t("minutes_screen.action_closed", text=action.text[:60]),
                            markup=False)
            self.load()

        self.call_store(lambda: store.close_action(action_id), done, group="minutes-save",
                        description="close action", exclusive=False)

    # -- export ---------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.data is None or self.exporting:
            return
        self.save_if_dirty()
        from lvv_tui.personal_data import marked_path

        default = self.last_export or ExportRequest(  # the documents folder, not the cwd
            "docx", marked_path(self.ctx.config.export_dir  # the name it is written under
                                / f"verslag-{self.data.doc.header.date.isoformat()}.docx"))
        self.app.push_screen(ExportDialog(default), self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        self.last_export = request
        self.exporting = True
        self.query_one("#export-status").remove_class("-hidden")
        self.query_one("#export-label", Label).update(
            Text(t("minutes_screen.exporting", path=str(request.path))))
        self.query_one("#export-progress", ProgressBar).update(total=3, progress=0)
        self.run_export(request, language())

    @work(thread=True, exclusive=True, exit_on_error=False, group="minutes-export",
          description="export minutes")
    def run_export(self, request: ExportRequest, lang: str) -> None:
        """Read, render and write the minutes off the event loop, reporting each step."""
        from lvv_tui.export import export

        try:
            doc = build_minutes(self.store, self.meeting_id,
                                include_confidential=request.include_confidential,
                                include_v_numbers=request.include_v_numbers,
                                made_on=self._today(), lang=lang)
            self.post_message(self.ExportProgressed(1, 3))
            written = export(doc, request.fmt, request.path)
            self.post_message(self.ExportProgressed(3, 3))
        except Exception as exc:  # shown to the user; the app keeps running
            self.post_message(self.ExportFailed(error_text(exc) if not isinstance(
                exc, OSError) else f"{request.path}: {exc.strerror or exc}"))
            return
        self.post_message(self.MinutesExported(written, request.fmt))

    def on_minutes_screen_export_progressed(self, message: ExportProgressed) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=message.total,
                                                               progress=message.step)

    def on_minutes_screen_minutes_exported(self, message: MinutesExported) -> None:
        self.exporting = False
        self.query_one("#export-label", Label).update(
            Text(t("minutes_screen.exported", path=str(message.path))))
        self.app.notify(t("minutes_screen.exported", path=str(message.path)), markup=False)

    def on_minutes_screen_export_failed(self, message: ExportFailed) -> None:
        self.exporting = False
        self.query_one("#export-status").add_class("-hidden")
        self.app.notify(message.error, title=t("minutes_screen.export_failed"),
                        severity="error", markup=False)

    # -- leaving --------------------------------------------------------------------------

    def action_back(self) -> None:
        """Esc in the editor saves and returns to the items; elsewhere leaves the screen."""
        self.save_if_dirty()
        editor = self.query_one("#minutes-summary", TextArea)
        if editor.has_focus:
            self.query_one("#minutes-items", DataTable).focus()
            return
        self.app.pop_screen()
