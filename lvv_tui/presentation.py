"""One presentation of the record: the words an item, a view, a decision and an action
are shown in, shared by the screens and the exports.

Pure functions and frozen dataclasses from the domain objects of :mod:`db.domain` to text
in a given language (``lang=None`` is the current one). Nothing here styles or escapes:
the screens wrap the words in Rich ``Text`` (never markup), the exports escape them for
their format. Dates and plural forms go through Babel (imported inside the functions that
need it). No Textual, no store, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from db import domain as d
from lvv_tui.i18n import label, language, t

# ---------------------------------------------------------------------------------------
# dates and plurals
# ---------------------------------------------------------------------------------------


@cache
def _babel_date(value: dt.date, lang: str) -> str:
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format="d MMMM y", locale=lang)


def format_date(value: dt.date | None, lang: str | None = None) -> str:
    """``28 november 2026`` (nl) / ``28 November 2026`` (en), through Babel; empty for None."""
    if value is None:
        return ""
    return _babel_date(value, lang or language())


def iso_date(value: dt.date | None, lang: str | None = None) -> str:
    """``2026-11-28``: the compact form of the tables on screen; empty for None."""
    return value.isoformat() if value else ""


@cache
def _plural_rule(lang: str) -> Callable[[int], str]:
    from babel import Locale

    return Locale.parse(lang).plural_form


def plural(key: str, n: int, lang: str | None = None, **params: object) -> str:
    """``{n} correctie`` / ``{n} correcties``: the catalog's ``key.<form>`` for ``n``, the
    form (``one``, ``other`` …) chosen by the CLDR plural rule of the language (Babel)."""
    lang = lang or language()
    form = _plural_rule(lang)(abs(n))
    text = t(f"{key}.{form}", lang=lang, n=n, **params)
    if text == f"{key}.{form}":
        text = t(f"{key}.other", lang=lang, n=n, **params)
    return text


# ---------------------------------------------------------------------------------------
# an agenda item
# ---------------------------------------------------------------------------------------


def item_title(item: d.AgendaItem, case: d.Case | None, lang: str | None = None, *,
               short: bool = False) -> str:
    """What an agenda item is called.

    In the minutes: ``Casus LVV-0012`` (plus its own title), or the item's title, else its
    kind. ``short`` (the agenda on screen): ``LVV-0012 · Nigeriaanse`` for a case, the kind
    plus the title for other items. Minutes never name a nationality.
    """
    if short:
        if item.kind is d.ItemKind.CASE and item.case_id:
            if case is None:
                return label(item.kind, lang)
            return f"{case.code} · {case.nationality}" if case.nationality else case.code
        kind = label(item.kind, lang)
        return f"{kind}: {item.title}" if item.title else kind
    if item.kind is d.ItemKind.CASE:
        base = t("minutes.case_title", lang=lang, code=case.code if case else "?")
        return f"{base}: {item.title}" if item.title else base
    return item.title or label(item.kind, lang)


def item_notes(withheld: bool, withheld_views: int, lang: str | None = None, *,
               deferred: bool = False) -> list[str]:
    """Fixed notes (no user text) about an item: deferred, or what an export left out."""
    if deferred:
        return [t("minutes.deferred_item", lang=lang)] + item_notes(withheld, withheld_views,
                                                                    lang)
    if withheld:
        return [t("minutes.withheld_item", lang=lang)]
    if withheld_views:
        return [t("minutes.withheld_views", lang=lang, n=withheld_views)]
    return []


# ---------------------------------------------------------------------------------------
# views, decisions, actions
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewLine:
    """A partner's view in words."""

    organisation: str
    position: str
    note: str
    confidential: bool = False
    #: who may read the note: overleg, chair or organisation (need-to-know)
    audience: str = "overleg"


def view_line(view: d.View, organisation: str, lang: str | None = None) -> ViewLine:
    return ViewLine(organisation, label(view.position, lang), view.note, view.confidential,
                    view.audience)


def audience_mark(audience: str, lang: str | None = None) -> str:
    """The mark of a narrower audience ("" for the whole overleg)."""
    return "" if audience == "overleg" else t(f"privacy.mark.{audience}", lang=lang)


def view_heads(lang: str | None = None) -> list[str]:
    return [t(f"minutes.col.{k}", lang=lang) for k in ("organisation", "position", "note")]


@dataclass(frozen=True)
class DissentLine:
    organisation: str
    reason: str


@dataclass(frozen=True)
class DecisionBlock:
    """A decision in words (dates already formatted)."""

    perspective: str
    rationale: str
    consensus: d.Consensus
    consensus_text: str
    dissent: tuple[DissentLine, ...] = ()
    escalation: str | None = None
    escalation_question: str | None = None
    escalation_date: str | None = None
    escalation_advice: str | None = None
    review_date: str | None = None


def decision_block(
    dec: d.Decision,
    org_name: Callable[[str | None], str],
    lang: str | None = None,
    *,
    date: Callable[[dt.date | None, str | None], str] = format_date,
) -> DecisionBlock:
    """The words of a decision; ``date`` formats its dates (:func:`format_date` by default)."""
    return DecisionBlock(
        perspective=label(dec.perspective, lang),
        rationale=dec.rationale,
        consensus=dec.consensus,
        consensus_text=label(dec.consensus, lang),
        dissent=tuple(DissentLine(org_name(x.organisation_id), x.reason) for x in dec.dissent),
        escalation=(label(dec.escalation_level, lang)
                    if dec.escalation_level is not d.Escalation.NONE else None),
        escalation_question=dec.escalation_question,
        escalation_date=date(dec.escalation_date, lang) or None,
        escalation_advice=dec.escalation_advice,
        review_date=date(dec.review_date, lang) or None,
    )


@dataclass(frozen=True)
class Line:
    """A labelled line: ``Perspectief: Terugkeer``. ``key`` says what it is (screens pick a
    style by it: perspective, consensus, rationale, dissent, escalation, escalation_question,
    escalation_date, escalation_advice, review)."""

    key: str
    label: str
    value: str


def decision_lines(dec: DecisionBlock, lang: str | None = None) -> list[Line]:
    """The lines of a decision, in order (the minutes, the exports, the minutes screen)."""
    out = [Line("perspective", t("minutes.decision", lang=lang), dec.perspective),
           Line("consensus", t("minutes.consensus", lang=lang), dec.consensus_text)]
    if dec.rationale:
        out.append(Line("rationale", t("minutes.rationale", lang=lang), dec.rationale))
    for x in dec.dissent:
        out.append(Line("dissent", t("minutes.dissent", lang=lang, org=x.organisation),
                        x.reason or "—"))
    if dec.escalation:
        out.append(Line("escalation", t("minutes.escalation", lang=lang), dec.escalation))
        for key, value in (("escalation_question", dec.escalation_question),
                           ("escalation_date", dec.escalation_date),
                           ("escalation_advice", dec.escalation_advice)):
            if value:
                out.append(Line(key, t(f"minutes.{key}", lang=lang), value))
    if dec.review_date:
        out.append(Line("review", t("minutes.review", lang=lang), dec.review_date))
    return out


def item_record_lines(dec: DecisionBlock | None, escalation: tuple[tuple[str, str], ...],
                      lang: str | None = None) -> list[Line]:
    """An item's decision lines, then the escalation steps recorded at it (label, text)."""
    out = decision_lines(dec, lang) if dec is not None else []
    return out + [Line("escalation_step", name, text) for name, text in escalation]


def besluit_text(title: str, dec: DecisionBlock, lang: str | None = None) -> str:
    """The one line of the besluitenlijst for a decision on the item called ``title``."""
    line = t("minutes.besluit_line", lang=lang, item=title, perspective=dec.perspective,
             consensus=dec.consensus_text)
    if dec.escalation:
        line += "; " + t("minutes.besluit_escalation", lang=lang, level=dec.escalation)
    if dec.review_date:
        line += "; " + t("minutes.besluit_review", lang=lang, date=dec.review_date)
    return line


@dataclass(frozen=True)
class ActionLine:
    """An action in words."""

    id: str
    text: str
    owner: str
    due: dt.date | None
    due_text: str
    case_code: str | None = None
    since_text: str = ""
    status: d.ActionStatus = d.ActionStatus.OPEN
    status_text: str = ""


def action_line(a: d.Action, owner: str, case_code: str | None, since: dt.date | None,
                lang: str | None = None) -> ActionLine:
    """``since``: the date of the meeting the action was agreed in."""
    return ActionLine(
        id=a.id, text=a.text, owner=owner, due=a.due_date,
        due_text=format_date(a.due_date, lang) or t("minutes.no_due", lang=lang),
        case_code=case_code, since_text=format_date(since, lang),
        status=a.status, status_text=label(a.status, lang),
    )


def action_summary(a: ActionLine) -> str:
    """``Dossier opvragen (IND; 1 maart 2026)``: an action in a list (one line)."""
    return f"{' '.join(a.text.split())} ({a.owner}; {a.due_text})"


def action_heads(lang: str | None = None) -> list[str]:
    """The columns of the actielijst, after the number."""
    return [t(f"minutes.col.{k}", lang=lang) for k in ("action", "case", "owner", "due", "since")]


def action_cells(a: ActionLine) -> list[str]:
    return [a.text, a.case_code or "—", a.owner, a.due_text, a.since_text or "—"]


# ---------------------------------------------------------------------------------------
# a meeting's header
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    """One organisation's attendance."""

    organisation: str
    status: d.Attendance
    status_text: str
    names: str | None = None

    @property
    def text(self) -> str:
        """``IND (A. de Vries)``."""
        return f"{self.organisation} ({self.names})" if self.names else self.organisation


@dataclass(frozen=True)
class Header:
    overleg: str
    municipality: str
    date: dt.date
    date_text: str
    start_time: str | None
    place: str | None
    chair: str | None
    secretary: str | None
    status: d.MinutesStatus
    status_text: str
    approved_on: dt.date | None
    approved_on_text: str | None
    present: tuple[Attendee, ...] = ()
    absent: tuple[Attendee, ...] = ()
    unknown: tuple[Attendee, ...] = ()


def minutes_status(h: Header, lang: str | None = None) -> str:
    """``Vastgesteld op 7 april 2026`` or ``Concept``."""
    if h.approved_on_text:
        return t("minutes.approved_on", lang=lang, status=h.status_text,
                 date=h.approved_on_text)
    return h.status_text


def meta_rows(h: Header, lang: str | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs of the minutes' header, user values unescaped."""
    when = h.date_text + (f", {h.start_time}" if h.start_time else "")
    rows = [(t("minutes.h.overleg", lang=lang),
             f"{h.overleg} ({h.municipality})" if h.municipality else h.overleg),
            (t("minutes.h.date", lang=lang), when)]
    if h.place:
        rows.append((t("minutes.h.place", lang=lang), h.place))
    rows.append((t("minutes.h.chair", lang=lang), h.chair or "—"))
    rows.append((t("minutes.h.secretary", lang=lang), h.secretary or "—"))
    rows.append((t("minutes.h.status", lang=lang), minutes_status(h, lang)))
    rows.append((t("minutes.h.present", lang=lang),
                 ", ".join(a.text for a in h.present) or "—"))
    rows.append((t("minutes.h.absent", lang=lang),
                 ", ".join(f"{a.text} — {a.status_text.lower()}" for a in h.absent) or "—"))
    if h.unknown:
        rows.append((t("minutes.h.unknown", lang=lang), ", ".join(a.text for a in h.unknown)))
    return rows


def classification(include_confidential: bool, include_v_numbers: bool,
                   lang: str | None = None) -> str:
    """The line that says what an export holds."""
    return " ".join([
        t("minutes.class.base", lang=lang),
        t("minutes.class.conf_in" if include_confidential else "minutes.class.conf_out",
          lang=lang),
        t("minutes.class.v_in" if include_v_numbers else "minutes.class.v_out", lang=lang),
    ])


# ---------------------------------------------------------------------------------------
# a case file
# ---------------------------------------------------------------------------------------


def case_lines(case: d.Case, today: dt.date, lang: str | None = None) -> list[Line]:
    """The case file beside an agenda item. ``key`` of a line that needs attention ends in
    ``!`` (a stay past its term, a health reason)."""
    days = case.days_in_lvv(today)
    if days is None:
        days_text, days_key = "—", "days"
    elif case.stay_term_days:
        days_text = t("item.days_of_term", lang=lang, days=days, term=case.stay_term_days)
        days_key = "days!" if days > case.stay_term_days else "days"
    else:
        days_text, days_key = str(days), "days"

    def row(key: str, value: str) -> Line:
        return Line(key, t(f"case.{key.rstrip('!')}", lang=lang), value)

    return [
        row("nationality", case.nationality or "—"),
        row(days_key, days_text),
        row("health!" if case.health_flag else "health",
            t("item.health_yes" if case.health_flag else "item.health_no", lang=lang)),
        row("identity", t("item.identity_yes" if case.identity_established
                          else "item.identity_no", lang=lang)),
        row("cooperation", label(case.cooperation, lang)),
        row("procedure", case.procedure or "—"),
        row("perspective", label(case.perspective, lang)),
        row("status", label(case.status, lang)),
    ]
