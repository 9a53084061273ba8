"""Translations: Dutch first, English complete.

Catalogs are JSON files in ``lvv_tui/locales`` named ``<area>.<lang>.json`` (flat
``key -> text`` maps); all areas of a language are merged. Texts use ``str.format``
placeholders: ``t("error.too_long", limit=20000)``. A test checks that every language
has exactly the same keys.
"""

from __future__ import annotations

import json
from enum import Enum
from functools import cache
from importlib import resources

LANGUAGES = ("nl", "en")
_current = "nl"


@cache
def catalog(lang: str) -> dict[str, str]:
    """All keys of one language."""
    merged: dict[str, str] = {}
    folder = resources.files("lvv_tui.locales")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        name = entry.name
        if name.endswith(f".{lang}.json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            clash = merged.keys() & data.keys()
            if clash:
                raise ValueError(f"{name}: keys defined twice: {sorted(clash)[:5]}")
            merged.update(data)
    return merged


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    _current = lang


def language() -> str:
    return _current


def t(key: str, /, lang: str | None = None, **params: object) -> str:
    """The text for ``key`` in the current language (the key itself if missing)."""
    text = catalog(lang or _current).get(key)
    if text is None:
        text = catalog("nl").get(key, key)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def label(value: Enum, lang: str | None = None) -> str:
    """The word for an enum value of :mod:`db.domain`, e.g. ``label(Position.RETURN)``."""
    return t(f"{type(value).__name__}.{value.value}", lang=lang)


def error_text(exc: BaseException) -> str:
    """A store refusal in the user's language, one line: a validation code through the
    catalog, a locked record as such, else the store's own text (screens and commands)."""
    code = getattr(exc, "code", None)
    if isinstance(code, str):
        return t(code, **getattr(exc, "params", {}))
    from db.store import Locked

    if isinstance(exc, Locked):
        return t("error.locked")
    return str(exc) or type(exc).__name__
