"""Open conflicts: every concurrent value, who wrote it and when; the chair picks one or
writes a merged value. Resolving writes one op whose base names all values, so the conflict
clears here at once and on every other laptop after its next sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
from lvv_tui.presentation import plural
from screens.conflict_words import (
    author_text,
    device_text,
    value_text,
    what_text,
    where_text,
)
from screens.widgets.base import (
    StoreMixin,
    after_pending_keys,
    error_text,
    literal,
)
from screens.widgets.tables import selected_key, sync_rows
from screens.widgets.topbar import TopBar

#: the field of a delete (tombstone) conflict
DELETED = "deleted"


def conflict_key(conflict: d.Conflict) -> str:
    return f"{conflict.entity}/{conflict.entity_id}/{conflict.field}"


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


class MergeArea(TextArea):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,ctrl+j", "save_merge", "Save merge", id="conflict-merge-save",
                priority=True),
        Binding("escape", "cancel_merge", "Cancel", id="conflict-merge-cancel"),
    ]

    def __init__(self) -> None:
        super().__init__("", id="merged", soft_wrap=True)

    def action_save_merge(self) -> None:
        screen = self.screen
        if isinstance(screen, ConflictsScreen):
            after_pending_keys(self, screen.save_merge)

    def action_cancel_merge(self) -> None:
        screen = self.screen
        if isinstance(screen, ConflictsScreen):
            screen.cancel_merge()


class ConflictsScreen(StoreMixin, Screen[None]):
    """The list of open conflicts (of the current overleg, or all) and their values."""

    CSS_PATH = "conflicts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="conflicts-back"),
        Binding("m", "merge", "Merged value", id="conflict-merge"),
        Binding("f5", "reload", "Reload", id="conflict-reload"),
    ]

    @dataclass
    class ConflictsLoaded(Message):
        """The open conflicts were read."""

        conflicts: list[d.Conflict]
        places: dict[tuple, d.ConflictPlace] = field(default_factory=dict)
        devices: dict[str, str] = field(default_factory=dict)
        orgs: dict[str, str] = field(default_factory=dict)

    @dataclass
    class ConflictResolved(Message):
        """A conflict was resolved (an op written)."""

        key: str

    def __init__(self, overleg_id: str | None = None, focus: tuple[str, str] | None = None
                 ) -> None:
        super().__init__()
        self.overleg_id = overleg_id
        """Only this overleg's conflicts (None: all)."""
        self.focus_on = focus
        """(entity, entity_id) or ("item", item_id) whose conflict to highlight at first."""
        self.places: dict[tuple, d.ConflictPlace] = {}
        self.devices: dict[str, str] = {}
        self.orgs: dict[str, str] = {}
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
        for key in ("where", "what", "field", "values"):
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
        def job() -> ConflictsScreen.ConflictsLoaded:
            conflicts = store.conflicts(overleg_id)
            overleggen = {c.overleg_id for c in conflicts}
            orgs = {o.id: o.name for oid in overleggen for o in store.organisations(oid)}
            return self.ConflictsLoaded(conflicts, store.conflict_places(conflicts),
                                        store.device_names(), orgs)

        self.call_store(job, self.post_message, group="conflicts-load",
                        description="load open conflicts")

    def on_conflicts_screen_conflicts_loaded(self, message: ConflictsLoaded) -> None:
        self.conflicts = {conflict_key(c): c for c in message.conflicts}
        self.places = {conflict_key(c): message.places.get((c.entity, c.entity_id, c.field))
                       for c in message.conflicts}
        self.devices, self.orgs = message.devices, message.orgs
        n = len(self.conflicts)
        self.query_one("#conflicts-count", Static).update(
            Text(plural("conflicts.count", n) if n else t("conflicts.none")))
        rows = [(key, [literal(where_text(self.places[key]), one_line=True),
                       literal(what_text(c, self.places[key]), one_line=True),
                       Text(field_text(c)), Text(str(len(c.values)))])
                for key, c in self.conflicts.items()]
        table = self.query_one(ConflictTable)
        sync_rows(table, rows)
        if self.focus_on is not None:
            target, self.focus_on = self.focus_on, None
            for row, (key, c) in enumerate(self.conflicts.items()):
                place = self.places[key]
                if (c.entity, c.entity_id) == target or (place is not None and (
                        (target[0] == "item" and place.item_id == target[1])
                        or (target[0] == "meeting" and place.meeting_id == target[1]))):
                    table.move_cursor(row=row)
                    break
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
        me, names = self.store.device_id, self.devices
        rows = []
        if conflict.field == DELETED:
            heading.update(Text(t("conflicts.delete_heading",
                                  what=what_text(conflict, self.places.get(key)))))
            deleted = [v for v in conflict.values if v.value is True]
            edited = [v for v in conflict.values if v.value is not True]
            for choice, label, who in (("keep", "conflicts.keep_deleted", deleted),
                                       ("restore", "conflicts.restore", edited)):
                self.choices[choice] = choice == "keep"
                rows.append((choice, [
                    Text(t(label)),
                    literal(", ".join(sorted({author_text(v) for v in who})), one_line=True),
                    Text(", ".join(sorted({device_text(v, me, names) for v in who}))),
                    Text(", ".join(sorted({_when(v) for v in who}))),
                ]))
        else:
            heading.update(Text(t("conflicts.heading",
                                  what=what_text(conflict, self.places.get(key)),
                                  field=field_text(conflict), n=len(conflict.values))))
            for n, v in enumerate(conflict.values):
                self.choices[v.op_id] = v.value
                cell = value_text(conflict, v.value, self.orgs, one_line=True, limit=60)
                if n == 0:
                    cell = Text.assemble(cell, (f"  ({t('conflicts.shown')})", "dim"))
                rows.append((v.op_id, [cell, literal(author_text(v), one_line=True),
                                       literal(device_text(v, me, names), one_line=True),
                                       Text(_when(v))]))
        sync_rows(values, rows)
        self.show_full(selected_key(values))

    def show_full(self, value_key: str | None) -> None:
        full = self.query_one("#value-full", Static)
        if value_key is None or value_key not in self.choices or value_key in ("keep",
                                                                               "restore"):
            full.update("")
            return
        full.update(value_text(self.current(), self.choices[value_key], self.orgs))

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
        self.ctx.wake_sync(recount=True)

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

    def on_lvv_app_records_changed(self, _message: Message) -> None:
        self.load()  # live: a conflict may have arrived or been resolved elsewhere

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


def _when(value: d.ConflictValue) -> str:
    return value.written_at.astimezone().strftime("%Y-%m-%d %H:%M")


#: the key that goes from a ⚠ mark to its conflict (item, agenda and meeting list)
JUMP_BINDING = Binding("exclamation_mark", "jump_to_conflict", "Conflict", id="conflict-jump",
                       show=False)  # on the help screen (f1); the footer is full at 80 columns
MARK = "⚠ "


def mark(text: Text, conflicted: bool) -> Text:
    """``text`` with the conflict mark in front when ``conflicted``."""
    return Text.assemble((MARK, "bold magenta"), text) if conflicted else text


def open_conflict(screen: Screen, overleg_id: str | None, kind: str, key: str | None) -> None:
    """Open the conflicts screen on the conflict of ``(kind, key)`` (an item, a meeting)."""
    screen.app.push_screen(ConflictsScreen(overleg_id, focus=(kind, key) if key else None))
