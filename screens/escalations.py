"""The escalations of the overleg: every open thread with its age, what it waits for and the
next step; the monitoring figures on top; the selected thread in full below.

``enter`` takes the next step that needs no meeting item (send, record the advice, close);
the LSO's adoption is recorded at the case's item of a later meeting, so ``g`` puts the
case on the next agenda.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from db import domain as d
from lvv_tui.i18n import label, t
from screens.escalation_form import next_text, short_level
from screens.widgets.base import StoreMixin, literal
from screens.widgets.tables import selected_key, sync_rows
from screens.widgets.topbar import TopBar


class EscalationTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Next step", id="escalation-step"),
    ]

    def __init__(self) -> None:
        super().__init__(id="escalations", cursor_type="row", zebra_stripes=True)


@dataclass(frozen=True)
class EscalationData:
    threads: list[d.EscalationThread]
    codes: dict[str, str]
    organisations: list[d.Organisation]
    stats: d.EscalationStats


def stats_text(stats: d.EscalationStats) -> Text:
    """The monitoring line: open by level and age, adopted or not, days to advice."""
    levels = " · ".join(f"{short_level(d.Escalation(k))} {n}"
                        for k, n in stats.open_by_level.items() if n)
    text = Text(t("escalations.open_total", n=stats.open_total), style="bold")
    if levels:
        text.append(f": {levels}")
    ages = stats.open_by_age
    text.append("  ·  " + t("escalations.by_age", young=ages["lt28"], mid=ages["28to90"],
                            old=ages["gt90"]))
    text.append("\n" + t("escalations.adoption", adopted=stats.adopted,
                         not_adopted=stats.not_adopted, waiting=stats.awaiting_decision))
    if stats.advice_days_median is not None:
        text.append("  ·  " + t("escalations.advice_days", median=f"{stats.advice_days_median:g}",
                                mean=f"{stats.advice_days_mean:g}", n=stats.advice_count))
    return text


def detail_text(x: d.EscalationThread, code: str, names: dict[str, str],
                chain: list[d.EscalationThread]) -> Text:
    """The whole thread: question, positions, members, advice (with reasoning), adoption."""
    text = literal(code, one_line=True)
    text.stylize("bold")
    text.append(f"  {label(x.level)} · {label(x.status)}")

    def row(key: str, value: str | Text | None, **params: Any) -> None:
        if value is None or value == "":
            return
        text.append("\n" + t(key, **params) + ": ", style="dim")
        text.append_text(value if isinstance(value, Text) else literal(value, one_line=True))

    row("escalations.detail.question", x.question)
    for p in x.positions:
        row("escalations.detail.position", p.reason or "—",
            org=names.get(p.organisation_id, "?"))
    if x.members:
        row("escalations.detail.members", ", ".join(
            names.get(m.organisation_id, "?") + (" " + t("escalations.detail.new")
                                                 if m.new_to_case else "")
            for m in x.members))
    row("escalations.detail.sent", x.sent_on.isoformat() if x.sent_on else None)
    if x.advice:
        row("escalations.detail.advice", x.advice,
            date=x.advice_on.isoformat() if x.advice_on else "")
        row("escalations.detail.reasoning", x.advice_reasoning)
    if x.adopted is not None:
        row("escalations.detail.adoption",
            t("escalation.form.adopted_yes" if x.adopted else "escalation.form.adopted_no"),
            date=x.adoption_on.isoformat() if x.adoption_on else "")
        row("escalations.detail.reasons", x.adoption_reasons)
    if len(chain) > 1:
        row("escalations.detail.chain", " → ".join(
            f"{short_level(c.level)} ({label(c.status)})" for c in chain))
    return text


class EscalationsScreen(StoreMixin, Screen[None]):
    """Open escalation threads of one overleg (``a`` shows the closed ones too)."""

    CSS_PATH = "escalations.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="escalations-back"),
        Binding("g", "to_agenda", "On next agenda", id="escalation-agenda"),
        Binding("a", "toggle_all", "Closed too", id="escalations-all"),
    ]

    @dataclass
    class EscalationsLoaded(Message):
        """The threads and figures were read."""

        data: EscalationData

    def __init__(self, overleg_id: str) -> None:
        super().__init__()
        self.overleg_id = overleg_id
        self.show_all = False
        self.data: EscalationData | None = None

    def compose(self) -> ComposeResult:
        yield TopBar(t("escalations.title"))
        yield Static("", id="esc-stats")
        yield EscalationTable()
        yield Static("", id="esc-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(EscalationTable)
        for key, width in (("case", 16), ("level", 14), ("status", 23), ("sent", 10),
                           ("age", 5), ("waiting", 18), ("next", 18)):
            table.add_column(t(f"escalations.col.{key}"), key=key, width=width)
        table.focus()
        self.load()

    def load(self) -> None:
        store, overleg_id, show_all = self.store, self.overleg_id, self.show_all
        today = self.ctx.today()

        def job() -> EscalationData:
            threads = store.escalations(overleg_id, open_only=not show_all)
            cases = {x.case_id for x in threads}
            codes = {c: store.case(c).code for c in cases}
            return EscalationData(threads, codes, store.organisations(overleg_id),
                                  store.escalation_stats(overleg_id, end=today))

        self.call_store(job, lambda data: self.post_message(self.EscalationsLoaded(data)),
                        group="escalations-load", description="load escalations")

    def on_escalations_screen_escalations_loaded(self, message: EscalationsLoaded) -> None:
        self.data = data = message.data
        today = self.ctx.today()
        self.query_one("#esc-stats", Static).update(stats_text(data.stats))
        rows = []
        for x in sorted(data.threads, key=lambda x: (-x.age_days(today), x.id)):
            age = x.age_days(today)
            rows.append((x.id, [
                literal(data.codes.get(x.case_id, "?"), one_line=True),
                Text(short_level(x.level)),
                Text(label(x.status)),
                Text(x.sent_on.isoformat() if x.sent_on else "—"),
                Text(str(age) if x.is_open else "", style="red" if age > 90 else ""),
                Text(t(f"escalation.waiting.{x.waiting_for}")),
                Text(next_text(x)),
            ]))
        table = self.query_one(EscalationTable)
        sync_rows(table, rows)
        if not rows:
            self.query_one("#esc-detail", Static).update(Text(t("escalations.none"),
                                                              style="dim"))
        else:
            self.show_detail()

    def selected(self) -> d.EscalationThread | None:
        key = selected_key(self.query_one(EscalationTable))
        if self.data is None or key is None:
            return None
        return next((x for x in self.data.threads if x.id == key), None)

    def show_detail(self) -> None:
        x = self.selected()
        if x is None or self.data is None:
            return
        names = {o.id: o.name for o in self.data.organisations}
        by_id = {y.id: y for y in self.data.threads}
        chain = [x]
        while chain[0].previous_id in by_id:
            chain.insert(0, by_id[chain[0].previous_id])  # type: ignore[index]
        self.query_one("#esc-detail", Static).update(
            detail_text(x, self.data.codes.get(x.case_id, "?"), names, chain))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        x = self.selected()
        if x is None or self.data is None:
            return
        step = x.next_step
        if step == "adoption":
            self.app.notify(t("escalations.adopt_at_item"), markup=False)
            return
        if step == "none":
            self.app.bell()
            return
        from screens.escalation_form import EscalationForm, save_step

        store, today = self.store, self.ctx.today()

        def save(values: dict) -> d.EscalationThread:
            return save_step(store, step, x, None, values, today)

        def done(saved: d.EscalationThread | None) -> None:
            if saved is not None:
                self.load()

        self.app.push_screen(EscalationForm(
            save, step, x, self.data.organisations,
            today=today), done)

    def action_to_agenda(self) -> None:
        x = self.selected()
        if x is None:
            self.app.bell()
            return
        store, today = self.store, self.ctx.today()
        code = self.data.codes.get(x.case_id, "?") if self.data else "?"

        def job() -> str:
            item = store.put_escalation_on_agenda(x.id, today=today)
            return store.meeting(item.meeting_id).date.isoformat()

        def done(date: str) -> None:
            self.app.notify(t("escalations.on_agenda", code=code, date=date), markup=False)

        self.call_store(job, done, group="escalation-save", description="put on agenda",
                        exclusive=False)

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [(t("binding.escalation-agenda"), "", self.action_to_agenda),
                (t("binding.escalations-all"), "", self.action_toggle_all)]
