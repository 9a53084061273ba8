"""Joining: an empty laptop's first pull as one snapshot instead of window after window.

:func:`join` is called by :func:`db.sync.sync_once` when the laptop's log is empty and
its cursor for the hub is 0: it opens the hub's snapshot (:mod:`db.hub_snapshot`: one
consistent read, row-level security as for a pull) and loads it in one local transaction
(:meth:`db.store.Store.load_snapshot`: the pull's checks and quarantine, the projection
rebuilt in SQL, the cursor set to the snapshot's top). Ordinary pulls go on from there.
Cut off anywhere, the laptop is as empty as before and the next round joins again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from db.hub import Hub

#: ``progress(done, total)``: ops of the snapshot loaded so far, of how many
Progress = Callable[[int, int], None]


def join(store: Any, hub: Hub, report: Any, batch: int, hook: Callable[[str], None],
         progress: Progress | None = None) -> bool:
    """Load the hub's snapshot into ``store`` (empty); fills ``report`` (a
    :class:`db.sync.SyncReport`). False when the laptop was written to meanwhile: nothing
    was loaded, the caller pulls as usual."""
    from db.hub_snapshot import open_snapshot

    with open_snapshot(hub) as snap:
        done = [0]

        def on_chunk(n: int) -> None:
            hook("pull:fetched")
            done[0] += n
            if progress is not None:
                progress(done[0], snap.total)

        if progress is not None:
            progress(0, snap.total)
        origins: dict[str, tuple[str, str]] = {}  # of the chunk being loaded
        result = store.load_snapshot(snap.chunks(batch, origins), server=report.key,
                                     cursor=snap.top, source=hub.display, on_chunk=on_chunk,
                                     origins=origins)
    if result is None:
        return False
    hook("pull:applied")
    _log_pull(hub, snap.top)
    report.cursor = snap.top
    report.pulled += result.applied
    report.skewed += result.skewed
    report.quarantined += result.quarantined
    report.changes.extend(result.changes)
    return True


def _log_pull(hub: Hub, top: int) -> None:
    """The snapshot was a pull of (0, top]: logged on the server like every pull (issue 10;
    the snapshot's read-only transaction could not write the log itself)."""
    if not hub.is_pg or top <= 0:
        return
    from sqlalchemy import exc as sa_exc

    from db.hub import translate

    conn = hub.connect()
    try:
        with conn.begin():
            conn.exec_driver_sql("SELECT lvv_log_pull(0, %(top)s)", {"top": top})
    except sa_exc.SQLAlchemyError as exc:
        hub._drop_broken()
        raise translate(exc, hub.display) from exc


__all__ = ["Progress", "join"]
