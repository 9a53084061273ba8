"""Command palette provider: the app's commands, plus what fits the current screen.

Every screen may offer ``palette_commands()`` -> ``[(title, help, callback)]``; the
provider lists those first (e.g. "go to item 3", "record decision"), then the app-wide
ones (case register, help).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from lvv_tui.i18n import t

Command = tuple[str, str, Callable[[], object]]


class LvvCommands(Provider):
    """Commands of lvv-tui for the palette (``ctrl+p``)."""

    def _commands(self) -> list[Command]:
        screen = self.screen
        commands: list[Command] = []
        offer = getattr(screen, "palette_commands", None)
        if callable(offer):
            commands.extend(offer())
        app = self.app
        if getattr(app, "store", None) is not None:
            commands.append((t("cmd.case_register"), t("cmd.case_register_help"),
                             partial(app.run_action, "case_register")))
            commands.append((t("cmd.search"), t("cmd.search_help"),
                             partial(app.run_action, "search")))
            commands.append((t("cmd.escalations"), t("cmd.escalations_help"),
                             partial(app.run_action, "escalations")))
            commands.append((t("cmd.report"), t("cmd.report_help"),
                             partial(app.run_action, "monitoring_report")))
        commands.append((t("cmd.help"), t("cmd.help_help"), partial(app.run_action, "help")))
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
