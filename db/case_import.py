"""Import of existing case lists: CSV as Dutch Excel writes it, and XLSX. All or nothing.

:func:`read_file` parses and checks every row without the database and returns the rows
with their line numbers in the file (the header is line 1); :func:`write_rows` (called by
:meth:`Store.import_cases`) checks what needs the database (the overleg names, the stays
already held) and writes everything in one transaction. Any problem anywhere refuses the
whole file with :class:`ImportRefused`, which lists every problem by line and column;
nothing is written. Writing only fields that differ makes a re-import a no-op.

Problems carry i18n keys (``import.error.*``), never the cell's contents: a case list holds
personal data, and messages end up in terminals and logs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db import domain as d
from db.engine import StoreError
from db.rules import MAX_SHORT

if TYPE_CHECKING:
    from db.store import Store

#: header (normalised) -> field; Dutch and English
HEADERS: dict[str, str] = {
    "code": "code", "casus": "code", "casuscode": "code", "case": "code", "case code": "code",
    "overleg": "overleg", "lso": "overleg",
    "nationality": "nationality", "nationaliteit": "nationality",
    "intake date": "intake_date", "intake": "intake_date", "instroomdatum": "intake_date",
    "intakedatum": "intake_date", "datum instroom": "intake_date",
    "exit date": "exit_date", "exit": "exit_date", "uitstroomdatum": "exit_date",
    "datum uitstroom": "exit_date",
    "outcome": "outcome", "uitstroom": "outcome", "uitkomst": "outcome",
    "outcome subtype": "outcome", "uitstroomsoort": "outcome",
}
#: words for outcome subtypes (normalised) besides the codes themselves
OUTCOME_WORDS: dict[str, d.OutcomeSubtype] = {
    "terugkeer": d.OutcomeSubtype.RETURN,
    "terugkeer naar land van herkomst": d.OutcomeSubtype.RETURN,
    "doormigratie": d.OutcomeSubtype.ONWARD,
    "doormigratie naar ander land": d.OutcomeSubtype.ONWARD,
    "legaal verblijf": d.OutcomeSubtype.PERMIT, "legalisering": d.OutcomeSubtype.PERMIT,
    "legalisering van verblijf": d.OutcomeSubtype.PERMIT,
    "verblijfsvergunning": d.OutcomeSubtype.PERMIT, "regulier verblijf": d.OutcomeSubtype.PERMIT,
    "verblijfsvergunning regulier": d.OutcomeSubtype.PERMIT, "legal stay": d.OutcomeSubtype.PERMIT,
    "herhaalde asielaanvraag": d.OutcomeSubtype.REPEAT_ASYLUM,
    "rijksopvang": d.OutcomeSubtype.REPEAT_ASYLUM,
    "rijksopvang na herhaalde asielaanvraag": d.OutcomeSubtype.REPEAT_ASYLUM,
    "artikel 64": d.OutcomeSubtype.ART64, "art 64": d.OutcomeSubtype.ART64,
    "artikel 64 uitstel van vertrek medisch": d.OutcomeSubtype.ART64,
    "beeindigd": d.OutcomeSubtype.ENDED, "beeindigd door gemeente": d.OutcomeSubtype.ENDED,
    "traject beeindigd door gemeente": d.OutcomeSubtype.ENDED,
    "onbekende bestemming": d.OutcomeSubtype.UNKNOWN_DEST,
    "met onbekende bestemming vertrokken": d.OutcomeSubtype.UNKNOWN_DEST,
    "vertrokken met onbekende bestemming": d.OutcomeSubtype.UNKNOWN_DEST,
    "mob": d.OutcomeSubtype.UNKNOWN_DEST,
    "detentie": d.OutcomeSubtype.DETENTION, "vreemdelingenbewaring": d.OutcomeSubtype.DETENTION,
}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
MAX_CODE = 40


@dataclass(frozen=True)
class Problem:
    """One bad cell (or a missing column: line 1). ``code`` is an i18n key."""

    line: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class ImportRefused(StoreError):
    """The file was refused as a whole; ``problems`` lists every bad row."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.column))
        super().__init__(f"{len(self.problems)} problem(s); nothing was imported")


@dataclass(frozen=True)
class CaseRow:
    line: int
    code: str
    overleg: str
    nationality: str | None
    intake_date: dt.date
    exit_date: dt.date | None
    outcome: d.OutcomeSubtype | None
    columns: dict[str, str] = field(default_factory=dict, compare=False)
    """field -> the column's header as written in the file (for messages)."""


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ops: int = 0
    overleggen_created: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[_\-./()]+", " ", text.casefold())
    return re.sub(r"\s+", " ", text).strip()


def parse_outcome(text: str) -> d.OutcomeSubtype | None:
    """A subtype from its code or a Dutch (or English) word; None if unknown."""
    key = _norm(text)
    for sub in d.OutcomeSubtype:
        if key == _norm(sub.value):
            return sub
    return OUTCOME_WORDS.get(key)


def parse_day(value: Any) -> dt.date | None:
    """A date from an XLSX cell or ``dd-mm-jjjj`` / ISO text; raises ValueError if bad."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


# -- reading files ---------------------------------------------------------------------------


def _csv_records(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # Excel's "CSV (gescheiden door lijstscheidingsteken)"
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        yield start, record


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield n, list(row)
    finally:
        book.close()


def records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(line number, cells) of a CSV or XLSX file, the header first."""
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        return _xlsx_records(path)
    return _csv_records(path.read_bytes())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_records(recs: Iterator[tuple[int, list[Any]]], *, default_overleg: str | None = None,
                  result: ImportResult | None = None) -> list[CaseRow]:
    """Check every row; returns the rows, or raises :class:`ImportRefused` listing all
    problems."""
    problems: list[Problem] = []
    try:
        line, header = next(recs)
    except StopIteration:
        raise ImportRefused([Problem(1, "", "import.error.empty")]) from None
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    for i, name in enumerate(header):
        text = _cell(name)
        key = HEADERS.get(_norm(text))
        if key and key not in index:
            index[key], names[key] = i, text
        elif text and result is not None:
            result.ignored_columns.append(text)
    required = ["code", "intake_date"] + ([] if default_overleg else ["overleg"])
    missing = [k for k in required if k not in index]
    if missing:
        raise ImportRefused([Problem(line, k, "import.error.missing_column") for k in missing])
    rows: list[CaseRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in recs:
        values = {k: _cell(cells[i]) if i < len(cells) else "" for k, i in index.items()}
        raw = {k: cells[i] if i < len(cells) else None for k, i in index.items()}
        if not any(_cell(c) for c in cells):
            continue  # Excel's trailing ;;;; lines
        bad = len(problems)

        def problem(key: str, code: str, _line: int = line, **params: Any) -> None:
            problems.append(Problem(_line, names.get(key, key), code, params))

        code = values["code"]
        if not code:
            problem("code", "import.error.required")
        elif len(code) > MAX_CODE:
            problem("code", "import.error.too_long", limit=MAX_CODE)
        overleg = values.get("overleg") or default_overleg or ""
        if not overleg:
            problem("overleg", "import.error.required")
        elif len(overleg) > MAX_SHORT:
            problem("overleg", "import.error.too_long", limit=MAX_SHORT)
        nationality = values.get("nationality") or None
        if nationality and len(nationality) > MAX_SHORT:
            problem("nationality", "import.error.too_long", limit=MAX_SHORT)
        days: dict[str, dt.date | None] = {}
        for key in ("intake_date", "exit_date"):
            try:
                days[key] = parse_day(raw.get(key))
            except ValueError:
                days[key] = None
                problem(key, "import.error.date")
        if days["intake_date"] is None and values["intake_date"] == "":
            problem("intake_date", "import.error.required")
        outcome = None
        if values.get("outcome"):
            outcome = parse_outcome(values["outcome"])
            if outcome is None:
                problem("outcome", "import.error.outcome")
        if len(problems) == bad:  # the rules of an exit, on well-formed cells
            intake, leave = days["intake_date"], days["exit_date"]
            if leave is not None and outcome is None:
                problem("outcome", "import.error.exit_needs_outcome")
            elif outcome is not None and leave is None:
                problem("exit_date", "import.error.outcome_needs_exit")
            elif leave is not None and intake is not None and leave < intake:
                problem("exit_date", "import.error.exit_before_intake")
        if code:
            key = (_norm(overleg), code)
            if key in seen:
                problem("code", "import.error.duplicate", first=seen[key])
            else:
                seen[key] = line
        if len(problems) == bad:
            rows.append(CaseRow(line, code, overleg, nationality,
                                days["intake_date"], days["exit_date"],  # type: ignore[arg-type]
                                outcome, names))
    if problems:
        raise ImportRefused(problems)
    return rows


def read_file(path: str | Path, *, default_overleg: str | None = None,
              result: ImportResult | None = None) -> list[CaseRow]:
    """Parse and check a CSV or XLSX case list (see :func:`parse_records`)."""
    path = Path(path)
    try:
        return parse_records(records(path), default_overleg=default_overleg, result=result)
    except ImportRefused:
        raise
    except Exception as exc:  # a damaged XLSX, a binary file …: one clear line, no traceback
        raise StoreError(f"{path.name}: cannot be read as CSV or XLSX "
                         f"({type(exc).__name__})") from exc


# -- writing -----------------------------------------------------------------------------------


class _DryRun(Exception):
    """Rolls the transaction of a dry run back after everything was checked and counted."""


def write_rows(store: Store, rows: Sequence[CaseRow], *, create_overleggen: bool = False,
               dry_run: bool = False, progress: Callable[[int], None] | None = None,
               result: ImportResult | None = None) -> ImportResult:
    """Write the rows in one transaction (or, on any problem, nothing)."""
    from db.clock import uuid7
    from db.store.stays import check_exit

    result = result or ImportResult()
    result.rows, result.dry_run = len(rows), dry_run
    problems: list[Problem] = []
    by_name = {_norm(o.name): o.id for o in store.overleggen()}
    wanted = {}
    for row in rows:
        if _norm(row.overleg) not in by_name:
            if create_overleggen:
                wanted.setdefault(_norm(row.overleg), row.overleg)
            else:
                problems.append(Problem(row.line, row.columns.get("overleg", "overleg"),
                                        "import.error.overleg", {"name": row.overleg}))
    if problems:
        raise ImportRefused(problems)
    first_seq = store._next_seq
    try:
        with store._tx() as conn:
            for key, name in wanted.items():
                oid = uuid7()
                store._set(conn, "overleg", oid, oid, {"name": name, "municipality": name})
                by_name[key] = oid
                result.overleggen_created.append(name)
            codes = {
                (oid, code): cid for cid, oid, code in conn.exec_driver_sql(
                    "SELECT id, overleg_id, code FROM casus WHERE deleted = 0")
            }
            for n, row in enumerate(rows, start=1):
                oid = by_name[_norm(row.overleg)]
                try:
                    check_exit(row.intake_date, row.exit_date, row.outcome)
                    written = _write_one(store, conn, oid, row, codes)
                except StoreError as exc:  # a rule of the store: reported like a bad cell
                    column = getattr(exc, "field", "code")
                    problems.append(Problem(row.line, row.columns.get(column, column),
                                            f"import.{getattr(exc, 'code', 'error.invalid')}"))
                    continue
                if written[1]:
                    result.created += 1
                elif written[0]:
                    result.updated += 1
                else:
                    result.unchanged += 1
                if progress is not None:
                    progress(n)
            if problems:
                raise ImportRefused(problems)
            result.ops = store._next_seq - first_seq
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def _write_one(store: Store, conn: Any, oid: str, row: CaseRow,
               codes: dict[tuple[str, str], str]) -> tuple[int, bool]:
    """Write one row: (ops written, whether the case is new)."""
    from db.clock import uuid7

    ops = 0
    cid = codes.get((oid, row.code))
    new = cid is None
    if cid is None:
        cid = uuid7()
        codes[(oid, row.code)] = cid
        ops += store._set(conn, "casus", cid, oid, {
            "code": row.code, "nationality": row.nationality,
            "perspective": d.Perspective.UNDECIDED.value})
    elif row.nationality:
        ops += store._set(conn, "casus", cid, oid, {"nationality": row.nationality})
    stays = [] if new else store._stays(conn, cid)
    same = [s for s in stays if s.intake_date == row.intake_date]
    last = stays[-1] if stays else None
    if same:
        stay_id, number = same[0].id, None
    elif last is None or (last.exit_date is not None and row.intake_date >= last.exit_date):
        stay_id, number = uuid7(), (last.number + 1 if last else 1)
    elif last.lvv_verdict is d.LvvVerdict.NO:
        from db.rules import ValidationError

        raise ValidationError("intake_date", "error.not_admitted")
    else:
        stay_id, number = last.id, None
    values: dict[str, Any] = {
        "intake_date": row.intake_date.isoformat(),
        "exit_date": row.exit_date.isoformat() if row.exit_date else None,
        "outcome_subtype": row.outcome.value if row.outcome else None,
        "outcome_category": row.outcome.category.value if row.outcome else None,
    }
    if number is not None:
        values.update(case_id=cid, number=number)
    ops += store._set(conn, "stay", stay_id, oid, values)
    if ops:
        store._sync_case(conn, cid)
    return ops, new
