"""Subcommands of the lvv-tui CLI: one module each, with a ``register`` function."""
