"""Import boundaries: ``db`` stays headless; screens reach data only through the store."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: What screens may import of ``db``: the store, the domain objects, the engine's errors.
SCREENS_MAY_USE = {"db", "db.store", "db.domain", "db.engine"}
#: Never in screens: raw tables, sessions, SQL.
SCREENS_MUST_NOT = ("sqlalchemy", "sqlmodel", "sqlcipher3", "sqlite3", "psycopg")


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in a file, ``from a import b`` as ``a.b`` too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "db":
                found += [(node.lineno, f"db.{alias.name}") for alias in node.names]
    return found


def test_db_imports_nothing_of_the_ui() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in sorted((ROOT / "db").rglob("*.py"))
        for line, name in imports(path)
        if name.split(".")[0] in ("textual", "lvv_tui", "screens", "rich")
    ]
    assert bad == []


def test_screens_reach_data_only_through_the_store() -> None:
    bad = []
    for path in sorted((ROOT / "screens").rglob("*.py")):
        for line, name in imports(path):
            top = name.split(".")[0]
            if top == "db" and name not in SCREENS_MAY_USE:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {name}")
            if top in SCREENS_MUST_NOT:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {name}")
    assert bad == []


def test_start_up_does_not_import_heavy_modules() -> None:
    """Importing the CLI and the app (and building both) loads neither psycopg nor docx."""
    code = (
        "import sys\n"
        "import lvv_tui.cli as cli\n"
        "cli.build_parser()\n"
        "from lvv_tui.app import LvvApp\n"
        "from lvv_tui.config import Config\n"
        "LvvApp(Config())\n"
        "import screens.meetings, screens.meeting, screens.item\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'docx'))\n"
        "print(','.join(heavy))\n"
    )
    # from another folder: the packages as installed, not as found in the checkout
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT.anchor, check=True)
    assert out.stdout.strip() == ""
