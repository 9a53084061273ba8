"""What the agenda item screen shows: its data (one worker round trip) and the panels
drawn from it — the case file and history, a row per partner's view, the decision, the
actions. The words come from the one presentation of the record
(:mod:`lvv_tui.presentation`); here they only get their Rich styles (never markup)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text

from db import domain as d
from lvv_tui.i18n import label, t
from lvv_tui.presentation import (
    audience_mark,
    case_lines,
    decision_block,
    iso_date,
    view_line,
)
from screens.conflicts import mark
from screens.meeting_data import MeetingData
from screens.widgets.agenda import item_title
from screens.widgets.base import literal

if TYPE_CHECKING:
    from db.store import CaseDetail


@dataclass(frozen=True)
class ItemData:
    part: MeetingData
    items: list[d.AgendaItem]
    item: d.AgendaItem
    history: d.CaseHistory | None
    views: dict[str, d.View]
    decision: d.Decision | None
    actions: list[d.Action]
    escalations: tuple[d.EscalationThread, ...] = ()
    #: the case's latest stay (None: a general item, or a case never put forward)
    stay: d.Stay | None = None
    #: the partners' sensitive details of the case this laptop holds (its audience's)
    details: tuple[CaseDetail, ...] = ()

    @property
    def index(self) -> int:
        return next(n for n, i in enumerate(self.items) if i.id == self.item.id)

    def table_orgs(self) -> list[d.Organisation]:
        """Organisations present (or with a view already); all when none is marked present."""
        present = self.part.present()
        if not present:
            return list(self.part.organisations)
        return [o for o in self.part.organisations if o.id in present or o.id in self.views]

    def names(self) -> dict[str, str]:
        return {o.id: o.name for o in self.part.organisations}


def load_item(store: Any, part: MeetingData, item_id: str) -> ItemData:
    """One round trip for the whole screen (run in a worker)."""
    items = store.agenda(part.meeting.id)
    item = next((i for i in items if i.id == item_id), None) or store.agenda_item(item_id)
    history = None
    if item.case_id:
        history = store.case_history(item.case_id, before_meeting_id=part.meeting.id)
        if item.case_id not in part.cases:
            part.cases[item.case_id] = history.case
    views = {v.organisation_id: v for v in store.views(item.id)}
    actions = store.actions(item_id=item.id)
    # Carry-over: a case item offers the case's open actions of earlier meetings; the item
    # "previous minutes and action list" offers every open action of this meeting's cases.
    if history is not None:
        actions = [a for a in history.open_actions if a.agenda_item_id != item.id] + actions
    elif item.kind is d.ItemKind.PREVIOUS_MINUTES:
        actions = store.open_actions_for_meeting(part.meeting.id) + actions
    threads = tuple(store.case_escalations(item.case_id)) if item.case_id else ()
    stay = store.current_stay(item.case_id) if item.case_id else None
    details = tuple(store.case_details(item.case_id)) if item.case_id else ()
    return ItemData(part, items, item, history, views, store.decision(item.id), actions,
                    threads, stay, details)


#: Styles of the case file's lines by their key (see :func:`lvv_tui.presentation.case_lines`).
CASE_STYLE = {"days!": "bold red", "health!": "yellow", "perspective": "bold"}


def case_file(data: ItemData, today: dt.date) -> Text:
    item = data.item
    if data.history is None:
        text = Text(t("item.general"), style="bold")
        text.append("\n")
        text.append_text(item_title(item, data.part.cases))
        return text
    case = data.history.case
    text = Text()
    text.append_text(literal(case.code, one_line=True))
    text.stylize("bold")
    if case.masked_v_number:
        text.append(f"   {t('case.v_number')} {case.masked_v_number}", style="dim")
    if item.confidential:
        text.append("  " + t("item.confidential_item"), style="yellow")
    for line in case_lines(case, today):
        text.append("\n" + line.label + ": ", style="dim")
        value = literal(line.value, one_line=True)
        value.stylize(CASE_STYLE.get(line.key, ""))
        text.append_text(mark(value, line.key in case.conflicts))
    if data.stay is not None:
        from screens.stay_form import stay_line

        text.append("\n" + t("stay.label") + ": ", style="dim")
        text.append_text(stay_line(data.stay, data.part.meeting.date))
    if data.details:
        from screens.case_detail_form import detail_lines

        text.append_text(detail_lines(data.details, data.names()))
    return text


def case_history(data: ItemData, today: dt.date) -> Text:
    if data.history is None:
        return Text("")
    names = data.names()
    text = Text("\n" + t("item.history"), style="bold")
    if not data.history.decisions:
        text.append("\n" + t("item.no_history"), style="dim")
    for past in data.history.decisions[:8]:
        x = decision_block(past.decision, lambda o: names.get(o or "", "?"), date=iso_date)
        text.append(f"\n{past.meeting_date.isoformat()} ", style="dim")
        text.append(x.perspective)
        text.append(f" ({x.consensus_text})", style="dim")
        if x.rationale:
            text.append("\n  ")
            text.append_text(literal(x.rationale, one_line=True, limit=120))
    if len(data.history.decisions) > 8:
        text.append("\n" + t("item.more_history", n=len(data.history.decisions) - 8),
                    style="dim")
    earlier = sorted(
        (a for a in data.history.open_actions if a.agenda_item_id != data.item.id),
        key=lambda a: (a.due_date.isoformat() if a.due_date else "9999", a.text, a.id),
    )
    text.append("\n\n" + t("item.open_actions"), style="bold")
    if not earlier:
        text.append("\n" + t("item.no_open_actions"), style="dim")
    for a in earlier[:10]:
        text.append("\n• ")
        text.append_text(literal(names.get(a.owner_organisation_id or "", "—"), one_line=True))
        text.append(": ")
        text.append_text(literal(a.text, one_line=True, limit=80))
        if a.due_date:
            late = a.due_date < today
            text.append(f" ({a.due_date.isoformat()})", style="red" if late else "dim")
    return text


def decision_text(data: ItemData) -> Text:
    from screens.escalation_form import decision_escalation_text

    thread = decision_escalation_text(data.escalations, data.decision)
    text = _decision_text(data)
    if thread is not None:
        text.append("\n")
        text.append_text(thread)
    return text


def _decision_text(data: ItemData) -> Text:
    if data.decision is None:
        hint = "item.no_decision" if data.item.kind is d.ItemKind.CASE else "item.general_no"
        return Text(t(hint), style="dim")
    names = data.names()
    x = decision_block(data.decision, lambda o: names.get(o or "", "?"), date=iso_date)
    text = mark(Text(x.perspective, style="bold"), bool(data.decision.conflicts))
    text.append(f" · {x.consensus_text}")
    if x.review_date:
        text.append(f" · {t('item.review', date=x.review_date)}")
    if x.rationale:
        text.append("\n")
        text.append_text(literal(x.rationale, one_line=True, limit=200))
    if x.dissent:
        text.append("\n" + t("item.dissent") + ": ", style="yellow")
        for n, dissent in enumerate(x.dissent):
            if n:
                text.append("; ")
            text.append_text(literal(dissent.organisation, one_line=True))
            if dissent.reason:
                text.append(": ")
                text.append_text(literal(dissent.reason, one_line=True, limit=80))
    if x.escalation:
        text.append("\n" + t("item.escalation") + ": ", style="yellow")
        text.append(x.escalation)
        if x.escalation_date:  # the glossary's word, as in the form and the minutes
            text.append(" · " + t("item.escalation_date", date=x.escalation_date))
        if x.escalation_question:
            text.append(" — ")
            text.append_text(literal(x.escalation_question, one_line=True, limit=100))
    return text


def view_cells(org: d.Organisation, view: d.View | None, names: int = 18) -> list[Text]:
    """The row of one organisation in the views table (names cut at ``names``)."""
    name = literal(org.name, one_line=True, limit=names)
    if view is None:
        return [name, Text("—", style="dim"), Text(""), Text("")]
    words = view_line(view, org.name)
    return [
        mark(literal(org.name, one_line=True, limit=names - 2), True) if view.conflicts
        else name,
        Text(words.position),
        literal(words.note, one_line=True, limit=50),
        Text(" ".join(x for x in (
            t("item.confidential_mark") if words.confidential else "",
            audience_mark(words.audience)) if x), style="yellow"),
    ]


def action_text(action: d.Action, item: d.AgendaItem, codes: dict[str, str]) -> Text:
    """The action's text; one carried over from an earlier meeting is marked ↻ (and, on the
    action-list item, says which case it belongs to)."""
    text = literal(action.text, one_line=True, limit=50)
    if action.agenda_item_id == item.id:
        return text
    prefix = Text("↻ ", style="yellow")
    if item.kind is not d.ItemKind.CASE and action.case_id in codes:
        prefix.append(literal(codes[action.case_id], one_line=True, limit=20))
        prefix.append(": ")
    return prefix + text


def action_rows(data: ItemData, names: int = 18) -> list[tuple[str, list[Text]]]:
    """The rows of the actions table, by action id (owner names cut at ``names``)."""
    owners = data.names()
    codes = {c.id: c.code for c in data.part.cases.values()}
    return [
        (a.id, [
            mark(literal(" · ".join(x for x in (owners.get(a.owner_organisation_id or ""),
                                                a.owner_person) if x) or "—", one_line=True,
                         limit=names - (4 if a.conflicts else 2)), bool(a.conflicts)),
            action_text(a, data.item, codes),
            Text(iso_date(a.due_date)),
            Text(label(a.status), style="green" if a.status is d.ActionStatus.DONE else ""),
        ])
        for a in data.actions
    ]
