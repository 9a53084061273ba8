"""This device's op counter (``device_seq``) and clock, without a write per edit (issue 11).

Every op this device makes carries its ``device_seq`` and its clock reading (``hlc``), so
the log itself says how far the counter and the clock have gone. ``meta`` holds them as of
its last save together with ``log_mark``, the last ``local_seq`` of the log at that moment;
at open the counter and clock are the saved ones moved on past this device's ops after the
mark (a range scan by rowid over the ops since the save). An edit therefore writes no meta
row: the store saves it with a sync, a snapshot, a resolution, the bulk import, at close and
after every :data:`SAVE_EVERY` ops of its own, which bounds that scan. Clock readings taken
from other devices' ops (a sync) are saved with the sync itself, so a skewed op received is
never read back as this device's clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: own ops between two saves of the counter (the most an open scans)
SAVE_EVERY = 1024


def derive(raw: Any, meta: Mapping[str, str], device_id: str) -> tuple[int, str | None]:
    """The next ``device_seq`` and the last clock reading, from ``meta`` and the log."""
    seq, hlc = int(meta.get("device_seq", "1")), meta.get("hlc")
    mark = meta.get("log_mark")
    if mark is None:  # a file whose meta was saved at every edit (before schema 12)
        return seq, hlc
    # a skewed op (one pulled under this device's id, stamped far ahead) never sets the
    # clock: this device's own ops are never skewed
    top_seq, top_hlc = raw.execute(
        "SELECT max(device_seq), max(CASE WHEN skewed = 0 THEN hlc END) FROM op "
        "WHERE local_seq > ? AND device_id = ?", (int(mark), device_id)).fetchone()
    if top_seq is not None:
        seq = max(seq, int(top_seq) + 1)
    if top_hlc is not None and (hlc is None or top_hlc > hlc):
        hlc = top_hlc
    return seq, hlc


def save(raw: Any, *, device_id: str, seq: int, hlc: str, author: str, full: bool,
         scan: bool = True) -> tuple[int, str]:
    """Persist the counter, the clock and the log mark (with ``full`` the device and
    author too); inside the caller's transaction. Returns the counter and clock saved.

    The mark moves past every op of the log, so what is saved first takes in this device's
    ops after the mark saved before (``scan``), which another connection to the file may
    have written without saving (the CLI beside the app): otherwise the next open after a
    crash would hand out their numbers again. ``scan=False`` where the caller has counted
    every op of the log itself (a join, the bulk import: a fresh file, all of it new)."""
    if scan:
        before = dict(raw.execute("SELECT key, value FROM meta WHERE key IN "
                                  "('device_seq', 'hlc', 'log_mark')").fetchall())
        logged, last = derive(raw, before, device_id)
        seq = max(seq, logged)
        hlc = max(hlc, last or "")
    mark = str(raw.execute("SELECT coalesce(max(local_seq), 0) FROM op").fetchone()[0])
    if not full:
        cur = raw.execute(
            "UPDATE meta SET value = CASE key WHEN 'device_seq' THEN ? WHEN 'hlc' THEN ? "
            "ELSE ? END WHERE key IN ('device_seq', 'hlc', 'log_mark')",
            (str(seq), hlc, mark))
        if cur.rowcount == 3:
            return seq, hlc
    raw.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [("device_id", device_id), ("device_seq", str(seq)), ("hlc", hlc),
         ("author", author), ("log_mark", mark)],
    )
    return seq, hlc
