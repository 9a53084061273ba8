"""Files that leave the app say that they hold personal data: in their name and first line.

Every export and pack written to disk goes through :func:`marked_path` (the name gains
``PERSOONSGEGEVENS`` unless it says so already) and starts with :func:`first_line`.
Output to stdout (``-o -``) is not a file on disk and is left as it is.
"""

from __future__ import annotations

from pathlib import Path

from lvv_tui.i18n import t

#: The word every exported file name carries.
MARK = "PERSOONSGEGEVENS"


def marked_path(path: str | Path) -> Path:
    """``verslag.md`` → ``verslag.PERSOONSGEGEVENS.md``; a name that says so stays."""
    path = Path(path)
    if MARK.lower() in path.name.lower():
        return path
    return path.with_name(f"{path.stem}.{MARK}{path.suffix}")


def first_line(lang: str = "nl") -> str:
    """The warning that opens every exported file (in the document's language)."""
    return t("export.personal_data", lang=lang)


def md_first_line(lang: str = "nl") -> str:
    return f"**{first_line(lang)}**\n\n"


def html_first_line(lang: str = "nl") -> str:
    """An HTML comment (a comment may precede the doctype); the page shows it again."""
    return f"<!-- {first_line(lang)} -->\n"
