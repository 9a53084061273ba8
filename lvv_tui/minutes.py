"""The minutes of a meeting, built from the record: a plain tree the renderers format.

:func:`build_minutes` reads through the store only and resolves every word (labels,
organisation names, dates) in the requested language through the one presentation of
the record (:mod:`lvv_tui.presentation`), so the renderers in :mod:`lvv_tui.export` only
lay the tree out. No Textual, no I/O besides the store.

Privacy defaults: confidential views (and the summary and views of a confidential agenda
item) stay out unless ``include_confidential``; V-numbers never appear unless
``include_v_numbers``. The classification line says which of the two the document holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from db import domain as d
from lvv_tui.i18n import label, t
from lvv_tui.presentation import (
    ActionLine,
    Attendee,
    DecisionBlock,
    Header,
    ViewLine,
    action_line,
    besluit_text,
    classification,
    decision_block,
    format_date,
    item_title,
    view_line,
)

if TYPE_CHECKING:
    from db.store import Store


@dataclass(frozen=True)
class MinutesItem:
    id: str
    number: int
    kind: d.ItemKind
    title: str
    case_code: str | None = None
    v_number: str | None = None
    confidential: bool = False
    #: True when the summary and views were left out (a confidential item).
    withheld: bool = False
    summary: str = ""
    views: tuple[ViewLine, ...] = ()
    #: Confidential views left out of this document.
    withheld_views: int = 0
    decision: DecisionBlock | None = None
    actions: tuple[ActionLine, ...] = ()
    #: Deferred (uitgesteld) to a later meeting.
    deferred: bool = False
    #: steps recorded at this item: the stay's (LVV-zaak or not, scenario, exit), then the
    #: escalation's; (label, text), in order
    escalation: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DecisionLine:
    """One line of the besluitenlijst."""

    number: int
    item_number: int
    text: str


@dataclass(frozen=True)
class CorrectionLine:
    id: str
    made_on_text: str
    made_by: str
    item: str | None
    text: str


@dataclass(frozen=True)
class MinutesDoc:
    lang: str
    meeting_id: str
    header: Header
    items: tuple[MinutesItem, ...]
    besluitenlijst: tuple[DecisionLine, ...]
    actielijst: tuple[ActionLine, ...]
    corrections: tuple[CorrectionLine, ...]
    classification: str
    made_on: dt.date
    made_on_text: str
    general_summary: str = ""
    #: Actions closed since the previous meeting (up to this meeting's date).
    closed_actions: tuple[ActionLine, ...] = ()
    include_confidential: bool = False
    include_v_numbers: bool = False
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return t("minutes.title", lang=self.lang, overleg=self.header.overleg,
                 date=self.header.date_text)

    @property
    def locked(self) -> bool:
        return self.header.status is d.MinutesStatus.APPROVED


# ---------------------------------------------------------------------------------------


def build_minutes(
    store: Store,
    meeting_id: str,
    *,
    include_confidential: bool = False,
    include_v_numbers: bool = False,
    made_on: dt.date,
    lang: str = "nl",
) -> MinutesDoc:
    """The minutes of one meeting as a :class:`MinutesDoc` (reads the store only)."""
    meeting = store.meeting(meeting_id)
    overleg = next((o for o in store.overleggen() if o.id == meeting.overleg_id), None)
    orgs = {o.id: o for o in store.organisations(meeting.overleg_id)}

    def org_name(org_id: str | None) -> str:
        if not org_id:
            return t("minutes.nobody", lang=lang)
        org = orgs.get(org_id)
        return org.name if org else t("minutes.unknown_org", lang=lang)

    def org_order(org_id: str | None) -> tuple[int, str]:
        org = orgs.get(org_id or "")
        return (org.sort if org else 1 << 30, org_name(org_id))

    # -- header --------------------------------------------------------------------
    present: list[Attendee] = []
    absent: list[Attendee] = []
    unknown: list[Attendee] = []
    for row in store.attendance(meeting_id):
        who = Attendee(org_name(row.organisation_id), row.status, label(row.status, lang),
                       row.names)
        if row.status is d.Attendance.PRESENT:
            present.append(who)
        elif row.status in (d.Attendance.ABSENT, d.Attendance.APOLOGIES):
            absent.append(who)
        else:
            unknown.append(who)
    header = Header(
        overleg=overleg.name if overleg else "",
        municipality=overleg.municipality if overleg else "",
        date=meeting.date,
        date_text=format_date(meeting.date, lang),
        start_time=meeting.start_time,
        place=meeting.place,
        chair=meeting.chair,
        secretary=meeting.secretary,
        status=meeting.minutes_status,
        status_text=label(meeting.minutes_status, lang),
        approved_on=meeting.approved_on,
        approved_on_text=format_date(meeting.approved_on, lang) or None,
        present=tuple(present),
        absent=tuple(absent),
        unknown=tuple(unknown),
    )

    # -- meetings and cases, cached ------------------------------------------------
    meeting_dates = {m.id: m.date for m in store.meetings(meeting.overleg_id)}
    cases: dict[str, d.Case] = {}

    def case(case_id: str | None) -> d.Case | None:
        if not case_id:
            return None
        if case_id not in cases:
            cases[case_id] = store.case(case_id)
        return cases[case_id]

    def words(a: d.Action) -> ActionLine:
        c = case(a.case_id)
        since = meeting_dates.get(a.meeting_id) if a.meeting_id else None
        owner = org_name(a.owner_organisation_id)
        if a.owner_person:  # the named person besides the organisation
            owner = (f"{owner} · {a.owner_person}" if a.owner_organisation_id
                     else a.owner_person)
        return action_line(a, owner, c.code if c else None, since, lang)

    # -- items ---------------------------------------------------------------------
    texts = store.minutes_texts(meeting_id)
    decisions = {x.agenda_item_id: x for x in store.decisions(meeting_id)}
    item_actions: dict[str, list[d.Action]] = {}
    for a in store.actions(meeting_id=meeting_id):
        if a.agenda_item_id:
            item_actions.setdefault(a.agenda_item_id, []).append(a)

    steps = escalation_lines(store, meeting_id, include_confidential, lang)
    agenda = store.agenda(meeting_id)
    for item_id, lines in stay_lines(store, agenda, lang).items():
        steps[item_id] = lines + steps.get(item_id, [])
    items: list[MinutesItem] = []
    besluiten: list[DecisionLine] = []
    for number, item in enumerate(agenda, start=1):
        c = case(item.case_id)
        code = c.code if c else None
        withheld = item.confidential and not include_confidential
        views: list[ViewLine] = []
        hidden = 0
        if item.kind is d.ItemKind.CASE or item.case_id:
            for v in sorted(store.views(item.id), key=lambda v: org_order(v.organisation_id)):
                narrow = v.audience != "overleg"  # a note not for the whole table
                if (v.confidential or item.confidential or narrow) and not include_confidential:
                    hidden += 1
                    continue
                views.append(view_line(v, org_name(v.organisation_id), lang))
        block = None
        dec = decisions.get(item.id)
        title = item_title(item, c, lang)
        if dec is not None:
            block = decision_block(dec, org_name, lang)
            besluiten.append(DecisionLine(len(besluiten) + 1, number,
                                          besluit_text(title, block, lang)))
        items.append(MinutesItem(
            id=item.id, number=number, kind=item.kind, title=title, case_code=code,
            v_number=c.v_number if (c and include_v_numbers) else None,
            confidential=item.confidential, withheld=withheld,
            summary="" if withheld else texts.get(item.id, ""),
            views=tuple(views), withheld_views=hidden, decision=block,
            actions=tuple(words(a) for a in item_actions.get(item.id, [])),
            deferred=item.status is d.ItemStatus.DEFERRED,
            escalation=() if withheld else tuple(steps.get(item.id, ())),
        ))

    # -- actielijst: open actions of the overleg up to this meeting -------------------
    actielijst = []
    for a in store.actions(overleg_id=meeting.overleg_id, open_only=True):
        since = meeting_dates.get(a.meeting_id) if a.meeting_id else None
        if since is not None and since > meeting.date:
            continue
        actielijst.append(words(a))
    actielijst.sort(key=lambda x: (x.due is None, x.due or dt.date.min, x.case_code or "",
                                   x.id))

    # -- corrections ------------------------------------------------------------------
    titles = {i.id: f"{i.number}. {i.title}" for i in items}
    corrections = tuple(
        CorrectionLine(c.id, format_date(c.made_on, lang), c.made_by or "",
                       titles.get(c.agenda_item_id) if c.agenda_item_id else None, c.text)
        for c in store.corrections(meeting_id)
    )

    return MinutesDoc(
        lang=lang,
        meeting_id=meeting_id,
        header=header,
        items=tuple(items),
        besluitenlijst=tuple(besluiten),
        actielijst=tuple(actielijst),
        corrections=corrections,
        classification=classification(include_confidential, include_v_numbers, lang),
        made_on=made_on,
        made_on_text=format_date(made_on, lang),
        general_summary=texts.get(None, ""),
        closed_actions=tuple(words(a) for a in store.actions_closed_since_previous(meeting_id)),
        include_confidential=include_confidential,
        include_v_numbers=include_v_numbers,
    )


def escalation_lines(store: Store, meeting_id: str, include_confidential: bool,
                     lang: str) -> dict[str, list[tuple[str, str]]]:
    """The escalation steps recorded at this meeting's items, worded, by item id. The
    opening shows in the decision itself; the advice's reasoning only with confidential."""
    out: dict[str, list[tuple[str, str]]] = {}
    head = t("escalation.minutes.label", lang=lang)
    for step in store.escalation_steps(meeting_id=meeting_id):
        x = step.escalation
        if step.kind == "opened" or step.agenda_item_id is None:
            continue
        level = label(x.level, lang)
        date = format_date(step.on, lang)
        if step.kind == "escalated":
            text = t("escalation.minutes.escalated", lang=lang, level=level, question=x.question)
        elif step.kind == "sent":
            text = t("escalation.minutes.sent", lang=lang, level=level, date=date)
        elif step.kind == "advice":
            text = t("escalation.minutes.advice", lang=lang, level=level, date=date,
                     advice=x.advice or "")
            if include_confidential and x.advice_reasoning:
                text += "\n" + t("escalation.minutes.reasoning", lang=lang,
                                 reasoning=x.advice_reasoning)
        elif step.kind == "adoption":
            text = t("escalation.minutes.adoption_yes" if x.adopted
                     else "escalation.minutes.adoption_no", lang=lang, level=level)
            if x.adoption_reasons:
                text += "; " + t("escalation.minutes.reasons", lang=lang,
                                 reasons=x.adoption_reasons)
        else:
            text = t("escalation.minutes.closed", lang=lang, level=level)
        out.setdefault(step.agenda_item_id, []).append((head, text))
    return out


def stay_lines(store: Store, agenda: list[d.AgendaItem], lang: str
               ) -> dict[str, list[tuple[str, str]]]:
    """The steps of a case's stay decided at this meeting's items, worded, by item id: the
    LSO's decision whether it is an LVV-zaak, the begeleidingsscenario, the exit."""
    out: dict[str, list[tuple[str, str]]] = {}
    for case_id in dict.fromkeys(i.case_id for i in agenda if i.case_id):
        for stay in store.stays(case_id):
            lines = (
                (stay.lvv_item_id, "intake", stay.lvv_verdict is not None),
                (stay.scenario_item_id, "scenario", stay.scenario is not None),
                (stay.exit_item_id, "exit", stay.outcome_subtype is not None),
            )
            for item_id, kind, done in lines:
                if item_id and done:
                    out.setdefault(item_id, []).append(_stay_line(stay, kind, lang))
    return out


def _stay_line(stay: d.Stay, kind: str, lang: str) -> tuple[str, str]:
    if kind == "intake":
        assert stay.lvv_verdict is not None
        text = label(stay.lvv_verdict, lang)
        if stay.lvv_reason:
            text += "; " + t("minutes.stay.reason", lang=lang, reason=stay.lvv_reason)
        return t("minutes.stay.intake", lang=lang), text
    if kind == "scenario":
        assert stay.scenario is not None
        return t("minutes.stay.scenario", lang=lang), label(stay.scenario, lang)
    assert stay.outcome_subtype is not None
    return t("minutes.stay.exit", lang=lang), t(
        "minutes.stay.exit_text", lang=lang, date=format_date(stay.exit_date, lang),
        outcome=label(stay.outcome_subtype, lang),
        category=label(stay.outcome_subtype.category, lang))


def find_meeting(store: Store, ref: str) -> d.Meeting:
    """A meeting by id, or by date (``YYYY-MM-DD`` / ``DD-MM-YYYY``) when exactly one has it.

    Raises ``LookupError`` with a message naming the candidates when the date is ambiguous,
    and ``LookupError`` when nothing matches.
    """
    from db.store import NotFound, ValidationError, parse_date

    ref = ref.strip()
    with contextlib.suppress(NotFound):
        return store.meeting(ref)
    try:
        day = parse_date(ref)
    except ValidationError:
        day = None
    if day is None:
        raise LookupError(t("minutes.err.no_meeting", ref=ref))
    found = [m for o in store.overleggen() for m in store.meetings(o.id) if m.date == day]
    if not found:
        raise LookupError(t("minutes.err.no_meeting", ref=ref))
    if len(found) > 1:
        raise LookupError(t("minutes.err.ambiguous", ref=ref,
                            ids=", ".join(m.id for m in found)))
    return found[0]
