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


def palette_class() -> type:
    """Textual's command palette with its "No matches found" in the app's language.

    Textual (8.2) writes that text inside the private ``_start_no_matches_countdown``, with
    no public way to change it; this subclass replaces that one method and nothing else.
    ``tests/screens/test_closeout_palette.py`` fails when Textual's method changes, so the
    copy is looked at again then.
    """
    from rich.align import Align
    from rich.text import Text
    from textual.command import CommandList, CommandPalette
    from textual.widgets.option_list import Option

    class LvvCommandPalette(CommandPalette):
        def _start_no_matches_countdown(self, search_value: str) -> None:
            self._stop_no_matches_countdown()

            def show_no_matches() -> None:
                if search_value:  # searching found nothing: say so, in our words
                    self.query_one(CommandList).add_option(Option(
                        Align.center(Text(t("syscmd.no_matches"), style="not bold")),
                        disabled=True, id=self._NO_MATCHES))
                    self._list_visible = True
                else:  # discover mode: nothing to say
                    self._list_visible = False

            self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN,
                                                    show_no_matches)

    return LvvCommandPalette
