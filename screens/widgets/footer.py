"""The footer of the chair's screens: the keys, redrawn only when they change.

Textual's ``Footer`` recomposes all its keys whenever the screen's bindings may have
changed, which is on every change of focus: stepping from a case item to a general item
(whose views table is hidden, so the focus moves) and back costs a recompose each way,
more than a frame at pilot scale, while the keys it shows are the same. This footer
compares what it would show with what it shows and skips the recompose when they are equal.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class QuietFooter(Footer):
    """A :class:`~textual.widgets.Footer` that recomposes only when its keys change."""

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
