"""lvv-tui: the shell of the app — App, CLI, config and paths, i18n, minutes rendering."""

__version__ = "0.1.0"
