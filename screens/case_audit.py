"""The audit trail of one case (issue 10, item 4): every change to the case and its records —
time, what (record and field), author, laptop, the account that pushed it where that differs,
the audience, and in whose name a view was recorded. Values are not shown (as ``lvv-tui
audit``). The rows come from the store (:meth:`db.store.Store.case_audit`), read in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from lvv_tui.i18n import t
from screens.widgets.base import StoreMixin, literal
from screens.widgets.tables import sync_rows
from screens.widgets.topbar import TopBar

#: the columns, those a privacy officer asks first on the left (80 columns show them)
COLUMNS = ("at", "what", "author", "acting_for", "audience", "device", "pushed_by")


@dataclass(frozen=True)
class AuditData:
    """The case's changes and the names of the laptops."""

    rows: list[dict[str, Any]]
    devices: dict[str, str]
    me: str


def load_audit(store: Any, case_id: str, code: str) -> AuditData:
    """Read the audit trail (in a worker)."""
    return AuditData(store.case_audit(code, case_id), store.device_names(), store.device_id)


def _word(key: str, fallback: str) -> str:
    text = t(key)
    return fallback if text == key else text


def what_text(row: dict[str, Any]) -> str:
    """The record and its field in the app's words (``Inbreng: toelichting``)."""
    entity = _word(f"conflicts.entity.{row['entity']}", row["entity"])
    return f"{entity}: {_word('conflicts.field.' + row['field'], row['field'])}"


def device_text(device_id: str, me: str, names: dict[str, str]) -> str:
    """The laptop by its human name; this laptop says so."""
    if device_id == me:
        return t("conflicts.this_device")
    return names.get(device_id) or device_id[:8]


def audit_cells(row: dict[str, Any], data: AuditData) -> list[Text]:
    """One change as a row: no value, only who, when, where and for whom."""
    from lvv_tui.presentation import audience_mark

    at = row["at"][:16].replace("T", " ")
    audience = row.get("audience") or "overleg"
    return [
        Text(at, style="dim"),
        Text(literal(what_text(row), limit=32).plain,
             style="bold" if row["event"] == "delete" else ""),
        literal(row["author"], one_line=True, limit=16),
        literal(row.get("acting_for") or "", one_line=True, limit=18),
        Text(audience_mark(audience), style="yellow"),
        literal(device_text(row["device_id"], data.me, data.devices), one_line=True, limit=20),
        literal(row.get("pushed_by") or "", one_line=True, limit=20),
    ]


class CaseAuditScreen(StoreMixin, Screen[None]):
    """Who changed what of one case, and when; escape goes back."""

    DEFAULT_CSS = """
    CaseAuditScreen #audit-info { height: 1; padding: 0 1; }
    CaseAuditScreen DataTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="audit-back"),
    ]

    @dataclass
    class AuditLoaded(Message):
        """The audit trail was read."""

        data: AuditData

    def __init__(self, case_id: str, code: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.code = code
        self.data: AuditData | None = None

    def compose(self) -> ComposeResult:
        yield TopBar(t("audit.title", code=self.code))
        yield Label(t("audit.loading"), id="audit-info")
        yield DataTable(id="audit", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key in COLUMNS:
            table.add_column(t(f"audit.col.{key}"), key=key)
        table.focus()
        store, case_id, code = self.store, self.case_id, self.code
        self.call_store(lambda: load_audit(store, case_id, code),
                        lambda data: self.post_message(self.AuditLoaded(data)),
                        group="audit-load", description="load audit trail")

    def on_case_audit_screen_audit_loaded(self, message: AuditLoaded) -> None:
        self.data = data = message.data
        self.query_one("#audit-info", Label).update(Text(t("audit.info", n=len(data.rows))))
        sync_rows(self.query_one(DataTable),
                  [(row["op_id"], audit_cells(row, data)) for row in data.rows])

    def action_back(self) -> None:
        self.app.pop_screen()
