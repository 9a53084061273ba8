"""Words for a published agenda: a version's changes ("punt 4 toegevoegd") and its header.

Shared by the meeting screen, the ``publish`` command and the pack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lvv_tui.i18n import t

if TYPE_CHECKING:
    from db.agenda_versions import Change, Publication


def change_text(change: Change, lang: str | None = None) -> str:
    """One change, e.g. ``punt 4 toegevoegd (C-2026-001)``."""
    text = t(f"publish.change.{change.change}", lang=lang, n=change.number,
             to=change.to if change.to is not None else "")
    return f"{text} ({change.label})" if change.label else text


def version_line(pub: Publication, lang: str | None = None) -> str:
    """``Agenda versie 2, gepubliceerd 2026-03-10``."""
    return t("publish.version", lang=lang, version=pub.version,
             date=pub.published_on.isoformat())


def late_warning(pub: Publication, lead_days: int, lang: str | None = None) -> str | None:
    """The warning for a publication later than the lead time, else None."""
    if not pub.late:
        return None
    return t("publish.late", lang=lang, days=lead_days)
