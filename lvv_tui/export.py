"""Renderers of a :class:`~lvv_tui.minutes.MinutesDoc`: Markdown, HTML (print-ready), DOCX.

Markdown and HTML come from the Jinja2 templates in ``lvv_tui/templates`` (autoescape on
for HTML); DOCX is built with python-docx. All three take their words from the one
presentation of the record (:mod:`lvv_tui.presentation`). User text (summaries, notes,
rationales, action texts, names) is escaped for the target format and characters XML cannot
hold become U+FFFD. Jinja2 and python-docx are imported inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lvv_tui.i18n import t
from lvv_tui.minutes import MinutesDoc, MinutesItem
from lvv_tui.presentation import (
    Line,
    action_cells,
    action_heads,
    action_summary,
    audience_mark,
    item_notes,
    item_record_lines,
    meta_rows,
    view_heads,
)

if TYPE_CHECKING:
    from jinja2 import Environment

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


def _md_block(text: str, indent: str = "") -> str:
    """Multi-line user text as Markdown lines (line breaks kept as hard breaks)."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()] or [""]
    out = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        hard_break = "  " if line and nxt.strip() else ""
        out.append((indent + md_escape(line) + hard_break) if line else "")
    return "\n".join(out)


def _md_hang(text: str) -> str:
    """User text that goes on after a list item's label: the next lines indented."""
    return _md_block(text, indent="  ").lstrip(" ")


def _h(text: str) -> str:
    """User text as HTML: escaped, blank lines make paragraphs, line breaks kept."""
    paras = [p for p in re.split(r"\n\s*\n", xml_safe(text).strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>" for p in paras
    )


def _hi(text: str) -> str:
    """User text inline (one line, breaks as ``<br>``)."""
    return "<br>".join(html.escape(line) for line in xml_safe(text).strip().splitlines())


@cache
def _environment(fmt: str) -> Environment:
    """The Jinja2 environment of a format: HTML with autoescape on, where every
    ``{{ value }}`` is made XML-safe and escaped as ``html.escape`` does; Markdown with
    the md filters."""
    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    def html_value(value: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, Markup):
            return Markup(html.escape(xml_safe(value)))
        return value

    is_html = fmt == "html"
    env = Environment(
        loader=PackageLoader("lvv_tui", "templates"), autoescape=is_html,
        finalize=html_value if is_html else None, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(md=md_escape, md_cell=_md_cell, md_block=_md_block, md_hang=_md_hang,
                       paras=lambda text: Markup(_h(text)),
                       inline=lambda text: Markup(_hi(text)), summary=action_summary)
    return env


def _render(doc: MinutesDoc, fmt: str) -> str:
    lang = doc.lang

    def tr(key: str, **params: object) -> str:
        return t(key, lang=lang, **params)

    def notes(item: MinutesItem) -> list[str]:
        return item_notes(item.withheld, item.withheld_views, lang, deferred=item.deferred)

    def decision(item: MinutesItem) -> list[Line]:
        return item_record_lines(item.decision, item.escalation, lang)

    template = _environment(fmt).get_template(f"minutes.{fmt}.j2")
    return template.render(
        doc=doc, lang=lang, t=tr, meta=meta_rows(doc.header, lang), notes=notes,
        decision=decision, cells=action_cells, view_heads=view_heads(lang),
        action_heads=action_heads(lang),
    )


def to_markdown(doc: MinutesDoc) -> str:
    """The minutes as Markdown (``templates/minutes.md.j2``)."""
    return _render(doc, "md")


def to_html(doc: MinutesDoc) -> str:
    """The minutes as one print-ready HTML page (``templates/minutes.html.j2``)."""
    return _render(doc, "html")


# ---------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------


def to_docx(doc: MinutesDoc, path: str | Path) -> None:
    """Write the minutes as a Word document: real headings, tables for the lists."""
    import copy
    import datetime as dt

    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    from lxml import etree

    W_TC, W_P, W_R, W_T, W_BR = (qn(f"w:{x}") for x in ("tc", "p", "r", "t", "br"))
    XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

    lang = doc.lang
    word = Document()
    for section in word.sections:  # A4, not python-docx's default US Letter
        section.page_width, section.page_height = Mm(210), Mm(297)
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

    from lvv_tui.personal_data import first_line

    word.add_paragraph().add_run(first_line(lang)).bold = True
    cls = word.add_paragraph()
    cls.add_run(doc.classification).bold = True
    heading(doc.title, 0)
    for name, value in meta_rows(doc.header, lang):
        para(value, bold_label=name)
    if doc.general_summary.strip():
        heading(t("minutes.general", lang=lang), 1)
        para(doc.general_summary)
    for item in doc.items:
        heading(f"{item.number}. {item.title}", 1)
        if item.v_number:
            para(item.v_number, bold_label=t("minutes.v_number", lang=lang))
        for note in item_notes(item.withheld, item.withheld_views, lang, deferred=item.deferred):
            para(note, italic=True)
        if item.summary.strip():
            for chunk in re.split(r"\n\s*\n", item.summary.strip()):
                para(chunk)
        if item.views:
            heading(t("minutes.views", lang=lang), 2)
            conf = t("minutes.confidential", lang=lang)
            table(view_heads(lang),
                  [[v.organisation + (f" ({conf})" if v.confidential else "")
                    + (f" ({audience_mark(v.audience, lang)})" if v.audience != "overleg"
                       else ""), v.position, v.note] for v in item.views])
        lines = item_record_lines(item.decision, item.escalation, lang)
        if lines:
            heading(t("minutes.decision_head", lang=lang), 2)
            for line in lines:
                para(line.value, bold_label=line.label)
        if item.actions:
            heading(t("minutes.actions", lang=lang), 2)
            for a in item.actions:
                para(action_summary(a), style="List Bullet")
    heading(t("minutes.besluitenlijst", lang=lang), 1)
    if doc.besluitenlijst:
        table(["#", t("minutes.col.decision", lang=lang)],
              [[str(b.number), b.text] for b in doc.besluitenlijst])
    else:
        para(t("minutes.none", lang=lang), italic=True)
    heading(t("minutes.actielijst", lang=lang), 1)
    if doc.actielijst:
        table(["#", *action_heads(lang)],
              [[str(n), *action_cells(a)] for n, a in enumerate(doc.actielijst, 1)])
    else:
        para(t("minutes.none", lang=lang), italic=True)
    if doc.closed_actions:
        heading(t("minutes.closed_actions", lang=lang), 1)
        table(["#", *action_heads(lang)],
              [[str(n), *action_cells(a)] for n, a in enumerate(doc.closed_actions, 1)])
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
    """Render ``doc`` as ``fmt`` (md, html, docx) into ``path``; returns the path written.

    The file name and the first line say that the file holds personal data
    (:mod:`lvv_tui.personal_data`): ``verslag.md`` is written as ``verslag.PERSOONSGEGEVENS.md``.
    """
    from lvv_tui.personal_data import html_first_line, marked_path, md_first_line

    path = marked_path(path)
    if fmt == "md":
        data = (md_first_line(doc.lang) + to_markdown(doc)).encode("utf-8")
        _atomic_write(path, lambda fh: fh.write(data))
    elif fmt == "html":
        data = (html_first_line(doc.lang) + to_html(doc)).encode("utf-8")
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
