"""Open conflicts: every concurrent value, who wrote it and when; the chair picks one or
writes a merged value. Resolving writes one op whose base names all values, so the conflict
clears here at once and on every other laptop after its next sync.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TextArea

from db import domain as d
from lvv_tui.i18n import t
from screens.widgets.base import (
    StoreMixin,
    after_pending_keys,
    error_text,
    literal,
    localise_bindings,
)
from screens.widgets.tables import selected_key, sync_rows
from screens.widgets.topbar import TopBar

#: the field of a delete (tombstone) conflict
DELETED = "deleted"


def conflict_key(conflict: d.Conflict) -> str:
    return f"{conflict.entity}/{conflict.entity_id}/{conflict.field}"


def value_text(value: Any, *, one_line: bool = False, limit: int | None = None) -> Text:
    """A conflict value for the screen; user text is never markup."""
    if value is None or value == "":
        return Text(t("conflicts.empty_value"), style="dim")
    if isinstance(value, bool):
        return Text(t("conflicts.yes") if value else t("conflicts.no"))
    if isinstance(value, str):
        return literal(value, one_line=one_line, limit=limit)
    return literal(json.dumps(value, ensure_ascii=False), one_line=one_line, limit=limit)


def what_text(conflict: d.Conflict) -> str:
    return t(f"conflicts.entity.{conflict.entity}")


def field_text(conflict: d.Conflict) -> str:
    return t(f"conflicts.field.{conflict.field}")


#: free-text fields a merged value may be written for, with their length limits; choices,
#: numbers, dates, codes and deletes are resolved by picking one of the values
LONG_TEXT = frozenset({"note", "rationale", "text", "escalation_question",
                       "escalation_advice", "question", "advice", "advice_reasoning",
                       "adoption_reasons"})
SHORT_TEXT = frozenset({"name", "municipality", "nationality", "procedure", "put_forward_by",
                        "place", "chair", "secretary", "title", "names", "role"})


def mergeable(conflict: d.Conflict) -> bool:
    """True when the chair may write a merged value (free text only)."""
    return conflict.field in LONG_TEXT | SHORT_TEXT and all(
        v.value is None or isinstance(v.value, str) for v in conflict.values)


def merge_limit(field: str) -> int:
    from db.store import MAX_SHORT, MAX_TEXT

    return MAX_SHORT if field in SHORT_TEXT else MAX_TEXT


class ConflictTable(DataTable):
    def __init__(self) -> None:
        super().__init__(id="conflict-list", cursor_type="row", zebra_stripes=True)


class ValueTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Pick this value", id="conflict-pick"),
    ]

    def __init__(self) -> None:
        super().__init__(id="conflict-values", cursor_type="row")
        localise_bindings(self)


class MergeArea(TextArea):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,ctrl+j", "save_merge", "Save merge", id="conflict-merge-save",
                priority=True),
        Binding("escape", "cancel_merge", "Cancel", id="conflict-merge-cancel"),
    ]

    def __init__(self) -> None:
        super().__init__("", id="merged", soft_wrap=True)
        localise_bindings(self)

    def action_save_merge(self) -> None:
        after_pending_keys(self, self.screen.save_merge)  # type: ignore[attr-defined]

    def action_cancel_merge(self) -> None:
        self.screen.cancel_merge()  # type: ignore[attr-defined]


class ConflictsScreen(StoreMixin, Screen[None]):
    """The list of open conflicts (of the current overleg, or all) and their values."""

    CSS_PATH = "conflicts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="conflicts-back"),
        Binding("m", "merge", "Merged value", id="conflict-merge"),
        Binding("ctrl+l", "reload", "Reload", id="conflict-reload"),
    ]

    @dataclass
    class ConflictsLoaded(Message):
        """The open conflicts were read."""

        conflicts: list[d.Conflict]

    @dataclass
    class ConflictResolved(Message):
        """A conflict was resolved (an op written)."""

        key: str

    def __init__(self, overleg_id: str | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.overleg_id = overleg_id
        """Only this overleg's conflicts (None: all)."""
        self.conflicts: dict[str, d.Conflict] = {}
        """Open conflicts by key (entity/entity_id/field), as last loaded."""
        self.choices: dict[str, Any] = {}
        """Value row key -> the value picking that row writes."""
        self._saving = False

    def compose(self) -> ComposeResult:
        yield TopBar(t("conflicts.title"))
        yield Static(Text(t("conflicts.loading")), id="conflicts-count")
        yield ConflictTable()
        yield Static("", id="conflict-heading")
        yield ValueTable()
        yield Static("", id="value-full")
        with Vertical(id="merge-box"):
            yield Static(Text(t("conflicts.merge_label")), id="merge-label")
            yield MergeArea()
            yield Static("", id="merge-error")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(ConflictTable)
        for key in ("what", "field", "values"):
            table.add_column(t(f"conflicts.col.{key}"), key=key)
        values = self.query_one(ValueTable)
        for key in ("value", "author", "device", "when"):
            values.add_column(t(f"conflicts.col.{key}"), key=key)
        self.query_one("#merge-box").display = False
        table.focus()
        self.load()

    # -- loading ----------------------------------------------------------------------

    def load(self) -> None:
        store, overleg_id = self.store, self.overleg_id
        self.call_store(lambda: self.ConflictsLoaded(store.conflicts(overleg_id)),
                        self.post_message, group="conflicts-load",
                        description="load open conflicts")

    def on_conflicts_screen_conflicts_loaded(self, message: ConflictsLoaded) -> None:
        self.conflicts = {conflict_key(c): c for c in message.conflicts}
        n = len(self.conflicts)
        self.query_one("#conflicts-count", Static).update(
            Text(t("conflicts.count", n=n) if n else t("conflicts.none")))
        rows = [(key, [Text(what_text(c)), Text(field_text(c)), Text(str(len(c.values)))])
                for key, c in self.conflicts.items()]
        table = self.query_one(ConflictTable)
        sync_rows(table, rows)
        self.show_values(selected_key(table))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "conflict-list":
            self.show_values(event.row_key.value if event.row_key else None)
        elif event.data_table.id == "conflict-values":
            self.show_full(event.row_key.value if event.row_key else None)

    def current(self) -> d.Conflict | None:
        key = selected_key(self.query_one(ConflictTable))
        return self.conflicts.get(key) if key else None

    def show_values(self, key: str | None) -> None:
        conflict = self.conflicts.get(key) if key else None
        heading = self.query_one("#conflict-heading", Static)
        values = self.query_one(ValueTable)
        self.choices = {}
        if conflict is None:
            heading.update("")
            sync_rows(values, [])
            self.show_full(None)
            return
        me = self.store.device_id
        rows = []
        if conflict.field == DELETED:
            heading.update(Text(t("conflicts.delete_heading", what=what_text(conflict))))
            deleted = [v for v in conflict.values if v.value is True]
            edited = [v for v in conflict.values if v.value is not True]
            for choice, label, who in (("keep", "conflicts.keep_deleted", deleted),
                                       ("restore", "conflicts.restore", edited)):
                self.choices[choice] = choice == "keep"
                rows.append((choice, [
                    Text(t(label)),
                    literal(", ".join(sorted({v.author for v in who})), one_line=True),
                    Text(", ".join(sorted({_device(v, me) for v in who}))),
                    Text(", ".join(sorted({_when(v) for v in who}))),
                ]))
        else:
            heading.update(Text(t("conflicts.heading", what=what_text(conflict),
                                  field=field_text(conflict), n=len(conflict.values))))
            for n, v in enumerate(conflict.values):
                self.choices[v.op_id] = v.value
                cell = value_text(v.value, one_line=True, limit=60)
                if n == 0:
                    cell = Text.assemble(cell, (f"  ({t('conflicts.shown')})", "dim"))
                rows.append((v.op_id, [cell, literal(v.author, one_line=True),
                                       Text(_device(v, me)), Text(_when(v))]))
        sync_rows(values, rows)
        self.show_full(selected_key(values))

    def show_full(self, value_key: str | None) -> None:
        full = self.query_one("#value-full", Static)
        if value_key is None or value_key not in self.choices or value_key in ("keep",
                                                                               "restore"):
            full.update("")
            return
        full.update(value_text(self.choices[value_key]))

    # -- resolving ----------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "conflict-list":
            self.query_one(ValueTable).focus()
            return
        key = event.row_key.value
        conflict = self.current()
        if conflict is None or key not in self.choices:
            self.app.notify(t("conflicts.select_first"), severity="warning", markup=False)
            return
        self.resolve(conflict, self.choices[key])

    def resolve(self, conflict: d.Conflict, value: Any) -> None:
        if self._saving:
            return
        self._saving = True
        store, key = self.store, conflict_key(conflict)

        def job() -> ConflictsScreen.ConflictResolved | None:
            still = {conflict_key(c): c for c in store.conflicts(conflict.overleg_id)}
            if key not in still:
                return None
            store.resolve_conflict(still[key], value)
            return self.ConflictResolved(key)

        def done(result: ConflictsScreen.ConflictResolved | None) -> None:
            self._saving = False
            if result is None:
                self.app.notify(t("conflicts.gone"), markup=False)
            else:
                self.post_message(result)
            self.load()

        def failed(exc: Exception) -> None:
            self._saving = False
            self.show_merge_error(error_text(exc))

        self.call_store(job, done, failed=failed, group="conflicts-resolve",
                        description="resolve a conflict", exclusive=False)

    def on_conflicts_screen_conflict_resolved(self, message: ConflictResolved) -> None:
        self.cancel_merge()
        self.app.notify(t("conflicts.resolved"), markup=False)
        loop = getattr(self.app, "sync_loop", None)
        if loop is not None:
            loop.wake(recount=True)

    # -- merging ------------------------------------------------------------------------

    def action_merge(self) -> None:
        conflict = self.current()
        if conflict is None:
            self.app.notify(t("conflicts.select_first"), severity="warning", markup=False)
            return
        if not mergeable(conflict):
            self.app.notify(t("conflicts.merge_text_only"), severity="warning", markup=False)
            return
        area = self.query_one(MergeArea)
        shown = conflict.values[0].value
        area.text = shown if isinstance(shown, str) else ""
        self.query_one("#merge-error", Static).update("")
        self.query_one("#merge-box").display = True
        area.focus()

    def save_merge(self) -> None:
        from db.store import ValidationError, check_text

        conflict = self.current()
        if conflict is None:
            return
        text = self.query_one(MergeArea).text
        try:
            check_text(text, conflict.field, merge_limit(conflict.field))
        except ValidationError as exc:
            self.show_merge_error(error_text(exc))  # the text stays in the box
            return
        self.resolve(conflict, text)

    def show_merge_error(self, message: str) -> None:
        self.query_one("#merge-error", Static).update(Text(message))
        if not self.query_one("#merge-box").display:
            self.app.notify(message, severity="error", markup=False)

    def cancel_merge(self) -> None:
        box = self.query_one("#merge-box")
        if box.display:
            box.display = False
            self.query_one(ValueTable).focus()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


def _device(value: d.ConflictValue, me: str) -> str:
    return t("conflicts.this_device") if value.device_id == me else value.device_id[:8]


def _when(value: d.ConflictValue) -> str:
    return value.written_at.astimezone().strftime("%Y-%m-%d %H:%M")
