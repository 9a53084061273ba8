"""What the minutes screen shows: its data (one worker round trip) and the selected item
as the minutes will read, drawn in Rich text from the one presentation of the record
(:mod:`lvv_tui.presentation`, the same words the exports use)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from db import domain as d
from lvv_tui.i18n import language, t
from lvv_tui.minutes import MinutesDoc, MinutesItem, build_minutes
from lvv_tui.presentation import Line, item_record_lines, minutes_status, plural
from screens.widgets.base import literal


@dataclass(frozen=True)
class MinutesData:
    """Everything the screen shows, read in one worker round trip."""

    doc: MinutesDoc
    #: Item ids whose summary has an open conflict (two versions kept).
    conflicted: frozenset[str]
    #: The next meeting of the overleg (where these minutes are approved), if any.
    next_meeting: d.Meeting | None

    def item(self, item_id: str | None) -> MinutesItem | None:
        return next((i for i in self.doc.items if i.id == item_id), None)


def load_minutes(store: Any, meeting_id: str, today: dt.date) -> MinutesData:
    """Build the screen's draft (confidential parts shown, marked; no V-numbers)."""
    doc = build_minutes(store, meeting_id, include_confidential=True, made_on=today,
                        lang=language())
    meeting = store.meeting(meeting_id)
    conflicted = frozenset(i for i in store.minutes_conflicts(meeting_id) if i is not None)
    later = sorted((m for m in store.meetings(meeting.overleg_id) if m.date > meeting.date),
                   key=lambda m: (m.date, m.id))
    return MinutesData(doc, conflicted, later[0] if later else None)


def status_line(data: MinutesData) -> Text:
    """Status (and approval date), the lock, the number of corrections and conflicts."""
    doc = data.doc
    info = Text()
    info.append(t("minutes.h.status") + ": ", style="dim")
    info.append(minutes_status(doc.header, doc.lang), style="green" if doc.locked else "yellow")
    if doc.locked:
        info.append("   " + t("minutes_screen.locked_hint"), style="dim")
    if doc.corrections:
        info.append("   " + plural("minutes_screen.n_corrections", len(doc.corrections)),
                    style="dim")
    if data.conflicted:
        info.append("   " + plural("minutes_screen.n_conflicts", len(data.conflicted)),
                    style="red")
    return info


def _decision_value(line: Line, consensus: d.Consensus) -> Text:
    if line.key == "perspective":
        return Text(line.value, style="bold")
    if line.key == "consensus":
        return Text(line.value,
                    style="green" if consensus is d.Consensus.UNANIMOUS else "yellow")
    if line.key == "escalation":
        return Text(line.value, style="red")
    return literal(line.value)


def item_detail(item: MinutesItem, lang: str) -> Text:
    """The item as the minutes will read, as Rich text (user text never parsed as markup)."""
    out = Text()

    def head(key: str) -> None:
        out.append("\n" + t(key, lang=lang) + "\n", style="bold")

    out.append(f"{item.number}. ", style="bold")
    out.append_text(literal(item.title))
    if item.confidential:
        out.append(f"  ({t('minutes.confidential', lang=lang)})", style="yellow")
    out.append("\n")
    if item.views:
        head("minutes.views")
        for v in item.views:
            out.append("• ")
            out.append_text(literal(v.organisation, one_line=True))
            out.append(": ")
            out.append(v.position, style="bold")
            if v.confidential:
                out.append(f" ({t('minutes.confidential', lang=lang)})", style="yellow")
            if v.note.strip():
                out.append(" — ")
                out.append_text(literal(v.note))
            out.append("\n")
    lines = item_record_lines(item.decision, item.escalation, lang)
    if lines:
        head("minutes.decision_head")
        for line in lines:
            name = literal(line.label, one_line=True)
            name.append(": ")
            name.stylize("dim")
            out.append_text(name)
            out.append_text(_decision_value(line, item.decision.consensus))
            out.append("\n")
    if item.actions:
        head("minutes.actions")
        for a in item.actions:
            out.append("• ")
            out.append_text(literal(a.text, one_line=True))
            where = literal(f"({a.owner}; {a.due_text})", one_line=True)
            where.stylize("dim")
            out.append(" ")
            out.append_text(where)
            out.append("\n")
    return out
