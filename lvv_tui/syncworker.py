"""The background sync loop of the app: a round every few seconds while the server answers,
at once on a PostgreSQL ``NOTIFY``, backing off while it does not.

Plain threads, no Textual: the app gives ``on_change`` (called from the loop's thread with
each new :class:`SyncState`) and hops to its event loop itself. A failure of any kind leaves
the app working offline; the loop never raises into the app.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

#: Longest wait between rounds while the server does not answer (seconds).
MAX_BACKOFF = 60.0


@dataclass(frozen=True)
class SyncState:
    """What the header shows."""

    phase: str = "idle"
    """``idle`` (not yet), ``syncing``, ``synced`` or ``offline``."""
    unsynced: int = 0
    conflicts: int = 0
    last_sync_ms: int | None = None
    """Wall time of the last successful round (ms since the epoch)."""
    message: str = ""
    """Why the last round failed (one line, no personal data)."""
    rounds: int = 0
    """Rounds finished (successful or not)."""
    refused: int = 0
    """In the last round: local ops the server refused (it holds their id with other
    contents; they stay unsynced and are refused again each round), local ops of an overleg
    this account may not write (kept, not sent), plus received ops set aside because their
    id is known with other contents (kept in the local alarm table). Never applied, never
    overwritten."""
    quarantined: int = 0
    """Pulled ops that failed the checks: kept aside, never applied (``lvv-tui check``)."""


class SyncLoop:
    """``SyncLoop(store, url, on_change=...)``; :meth:`start`, :meth:`wake`, :meth:`stop`."""

    def __init__(
        self,
        store: Any,
        server: str,
        *,
        interval: float = 5.0,
        on_change: Callable[[SyncState], None] | None = None,
        listen: bool = True,
        batch: int = 2000,
    ) -> None:
        self.store = store
        self.server = server
        self.interval = max(0.05, interval)
        self.on_change = on_change or (lambda _state: None)
        self.listen = listen
        self.batch = batch
        """Ops per transaction: small, so the screens' own store calls never wait long."""
        self.state = SyncState()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._recount = True
        self._threads: list[threading.Thread] = []
        self._failures = 0
        self._lock = threading.Lock()

    # -- control ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        loop = threading.Thread(target=self._run, name="lvv-sync", daemon=True)
        self._threads.append(loop)
        if self.listen and self.server.strip().lower().startswith(("postgres", "postgresql")):
            self._threads.append(
                threading.Thread(target=self._listen, name="lvv-sync-listen", daemon=True))
        for thread in self._threads:
            thread.start()

    def wake(self, *, recount: bool = False) -> None:
        """Run a round now (e.g. after a local change); ``recount`` also counts conflicts."""
        if recount:
            self._recount = True
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    # -- one round ---------------------------------------------------------------------------

    def run_round(self) -> SyncState:
        """One round, in the calling thread: sync, then count. Never raises."""
        from db.sync import SyncError, sync_once

        with self._lock:
            self._publish(replace(self.state, phase="syncing"))
            recount = self._recount
            self._recount = False
            try:
                report = sync_once(self.store, self.server, batch=self.batch)
            except SyncError as exc:
                self._failures += 1
                state = replace(self.state, phase="offline", message=str(exc))
            except Exception as exc:  # noqa: BLE001 - the app must keep working offline
                self._failures += 1
                state = replace(self.state, phase="offline",
                                message=f"{type(exc).__name__}: {exc}".splitlines()[0])
            else:
                self._failures = 0
                recount = recount or report.pulled > 0
                state = replace(self.state, phase="synced", message="",
                                last_sync_ms=int(time.time() * 1000),
                                refused=len(report.rejected) + report.alarms
                                + report.withheld)
            try:
                state = replace(state, unsynced=self.store.unsynced_count(),
                                quarantined=self.store.quarantine_count())
                if recount:
                    state = replace(state, conflicts=len(self.store.conflicts()))
            except Exception as exc:  # noqa: BLE001 - the store closed under us (app exit)
                state = replace(state, message=state.message or type(exc).__name__)
            state = replace(state, rounds=state.rounds + 1)
            self._publish(state)
            return state

    def _publish(self, state: SyncState) -> None:
        self.state = state
        try:
            self.on_change(state)
        except Exception:  # noqa: BLE001 - a closed app must not kill the loop's caller
            self._stop.set()

    def next_wait(self) -> float:
        """Seconds until the next round: the interval, doubled per failure up to a minute."""
        if not self._failures:
            return self.interval
        return min(MAX_BACKOFF, self.interval * 2 ** min(self._failures, 6))

    # -- threads -----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_round()
            self._wake.wait(self.next_wait())
            self._wake.clear()

    def _listen(self) -> None:
        """LISTEN on the server; a NOTIFY (someone pushed) wakes the loop at once."""
        from db.sync import NOTIFY_CHANNEL, parse_url

        failures = 0
        while not self._stop.is_set():
            try:
                import psycopg

                url = parse_url(self.server)
                conninfo = url.set(drivername="postgresql").render_as_string(
                    hide_password=False)
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    failures = 0
                    while not self._stop.is_set():
                        for _note in conn.notifies(timeout=1.0, stop_after=1):
                            self._wake.set()
            except Exception:  # noqa: BLE001 - offline: the polling loop carries on
                failures += 1
                self._stop.wait(min(MAX_BACKOFF, self.interval * 2 ** min(failures, 6)))


def start_for_app(app: Any, store: Any) -> SyncLoop | None:
    """Start the background sync for the app when a server is configured (else None).

    The app's :attr:`sync_loop` holds it; the header widget reads its state.
    """
    server = getattr(app.cfg, "server", None)
    if not server or getattr(app, "sync_loop", None) is not None:
        return None
    loop = SyncLoop(store, server, interval=app.cfg.sync_interval)
    app.sync_loop = loop
    loop.start()
    return loop
