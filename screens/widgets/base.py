"""What every screen of the app shares: translated bindings and store calls off the loop.

Screens never touch the database on the event loop: :meth:`StoreMixin.call_store` runs a
store call in a thread worker and hands the result (or the error) back on the loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen
from textual.worker import Worker

from lvv_tui.i18n import t

if TYPE_CHECKING:
    from db.store import Store


_CONTROL = {c: chr(0x2400 + c) for c in range(32) if c not in (9, 10)} | {127: "\u2421"}


def literal(text: str | None, *, one_line: bool = False, limit: int | None = None) -> Text:
    """User text as a Rich ``Text``: no markup, control characters shown as symbols.

    ``[red]x[/red]`` stays ``[red]x[/red]``; an ESC becomes ``␛`` instead of reaching
    the terminal. ``one_line`` folds newlines (for table cells); ``limit`` shortens.
    """
    value = (text or "").translate(_CONTROL)
    if one_line:
        value = " ".join(value.split())
    if limit is not None and len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    return Text(value)


def localise_bindings(node: DOMNode) -> None:
    """Give every binding with an id its description from the catalog (``binding.<id>``)."""
    keys: dict[str, list] = {}
    for key, binding in node._bindings:
        if binding.id:
            text = t(f"binding.{binding.id}")
            if text != f"binding.{binding.id}":
                binding = dataclasses.replace(binding, description=text, tooltip=text)
        keys.setdefault(key, []).append(binding)
    node._bindings = BindingsMap.from_keys(keys)


def error_text(exc: BaseException) -> str:
    """A message for the user: validation codes through the catalog, else the store's text."""
    code = getattr(exc, "code", None)
    if isinstance(code, str):
        return t(code, **getattr(exc, "params", {}))
    from db.store import Locked

    if isinstance(exc, Locked):
        return t("error.locked")
    return str(exc) or type(exc).__name__


class StoreMixin:
    """For screens: the app's store and a way to call it in a thread worker."""

    @property
    def store(self) -> Store:
        store = self.app.store  # type: ignore[attr-defined]
        if store is None:  # pragma: no cover - screens are only pushed after unlocking
            raise RuntimeError("the store is not open")
        return store

    def call_store(
        self,
        job: Callable[[], Any],
        done: Callable[[Any], None],
        *,
        group: str,
        description: str,
        failed: Callable[[Exception], None] | None = None,
        exclusive: bool = True,
    ) -> Worker:
        """Run ``job`` (store calls only) in a thread; ``done(result)`` on the event loop.

        Loads are ``exclusive`` (a newer load replaces an older one in the same group);
        saves pass ``exclusive=False`` so that no edit is ever dropped.
        """
        app = self.app  # type: ignore[attr-defined]

        def run() -> None:
            try:
                result = job()
            except Exception as exc:  # shown to the user; the app keeps running
                app.call_from_thread(failed or self.report_error, exc)
                return
            app.call_from_thread(done, result)

        return self.run_worker(  # type: ignore[attr-defined]
            run, thread=True, exclusive=exclusive, exit_on_error=False, group=group,
            description=description,
        )

    def report_error(self, exc: Exception) -> None:
        self.app.notify(  # type: ignore[attr-defined]
            error_text(exc), title=t("app.error"), severity="error", markup=False)


def after_pending_keys(node: DOMNode, callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the keys typed before the current one have been handled.

    A priority binding (``ctrl+s`` to save) fires when the app receives the key, which can be
    before the screen has passed the characters typed just before it on to the focused field
    and before the field has inserted them: saving at once would lose them (seen in tmux:
    ``31-02-2026`` then ``ctrl+s`` in one burst saved ``31-02-202``). Messages of a pump are
    handled in order, so queue the callback behind them: first on the screen, then on the
    focused widget.
    """
    screen = node if isinstance(node, Screen) else node.screen

    def on_focused() -> None:
        focused = screen.focused
        if focused is None:
            callback()
        else:
            focused.call_later(callback)

    screen.call_later(on_focused)
