"""Opening the local database: SQLCipher encryption, durability settings, migrations.

Every refusal here leaves the file byte-identical: the key is checked with reads only,
the schema version is read before anything is written, and a migration starts with a
backup copy of the file.
"""

from __future__ import annotations

import shutil
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

#: The schema version this code writes. Bump it and add a step to MIGRATIONS.
SCHEMA_VERSION = 13

_SQLITE_HEADER = b"SQLite format 3\x00"


class StoreError(Exception):
    """A database that cannot be opened or used; the message is safe to show."""


class WrongPassphrase(StoreError):
    """The key does not open the file (or the file is damaged)."""


class NotADatabase(StoreError):
    """The file is not an lvv-tui database."""


class EmptyDatabase(NotADatabase):
    """A zero-byte file: only demo, sync and the app's "new database" may fill it."""


class NewerSchema(StoreError):
    """The file was made by a newer lvv-tui."""


class MissingDatabase(StoreError):
    """There is no file at the path."""


def _escape_key(passphrase: str) -> str:
    return "'" + passphrase.replace("'", "''") + "'"


#: prepared statements kept per connection (see :func:`_raw_connect`)
STATEMENT_CACHE = 1024


def _raw_connect(path: Path, passphrase: str):  # noqa: ANN202 - a DB-API connection
    import sqlcipher3

    # The module's statement cache keeps the most used statements and, once full, drops
    # each new one at the next miss: with the default 128, filled by a session's earlier
    # statements, every statement of a save was compiled again at each call (issue 11:
    # the read of a view's facts 65 us instead of 18). 1024 holds a session's set.
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None,
                              cached_statements=STATEMENT_CACHE)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = {_escape_key(passphrase)}")
    return conn


def probe(path: Path, passphrase: str) -> int:
    """Check the key and return the file's schema version, reading only.

    Raises :class:`WrongPassphrase`, :class:`NotADatabase` or :class:`MissingDatabase`.
    """
    import sqlcipher3

    if not path.exists():
        raise MissingDatabase(f"{path}: no such database")
    if path.is_dir():
        raise NotADatabase(f"{path}: is a folder, not a database")
    with path.open("rb") as fh:
        head = fh.read(16)
    size = path.stat().st_size
    if head == _SQLITE_HEADER:
        raise NotADatabase(f"{path}: an unencrypted SQLite file, not an lvv-tui database")
    if size == 0:
        return 0  # open_engine decides: only a command that creates may use it
    if size < 1024 or size % 512:
        raise NotADatabase(f"{path}: not an lvv-tui database (damaged or another kind of file)")
    # Without a WAL to read, open immutable: no -shm or -wal file is created either.
    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    uri = "file:" + urllib.parse.quote(str(path)) + "?" + flags
    conn = sqlcipher3.connect(uri, uri=True, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {_escape_key(passphrase)}")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            raise WrongPassphrase(
                f"{path}: wrong passphrase (or the file is damaged); nothing was changed"
            ) from exc
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


#: ``Connection.info`` flag set by the store around a read: the next BEGIN is deferred.
READING = "lvv_reading"


def make_engine(path: Path, passphrase: str) -> Engine:
    """An engine on one shared SQLCipher connection: writes BEGIN IMMEDIATE, reads a plain
    BEGIN (a snapshot that never blocks a writer: WAL)."""
    raw = _raw_connect(path, passphrase)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = FULL")
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("PRAGMA busy_timeout = 5000")
    # erased means erased (retention, issue 10): deleted or overwritten content is zeroed in
    # the file instead of lingering in free space
    raw.execute("PRAGMA secure_delete = ON")
    engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # on the DB-API connection (the pool's only one): every write pays for this BEGIN
        raw.execute("BEGIN" if conn.info.get(READING) else "BEGIN IMMEDIATE")

    return engine


Migration = Callable[[Connection], None]


def _v1(conn: Connection) -> None:
    from sqlmodel import SQLModel

    import db.tables  # noqa: F401 - registers the tables

    SQLModel.metadata.create_all(conn)


def _migrate_search(conn: Connection) -> None:
    """The full-text search index (FTS5) and the triggers that keep it (idempotent)."""
    from db import search_index

    search_index.create(conn)


def _migrate_escal(conn: Connection) -> None:
    """The escalation threads (issue 16): a table of their own (idempotent)."""
    from db.tables import EscalationRecord

    EscalationRecord.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]


def _migrate_report(conn: Connection) -> None:
    """The ``stay`` table (a case's stays: intake steps and exit); idempotent."""
    from db.tables import Stay

    Stay.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_stay_overleg_intake ON stay (overleg_id, intake_date)")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_stay_case_id ON stay (case_id)")


def _migrate_before(conn: Connection) -> None:
    """Issue 15: agenda versions, partner input, the overleg's agenda lead time (idempotent)."""
    from sqlmodel import SQLModel

    import db.tables_before  # noqa: F401 - registers the two tables in the metadata

    for name in ("agenda_version", "partner_input"):
        SQLModel.metadata.tables[name].create(conn, checkfirst=True)
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_agenda_version_meeting_id "
                         "ON agenda_version (meeting_id)")
    columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(overleg)")}
    if "agenda_lead_days" not in columns:
        conn.exec_driver_sql("ALTER TABLE overleg ADD COLUMN agenda_lead_days INTEGER")


def _migrate_server(conn: Connection) -> None:
    """The quarantine of pulled ops that fail the checks (idempotent)."""
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS op_quarantine (id INTEGER NOT NULL PRIMARY KEY, "
        "op_id VARCHAR NOT NULL, source VARCHAR NOT NULL, reason VARCHAR NOT NULL, "
        "payload VARCHAR NOT NULL, at_ms INTEGER NOT NULL)")
    conn.exec_driver_sql("CREATE UNIQUE INDEX IF NOT EXISTS ux_op_quarantine ON "
                         "op_quarantine (op_id, payload)")


def _migrate_perf(conn: Connection) -> None:
    """An index for the actions of one agenda item: the item screen reads them at every
    step, and without it that read scans every action of the file (18 ms on the pilot)."""
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_action_item_agenda_item_id "
                         "ON action_item (agenda_item_id)")


def _migrate_live(conn: Connection) -> None:
    """Laptop names (issue 17): the ``device`` projection table, if missing."""
    from db.tables import Device

    Device.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]


def _migrate_privacy(conn: Connection) -> None:
    """Ops carry the audience of their record and its organisation; a view its audience;
    a case its sensitive details (``case_detail``), its redaction month; an overleg its
    retention term (issue 10). Idempotent: a column or table is added only if missing."""
    from sqlmodel import SQLModel

    import db.tables  # noqa: F401 - registers the tables

    for table, col, decl in (
            ("op", "audience", "VARCHAR NOT NULL DEFAULT 'overleg'"),
            ("op", "org_id", "VARCHAR NOT NULL DEFAULT ''"),
            ("partner_view", "audience", "VARCHAR"),
            ("casus", "redacted", "VARCHAR"),
            ("overleg", "retention_months", "INTEGER")):
        cols = {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table})")}
        if col not in cols:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {col} {decl}")
    SQLModel.metadata.tables["case_detail"].create(conn, checkfirst=True)


def _migrate_owner_person(conn: Connection) -> None:
    """An action's owner as a named person besides the organisation (issue 13): the
    ``owner_person`` column of ``action_item``, if missing (idempotent)."""
    columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(action_item)")}
    if "owner_person" not in columns:
        conn.exec_driver_sql("ALTER TABLE action_item ADD COLUMN owner_person VARCHAR")


def _migrate_origin(conn: Connection) -> None:
    """Who pushed each pulled op, and when the hub received it (issue 9): the account
    (PostgreSQL) or the pushing laptop (SQLite hub), kept beside the log (idempotent)."""
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS op_origin (op_id TEXT PRIMARY KEY, pushed_by TEXT, "
        "received_at TEXT) WITHOUT ROWID")


def _migrate_index_later(conn: Connection) -> None:
    """Issue 11: the search index triggers fill a queue (``search_pending``) that the store
    catches up after the write's durable commit, instead of writing the index inside it
    (idempotent)."""
    from db import search_index

    search_index.migrate(conn.connection.dbapi_connection)


def _migrate_edges(conn: Connection) -> None:
    """Issue 11: ``op_base`` keyed by (base_id, op_id), without its index on ``base_id``
    (every lookup is by base_id; one b-tree less written at every edit). The table is
    copied in key order through the old index (idempotent: done once)."""
    raw = conn.connection.dbapi_connection
    first = [r[1] for r in raw.execute("PRAGMA table_info(op_base)") if r[5] == 1]
    if first == ["base_id"]:
        return
    raw.execute("CREATE TABLE op_base_new (base_id VARCHAR NOT NULL, op_id VARCHAR NOT NULL, "
                "PRIMARY KEY (base_id, op_id)) WITHOUT ROWID")
    raw.execute("INSERT INTO op_base_new (base_id, op_id) SELECT base_id, op_id FROM op_base "
                "ORDER BY base_id, op_id")
    raw.execute("DROP TABLE op_base")
    raw.execute("ALTER TABLE op_base_new RENAME TO op_base")


#: MIGRATIONS[n] takes a file from version n to n + 1.
MIGRATIONS: dict[int, Migration] = {
    0: _v1, 1: _migrate_search, 2: _migrate_escal, 3: _migrate_report, 4: _migrate_server,
    5: _migrate_perf, 6: _migrate_live, 7: _migrate_privacy, 8: _migrate_before,
    9: _migrate_owner_person, 10: _migrate_origin, 11: _migrate_index_later,
    12: _migrate_edges}


def backup_path(path: Path, version: int) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.name}.v{version}-{stamp}.bak")


def open_engine(path: Path, passphrase: str, *, create: bool = False) -> Engine:
    """Open (or create) the encrypted database at ``path``, migrated to SCHEMA_VERSION."""
    path = Path(path)
    if not passphrase:
        raise WrongPassphrase("an empty passphrase is not allowed")
    if path.exists():
        version = probe(path, passphrase)
        if version == 0 and not create:
            # a zero-byte (or empty) file: only demo, sync and the app's "new database"
            # may turn it into a database; a read-only command leaves it as it is
            raise EmptyDatabase(f"{path}: an empty file, not an lvv-tui database; nothing "
                               "was changed")
    elif create:
        path.parent.mkdir(parents=True, exist_ok=True)
        version = 0
    else:
        raise MissingDatabase(f"{path}: no such database")
    if version > SCHEMA_VERSION:
        raise NewerSchema(
            f"{path}: made by a newer lvv-tui (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); update lvv-tui, nothing was changed"
        )
    if 0 < version < SCHEMA_VERSION:
        _backup(path, passphrase, version)
    engine = make_engine(path, passphrase)
    if version < SCHEMA_VERSION:
        with engine.begin() as conn:
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return engine


def _backup(path: Path, passphrase: str, version: int) -> Path:
    """Copy the file (with its WAL folded in) before a migration touches it."""
    raw = _raw_connect(path, passphrase)
    try:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    target = backup_path(path, version)
    shutil.copy2(path, target)
    return target
