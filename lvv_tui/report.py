"""The monitoring report as a document: JSON, CSV, Markdown, HTML, DOCX and XLSX.

One presentation (:func:`table_rows`) feeds every format; the figures come from
:meth:`Store.monitoring` (:mod:`db.monitoring`), the words and the definitions from the
i18n catalogs, so the report prints the definitions it was counted by. Markdown and HTML
are Jinja2 templates (autoescape on for HTML). The report holds counts only, no case.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from db.escalation_stats import AGE_BANDS, LEVELS, SECTION_KEYS
from db.monitoring import CATEGORIES, KEYS, SUBTYPES, Monitoring
from lvv_tui.i18n import t

FORMATS = ("md", "html", "docx", "xlsx", "csv", "json")
BINARY = ("docx", "xlsx")


def definition_keys() -> list[str]:
    """The keys the report defines: every figure, and each of the escalations section."""
    out: list[str] = []
    for key in KEYS:
        out.append(key)
        if key == "escalations":
            out += [f"escalations.{sub}" for sub in SECTION_KEYS]
    return out


def definitions(lang: str = "nl") -> dict[str, str]:
    """The definition of every figure, in the report's language."""
    return {key: t(f"report.def.{key}", lang=lang) for key in definition_keys()}


def _escalation_rows(columns: list[dict[str, Any]], lang: str
                     ) -> list[tuple[str, str, list[Any]]]:
    """The rows of the escalations section (open by level and by age, advice adopted or
    not, days from sending to advice), under ``escalations_open``."""
    out: list[tuple[str, str, list[Any]]] = []
    sections = [c["escalations"] for c in columns]
    for level in LEVELS:
        out.append((f"escalations.open_by_level.{level}",
                    "  " + t("report.row.open_level", lang=lang,
                             level=t(f"Escalation.{level}", lang=lang)),
                    [x["open_by_level"][level] for x in sections]))
    for band in AGE_BANDS:
        out.append((f"escalations.open_by_age.{band}",
                    "  " + t("report.row.open_age", lang=lang,
                             age=t(f"report.age.{band}", lang=lang)),
                    [x["open_by_age"][band] for x in sections]))
    for sub in SECTION_KEYS[2:]:
        out.append((f"escalations.{sub}", "  " + t(f"report.key.escalations.{sub}", lang=lang),
                    [x[sub] for x in sections]))
    return out


def to_dict(mon: Monitoring, lang: str = "nl") -> dict[str, Any]:
    """``{"from", "to", "definitions", "total": {…}, "overleggen": [{"name", …}]}``."""
    return {
        "from": mon.date_from.isoformat(),
        "to": mon.date_to.isoformat(),
        "definitions": definitions(lang),
        "total": mon.total.as_dict(),
        "overleggen": [{"name": o.name, **o.figures.as_dict()} for o in mon.overleggen],
    }


def to_json(mon: Monitoring, lang: str = "nl") -> str:
    return json.dumps(to_dict(mon, lang), ensure_ascii=False, indent=1) + "\n"


# -- one table for every format -----------------------------------------------------------


def table_rows(mon: Monitoring, lang: str = "nl") -> list[tuple[str, str, list[Any]]]:
    """(key, label, [total, overleg 1, …]) per figure; categories and subtypes as rows of
    their own (``left_by_category.durable``)."""
    columns = [mon.total.as_dict()] + [o.figures.as_dict() for o in mon.overleggen]
    out: list[tuple[str, str, list[Any]]] = []
    for key in KEYS:
        if key == "left_by_category":
            for cat in CATEGORIES:
                out.append((f"{key}.{cat}", "  " + t(f"OutcomeCategory.{cat}", lang=lang),
                            [c[key][cat] for c in columns]))
        elif key == "left_by_subtype":
            for sub in SUBTYPES:
                out.append((f"{key}.{sub}", "    " + t(f"OutcomeSubtype.{sub}", lang=lang),
                            [c[key][sub] for c in columns]))
        elif key == "escalations":
            out += _escalation_rows(columns, lang)
        else:
            out.append((key, t(f"report.key.{key}", lang=lang), [c[key] for c in columns]))
    return out


_EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar_lines(items: list[tuple[str, int]], width: int = 40, unicode: bool = True,
              peak: int | None = None) -> list[str]:
    """A horizontal bar chart as lines of text: ``label  bar  value``.

    With ``unicode`` the bars use block characters in eighths; without (a terminal that
    cannot draw them) plain ``#``. The value is always printed, so the numbers stay readable
    wherever the bars do not. ``peak`` is the value of a full bar (default: the largest).
    """
    if not items:
        return []
    peak = peak or max(v for _l, v in items) or 1
    label_width = max(len(label) for label, _v in items)
    value_width = max(len(str(v)) for _l, v in items)
    lines = []
    for label, value in items:
        if unicode:
            eighths = round(8 * width * value / peak)
            if value and not eighths:
                eighths = 1
            bar = "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")
        else:
            cells = round(width * value / peak)
            bar = "#" * (cells or (1 if value else 0))
        lines.append(f"{label.ljust(label_width)} {bar.ljust(width)} {str(value).rjust(value_width)}")
    return lines


def column_names(mon: Monitoring, lang: str = "nl") -> list[str]:
    return [t("report.total", lang=lang)] + [o.name for o in mon.overleggen]


def fmt_value(value: Any, lang: str = "nl") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if lang == "nl" else text
    return str(value)


def _meta(mon: Monitoring, lang: str, made_on: dt.date | None) -> dict[str, Any]:
    made_on = made_on or dt.date.today()
    rows = table_rows(mon, lang)
    peak = max([m.intake for m in mon.months] + [m.left for m in mon.months] + [1])
    return {
        "title": t("report.title", lang=lang),
        "period": t("report.period", lang=lang, start=mon.date_from.isoformat(),
                    end=mon.date_to.isoformat()),
        "made": t("report.made", lang=lang, day=made_on.isoformat()),
        "classification": t("report.classification", lang=lang),
        "figure": t("report.figure", lang=lang),
        "columns": column_names(mon, lang),
        "rows": [(label, [fmt_value(v, lang) for v in values]) for _k, label, values in rows],
        "defs_title": t("report.definitions", lang=lang),
        "definitions": [(t(f"report.key.{k}", lang=lang), text)
                        for k, text in definitions(lang).items()],
        "months_title": t("report.months", lang=lang),
        "month_heads": (t("report.month", lang=lang), t("report.key.intake", lang=lang),
                        t("report.key.left", lang=lang)),
        "months": [(m.month, m.intake, m.left, round(100 * m.intake / peak),
                    round(100 * m.left / peak)) for m in mon.months],
    }


_MD = """# {{ title }}

{{ period }} · {{ made }}

_{{ classification }}_

| {{ figure }} |{% for c in columns %} {{ c | cell }} |{% endfor %}
|---|{% for c in columns %}---:|{% endfor %}
{% for label, values in rows %}| {{ label | cell }} |{% for v in values %} {{ v }} |{% endfor %}
{% endfor %}
## {{ months_title }}

| {{ month_heads[0] }} | {{ month_heads[1] }} | {{ month_heads[2] }} |
|---|---:|---:|
{% for m, i, l, _pi, _pl in months %}| {{ m }} | {{ i }} | {{ l }} |
{% endfor %}
## {{ defs_title }}

{% for name, text in definitions %}- **{{ name }}**: {{ text }}
{% endfor %}"""

_HTML = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body { font-family: sans-serif; margin: 2em; } table { border-collapse: collapse; }
th, td { border: 1px solid #999; padding: .2em .5em; } td.n { text-align: right; }
.bar { display: inline-block; height: .8em; background: #4a78b0; }
.bar.left { background: #b06a4a; } @media print { body { margin: 0; } }
</style></head><body>
<h1>{{ title }}</h1>
<p>{{ period }} · {{ made }}</p>
<p><em>{{ classification }}</em></p>
<table><thead><tr><th>{{ figure }}</th>{% for c in columns %}<th>{{ c }}</th>{% endfor %}
</tr></thead><tbody>
{% for label, values in rows %}<tr><td>{{ label }}</td>{% for v in values %}<td class="n">{{ v }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
<h2>{{ months_title }}</h2>
<table><thead><tr><th>{{ month_heads[0] }}</th><th>{{ month_heads[1] }}</th><th>{{ month_heads[2] }}</th><th></th></tr></thead><tbody>
{% for m, i, l, pi, pl in months %}<tr><td>{{ m }}</td><td class="n">{{ i }}</td><td class="n">{{ l }}</td>
<td><span class="bar" style="width: {{ pi }}px"></span><br><span class="bar left" style="width: {{ pl }}px"></span></td></tr>
{% endfor %}</tbody></table>
<h2>{{ defs_title }}</h2>
<dl>{% for name, text in definitions %}<dt>{{ name }}</dt><dd>{{ text }}</dd>{% endfor %}</dl>
</body></html>
"""


def _env(autoescape: bool) -> Any:
    import jinja2

    env = jinja2.Environment(autoescape=autoescape, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["cell"] = lambda s: str(s).replace("|", "\\|").replace("\n", " ")
    return env


def to_markdown(mon: Monitoring, lang: str = "nl", made_on: dt.date | None = None) -> str:
    return _env(False).from_string(_MD).render(**_meta(mon, lang, made_on))


def to_html(mon: Monitoring, lang: str = "nl", made_on: dt.date | None = None) -> str:
    return _env(True).from_string(_HTML).render(lang=lang, **_meta(mon, lang, made_on))


def to_csv(mon: Monitoring, lang: str = "nl") -> str:
    """``;``-separated with a BOM, as Dutch Excel reads it; one row per figure."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(["key", t("report.figure", lang=lang), *column_names(mon, lang)])
    for key, label, values in table_rows(mon, lang):
        writer.writerow([key, label.strip(), *("" if v is None else fmt_value(v, lang)
                                              for v in values)])
    return "\ufeff" + buf.getvalue()


def to_docx(mon: Monitoring, path: str | Path, lang: str = "nl",
            made_on: dt.date | None = None) -> None:
    from docx import Document

    meta = _meta(mon, lang, made_on)
    doc = Document()
    doc.add_heading(meta["title"], level=1)
    doc.add_paragraph(f"{meta['period']} · {meta['made']}")
    doc.add_paragraph(meta["classification"]).runs[0].italic = True
    table = doc.add_table(rows=1, cols=1 + len(meta["columns"]))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, [meta["figure"], *meta["columns"]], strict=True):
        cell.text = text
    for label, values in meta["rows"]:
        cells = table.add_row().cells
        for cell, text in zip(cells, [label.strip(), *values], strict=True):
            cell.text = text
    doc.add_heading(meta["months_title"], level=2)
    months = doc.add_table(rows=1, cols=3)
    months.style = "Table Grid"
    for cell, text in zip(months.rows[0].cells, meta["month_heads"], strict=True):
        cell.text = text
    for m, i, left, _pi, _pl in meta["months"]:
        for cell, text in zip(months.add_row().cells, (m, str(i), str(left)), strict=True):
            cell.text = text
    doc.add_heading(meta["defs_title"], level=2)
    for name, text in meta["definitions"]:
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(name + ": ").bold = True
        para.add_run(text)
    doc.save(str(path))


def to_xlsx(mon: Monitoring, path: str | Path, lang: str = "nl",
            made_on: dt.date | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    meta = _meta(mon, lang, made_on)
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = t("report.sheet", lang=lang)[:31]
    sheet.append([meta["title"]])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([meta["period"]])
    sheet.append([meta["classification"]])
    sheet.append([])
    sheet.append(["key", meta["figure"], *meta["columns"]])
    for key, label, values in table_rows(mon, lang):
        sheet.append([key, label.strip(), *values])
    sheet.column_dimensions["B"].width = 48
    months = book.create_sheet(meta["months_title"][:31])
    months.append(list(meta["month_heads"]))
    for m, i, left, _pi, _pl in meta["months"]:
        months.append([m, i, left])
    defs = book.create_sheet(meta["defs_title"][:31])
    for key, text in definitions(lang).items():
        defs.append([key, text])
    book.save(str(path))


def render(mon: Monitoring, fmt: str, lang: str = "nl", made_on: dt.date | None = None
           ) -> str | bytes:
    """The report in ``fmt``: text for md/html/csv/json, bytes for docx/xlsx."""
    if fmt == "json":
        return to_json(mon, lang)
    if fmt == "csv":
        return to_csv(mon, lang)
    if fmt == "md":
        return to_markdown(mon, lang, made_on)
    if fmt == "html":
        return to_html(mon, lang, made_on)
    if fmt in BINARY:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"report.{fmt}"
            (to_docx if fmt == "docx" else to_xlsx)(mon, path, lang, made_on)
            return path.read_bytes()
    raise ValueError(f"unknown format {fmt!r}")


def write(mon: Monitoring, fmt: str, path: str | Path, lang: str = "nl",
          made_on: dt.date | None = None) -> Path:
    """Write the report to ``path`` (atomically: a temporary file, then a rename)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if fmt in BINARY:
            (to_docx if fmt == "docx" else to_xlsx)(mon, tmp, lang, made_on)
        else:
            text = render(mon, fmt, lang, made_on)
            tmp.write_text(text, encoding="utf-8", newline="")  # type: ignore[arg-type]
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def format_for(path: str) -> str | None:
    """The format a file name asks for (``.md`` → md …), or None."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"markdown": "md", "htm": "html"}.get(suffix, suffix) if suffix in (
        *FORMATS, "markdown", "htm") else None
