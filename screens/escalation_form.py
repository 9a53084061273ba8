"""The next step of an escalation thread: open it (from a decision without consensus), send
it (with the MRT's members), record the advice that came back, the LSO's adoption (with its
reasons, at a later meeting's item), then close it or take it to the next level.

The store checks every step again (:mod:`db.escalation_rules`); this form only asks first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Select, TextArea

from db import domain as d
from lvv_tui.i18n import label, t
from screens.widgets.base import literal
from screens.widgets.form import Field, FormModal, NoteArea

#: the steps this form knows, by :attr:`EscalationThread.next_step` (plus ``open``)
STEPS = ("open", "send", "advice", "adoption", "close")
CLOSE = "close"

#: the MRT as DOMAIN.md describes it: gemeente, the NGO supporting the person, two IND and
#: one DT&V member, the IND and DT&V members new to the case
_MRT_DEFAULT = {d.OrgKind.GEMEENTE: (1, False), d.OrgKind.IND: (2, True),
                d.OrgKind.DTENV: (1, True)}


def default_members(organisations: list[d.Organisation]) -> list[d.MrtMember]:
    out: list[d.MrtMember] = []
    ngo_done = False
    for org in organisations:
        count, new = _MRT_DEFAULT.get(org.kind, (0, False))
        if org.kind is d.OrgKind.NGO and not ngo_done:
            count, ngo_done = 1, True
        out += [d.MrtMember(org.id, new)] * count
    return out


class MemberRows(Vertical):
    """The MRT's members: per organisation how many (0-2) and whether new to the case."""

    DEFAULT_CSS = """
    MemberRows { height: auto; }
    MemberRows > Horizontal { height: auto; }
    MemberRows .member-org { width: 30; padding-top: 0; }
    MemberRows Select { width: 12; }
    MemberRows Checkbox { width: 1fr; }
    """

    def __init__(self, organisations: list[d.Organisation],
                 members: tuple[d.MrtMember, ...] | list[d.MrtMember]) -> None:
        super().__init__(id="members")
        self.organisations = organisations
        self.members = list(members)

    def compose(self) -> ComposeResult:
        for n, org in enumerate(self.organisations):
            mine = [m for m in self.members if m.organisation_id == org.id]
            with Horizontal():
                yield Label(literal(org.name, one_line=True, limit=28), classes="member-org")
                yield Select([(str(k), k) for k in range(3)], value=min(len(mine), 2),
                             allow_blank=False, id=f"member-count-{n}", compact=True)
                yield Checkbox(t("escalation.form.new_to_case"),
                               any(m.new_to_case for m in mine), id=f"member-new-{n}",
                               compact=True)

    def values(self) -> list[d.MrtMember]:
        out: list[d.MrtMember] = []
        for n, org in enumerate(self.organisations):
            count = self.query_one(f"#member-count-{n}", Select).value
            new = self.query_one(f"#member-new-{n}", Checkbox).value
            out += [d.MrtMember(org.id, bool(new))] * (count if isinstance(count, int) else 0)
        return out


class EscalationForm(FormModal[d.EscalationThread]):
    """One step of a thread; returns the thread as saved, or None when cancelled."""

    date_fields = ("sent_on", "advice_on")

    DEFAULT_CSS = """
    EscalationForm > #form-box { width: 96; }
    EscalationForm TextArea { height: 4; }
    EscalationForm #esc-context { height: auto; color: $text-muted; margin-bottom: 1; }
    EscalationForm .-hidden { display: none; }
    """

    def __init__(self, save: Callable[[dict[str, Any]], d.EscalationThread], step: str,
                 thread: d.EscalationThread | None, organisations: list[d.Organisation], *,
                 today: dt.date, day: dt.date | None = None,
                 level: d.Escalation = d.Escalation.MRT, question: str = "") -> None:
        """``today``: no date after it is taken; ``day``: the date the fields propose
        (the meeting's date, but never after today)."""
        super().__init__(save)
        if step not in STEPS:
            raise ValueError(step)
        self.step = step
        self.thread = thread
        self.organisations = organisations
        self.today = today
        self.day = min(day or today, today)
        self.level = thread.level if thread else level
        self.question = thread.question if thread else question
        self.title_text = t(f"escalation.form.title.{step}")

    # -- layout -------------------------------------------------------------------------

    def _date(self, name: str, value: dt.date | None) -> Field:
        return Field(name, t(f"escalation.form.{name}"), Input(
            (value or self.day).isoformat(), id=name, placeholder=t("form.date_hint")))

    def fields(self) -> ComposeResult:
        x = self.thread
        if x is not None:
            yield Label(context_text(x), id="esc-context")
        if self.step == "open":
            yield Field("level", t("escalation.form.level"), Select(
                [(label(e), e.value) for e in d.ESCALATION_ORDER], allow_blank=False,
                value=self.level.value if self.level in d.ESCALATION_ORDER
                else d.Escalation.MRT.value, id="level"))
            yield Field("question", t("escalation.form.question"),
                        Input(self.question, id="question"))
            yield Field("sent_on", t("escalation.form.sent_on_optional"),
                        Input("", id="sent_on", placeholder=t("form.date_hint")))
        if self.step == "send":
            yield self._date("sent_on", x.sent_on if x else None)
        if self.step in ("open", "send"):
            members = (x.members if x and x.members else default_members(self.organisations))
            with Vertical(id="member-box"):
                yield Label(t("escalation.form.members"))
                yield Field("members", t("escalation.form.members_help"),
                            MemberRows(self.organisations, members))
        if self.step == "advice":
            yield self._date("advice_on", x.advice_on if x else None)
            yield Field("advice", t("escalation.form.advice"),
                        NoteArea(x.advice or "" if x else "", id="advice"))
            yield Field("advice_reasoning", t("escalation.form.reasoning"),
                        NoteArea(x.advice_reasoning or "" if x else "", id="advice_reasoning"))
        if self.step == "adoption":
            yield Field("adopted", t("escalation.form.adopted"), Select(
                [(t("escalation.form.adopted_yes"), "yes"),
                 (t("escalation.form.adopted_no"), "no")], allow_blank=False,
                value="no" if x and x.adopted is False else "yes", id="adopted"))
            yield Field("adoption_reasons", t("escalation.form.reasons"), NoteArea(
                x.adoption_reasons or "" if x else "", id="adoption_reasons"))
        if self.step == "close":
            options = [(t("escalation.form.then_close"), CLOSE)]
            if x is not None and x.adopted is False:
                order = d.ESCALATION_ORDER
                options += [(t("escalation.form.then_level", level=label(e)), e.value)
                            for e in order[order.index(x.level) + 1:]]
            yield Field("then", t("escalation.form.then"), Select(
                options, allow_blank=False, value=CLOSE, id="then"))
            yield Field("question", t("escalation.form.question_next"),
                        Input(self.question, id="question"))
            yield Field("sent_on", t("escalation.form.sent_on_optional"),
                        Input("", id="sent_on", placeholder=t("form.date_hint")))

    def on_mount(self) -> None:
        first = {"open": "#level", "send": "#sent_on", "advice": "#advice",
                 "adoption": "#adopted", "close": "#then"}[self.step]
        self.query_one(first).focus()
        self._show()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("level", "then"):
            self._show()

    def _show(self) -> None:
        if self.query("#member-box"):
            level = (self.query_one("#level", Select).value if self.step == "open"
                     else self.level.value)
            self.query_one("#member-box").set_class(level != d.Escalation.MRT.value, "-hidden")
        if self.step == "close":
            closing = self.query_one("#then", Select).value == CLOSE
            for name in ("question", "sent_on"):
                self.query_one(f"#field-{name}").set_class(closing, "-hidden")

    # -- values -------------------------------------------------------------------------

    def _value(self, name: str) -> Any:
        widget = self.query_one(f"#{name}")
        if isinstance(widget, TextArea):
            return widget.text
        return widget.value  # type: ignore[attr-defined]

    def collect(self) -> dict[str, Any]:
        names = {"open": ("level", "question", "sent_on"), "send": ("sent_on",),
                 "advice": ("advice_on", "advice", "advice_reasoning"),
                 "adoption": ("adopted", "adoption_reasons"),
                 "close": ("then", "question", "sent_on")}[self.step]
        values = {name: self._value(name) for name in names}
        if self.query("#member-box") and not self.query_one("#member-box").has_class("-hidden"):
            values["members"] = self.query_one(MemberRows).values()
        elif self.step in ("open", "send"):
            values["members"] = []
        if self.step == "adoption":
            values["adopted"] = values["adopted"] == "yes"
        return values

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import MAX_TEXT, ValidationError, parse_date

        errors: dict[str, str] = {}
        for name in ("sent_on", "advice_on"):
            if name in values:
                try:
                    day = parse_date(values[name], name)
                except ValidationError as exc:
                    errors[name] = t(exc.code, **exc.params)
                    continue
                if day is None and (self.step == "send" or name == "advice_on"):
                    errors[name] = t("error.required")
                elif day is not None and day > self.today:
                    errors[name] = t("escalation.error.after_today", today=self.today.isoformat())
        required = {"open": "question", "advice": "advice"}.get(self.step)
        if self.step == "close" and values["then"] != CLOSE:
            required = "question"
        if self.step == "adoption" and not values["adopted"]:
            required = "adoption_reasons"
        if required and not str(values[required]).strip():
            errors[required] = t("error.required")
        for name, value in values.items():
            if isinstance(value, str) and len(value) > MAX_TEXT:
                errors[name] = t("error.too_long", limit=MAX_TEXT, length=len(value))
        if len(values.get("members", [])) > 5:
            errors["members"] = t("escalation.error.members_max", limit=5)
        return errors


def save_step(store: Any, step: str, thread: d.EscalationThread | None, item_id: str | None,
              values: dict[str, Any], today: dt.date | None = None) -> d.EscalationThread:
    """The store call of a step (run in a worker by the form); no date after ``today``."""
    if step == "open":
        assert item_id is not None
        return store.open_escalation(item_id, values["level"], values["question"],
                                     sent_on=values["sent_on"] or None,
                                     members=values["members"], today=today)
    assert thread is not None
    if step == "send":
        return store.send_escalation(thread.id, values["sent_on"], item_id=item_id,
                                     members=values["members"], today=today)
    if step == "advice":
        return store.record_advice(thread.id, values["advice"], values["advice_reasoning"],
                                   received_on=values["advice_on"], item_id=item_id,
                                   today=today)
    if step == "adoption":
        assert item_id is not None
        return store.record_adoption(thread.id, item_id, values["adopted"],
                                     values["adoption_reasons"])
    if values["then"] == CLOSE:
        return store.close_escalation(thread.id, item_id=item_id)
    return store.escalate_further(thread.id, values["then"], values["question"],
                                  sent_on=values["sent_on"] or None, item_id=item_id,
                                  today=today)


def context_text(x: d.EscalationThread) -> Text:
    """Level, state and question of a thread, one or two lines (no markup from data)."""
    text = Text(label(x.level), style="bold")
    text.append(" · " + label(x.status))
    if x.sent_on:
        text.append(" · " + t("escalation.sent_on_short", date=x.sent_on.isoformat()))
    text.append("\n")
    text.append_text(literal(x.question, one_line=True, limit=160))
    if x.advice:
        text.append("\n" + t("escalation.advice_short") + ": ", style="dim")
        text.append_text(literal(x.advice, one_line=True, limit=160))
    return text


def next_text(x: d.EscalationThread) -> str:
    """The next step in words (closing offers the next level only after a rejection)."""
    step = "close_or_higher" if x.next_step == "close" and x.may_go_higher else x.next_step
    return t(f"escalation.next.{step}")


def short_level(level: d.Escalation) -> str:
    return t(f"escalation.short.{level.value}")


def thread_line(x: d.EscalationThread) -> Text:
    """One line for the item screen: level, state, what it waits for, the next step."""
    text = Text(t("escalation.item_label") + ": ", style="yellow")
    text.append(label(x.level))
    text.append(" · " + label(x.status))
    if x.is_open:
        text.append(" · " + t(f"escalation.waiting.{x.waiting_for}"), style="dim")
        text.append(" · " + next_text(x) + " (e)")
    return text


def current_thread(threads: tuple[d.EscalationThread, ...] | list[d.EscalationThread],
                   ) -> d.EscalationThread | None:
    """The case's open thread (the latest), else its latest thread."""
    open_ = [x for x in threads if x.is_open]
    return (open_ or list(threads) or [None])[-1]


def step_at_item(threads: tuple[d.EscalationThread, ...], decision: d.Decision | None,
                 meeting_id: str) -> tuple[str | None, d.EscalationThread | None, str | None]:
    """(step, thread, refusal message key) for the key ``e`` on a case item: the screen asks
    before it opens a form the store would refuse."""
    x = current_thread(threads)
    if x is None or not x.is_open:
        if decision is not None and decision.consensus is d.Consensus.NONE and not any(
                y.decision_id == decision.id for y in threads if y.is_open):
            return "open", None, None
        return None, x, "escalation.none_here"
    if x.next_step == "adoption" and x.meeting_id == meeting_id:
        return None, x, "escalation.adoption_later"
    return x.next_step, x, None


def decision_escalation_text(threads: tuple[d.EscalationThread, ...],
                             decision: d.Decision | None) -> Text | None:
    """The item screen's line about the case's thread (or the hint to open one)."""
    x = current_thread(threads)
    if x is not None and (x.is_open or decision is None or x.decision_id == decision.id):
        return thread_line(x)
    if decision is not None and decision.consensus is d.Consensus.NONE:
        return Text(t("escalation.open_hint"), style="yellow")
    return None


def open_step_at_item(screen: Any, store: Any, data: Any, reload: Any) -> None:
    """Open the form for the next step of the case's thread at this item (or say why not).
    ``data`` is the item screen's :class:`~screens.item_panels.ItemData`."""
    step, thread, refusal = step_at_item(data.escalations, data.decision, data.part.meeting.id)
    if step is None or step == "none":
        screen.app.notify(t(refusal or "escalation.none_here"), markup=False)
        return
    item_id, x, today = data.item.id, data.decision, screen.ctx.today()

    def save(values: dict) -> d.EscalationThread:
        return save_step(store, step, thread, item_id, values, today)

    screen.app.push_screen(EscalationForm(
        save, step, thread, data.part.organisations, today=today, day=data.part.meeting.date,
        level=x.escalation_level if x else d.Escalation.MRT,
        question=(x.escalation_question or "") if x else ""),
        lambda saved: reload() if saved is not None else None)
