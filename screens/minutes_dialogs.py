"""The minutes screen's modals: approve (yes/no), record a correction, export options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from lvv_tui.i18n import t
from screens.widgets.base import ScreenBase, after_pending_keys
from screens.widgets.form import Field, FormModal, NoteArea

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 76; max-width: 100%; height: auto; max-height: 100%;
    border: thick $primary; background: $surface; padding: 0 1; }}
{name} .dialog-title {{ text-style: bold; width: 100%; }}
{name} .dialog-text {{ height: auto; margin: 1 0; }}
{name} .dialog-error {{ color: $error; height: auto; }}
{name} .dialog-buttons {{ height: auto; align-horizontal: right; }}
{name} .dialog-buttons Button {{ margin-left: 1; min-width: 12; }}
"""


class ApproveDialog(ScreenBase, ModalScreen[bool]):
    """Asks before the minutes are approved (vastgesteld); dismisses True to approve."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ApproveDialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,j", "answer(True)", "Yes", id="approve-yes"),
        Binding("n,escape", "answer(False)", "No", id="approve-no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("minutes_screen.approve_title"), classes="dialog-title")
            yield Static(Text(self.question), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("minutes_screen.approve_yes"), id="approve-yes",
                             variant="primary")
                yield Button(t("minutes_screen.approve_no"), id="approve-no")

    def on_mount(self) -> None:
        # enter confirms (the question was asked on purpose); esc or n cancels
        self.query_one("#approve-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "approve-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class CorrectionForm(FormModal[Any]):
    """A recorded correction on approved minutes (saved by the ``save`` job)."""

    def __init__(self, save, item_title: str | None, text: str = "") -> None:  # noqa: ANN001
        super().__init__(save)
        self.item_title = item_title
        self.initial = text
        self.title_text = t("minutes_screen.correction_title")

    def fields(self) -> ComposeResult:
        where = self.item_title or t("minutes_screen.whole_meeting")
        yield Static(Text(t("minutes_screen.correction_for", item=where)))
        yield Field("correction", t("minutes_screen.correction_text"),
                    NoteArea(self.initial, id="correction-text"))

    def on_mount(self) -> None:
        self.query_one("#correction-text", TextArea).focus()

    def collect(self) -> dict[str, Any]:
        return {"text": self.query_one("#correction-text", TextArea).text}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import MAX_TEXT

        text = values["text"]
        if not text.strip():
            return {"correction": t("error.required")}
        if len(text) > MAX_TEXT:
            return {"correction": t("error.too_long", limit=MAX_TEXT, length=len(text))}
        return {}


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    path: Path
    include_confidential: bool = False
    include_v_numbers: bool = False


class ExportDialog(ScreenBase, ModalScreen[ExportRequest | None]):
    """Format, file and what to include; dismisses with an :class:`ExportRequest`."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ExportDialog") + """
    ExportDialog Checkbox { width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,ctrl+j", "export", "Export", id="export-start", priority=True),
        Binding("escape", "cancel", "Cancel", id="export-cancel"),
    ]

    def __init__(self, default: ExportRequest) -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        r = self.default
        with Vertical():
            yield Label(t("minutes_screen.export_title"), classes="dialog-title")
            yield Field("format", t("minutes_screen.export_format"), Select(
                [(t(f"minutes_screen.format.{f}"), f) for f in ("docx", "html", "md")],
                value=r.fmt, allow_blank=False, id="export-format"))
            yield Field("path", t("minutes_screen.export_path"),
                        Input(str(r.path), id="export-path"))
            yield Checkbox(t("minutes_screen.export_confidential"), r.include_confidential,
                           id="export-confidential")
            yield Checkbox(t("minutes_screen.export_v_numbers"), r.include_v_numbers,
                           id="export-v-numbers")
            yield Static("", classes="dialog-error", id="export-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("minutes_screen.export_go"), id="export-go", variant="primary")
                yield Button(t("form.cancel"), id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new format renames the file's suffix (the rest of the name stays)."""
        if isinstance(event.value, str):
            box = self.query_one("#export-path", Input)
            if box.value.strip():
                box.value = str(Path(box.value.strip()).with_suffix("." + event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export-go":
            self.action_export()
        else:
            self.action_cancel()

    def action_export(self) -> None:
        after_pending_keys(self, self._export_typed)

    def _export_typed(self) -> None:
        fmt = self.query_one("#export-format", Select).value
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self.query_one("#export-error", Static).update(Text(t("error.required")))
            return
        from lvv_tui.export import format_for
        from lvv_tui.personal_data import marked_path

        fmt = fmt if isinstance(fmt, str) else "docx"
        path = Path(raw).expanduser()
        named = format_for(path)
        if named is not None:  # the file name wins: verslag.md is Markdown
            fmt = named
        else:
            path = path.with_name(f"{path.name}.{fmt}")
        self.dismiss(ExportRequest(
            fmt=fmt,
            path=marked_path(path),  # the name the file is written under
            include_confidential=self.query_one("#export-confidential", Checkbox).value,
            include_v_numbers=self.query_one("#export-v-numbers", Checkbox).value,
        ))

    def action_cancel(self) -> None:
        self.dismiss(None)
