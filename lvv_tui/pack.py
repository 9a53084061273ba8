"""The meeting pack (issue 15 item 2): the published agenda with, per case, the case file,
the last decision, the open actions and the partners' submitted input.

``build_pack(store, meeting_id, for_org=…)`` reads through the store only and applies the
audience rules (:mod:`db.partner_inputs`) for the organisation the pack is for: an oordeel
or a withheld reason outside its audience is left out, and so is the detail of a
confidential agenda item for anyone but the chair. The first page says for whom the pack is
and what it holds. Markdown and HTML come from the Jinja2 templates ``pack.md.j2`` and
``pack.html.j2``; DOCX is built with python-docx. Files on disk carry the personal-data
mark in their name and first line (:mod:`lvv_tui.personal_data`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lvv_tui.i18n import label, t
from lvv_tui.presentation import Line, case_lines, decision_block, decision_lines, item_title


@dataclass(frozen=True)
class PackInput:
    organisation: str
    position: str
    feiten: str
    oordeel: str | None
    withheld: str
    withheld_reason: str | None
    inzet: str
    submitted_on: str


@dataclass
class PackItem:
    number: int
    title: str
    confidential: bool
    withheld: bool
    """A confidential item whose detail this reader may not see."""
    case_file: list[Line] = field(default_factory=list)
    decision_date: str = ""
    decision: list[Line] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    inputs: list[PackInput] = field(default_factory=list)


@dataclass(frozen=True)
class Pack:
    lang: str
    title: str
    audience: str
    """Whom the pack is for and what that means (the first page says it)."""
    version: str
    changes: list[str]
    late: str | None
    made_on: str
    items: list[PackItem]


def resolve_org(store: Any, overleg_id: str, ref: str) -> Any:
    """An organisation of the overleg by id or by name (case-insensitive)."""
    orgs = store.organisations(overleg_id)
    for org in orgs:
        if ref in (org.id,) or (org.name or "").casefold() == ref.strip().casefold():
            return org
    raise LookupError(t("pack.err.no_org", ref=ref,
                        names=", ".join(o.name or "?" for o in orgs)))


def build_pack(store: Any, meeting_id: str, *, for_org: str | None = None,
               lang: str = "nl", made_on: dt.date | None = None) -> Pack:
    """The pack of a meeting for organisation ``for_org`` (id) or, without it, for the whole
    table (only what every partner may read). Raises LookupError when not published."""
    from lvv_tui.agenda_text import change_text, late_warning, version_line

    made_on = made_on or dt.date.today()
    meeting = store.meeting(meeting_id)
    pub = store.agenda_publication(meeting_id)
    if pub is None:
        raise LookupError(t("pack.err.not_published", lang=lang, date=meeting.date.isoformat()))
    overleg = next(o for o in store.overleggen() if o.id == meeting.overleg_id)
    orgs = {o.id: o for o in store.organisations(overleg.id)}
    chair = store.chair_organisations(overleg.id)
    reader = orgs[for_org] if for_org else None
    is_chair = for_org is not None and for_org in chair
    inputs: dict[str, list[Any]] = {}
    for x in store.meeting_inputs(meeting_id, for_org):
        if x.submitted:
            inputs.setdefault(x.agenda_item_id, []).append(x)

    def org_name(org_id: str | None) -> str:
        org = orgs.get(org_id or "")
        return (org.name if org else None) or "?"

    items = []
    for n, item in enumerate(store.agenda(meeting_id), start=1):
        case = store.case(item.case_id) if item.case_id else None
        title = item_title(item, case, lang)
        hidden = item.confidential and not is_chair
        entry = PackItem(n, title, item.confidential, hidden)
        if case is not None and not hidden:
            history = store.case_history(case.id, before_meeting_id=meeting_id)
            entry.case_file.extend(case_lines(case, meeting.date, lang))
            if history.decisions:
                last = history.decisions[0]
                block = decision_block(last.decision, org_name, lang)
                entry.decision.extend(decision_lines(block, lang))
                entry.decision_date = last.meeting_date.isoformat()
            entry.actions.extend(
                f"{a.text} — {org_name(a.owner_organisation_id)}"
                + (f", {a.due_date.isoformat()}" if a.due_date else "")
                for a in history.open_actions)
            entry.inputs.extend(PackInput(
                org_name(x.organisation_id), label(x.position, lang), x.feiten, x.oordeel,
                x.withheld, x.withheld_reason, x.inzet,
                x.submitted_on.isoformat() if x.submitted_on else "")
                for x in inputs.get(item.id, []))
        items.append(entry)
    if reader is None:
        audience = t("pack.for_table", lang=lang)
    else:
        audience = t("pack.for_org", lang=lang, org=reader.name or "?")
    return Pack(
        lang=lang,
        title=t("pack.title", lang=lang, overleg=overleg.name or "",
                date=meeting.date.isoformat()),
        audience=audience, version=version_line(pub, lang),
        changes=[change_text(c, lang) for c in pub.changes],
        late=late_warning(pub, store.agenda_lead_days(overleg.id), lang),
        made_on=t("pack.made_on", lang=lang, date=made_on.isoformat()), items=items)


def render(pack: Pack, fmt: str) -> str:
    """The pack as Markdown or HTML, from the templates (autoescape on for HTML)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from lvv_tui.export import md_escape, xml_safe
    from lvv_tui.personal_data import first_line

    env = Environment(loader=PackageLoader("lvv_tui", "templates"),
                      autoescape=fmt == "html", undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(md=lambda s: md_escape(" ".join(str(s).split())), xml=xml_safe)
    lang = pack.lang
    return env.get_template(f"pack.{fmt}.j2").render(
        pack=pack, lang=lang, warning=first_line(lang), input_lines=input_lines,
        t=lambda key, **params: t(key, lang=lang, **params))


def write_docx(pack: Pack, path: Path) -> None:
    from docx import Document

    from lvv_tui.export import xml_safe
    from lvv_tui.personal_data import first_line

    lang = pack.lang
    word = Document()
    word.core_properties.title = xml_safe(pack.title)
    word.core_properties.author = "lvv-tui"
    word.add_paragraph().add_run(first_line(lang)).bold = True
    word.add_heading(xml_safe(pack.title), 0)
    word.add_paragraph().add_run(xml_safe(pack.audience)).bold = True
    for text in (pack.version, pack.made_on, pack.late or ""):
        if text:
            word.add_paragraph(xml_safe(text))
    for change in pack.changes:
        word.add_paragraph(xml_safe(change), style="List Bullet")
    for item in pack.items:
        word.add_heading(xml_safe(f"{item.number}. {item.title}"), 1)
        if item.withheld:
            word.add_paragraph(t("pack.confidential_item", lang=lang))
            continue
        for line in item.case_file:
            word.add_paragraph(xml_safe(f"{line.label}: {line.value}"))
        if item.decision:
            word.add_heading(t("pack.last_decision", lang=lang, date=item.decision_date), 2)
            for line in item.decision:
                word.add_paragraph(xml_safe(f"{line.label}: {line.value}"), style="List Bullet")
        if item.actions:
            word.add_heading(t("pack.open_actions", lang=lang), 2)
            for action in item.actions:
                word.add_paragraph(xml_safe(action), style="List Bullet")
        for x in item.inputs:
            word.add_heading(t("pack.input_of", lang=lang, org=x.organisation,
                               date=x.submitted_on), 2)
            for key, value in _input_lines(x, lang):
                word.add_paragraph(xml_safe(f"{key}: {value}"))
    word.save(str(path))


def _input_lines(x: PackInput, lang: str) -> list[tuple[str, str]]:
    out = [(t("pack.position", lang=lang), x.position)]
    for key, value in (("feiten", x.feiten), ("oordeel", x.oordeel), ("withheld", x.withheld),
                       ("withheld_reason", x.withheld_reason), ("inzet", x.inzet)):
        if value:
            out.append((t(f"pack.{key}", lang=lang), value))
    return out


def input_lines(x: PackInput, lang: str) -> list[tuple[str, str]]:
    """The labelled lines of one input (the templates use them too)."""
    return _input_lines(x, lang)


def write(pack: Pack, fmt: str, path: str | Path) -> Path:
    """Write the pack; the file name and first line say that it holds personal data."""
    from lvv_tui.export import _atomic_write
    from lvv_tui.personal_data import html_first_line, marked_path

    target = marked_path(path)
    if fmt == "docx":
        write_docx(pack, target)
    elif fmt in ("md", "html"):
        text = render(pack, fmt)
        if fmt == "html":
            text = html_first_line(pack.lang) + text
        data = text.encode("utf-8")
        _atomic_write(target, lambda fh: fh.write(data))
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return target
