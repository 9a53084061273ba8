"""Sync with a shared database (a "hub"): one round of push and pull.

A round is

1. **push**: unpushed local ops go up in batches, each batch one server transaction,
   stored whole or not at all (:meth:`db.hub.Hub.push`; on PostgreSQL through the server
   function ``lvv_push``, which checks every op and hands out ``server_seq`` itself). An op
   the hub refuses (an id it holds with other contents, a device of another account, a
   value that breaks a rule) is reported with its reason, stays unpushed, and the rest of
   the batch is sent again without it. Ops of an overleg the account was not granted stay
   on the laptop and do not stop the other overleggen. Local ops are marked pushed only
   after the server committed.
2. **pull**: the window ``cursor < server_seq <= min(cursor + n, top)`` in order; every op
   is checked with the same rules as a push (:mod:`db.wire_check`): one that fails is put
   in quarantine (kept, listed, never applied) and the rest applied, the new cursor stored
   in the same local transaction (:meth:`db.store.Store.apply_remote`). Ops this round
   just pushed are not applied again.

Because numbers are handed out under a lock held until commit, a reader that sees number
``n`` has every number below it too: a cursor never skips a row. Stopping a round anywhere
loses nothing: an unacknowledged push is re-sent and recognised, an unapplied pull is
fetched again, and applying an op twice is a no-op. A round cut off part-way raises its
:class:`SyncError` with ``report`` set to what did move (:attr:`SyncReport.pushed` of
:attr:`SyncReport.to_push`, :attr:`SyncReport.pulled`).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from db.hub import (
    BATCH,
    HUB_SCHEMA_VERSION,
    BadServerURL,
    Hub,
    PushResult,
    ServerRefused,
    ServerUnavailable,
    SyncError,
    display_url,
    hub_meta,
    hub_ops,
    parse_url,
    translate,
)
from db.server_sql import ADVISORY_LOCK_KEY, FORBIDDEN, NOTIFY_CHANNEL
from db.sync_join import Progress
from db.wire_fast import screen


@dataclass
class SyncReport:
    """What moved in one round."""

    server: str
    key: str
    to_push: int = 0
    """Unpushed local ops when the round began."""
    pushed: int = 0
    already: int = 0
    rejected: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    """Refused op id -> the hub's reason."""
    forbidden: list[str] = field(default_factory=list)
    """Overleg ids whose ops this account may not write: kept unpushed, not sent."""
    withheld: int = 0
    """Local ops not sent because their overleg is forbidden."""
    pulled: int = 0
    duplicates: int = 0
    alarms: int = 0
    skewed: int = 0
    quarantined: int = 0
    """Pulled ops that failed the checks: kept aside, never applied."""
    cursor: int = 0
    changes: list = field(default_factory=list)
    """What the pull applied (:class:`~db.domain.RecordChange`), for live screens."""

    @property
    def moved(self) -> bool:
        return bool(self.pushed or self.pulled)


#: A hook called at each step of a round (for crash tests): push:sent (inside the server
#: transaction, before its commit), push:committed (server committed, not yet acknowledged
#: locally), push:acked, pull:fetched (before the local commit), pull:applied.
Checkpoint = Callable[[str], None]


def _payload(op: Sequence[Any]) -> str:
    return json.dumps(list(op), default=str, ensure_ascii=False)


def _runs(seqs: Sequence[int], acked: Sequence[bool]) -> list[tuple[int, int]]:
    """The local_seq ranges of acknowledged ops, broken at any op of the window that was
    not (so a range marks exactly the ops the hub acknowledged)."""
    runs: list[tuple[int, int]] = []
    start = prev = -1
    for seq, ok in zip(seqs, acked, strict=True):
        if ok and start < 0:
            start = seq
        elif not ok and start >= 0:
            runs.append((start, prev))
            start = -1
        prev = seq
    if start >= 0:
        runs.append((start, prev))
    return runs


@dataclass
class _Sent:
    """What this round pushed: ids, and the server numbers the stored ones received."""

    ids: set[str] = field(default_factory=set)
    ranges: list[tuple[int, int]] = field(default_factory=list)
    """Contiguous runs of server_seq holding only ops this round stored: a pull skips them."""


def _push_all(store: Any, hub: Hub, report: SyncReport, batch: int,
              hook: Checkpoint) -> _Sent:
    """Push every unpushed op; returns what the hub acknowledged this round."""
    skipped: set[str] = set()  # not to send again this round: refused or forbidden
    forbidden: set[str] = set()  # overleg ids the server does not let us write
    one_overleg = False  # after a refusal for rights: one overleg per batch
    sent = _Sent()  # acknowledged this round: the hub holds exactly our payload
    # a SQLite hub has no accounts: it records the pushing laptop (its device id)
    pusher = None if hub.is_pg else store.device_id
    try:
        while True:
            limit = batch + len(skipped)
            seqs, window = store.unpushed_window(limit)
            if forbidden:
                skipped.update(op.id for op in window if op.overleg_id in forbidden)
            ops = [op for op in window if op.id not in skipped][:batch] if skipped else \
                window[:batch]
            if not ops:
                if len(window) < limit:
                    break
                continue
            if one_overleg:
                ops = [op for op in ops if op.overleg_id == ops[0].overleg_id]
            try:
                result: PushResult = hub.push(ops, before_commit=lambda: hook("push:sent"),
                                              pusher=pusher)
            except ServerRefused as exc:
                if not exc.forbidden:
                    raise
                if one_overleg or len({op.overleg_id for op in ops}) == 1:
                    forbidden.add(ops[0].overleg_id)
                one_overleg = True
                continue
            if result.refused:
                ids = {op.id for op in ops}
                if not ids & set(result.refused):
                    raise ServerRefused(f"{hub.display}: the batch was refused: "
                                        + "; ".join(sorted(set(result.refused.values()))))
                for op in ops:
                    reason = result.refused.get(op.id)
                    if reason == FORBIDDEN:
                        forbidden.add(op.overleg_id)
                    elif reason is not None:
                        report.reasons[op.id] = reason
                        skipped.add(op.id)
                continue
            report.pushed += len(result.stored)  # committed on the server: they moved
            report.already += len(result.already)
            hook("push:committed")
            acked = set(result.stored) | set(result.already)
            if acked:
                first, count = result.numbered()
                # marks by local_seq range; the cursor moves over our own numbers when
                # they follow it directly (then the pull never fetches them back)
                learned = store.acknowledge_push(
                    _runs(seqs, [op.id in acked for op in window]),
                    server=report.key, first_seq=first, count=count)
                sent.ids.update(acked)
                if count and not learned:
                    sent.ranges.append((first, first + count - 1))
            hook("push:acked")
    finally:
        report.rejected = sorted(report.reasons)
        report.forbidden = sorted(forbidden)
        report.withheld = len(skipped - set(report.reasons))
    return sent


def _own_range(ranges: list[tuple[int, int]], cursor: int) -> tuple[int, int] | None:
    """The range of our own numbers that starts right after ``cursor`` or holds it, if any,
    and otherwise the next one after it."""
    ahead = [r for r in ranges if r[1] > cursor]
    return min(ahead) if ahead else None


def _pull_all(store: Any, hub: Hub, report: SyncReport, batch: int, hook: Checkpoint,
              sent: _Sent, snapshot: bool = True, progress: Progress | None = None,
              ) -> None:
    cursor = store.cursor(report.key)
    report.cursor = cursor
    if snapshot and cursor == 0 and not sent.ids and store.is_empty():
        # a new laptop: everything it may read in one snapshot, then pulls from its top
        from db.sync_join import join

        if join(store, hub, report, batch, hook, progress):
            cursor = report.cursor
    stored = cursor
    while True:
        own = _own_range(sent.ranges, cursor)
        if own is not None and own[0] <= cursor + 1:
            # numbers this round's push received: all ours, all in the log; skip them
            cursor = own[1]
            continue
        limit = batch if own is None else min(batch, own[0] - 1 - cursor)
        ops, origins, new_cursor = hub.pull_origin(cursor, limit)
        if new_cursor == cursor:
            break
        hook("pull:fetched")
        if sent.ids:
            fetched = len(ops)
            ops = [op for op in ops if op.id not in sent.ids]
            report.duplicates += fetched - len(ops)
        good, bad = screen(ops)
        if bad:
            report.quarantined += store.quarantine(
                [(str(op[0]), _payload(op), reason) for op, reason in bad], source=hub.display)
        applied = store.apply_remote(good, server=report.key, cursor=new_cursor,
                                     source=hub.display, origin=origins)
        hook("pull:applied")
        cursor = stored = report.cursor = new_cursor
        report.pulled += applied.applied
        report.duplicates += applied.duplicates
        report.alarms += applied.alarms
        report.skewed += applied.skewed
        report.changes.extend(applied.changes)
    if cursor != stored:
        store.advance_cursor(report.key, cursor)
        report.cursor = cursor


@contextmanager
def _no_gc() -> Iterator[None]:
    """No cycle collection during a round: a batch makes tens of thousands of tuples and
    lists, none of them cyclic, and each collection would walk every one of them (a
    quarter of a large pull's time). Collection resumes after the round."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def sync_once(
    store: Any,
    server: str | Hub,
    *,
    batch: int = BATCH,
    checkpoint: Checkpoint | None = None,
    snapshot: bool = True,
    progress: Progress | None = None,
) -> SyncReport:
    """Push everything unpushed, then pull everything new. Raises a :class:`SyncError`
    whose ``report`` (a :class:`SyncReport`, or None before anything moved) says what did
    move.

    ``store`` is a :class:`db.store.Store`. Whatever happens, local data only ever grows
    by whole, committed batches. A laptop with an empty log joins from the hub's snapshot
    (:mod:`db.sync_join`; ``snapshot=False``: window by window), reporting its progress
    to ``progress(done, total)``.
    """
    hook = checkpoint or (lambda _step: None)
    own = not isinstance(server, Hub)
    hub = Hub(server) if isinstance(server, str) else server
    report: SyncReport | None = None
    try:
        report = SyncReport(server=hub.display, key=hub.key)
        report.to_push = store.unsynced_count()
        with _no_gc():
            sent = _push_all(store, hub, report, batch, hook)
            _pull_all(store, hub, report, batch, hook, sent, snapshot, progress)
        store.record_sync(report.key)
        return report
    except SyncError as exc:
        exc.report = report
        raise
    finally:
        if own:
            hub.close()


__all__ = [
    "ADVISORY_LOCK_KEY", "BATCH", "HUB_SCHEMA_VERSION", "NOTIFY_CHANNEL", "BadServerURL",
    "Checkpoint", "Hub", "PushResult", "ServerRefused", "ServerUnavailable", "SyncError",
    "SyncReport", "display_url", "hub_meta", "hub_ops", "parse_url", "screen", "sync_once",
    "translate",
]
