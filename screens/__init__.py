"""Textual screens of lvv-tui: one screen per file, its ``.tcss`` beside it."""
