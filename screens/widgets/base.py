"""What every screen of the app shares: the app's context, translated bindings, palette
commands, and store calls off the loop.

Every screen mixes in :class:`ScreenBase` (or :class:`StoreMixin`, which adds the store):
``self.ctx`` is the app's typed :class:`~screens.context.AppContext`; the footer and the help
show each binding's text from the catalog; ``palette_commands()`` feeds the command palette
through :class:`ScreenCommands` (a ``Screen.COMMANDS`` provider). Screens never touch the
database on the event loop: :meth:`StoreMixin.call_store` runs a store call in a thread
worker and hands the result (or the error) back on the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import ActiveBinding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker

from lvv_tui.i18n import error_text, t
from screens.context import AppContext, context_of
from screens.keys import described_active

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


#: A palette command: (title, help text, callback).
PaletteCommand = tuple[str, str, Callable[[], Any]]


class ScreenBase:
    """Mixed into every screen (before ``Screen``/``ModalScreen``)."""

    @property
    def ctx(self: DOMNode) -> AppContext:
        """The app's context (store, today, clock, timers, overleg, sync state, config)."""
        return context_of(self)

    @property
    def active_bindings(self: Screen[Any]) -> dict[str, ActiveBinding]:
        """Textual's active bindings, each with its text from the catalog (footer, keys)."""
        return described_active(super().active_bindings)

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands for the palette while this screen is on top (none by default)."""
        return []


class CommandsProvider(Provider):
    """A palette provider over a list of :data:`PaletteCommand` (subclasses give it)."""

    def commands(self) -> list[PaletteCommand]:
        return []

    async def discover(self) -> Hits:
        for title, help_text, callback in self.commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


class ScreenCommands(CommandsProvider):
    """``Screen.COMMANDS`` provider: the ``palette_commands()`` of the screen below the
    palette ("go to item 3", "record decision" …)."""

    def commands(self) -> list[PaletteCommand]:
        screen = self.screen
        return screen.palette_commands() if isinstance(screen, ScreenBase) else []


class StoreMixin(ScreenBase):
    """For screens: the app's store and a way to call it in a thread worker."""

    @property
    def store(self) -> Store:
        store = self.ctx.store
        if store is None:  # pragma: no cover - screens are only pushed after unlocking
            raise RuntimeError("the store is not open")
        return store

    def call_store(
        self: Screen[Any],
        job: Callable[[], Any],
        done: Callable[[Any], None],
        *,
        group: str,
        description: str,
        failed: Callable[[Exception], None] | None = None,
        exclusive: bool = True,
    ) -> Worker:
        """Run ``job`` (store calls only) in a thread; ``done(result)`` on the event loop.

        Loads are ``exclusive``: a newer load replaces an older one in the same group, and
        the older one's result, if its thread still finishes, is dropped (a search for
        ``DEMO-U`` must not overwrite the answer for ``DEMO-UTR-0014`` that came first).
        Saves pass ``exclusive=False`` so that no edit is ever dropped.
        """
        app = self.app
        worker: Worker | None = None

        def current(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def deliver(value: Any) -> None:  # on the event loop, where cancelling happens
                if not (exclusive and worker is not None and worker.is_cancelled):
                    callback(value)
            return deliver

        def run() -> None:
            try:
                result = job()
            except Exception as exc:  # shown to the user; the app keeps running
                app.call_from_thread(current(failed or self.report_error), exc)
                return
            app.call_from_thread(current(done), result)

        worker = self.run_worker(
            run, thread=True, exclusive=exclusive, exit_on_error=False, group=group,
            description=description,
        )
        return worker

    def report_error(self: DOMNode, exc: Exception) -> None:
        self.app.notify(
            error_text(exc), title=t("app.error"), severity="error", markup=False)


def after_pending_keys(node: DOMNode, callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the keys typed before the current one have been handled, and
    before any typed after it.

    A priority binding (``ctrl+s`` to save) fires when the app receives the key, which can be
    before the focused field has inserted the characters typed just before it: saving at
    once would lose them (seen in tmux: ``31-02-2026`` then ``ctrl+s`` in one burst saved
    ``31-02-202``). The app hands each key straight to the focused widget's queue, in order,
    and runs a priority binding before it reads the next key; so the callback queued on the
    focused widget now comes after the earlier keys and before the later ones (queued first
    on the screen, keys typed after ``ctrl+s`` got in before it: ``snel tweenp``).
    """
    screen = node if isinstance(node, Screen) else node.screen
    focused = screen.focused
    (screen if focused is None else focused).call_later(callback)


class QuietFooter(Footer):
    """A :class:`~textual.widgets.Footer` that recomposes only when its keys change.

    Textual's ``Footer`` recomposes all its keys whenever the screen's bindings may have
    changed, which is on every change of focus: stepping from a case item to a general item
    (whose views table is hidden, so the focus moves) and back costs a recompose each way,
    more than a frame at pilot scale, while the keys it shows are the same. This footer
    compares what it would show with what it shows and skips the recompose when they are equal.
    """

    _shown: tuple | None = None

    @staticmethod
    def keys(screen: Screen) -> tuple:
        """What the footer shows for ``screen``: key, label, shown, enabled, tooltip."""
        return tuple((binding.key, binding.key_display, binding.description, binding.show,
                      enabled, tooltip)
                     for _node, binding, enabled, tooltip in screen.active_bindings.values())

    def bindings_changed(self, screen: Screen) -> None:
        mine = self.is_attached and screen is self.screen and screen.app.app_focus
        keys = self.keys(screen) if mine else None
        if mine and keys == self._shown:
            return
        super().bindings_changed(screen)
        if mine:
            self._shown = keys
