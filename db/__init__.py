"""The data layer of lvv-tui: tables, op log and clock, store, sync, migrations.

Imports nothing of Textual and nothing of the other packages of this project (a test
checks it), so it can be used from scripts, the CLI and the server tools alike.
"""
