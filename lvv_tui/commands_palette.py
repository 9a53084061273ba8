"""The app-wide commands of the palette (``ctrl+p``): case register, help.

A screen adds its own commands (e.g. "go to item 3", "record decision") through its
``palette_commands()``: its ``COMMANDS`` holds :class:`screens.widgets.base.ScreenCommands`.
"""

from __future__ import annotations

from functools import partial

from lvv_tui.i18n import t
from screens.context import context_of
from screens.widgets.base import CommandsProvider, PaletteCommand


class LvvCommands(CommandsProvider):
    """Commands of lvv-tui that work on every screen."""

    def commands(self) -> list[PaletteCommand]:
        app = self.app
        out: list[PaletteCommand] = []
        if context_of(self.screen).store is not None:
            out.append((t("cmd.case_register"), t("cmd.case_register_help"),
                        partial(app.run_action, "case_register")))
            out.append((t("cmd.search"), t("cmd.search_help"),
                        partial(app.run_action, "search")))
            out.append((t("cmd.escalations"), t("cmd.escalations_help"),
                        partial(app.run_action, "escalations")))
            out.append((t("cmd.report"), t("cmd.report_help"),
                        partial(app.run_action, "monitoring_report")))
        out.append((t("cmd.help"), t("cmd.help_help"), partial(app.run_action, "help")))
        return out
