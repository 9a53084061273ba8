"""Form building blocks: a field with its message beside it, and a modal that saves.

A :class:`FormModal` runs its ``save`` callable (store calls) in a thread worker and
dismisses with the saved object only once the store has committed it. A validation error
is shown beside the field it names and the modal stays open, so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Label, Static, TextArea

from lvv_tui.i18n import t
from screens.widgets.base import StoreMixin, after_pending_keys, error_text

R = TypeVar("R")


class Field(Vertical):
    """A label, an input widget and a message line beside it (id ``<name>-error``)."""

    DEFAULT_CSS = """
    Field { height: auto; margin: 0 0 0 0; }
    Field > .field-label { color: $text-muted; }
    Field > .field-error { color: $error; height: auto; }
    Field > .field-error.-empty { display: none; }
    """

    def __init__(self, name: str, label: str, widget: Widget) -> None:
        super().__init__(id=f"field-{name}")
        self.field_name = name
        self.label_text = label
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield Label(Text(self.label_text), classes="field-label")
        yield self.widget
        yield Static("", id=f"{self.field_name}-error", classes="field-error -empty")

    def set_error(self, message: str | None) -> None:
        error = self.query_one(f"#{self.field_name}-error", Static)
        error.update(Text(message or ""))
        error.set_class(not message, "-empty")


class NoteArea(TextArea):
    """A form's free-text field. Entered with text already in it (an earlier note, a
    partner's input), the cursor goes after that text, so what is typed adds to it instead
    of going in front of it (``TextArea`` starts at the top)."""

    def on_focus(self, event: events.Focus) -> None:
        if self.text and self.cursor_location == (0, 0):
            self.move_cursor(self.document.end)


class FormModal(StoreMixin, ModalScreen[R], Generic[R]):
    """A modal form. Subclasses give ``fields()`` and ``collect()``, and the ``save`` job."""

    DEFAULT_CSS = """
    FormModal { align: center middle; }
    FormModal > #form-box {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FormModal #form-title { text-style: bold; width: 100%; }
    FormModal #form-body { height: auto; max-height: 1fr; }
    FormModal #form-message { color: $error; height: auto; }
    FormModal #form-live { color: $warning; height: auto; text-style: bold; }
    FormModal #form-live.-empty { display: none; }
    FormModal #form-buttons { height: auto; align-horizontal: right; }
    FormModal #form-buttons Button { margin-left: 1; min-width: 12; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,ctrl+j", "save", "Save", id="form-save", priority=True),
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        Binding("f6", "take_theirs", "Take theirs", id="live-take-theirs", show=False),
        Binding("f7", "keep_mine", "Keep mine", id="live-keep-mine", show=False),
        Binding("f8", "merge", "Merge", id="live-merge", show=False),
    ]

    title_text: str = ""

    record: tuple[str, str] | None = None
    """(entity, id) of the record the form edits: a change of it arriving by sync is shown
    with the choice take theirs / keep mine / merge."""

    seen: frozenset[str] | None = None
    """The op ids of the values the form was opened with, saved as the edit's base (an
    edit on a stale form is then a conflict, never a silent overwrite); None: a new
    record whose store call takes no ``seen``."""

    date_fields: ClassVar[tuple[str, ...]] = ()
    """Date fields whose unusual values (see :func:`db.rules.date_doubt`) are asked about:
    the first save shows why beside the field, a second save with the same dates saves."""
    past_ok: ClassVar[frozenset[str]] = frozenset()
    """Date fields for which a date long ago is usual (an intake date, say)."""
    intake: dt.date | None = None
    """The case's intake date, when the form is about a case: a date before it is asked."""

    def __init__(self, save: Callable[[dict[str, Any]], R]) -> None:
        super().__init__()
        self._asked: tuple[tuple[str, str], ...] = ()
        self._save = save
        self.saving = False
        self.changed_under: Any = None
        """The last change of this record that arrived from another laptop, if any."""
        self._choice: str | None = None

    def fields(self) -> ComposeResult:
        """The form's fields (usually :class:`Field` instances)."""
        yield from ()

    def collect(self) -> dict[str, Any]:
        """The values typed, by field name (checked by the store on save)."""
        return {}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        """Errors found before saving (field name -> message); the store checks again."""
        return {}

    def date_doubts(self, values: dict[str, Any]) -> dict[str, str]:
        """Field name -> why its date is unusual, for the fields in ``date_fields``."""
        from db.store import ValidationError, date_doubt, parse_date

        out: dict[str, str] = {}
        today = self.ctx.today()
        for name in self.date_fields:
            try:
                day = parse_date(values.get(name), name)
            except ValidationError:
                continue  # check() said so already
            doubt = None if day is None else date_doubt(
                day, today, intake=self.intake, past_ok=name in self.past_ok)
            if doubt is not None:
                out[name] = t(doubt[0], **doubt[1])
        return out

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Label(Text(self.title_text), id="form-title")
            with VerticalScroll(id="form-body"):
                yield from self.fields()
            yield Static("", id="form-live", classes="-empty")
            yield Static("", id="form-message")
            with Horizontal(id="form-buttons"):
                yield Button(t("form.save"), id="form-save", variant="primary")
                yield Button(t("form.cancel"), id="form-cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        elif event.button.id == "form-cancel":
            self.action_cancel()

    def show_errors(self, errors: dict[str, str], general: str | None = None) -> None:
        for fld in self.query(Field):
            fld.set_error(errors.get(fld.field_name))
        unplaced = [m for k, m in errors.items() if not self.query(f"#field-{k}")]
        text = general or "; ".join(unplaced)
        self.query_one("#form-message", Static).update(Text(text))
        if errors:
            first = next((f for f in self.query(Field) if f.field_name in errors), None)
            if first is not None:
                first.widget.focus()

    def action_save(self) -> None:
        after_pending_keys(self, self._save_typed)

    def _save_typed(self) -> None:
        if self.saving:
            return
        values = self.collect()
        errors = self.check(values)
        if errors:
            self.show_errors(errors)
            return
        doubts = self.date_doubts(values)
        asked = tuple(sorted((name, str(values.get(name))) for name in doubts))
        if doubts and asked != self._asked:  # ask once; the same dates again: save
            self._asked = asked
            self.show_errors(doubts, general=t("date.confirm"))
            return
        if self.seen is not None:
            values = {**values, "seen": self.seen}
        save, job = self._save, lambda: self._save(values)
        if self._choice == "mine" and self.record is not None and self.seen is not None:
            # keep mine: a resolution that names both what the form showed and theirs
            store, (entity, entity_id), shown = self.store, self.record, self.seen

            def job() -> R:
                return save({**values, "seen": shown | store.seen_of(entity, entity_id)})
        self.saving = True
        self.query_one("#form-message", Static).update(Text(t("form.saving")))
        self.call_store(
            job, self._saved, failed=self._failed,
            group="form-save", description="save form", exclusive=False,
        )

    def _saved(self, result: R) -> None:
        self.saving = False
        record, merge = self.record, self._choice == "merge"
        self.dismiss(result)
        if merge and record is not None:  # both versions are kept: write the merge there
            from screens.conflicts import ConflictsScreen

            self.app.push_screen(ConflictsScreen(None, focus=record))

    # -- live: the record changed underneath ------------------------------------------------

    def on_lvv_app_records_changed(self, message: Any) -> None:
        if self.record is None:
            return
        entity, entity_id = self.record
        me = self.store.device_id
        hits = [c for c in message.changes
                if c.entity == entity and c.entity_id == entity_id and c.device_id != me]
        if not hits:
            return
        last = self.changed_under = max(hits, key=lambda c: c.hlc)
        when = last.written_at.astimezone().strftime("%H:%M")
        notice = self.query_one("#form-live", Static)
        notice.update(Text(t("live.changed_by", author=last.author, time=when) + "\n"
                           + t("live.choice")))
        notice.set_class(False, "-empty")

    def action_take_theirs(self) -> None:
        """Their version stays; what was typed here is dropped (asked for explicitly)."""
        if self.changed_under is not None and not self.saving:
            self.app.notify(t("live.took_theirs"), markup=False)
            self.dismiss(None)

    def action_keep_mine(self) -> None:
        if self.changed_under is not None:
            self._choice = "mine"
            self.action_save()

    def action_merge(self) -> None:
        if self.changed_under is not None:
            self._choice = "merge"
            self.action_save()

    def _failed(self, exc: Exception) -> None:
        self.saving = False
        name = getattr(exc, "field", None)
        if isinstance(name, str) and self.query(f"#field-{name}"):
            self.show_errors({name: error_text(exc)})
        else:
            self.show_errors({}, general=error_text(exc))

    def action_cancel(self) -> None:
        if not self.saving:
            self.dismiss(None)
