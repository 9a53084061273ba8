"""The monitoring report on screen, and the cases in intake.

A period (from, to) and an overleg (or all) give the report's figures per overleg and in
total, bar charts of intake and outflow per month and of the outflow by category (plain
``#`` bars where the terminal cannot draw block characters), and the cases in intake with
the step each stands at; ``a`` puts the highlighted one on the next meeting's agenda.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select, Static

from db import domain as d
from lvv_tui.i18n import label, t
from screens.widgets.base import StoreMixin, error_text, literal
from screens.widgets.form import Field, FormModal
from screens.widgets.tables import sync_rows
from screens.widgets.topbar import TopBar

ALL = "__all__"
CHART_WIDTH = 40


class ReportScreen(StoreMixin, Screen[None]):
    """Monitoring figures of a period, charts, and the intake overview."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="report-back"),
        Binding("f5", "refresh", "Refresh", id="report-refresh"),
        Binding("a", "plan_step", "Next step on the agenda", id="report-plan-intake"),
        Binding("d", "dossiers", "Dossier dates", id="report-dossiers"),
        Binding("v", "verdict", "LVV-zaak?", id="report-verdict"),
    ]

    @dataclass
    class Loaded(Message):
        """The figures and the intake overview were read."""

        monitoring: Any
        intake: list[d.IntakeRow]
        overleggen: list[d.Overleg]

    def __init__(self, overleg_id: str | None = None) -> None:
        super().__init__()
        self.overleg_id = overleg_id
        self.intake: dict[str, d.IntakeRow] = {}
        self._overleggen_known = False

    def compose(self) -> ComposeResult:
        today = self.ctx.today()
        yield TopBar(t("report.screen.title"))
        with Horizontal(id="report-filters"):
            yield Input(dt.date(today.year, 1, 1).isoformat(), id="report-from",
                        placeholder=t("report.screen.from"), max_length=10)
            yield Input(today.isoformat(), id="report-to", placeholder=t("report.screen.to"),
                        max_length=10)
            yield Select([], prompt=t("report.screen.all"), id="report-overleg")
        yield Static("", id="report-status")
        with VerticalScroll(id="report-body"):
            yield DataTable(id="report-figures", cursor_type="row", zebra_stripes=True)
            yield Static(t("report.months"), classes="report-heading")
            yield Static("", id="report-chart-months")
            yield Static(t("report.screen.by_category"), classes="report-heading")
            yield Static("", id="report-chart-categories")
            yield Static(t("report.screen.intake"), classes="report-heading")
            yield DataTable(id="report-intake", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        intake = self.query_one("#report-intake", DataTable)
        for key in ("code", "step", "put_forward_on", "rest_period_end"):
            intake.add_column(t(f"report.screen.col.{key}"), key=key)
        self.load()

    # -- loading ----------------------------------------------------------------------------

    def period(self) -> tuple[dt.date, dt.date] | None:
        from db.store import ValidationError, parse_date

        status = self.query_one("#report-status", Static)
        try:
            start = parse_date(self.query_one("#report-from", Input).value, "from")
            end = parse_date(self.query_one("#report-to", Input).value, "to")
        except ValidationError as exc:
            status.update(Text(t("report.bad_date", field=t(f"report.screen.{exc.field}"))))
            return None
        if start is None or end is None or end < start:
            status.update(Text(t("report.bad_period")))
            return None
        status.update(Text(t("report.period", start=start.isoformat(), end=end.isoformat())))
        return start, end

    def load(self) -> None:
        period = self.period()
        if period is None:
            return
        store, today = self.store, self.ctx.today()
        value = self.query_one("#report-overleg", Select).value
        chosen = value if isinstance(value, str) and value != ALL else None
        intake_of = chosen or self.overleg_id

        def job() -> ReportScreen.Loaded:
            mon = store.monitoring(period[0], period[1], chosen)
            rows = store.intake_overview(intake_of, today) if intake_of else []
            return self.Loaded(mon, rows, store.overleggen())

        self.call_store(job, self.post_message, group="report-load",
                        description="load the monitoring report", failed=self._failed)

    def _failed(self, exc: Exception) -> None:
        self.query_one("#report-status", Static).update(Text(error_text(exc)))

    def on_report_screen_loaded(self, message: Loaded) -> None:
        from lvv_tui.i18n import language
        from lvv_tui.report import column_names, fmt_value, table_rows

        mon = message.monitoring
        if not self._overleggen_known:
            self._overleggen_known = True
            select = self.query_one("#report-overleg", Select)
            with self.prevent(Select.Changed):
                select.set_options([(literal(o.name, one_line=True), o.id)
                                    for o in message.overleggen])
        table = self.query_one("#report-figures", DataTable)
        names = [t("report.figure"), *column_names(mon)]
        if [str(c.label) for c in table.columns.values()] != names:
            table.clear(columns=True)
            for n, name in enumerate(names):
                table.add_column(literal(name, one_line=True, limit=28), key=f"c{n}")
        lang = language()
        sync_rows(table, [(key, [Text(text), *(Text(fmt_value(v, lang), justify="right")
                                               for v in values)])
                          for key, text, values in table_rows(mon)])
        self.draw_charts(mon)
        self.intake = {r.case.id: r for r in message.intake}
        sync_rows(self.query_one("#report-intake", DataTable), [
            (r.case.id, [literal(r.case.code, one_line=True), Text(label(r.step)),
                         Text(r.stay.put_forward_on.isoformat() if r.stay.put_forward_on
                              else ""),
                         Text(r.stay.rest_period_end.isoformat() if r.stay.rest_period_end
                              else "")])
            for r in message.intake])

    def can_draw(self) -> bool:
        """Whether the terminal shows block characters (a UTF-8 console)."""
        encoding = (getattr(self.app.console, "encoding", "") or "").lower()
        return "utf" in encoding

    def draw_charts(self, mon: Any) -> None:
        from lvv_tui.report import bar_lines

        unicode = self.can_draw()
        intake_word, left_word = t("report.key.intake"), t("report.key.left")
        width = max(len(intake_word), len(left_word))
        items = [(f"{m.month} {word.ljust(width)}", value) for m in mon.months
                 for word, value in ((intake_word, m.intake), (left_word, m.left))]
        months = bar_lines(items, CHART_WIDTH, unicode)
        self.query_one("#report-chart-months", Static).update(Text("\n".join(months)))
        cats = [(label(c), mon.total.left_by_category[c.value]) for c in d.OutcomeCategory]
        self.query_one("#report-chart-categories", Static).update(
            Text("\n".join(bar_lines(cats, CHART_WIDTH, unicode))))

    # -- events -----------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.load()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.load()

    def action_refresh(self) -> None:
        self.load()

    def highlighted(self) -> d.IntakeRow | None:
        """The intake row under the cursor (None, with a bell, when there is none)."""
        table = self.query_one("#report-intake", DataTable)
        if not self.intake or table.cursor_row < 0 or table.cursor_row >= table.row_count:
            self.app.bell()
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return self.intake.get(key or "")

    def action_dossiers(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        store = self.store

        def save(values: dict[str, Any]) -> d.Stay:
            stay = row.stay
            for kind, field in ((d.OrgKind.IND, "ind_dossier_on"),
                                (d.OrgKind.DTENV, "dtenv_dossier_on")):
                if values[field].strip():
                    stay = store.record_dossier(row.case.id, kind, values[field])
            return stay

        def done(stay: d.Stay | None) -> None:
            if stay is not None:
                self.load()

        self.app.push_screen(DossierForm(save, row), done)

    def action_verdict(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        store, today = self.store, self.ctx.today()

        def save(values: dict[str, Any]) -> d.Stay:
            from db.store import ValidationError

            item = store.intake_agenda_item(row.case.id, today)
            if item is None:
                raise ValidationError("lvv_verdict", "report.verdict.no_item")
            return store.decide_intake(item.id, values["lvv_verdict"], values["lvv_reason"])

        def done(stay: d.Stay | None) -> None:
            if stay is not None:
                self.load()

        self.app.push_screen(VerdictForm(save, row), done)

    def action_plan_step(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        store, today = self.store, self.ctx.today()

        def done(item: d.AgendaItem | None) -> None:
            text = (t("report.screen.planned", code=row.case.code) if item is not None
                    else t("report.screen.not_planned", code=row.case.code))
            self.app.notify(text, markup=False)

        self.call_store(lambda: store.plan_next_intake_step(row.case.id, today=today), done,
                        group="report-plan", description="plan the next intake step",
                        exclusive=False)

    def action_back(self) -> None:
        self.app.pop_screen()


class VerdictForm(FormModal[d.Stay]):
    """The LSO's decision on the case's latest agenda item: an LVV-zaak (yes / no /
    exception, with the reason); returns the stay."""

    def __init__(self, save, row: d.IntakeRow) -> None:  # noqa: ANN001
        super().__init__(save)
        self.row = row
        self.title_text = t("report.verdict.title", code=row.case.code)

    def fields(self) -> ComposeResult:
        yield Field("lvv_verdict", t("report.verdict.verdict"), Select(
            [(label(v), v.value) for v in d.LvvVerdict], allow_blank=False,
            value=d.LvvVerdict.YES.value, id="lvv_verdict"))
        yield Field("lvv_reason", t("report.verdict.reason"), Input(id="lvv_reason"))

    def collect(self) -> dict[str, Any]:
        return {"lvv_verdict": self.query_one("#lvv_verdict", Select).value,
                "lvv_reason": self.query_one("#lvv_reason", Input).value}


class DossierForm(FormModal[d.Stay]):
    """The dates on which IND and DTenV delivered their dossier; returns the stay."""

    date_fields = ("ind_dossier_on", "dtenv_dossier_on")

    def __init__(self, save, row: d.IntakeRow) -> None:  # noqa: ANN001
        super().__init__(save)
        self.row = row
        self.title_text = t("report.dossiers.title", code=row.case.code)

    def fields(self) -> ComposeResult:
        for field in ("ind_dossier_on", "dtenv_dossier_on"):
            day = getattr(self.row.stay, field)
            yield Field(field, t(f"report.dossiers.{field}"), Input(
                day.isoformat() if day else "", id=field, placeholder=t("form.date_hint"),
                max_length=10))

    def on_mount(self) -> None:
        self.query_one("#ind_dossier_on", Input).focus()

    def collect(self) -> dict[str, Any]:
        return {f: self.query_one(f"#{f}", Input).value
                for f in ("ind_dossier_on", "dtenv_dossier_on")}

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import ValidationError, parse_date

        errors = {}
        for field, value in values.items():
            try:
                parse_date(value, field)
            except ValidationError as exc:
                errors[field] = error_text(exc)
        return errors
