"""Renderers of a :class:`~lvv_tui.minutes.MinutesDoc`: Markdown, HTML (print-ready), DOCX.

All user text (summaries, notes, rationales, action texts, names) is escaped for the
target format: ``html.escape`` for HTML, backslash escapes for Markdown, plain runs in DOCX.
python-docx is imported inside :func:`to_docx` only.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from lvv_tui.i18n import t
from lvv_tui.minutes import ActionLine, Attendee, MinutesDoc, MinutesItem

FORMATS = ("md", "html", "docx")

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")
#: C0 controls but tab, newline, CR (XML 1.0 forbids them), DEL and C1 (terminals obey
#: them), lone surrogates, U+FFFE/U+FFFF.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """User text with the characters XML cannot hold replaced by U+FFFD (DOCX, HTML)."""
    return _XML_BAD.sub("\ufffd", text)


def md_escape(text: str) -> str:
    """User text made inert in Markdown (no emphasis, links, tables or headings, and no
    control characters that a terminal showing the file would obey)."""
    return _MD_SPECIAL.sub(r"\\\1", xml_safe(text))


def _md_cell(text: str) -> str:
    return md_escape(" ".join(text.split()))


def _attendees(people: tuple[Attendee, ...]) -> list[str]:
    return [f"{a.organisation} ({a.names})" if a.names else a.organisation for a in people]


def _meta_rows(doc: MinutesDoc) -> list[tuple[str, str]]:
    """(label, value) pairs of the header, user values unescaped."""
    h, lang = doc.header, doc.lang
    when = h.date_text + (f", {h.start_time}" if h.start_time else "")
    rows = [(t("minutes.h.overleg", lang=lang), f"{h.overleg} ({h.municipality})"
             if h.municipality else h.overleg),
            (t("minutes.h.date", lang=lang), when)]
    if h.place:
        rows.append((t("minutes.h.place", lang=lang), h.place))
    rows.append((t("minutes.h.chair", lang=lang), h.chair or "—"))
    rows.append((t("minutes.h.secretary", lang=lang), h.secretary or "—"))
    status = h.status_text
    if h.approved_on_text:
        status = t("minutes.approved_on", lang=lang, status=status, date=h.approved_on_text)
    rows.append((t("minutes.h.status", lang=lang), status))
    rows.append((t("minutes.h.present", lang=lang), ", ".join(_attendees(h.present)) or "—"))
    rows.append((t("minutes.h.absent", lang=lang),
                 ", ".join(f"{x} — {a.status_text.lower()}" for x, a in
                           zip(_attendees(h.absent), h.absent, strict=True)) or "—"))
    if h.unknown:
        rows.append((t("minutes.h.unknown", lang=lang), ", ".join(_attendees(h.unknown))))
    return rows


def _action_cells(a: ActionLine, lang: str) -> list[str]:
    return [a.text, a.case_code or "—", a.owner, a.due_text, a.since_text or "—"]


def _action_heads(lang: str) -> list[str]:
    return [t(f"minutes.col.{k}", lang=lang) for k in ("action", "case", "owner", "due", "since")]


def _decision_lines(item: MinutesItem, lang: str) -> list[tuple[str, str]]:
    """(label, user text) lines of a decision, in order."""
    dec = item.decision
    if dec is None:
        return list(item.escalation)
    out = [(t("minutes.decision", lang=lang), dec.perspective),
           (t("minutes.consensus", lang=lang), dec.consensus_text)]
    if dec.rationale:
        out.append((t("minutes.rationale", lang=lang), dec.rationale))
    for x in dec.dissent:
        out.append((t("minutes.dissent", lang=lang, org=x.organisation), x.reason or "—"))
    if dec.escalation:
        out.append((t("minutes.escalation", lang=lang), dec.escalation))
        if dec.escalation_question:
            out.append((t("minutes.escalation_question", lang=lang), dec.escalation_question))
        if dec.escalation_date:
            out.append((t("minutes.escalation_date", lang=lang), dec.escalation_date))
        if dec.escalation_advice:
            out.append((t("minutes.escalation_advice", lang=lang), dec.escalation_advice))
    if dec.review_date:
        out.append((t("minutes.review", lang=lang), dec.review_date))
    return out + list(item.escalation)


def _item_notes(item: MinutesItem, lang: str) -> list[str]:
    """Fixed notes (no user text) about an item: confidential, withheld content."""
    notes = []
    if item.withheld:
        notes.append(t("minutes.withheld_item", lang=lang))
    elif item.withheld_views:
        notes.append(t("minutes.withheld_views", lang=lang, n=item.withheld_views))
    return notes


# ---------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------


def _md_block(text: str, indent: str = "") -> list[str]:
    """Multi-line user text as Markdown lines (line breaks kept)."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()] or [""]
    out = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        hard_break = "  " if line and nxt.strip() else ""
        out.append((indent + md_escape(line) + hard_break) if line else "")
    return out


def _md_table(heads: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return out


def to_markdown(doc: MinutesDoc) -> str:
    lang = doc.lang
    out = [f"# {md_escape(doc.title)}", ""]
    out += [f"> {md_escape(doc.classification)}  ",
            f"> {t('minutes.made_on', lang=lang, date=doc.made_on_text)}", ""]
    for name, value in _meta_rows(doc):
        out.append(f"- **{name}:** {_md_cell(value)}")
    out.append("")
    if doc.general_summary.strip():
        out += [f"## {t('minutes.general', lang=lang)}", ""]
        out += _md_block(doc.general_summary) + [""]
    for item in doc.items:
        out += [f"## {item.number}. {md_escape(item.title)}", ""]
        if item.v_number:
            out += [f"*{t('minutes.v_number', lang=lang)}:* {md_escape(item.v_number)}", ""]
        for note in _item_notes(item, lang):
            out += [f"*{note}*", ""]
        if item.summary.strip():
            out += _md_block(item.summary) + [""]
        if item.views:
            out += [f"**{t('minutes.views', lang=lang)}**", ""]
            for v in item.views:
                mark = f" *({t('minutes.confidential', lang=lang)})*" if v.confidential else ""
                first = f"- {md_escape(v.organisation)}: {md_escape(v.position)}{mark}"
                if v.note.strip():
                    head, *rest = _md_block(v.note, indent="  ")
                    out.append(f"{first} — {head.strip()}")
                    out += rest
                else:
                    out.append(first)
            out.append("")
        lines = _decision_lines(item, lang)
        if lines:
            out += [f"**{t('minutes.decision_head', lang=lang)}**", ""]
            for name, value in lines:
                first, *rest = _md_block(value, indent="  ")
                out.append(f"- **{md_escape(name)}:** {first.strip()}")
                out += rest
            out.append("")
        if item.actions:
            out += [f"**{t('minutes.actions', lang=lang)}**", ""]
            for a in item.actions:
                out.append(f"- {md_escape(' '.join(a.text.split()))} "
                           f"({md_escape(a.owner)}; {md_escape(a.due_text)})")
            out.append("")
    out += [f"## {t('minutes.besluitenlijst', lang=lang)}", ""]
    if doc.besluitenlijst:
        out += [f"{b.number}. {md_escape(b.text)}" for b in doc.besluitenlijst]
    else:
        out.append(f"*{t('minutes.none', lang=lang)}*")
    out += ["", f"## {t('minutes.actielijst', lang=lang)}", ""]
    if doc.actielijst:
        out += _md_table(["#", *_action_heads(lang)],
                         [[str(n), *_action_cells(a, lang)]
                          for n, a in enumerate(doc.actielijst, start=1)])
    else:
        out.append(f"*{t('minutes.none', lang=lang)}*")
    out.append("")
    if doc.corrections:
        out += [f"## {t('minutes.corrections', lang=lang)}", ""]
        for c in doc.corrections:
            where = f" ({md_escape(c.item)})" if c.item else ""
            head = t("minutes.correction_by", lang=lang, date=c.made_on_text,
                     who=md_escape(c.made_by))
            out.append(f"- {head}{where}:")
            out += _md_block(c.text, indent="  ")
        out.append("")
    out += ["---", "", f"*{md_escape(doc.classification)} "
            f"{t('minutes.made_on', lang=lang, date=doc.made_on_text)}*", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------

PRINT_CSS = """\
@page { size: A4; margin: 20mm 18mm 22mm 18mm; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10.5pt;
       line-height: 1.4; color: #000; max-width: 48em; margin: 1em auto; }
h1 { font-size: 17pt; margin: 0 0 .4em; }
h2 { font-size: 13pt; margin: 1.2em 0 .3em; border-bottom: 1px solid #999;
     page-break-after: avoid; break-after: avoid; }
h3 { font-size: 11pt; margin: .8em 0 .2em; page-break-after: avoid; break-after: avoid; }
.classification { border: 1px solid #000; padding: .3em .6em; font-weight: bold; }
.note { font-style: italic; color: #333; }
table { border-collapse: collapse; width: 100%; margin: .3em 0 .8em; }
th, td { border: 1px solid #888; padding: .2em .4em; text-align: left; vertical-align: top; }
th { background: #eee; }
tr, .item { page-break-inside: avoid; break-inside: avoid; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
footer { margin-top: 2em; font-size: 9pt; border-top: 1px solid #999; }
@media print { body { margin: 0; max-width: none; } }
"""


def _h(text: str) -> str:
    """User text as HTML: escaped, blank lines make paragraphs, line breaks kept."""
    paras = [p for p in re.split(r"\n\s*\n", xml_safe(text).strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>" for p in paras
    )


def _hi(text: str) -> str:
    """User text inline (one line)."""
    return "<br>".join(html.escape(line) for line in xml_safe(text).strip().splitlines())


def to_html(doc: MinutesDoc) -> str:
    lang = doc.lang

    def e(text: str) -> str:
        return html.escape(xml_safe(text))

    out = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{e(doc.title)}</title>",
        f"<style>\n{PRINT_CSS}</style>",
        "</head>",
        "<body>",
        f'<p class="classification">{e(doc.classification)}</p>',
        f"<h1>{e(doc.title)}</h1>",
        '<dl class="meta">',
    ]
    for name, value in _meta_rows(doc):
        out.append(f"<dt>{e(name)}</dt><dd>{e(value)}</dd>")
    out.append("</dl>")
    if doc.general_summary.strip():
        out += [f"<h2>{e(t('minutes.general', lang=lang))}</h2>", _h(doc.general_summary)]
    for item in doc.items:
        out.append(f'<section class="item" id="item-{item.number}">')
        out.append(f"<h2>{item.number}. {e(item.title)}</h2>")
        if item.v_number:
            out.append(f"<p><em>{e(t('minutes.v_number', lang=lang))}:</em> "
                       f"{e(item.v_number)}</p>")
        for note in _item_notes(item, lang):
            out.append(f'<p class="note">{e(note)}</p>')
        if item.summary.strip():
            out.append(_h(item.summary))
        if item.views:
            out.append(f"<h3>{e(t('minutes.views', lang=lang))}</h3>")
            out.append("<table><thead><tr>" + "".join(
                f"<th>{e(t(k, lang=lang))}</th>"
                for k in ("minutes.col.organisation", "minutes.col.position", "minutes.col.note")
            ) + "</tr></thead><tbody>")
            for v in item.views:
                mark = (f' <em>({e(t("minutes.confidential", lang=lang))})</em>'
                        if v.confidential else "")
                out.append(f"<tr><td>{e(v.organisation)}{mark}</td><td>{e(v.position)}</td>"
                           f"<td>{_hi(v.note)}</td></tr>")
            out.append("</tbody></table>")
        lines = _decision_lines(item, lang)
        if lines:
            out.append(f"<h3>{e(t('minutes.decision_head', lang=lang))}</h3>")
            out.append('<dl class="meta">')
            out += [f"<dt>{e(name)}</dt><dd>{_hi(value)}</dd>" for name, value in lines]
            out.append("</dl>")
        if item.actions:
            out.append(f"<h3>{e(t('minutes.actions', lang=lang))}</h3><ul>")
            out += [f"<li>{_hi(a.text)} ({e(a.owner)}; {e(a.due_text)})</li>"
                    for a in item.actions]
            out.append("</ul>")
        out.append("</section>")
    out.append(f"<h2>{e(t('minutes.besluitenlijst', lang=lang))}</h2>")
    if doc.besluitenlijst:
        out.append("<table><thead><tr><th>#</th><th>"
                   f"{e(t('minutes.col.decision', lang=lang))}</th></tr></thead><tbody>")
        out += [f"<tr><td>{b.number}</td><td>{e(b.text)}</td></tr>" for b in doc.besluitenlijst]
        out.append("</tbody></table>")
    else:
        out.append(f'<p class="note">{e(t("minutes.none", lang=lang))}</p>')
    out.append(f"<h2>{e(t('minutes.actielijst', lang=lang))}</h2>")
    if doc.actielijst:
        out.append("<table><thead><tr><th>#</th>" + "".join(
            f"<th>{e(x)}</th>" for x in _action_heads(lang)) + "</tr></thead><tbody>")
        for n, a in enumerate(doc.actielijst, start=1):
            out.append(f"<tr><td>{n}</td>" + "".join(
                f"<td>{_hi(c)}</td>" for c in _action_cells(a, lang)) + "</tr>")
        out.append("</tbody></table>")
    else:
        out.append(f'<p class="note">{e(t("minutes.none", lang=lang))}</p>')
    if doc.corrections:
        out.append(f"<h2>{e(t('minutes.corrections', lang=lang))}</h2><ul>")
        for c in doc.corrections:
            where = f" ({e(c.item)})" if c.item else ""
            head = t("minutes.correction_by", lang=lang, date=c.made_on_text, who=c.made_by)
            out.append(f"<li>{e(head)}{where}:{_h(c.text)}</li>")
        out.append("</ul>")
    out += [
        f"<footer><p>{e(doc.classification)} "
        f"{e(t('minutes.made_on', lang=lang, date=doc.made_on_text))}</p></footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------


def to_docx(doc: MinutesDoc, path: str | Path) -> None:
    """Write the minutes as a Word document: real headings, tables for the lists."""
    import copy
    import datetime as dt

    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from lxml import etree

    W_TC, W_P, W_R, W_T, W_BR = (qn(f"w:{x}") for x in ("tc", "p", "r", "t", "br"))
    XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

    lang = doc.lang
    word = Document()
    props = word.core_properties
    props.title = xml_safe(doc.title)
    props.author = "lvv-tui"
    props.comments = doc.classification
    made = dt.datetime.combine(doc.made_on, dt.time(0, 0))
    props.created = made
    props.modified = made
    props.last_modified_by = "lvv-tui"
    props.revision = 1

    # python-docx resolves a style name by scanning the whole style sheet on every call;
    # resolve each name once and set the id on the element (the 0.5 s budget needs it).
    style_ids: dict[str, str] = {}

    def styled(paragraph, name: str | None):  # noqa: ANN001, ANN202
        if name:
            if name not in style_ids:
                style_ids[name] = word.styles[name].style_id
            paragraph._p.style = style_ids[name]
        return paragraph

    def heading(text: str, level: int) -> None:
        styled(word.add_paragraph(), "Title" if level == 0 else f"Heading {level}").add_run(
            xml_safe(text))

    def para(text: str, *, bold_label: str | None = None, italic: bool = False,
             style: str | None = None) -> None:
        p = styled(word.add_paragraph(), style)
        if bold_label:
            p.add_run(xml_safe(bold_label) + ": ").bold = True
        lines = xml_safe(text).splitlines() or [""]
        for i, line in enumerate(lines):
            run = p.add_run(line)
            if italic:
                run.italic = True
            if i < len(lines) - 1:
                run.add_break()

    def table(heads: list[str], rows: list[list[str]]) -> None:
        """A grid table: a bold header row, then one row per entry.

        Data rows are copies of one empty template row, filled at the XML level: the
        python-docx cell API costs ~0.3 ms a cell, too slow for a long actielijst.
        """
        tbl = word.add_table(rows=2, cols=len(heads))
        if "Table Grid" not in style_ids:
            style_ids["Table Grid"] = word.styles["Table Grid"].style_id
        tbl._tbl.tblStyle_val = style_ids["Table Grid"]
        for cell, text in zip(tbl.rows[0].cells, heads, strict=True):
            cell.paragraphs[0].add_run(xml_safe(text)).bold = True
        tbl_el = tbl._tbl
        template = tbl_el.tr_lst[1]
        tbl_el.remove(template)
        for values in rows:
            tr = copy.deepcopy(template)
            for tc, text in zip(tr.iterchildren(W_TC), values, strict=True):
                run = etree.SubElement(tc.find(W_P), W_R)
                for n, line in enumerate(xml_safe(text).split("\n")):
                    if n:
                        etree.SubElement(run, W_BR)
                    node = etree.SubElement(run, W_T)
                    node.text = line
                    if line != line.strip():
                        node.set(XML_SPACE, "preserve")
            tbl_el.append(tr)

    cls = word.add_paragraph()
    cls.add_run(doc.classification).bold = True
    heading(doc.title, 0)
    for name, value in _meta_rows(doc):
        para(value, bold_label=name)
    if doc.general_summary.strip():
        heading(t("minutes.general", lang=lang), 1)
        para(doc.general_summary)
    for item in doc.items:
        heading(f"{item.number}. {item.title}", 1)
        if item.v_number:
            para(item.v_number, bold_label=t("minutes.v_number", lang=lang))
        for note in _item_notes(item, lang):
            para(note, italic=True)
        if item.summary.strip():
            for chunk in re.split(r"\n\s*\n", item.summary.strip()):
                para(chunk)
        if item.views:
            heading(t("minutes.views", lang=lang), 2)
            conf = t("minutes.confidential", lang=lang)
            table([t(k, lang=lang) for k in ("minutes.col.organisation", "minutes.col.position",
                                             "minutes.col.note")],
                  [[v.organisation + (f" ({conf})" if v.confidential else ""), v.position,
                    v.note] for v in item.views])
        lines = _decision_lines(item, lang)
        if lines:
            heading(t("minutes.decision_head", lang=lang), 2)
            for name, value in lines:
                para(value, bold_label=name)
        if item.actions:
            heading(t("minutes.actions", lang=lang), 2)
            for a in item.actions:
                para(f"{a.text} ({a.owner}; {a.due_text})", style="List Bullet")
    heading(t("minutes.besluitenlijst", lang=lang), 1)
    if doc.besluitenlijst:
        table(["#", t("minutes.col.decision", lang=lang)],
              [[str(b.number), b.text] for b in doc.besluitenlijst])
    else:
        para(t("minutes.none", lang=lang), italic=True)
    heading(t("minutes.actielijst", lang=lang), 1)
    if doc.actielijst:
        table(["#", *_action_heads(lang)],
              [[str(n), *_action_cells(a, lang)] for n, a in enumerate(doc.actielijst, 1)])
    else:
        para(t("minutes.none", lang=lang), italic=True)
    if doc.corrections:
        heading(t("minutes.corrections", lang=lang), 1)
        for c in doc.corrections:
            head = t("minutes.correction_by", lang=lang, date=c.made_on_text, who=c.made_by)
            para(c.text, bold_label=head + (f" ({c.item})" if c.item else ""))
    foot = word.sections[0].footer.paragraphs[0]
    foot.text = f"{doc.classification} {t('minutes.made_on', lang=lang, date=doc.made_on_text)}"
    for run in foot.runs:
        run.font.size = Pt(8)
    path = Path(path)
    _atomic_write(path, lambda fh: word.save(fh))


# ---------------------------------------------------------------------------------------


def _atomic_write(path: Path, write: Callable) -> None:
    """Write through a temporary file beside ``path``: a failure leaves the old file.

    The folder must exist (a mistyped folder is an error, not a new folder).
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def export(doc: MinutesDoc, fmt: str, path: str | Path) -> Path:
    """Render ``doc`` as ``fmt`` (md, html, docx) into ``path``; returns the path."""
    path = Path(path)
    if fmt == "md":
        data = to_markdown(doc).encode("utf-8")
        _atomic_write(path, lambda fh: fh.write(data))
    elif fmt == "html":
        data = to_html(doc).encode("utf-8")
        _atomic_write(path, lambda fh: fh.write(data))
    elif fmt == "docx":
        to_docx(doc, path)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return path


def format_for(path: str | Path) -> str | None:
    """The format a file name suggests (``.md``, ``.html``/``.htm``, ``.docx``), else None."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"md": "md", "markdown": "md", "html": "html", "htm": "html",
            "docx": "docx"}.get(suffix)
