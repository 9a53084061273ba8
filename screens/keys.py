"""Key bindings by id, on Textual's public API only.

Every binding of a screen or widget is declared in its class's ``BINDINGS`` with a kebab-case
``id`` and an English description; the text shown (footer, help, tooltips) is the catalog's
``binding.<id>``, looked up when the bindings are shown, so a language chosen at start-up
applies to classes defined before it. The user's ``[keymap]`` (binding id = keys) reaches
Textual through ``App.set_keymap``. :func:`registry` lists every binding of the screens by id
(the help screen, the keymap and the tests read it).
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from functools import lru_cache

from textual.app import App
from textual.binding import ActiveBinding, Binding
from textual.dom import DOMNode

from lvv_tui.i18n import language, t


def described(binding: Binding) -> Binding:
    """``binding`` with the catalog's text (``binding.<id>``) as description and tooltip."""
    if not binding.id:
        return binding
    return _described(binding, language())


@lru_cache(maxsize=1024)
def _described(binding: Binding, lang: str) -> Binding:
    key = f"binding.{binding.id}"
    text = t(key, lang=lang)
    if text == key:
        return binding
    return dataclasses.replace(binding, description=text, tooltip=text)


def described_active(active: Mapping[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """Active bindings (``Screen.active_bindings``) with the catalog's descriptions."""
    out: dict[str, ActiveBinding] = {}
    for key, (node, binding, enabled, tooltip) in active.items():
        shown = described(binding)
        out[key] = ActiveBinding(node, shown, enabled,
                                 shown.tooltip if shown is not binding else tooltip)
    return out


def declared(cls: type[DOMNode]) -> list[Binding]:
    """The bindings a class declares in ``BINDINGS``, its bases' first (as Textual merges)."""
    found: list[Binding] = []
    for base in reversed(cls.__mro__):
        if issubclass(base, DOMNode):
            found.extend(Binding.make_bindings(base.__dict__.get("BINDINGS", [])))
    return found


def _by_id(bindings: Iterable[Binding]) -> dict[str, Binding]:
    """Compound keys expanded by Textual joined again: one binding per id."""
    out: dict[str, Binding] = {}
    for binding in bindings:
        if not binding.id:
            continue
        if binding.id in out:
            first = out[binding.id]
            if binding.key not in first.key.split(","):
                out[binding.id] = dataclasses.replace(first, key=f"{first.key},{binding.key}")
        else:
            out[binding.id] = binding
    return out


def help_rows(nodes: Iterable[DOMNode], app: App[object],
              keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(keys, description, id) of every binding with an id of ``nodes``, keymap applied."""
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for node in nodes:
        for binding_id, binding in _by_id(declared(type(node))).items():
            if binding_id in seen or binding.system:
                continue
            seen.add(binding_id)
            keys = keymap.get(binding_id) or binding.key
            shown = ", ".join(app.get_key_display(Binding(k.strip(), ""))
                              for k in keys.split(",") if k.strip())
            rows.append((shown or binding.key, described(binding).description, binding_id))
    return rows


def registry() -> dict[str, list[tuple[str, Binding]]]:
    """Every binding of every screen and widget class by id: ``{id: [(class, binding)]}``.

    Imports every module of :mod:`screens` (for the help of the keymap and the tests, not
    at start-up).
    """
    import screens

    classes: list[type[DOMNode]] = []
    for info in pkgutil.walk_packages(screens.__path__, "screens."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, DOMNode)
                    and value.__module__ == module.__name__):
                classes.append(value)
    out: dict[str, list[tuple[str, Binding]]] = {}
    for cls in classes:
        for binding_id, binding in _by_id(declared(cls)).items():
            entries = out.setdefault(binding_id, [])
            if all(existing != binding for _name, existing in entries):
                entries.append((f"{cls.__module__}.{cls.__qualname__}", binding))
    return out
