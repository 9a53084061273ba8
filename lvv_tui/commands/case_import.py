"""``lvv-tui import cases FILE``: existing case lists (CSV as Excel writes it, or XLSX)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lvv_tui.cli import CliError, add_db_arg, db_path, open_store

#: from this many rows on, a progress bar on stderr
PROGRESS_FROM = 500


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import existing case lists (CSV or XLSX)")
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    c = what.add_parser(
        "cases",
        help="import cases: code, overleg, nationality, intake and exit date, outcome",
        description="Import a case list: CSV (UTF-8 with or without BOM, ';' or ',', dates "
        "dd-mm-jjjj or jjjj-mm-dd) or XLSX, with a header row in Dutch or English. All or "
        "nothing: any bad row refuses the whole file (exit 1) with every problem listed by "
        "line (the header is line 1) and column. Importing the same file again changes "
        "nothing.",
    )
    c.add_argument("file", metavar="FILE", help="the CSV or XLSX file")
    add_db_arg(c)
    c.add_argument("--overleg", metavar="NAME", help="the overleg of rows without one")
    c.add_argument("--create-overleggen", action="store_true",
                   help="create overleggen the database does not know yet")
    c.add_argument("--dry-run", action="store_true", help="check and count; write nothing")
    c.add_argument("--lang", dest="import_lang", choices=("nl", "en"),
                   help="language of the messages (default: --lang of lvv-tui, else nl)")
    c.set_defaults(func=cmd_import_cases)


def problem_lines(problems: list, lang: str) -> list[str]:  # noqa: ANN001
    """One line per problem, in the user's language (never the cell's contents)."""
    from lvv_tui.i18n import t

    out = []
    for p in problems:
        text = t(p.code, lang=lang, **p.params)
        out.append(t("import.problem", lang=lang, line=p.line, column=p.column, text=text))
    return out


def cmd_import_cases(args: argparse.Namespace) -> int:
    from db.case_import import ImportRefused, ImportResult, read_file
    from db.engine import StoreError
    from lvv_tui.i18n import t

    lang = args.import_lang or getattr(args, "lang", None) or "nl"
    path = Path(args.file)
    if not path.is_file():
        raise CliError(t("import.no_file", lang=lang, path=path))
    result = ImportResult()
    try:
        rows = read_file(path, default_overleg=args.overleg, result=result)
    except ImportRefused as exc:
        return _refused(exc, lang)
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    # a new database only when the import can create the overleggen it needs
    store = open_store(db_path(args), create=args.create_overleggen and not args.dry_run)
    try:
        try:
            with _progress(len(rows), lang) as advance:
                store.import_cases(rows, create_overleggen=args.create_overleggen,
                                   dry_run=args.dry_run, progress=advance, result=result)
        except ImportRefused as exc:
            return _refused(exc, lang)
        except StoreError as exc:
            raise CliError(str(exc)) from exc
    finally:
        store.close()
    key = "import.done_dry" if args.dry_run else "import.done"
    print(t(key, lang=lang, path=path.name, rows=result.rows, created=result.created,
            updated=result.updated, unchanged=result.unchanged, ops=result.ops))
    if result.overleggen_created:
        print(t("import.overleggen_created", lang=lang,
                names=", ".join(result.overleggen_created)))
    if result.ignored_columns:
        print(t("import.ignored", lang=lang, columns=", ".join(result.ignored_columns)),
              file=sys.stderr)
    return 0


def _refused(exc: object, lang: str) -> int:
    from lvv_tui.i18n import t

    problems = exc.problems  # type: ignore[attr-defined]
    for line in problem_lines(problems, lang):
        print(line, file=sys.stderr)
    print(t("import.refused", lang=lang, n=len(problems)), file=sys.stderr)
    return 1


class _progress:
    """A rich progress bar on stderr for big files; a no-op for small ones."""

    def __init__(self, total: int, lang: str) -> None:
        self.total = total
        self.lang = lang
        self.bar = None

    def __enter__(self):  # noqa: ANN204
        if self.total < PROGRESS_FROM:
            return lambda n: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from lvv_tui.i18n import t

        self.bar = Progress(TextColumn(t("import.progress", lang=self.lang)), BarColumn(),
                            MofNCompleteColumn(), console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("import", total=self.total)
        step = max(1, self.total // 100)

        def advance(n: int) -> None:
            if n % step == 0 or n == self.total:
                self.bar.update(task, completed=n)  # type: ignore[union-attr]

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
