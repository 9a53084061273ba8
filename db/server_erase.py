"""The owner's erasure on the shared database (retention, issue 10): run
``lvv_erase_redacted()`` (see :mod:`db.retention_sql`) and VACUUM on PostgreSQL; on a SQLite
hub the same erasure in Python."""

from __future__ import annotations

from typing import Any

from db.retention import KEEP_AS


def erase_on_server(url: str) -> int:
    """Run the erasure as the owner (PostgreSQL), then VACUUM ``ops``; on a SQLite hub
    erase its ``ops`` the same way in Python. Returns the number of op values erased."""
    from sqlalchemy import exc as sa_exc

    from db.hub import Hub, translate

    hub = Hub(url, create=False)
    try:
        if not hub.is_pg:
            return _erase_sqlite_hub(hub)
        conn = hub.connect()
        try:
            with conn.begin():
                n = int(conn.exec_driver_sql("SELECT lvv_erase_redacted()").scalar_one())
            conn.commit()
            vac = conn.execution_options(isolation_level="AUTOCOMMIT")
            vac.exec_driver_sql("VACUUM ops")
        except sa_exc.SQLAlchemyError as exc:
            raise translate(exc, hub.display) from exc
        finally:
            conn.close()
        return n
    finally:
        hub.close()


def _erase_sqlite_hub(hub: Any) -> int:
    """A SQLite hub (one trust domain, no roles): its ops erased as a laptop erases its op
    log, with secure_delete and a truncating checkpoint."""
    from db.retention import kept_value, records

    conn = hub.connect()
    try:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA secure_delete = ON")
        with conn.begin():
            cases = [r[0] for r in raw.execute(
                "SELECT DISTINCT entity_id FROM ops WHERE entity = 'casus' AND "
                "field = 'redacted' AND value <> 'null'")]
            n = 0
            for entity, ids in records(raw, cases, table="ops").items():
                fields = KEEP_AS.get(entity, {})
                for eid in sorted(ids):
                    rows = raw.execute(
                        "SELECT server_seq, field, value FROM ops WHERE entity = ? AND "
                        "entity_id = ?", (entity, eid)).fetchall()
                    todo = [(new, seq) for seq, field, value in rows if field in fields
                            and (new := kept_value(fields[field], value)) != value]
                    raw.executemany("UPDATE ops SET value = ? WHERE server_seq = ?", todo)
                    n += len(todo)
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return n
    finally:
        conn.close()


__all__ = ["erase_on_server"]
