"""Textual's own palette entries (Keys, Maximize, Quit, Screenshot, Theme …) in the app's
language: titles and help from the catalog (``syscmd.<Title>`` / ``syscmd.<Title>.help``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from textual.app import SystemCommand

from lvv_tui.i18n import t


def translated(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """The same commands with their words from the catalog (unknown titles stay)."""
    for command in commands:
        key = f"syscmd.{command.title}"
        title = t(key)
        help_key = f"{key}.help"
        help_text = t(help_key)
        yield command._replace(
            title=command.title if title == key else title,
            help=command.help if help_text == help_key else help_text,
        )


def palette_placeholder() -> str:
    return t("syscmd.placeholder")
