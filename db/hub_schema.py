"""The hub's tables, the errors of a sync round and a push's result: shared by the hub
(:mod:`db.hub`) and the push paths (:mod:`db.hub_push`) without an import cycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text

hub_metadata = MetaData()

#: The hub's op table: the wire columns plus ``server_seq``.
hub_ops = Table(
    "ops",
    hub_metadata,
    Column("server_seq", BigInteger, nullable=False, unique=True),
    Column("id", Text, primary_key=True),
    Column("device_id", Text, nullable=False),
    Column("device_seq", BigInteger, nullable=False),
    Column("hlc", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("overleg_id", Text, nullable=False),
    Column("entity", Text, nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("field", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("base", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("audience", Text, nullable=False, server_default="overleg"),
    Column("org_id", Text, nullable=False, server_default=""),
    # who pushed it (no accounts on a SQLite hub: the pushing laptop) and when
    Column("pushed_by", Text),
    Column("received_at", Text),
)

#: Hub facts: ``hub_id`` (random, names the hub in local cursors), ``schema_version``.
hub_meta = Table(
    "lvv_hub",
    hub_metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)


# ---------------------------------------------------------------------------------------
# errors and results
# ---------------------------------------------------------------------------------------


class SyncError(Exception):
    """A sync round that could not finish. The message is one line, safe to show.

    ``report``: what the round had moved before it stopped (set by ``sync_once``).
    """

    report: Any = None


class BadServerURL(SyncError):
    """The server URL is not a PostgreSQL or ``sqlite:///`` URL."""


class ServerUnavailable(SyncError):
    """The server did not answer (offline, down, share not mounted, busy)."""


class ServerRefused(SyncError):
    """The server answered but said no (login, rights, row-level security, no schema).

    ``forbidden`` is True when it was a matter of rights (SQLSTATE 42501): e.g. ops of an
    overleg this account has no access to.
    """

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden


@dataclass
class PushResult:
    """What one push batch did on the hub."""

    stored: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    """Op id -> reason, when the hub refused the batch (then nothing was stored)."""
    last_seq: int = 0
    first_seq: int = 0
    """The stored ops received ``first_seq .. first_seq + len(stored) - 1`` (0: unknown)."""

    def numbered(self) -> tuple[int, int]:
        """(first number, how many) the stored ops received, when they are one run."""
        if self.first_seq and self.stored:
            return self.first_seq, len(self.stored)
        return 0, 0

    @property
    def rejected(self) -> list[str]:
        """The refused op ids."""
        return list(self.refused)
