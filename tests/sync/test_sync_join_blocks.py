"""Issue 11: a join writes its ops in blocks of many rows, the reading and checking done
ahead in a thread of their own. With blocks smaller than a chunk and a rest after them,
and skewed ops among them, the joined laptop equals one that pulled window by window."""

from __future__ import annotations

import pytest
from sync_helpers import seed_meeting

from db.clock import now_ms
from db.store import snapshot
from db.sync import sync_once


def test_a_join_in_blocks_equals_a_window_by_window_pull(
        hub_url: str, small_demo, laptops, monkeypatch: pytest.MonkeyPatch) -> None:
    sync_once(small_demo, hub_url, batch=500)
    ahead = laptops("Voor")
    _, meeting_id, _ = seed_meeting(ahead)
    sync_once(ahead, hub_url)
    ahead._clock._wall = lambda: now_ms() + 3 * 3600 * 1000  # 3 hours ahead
    ahead.update_meeting(meeting_id, start_time="11:00", place="Zaal 3")
    skewed = {op.id for op in ahead.unpushed_ops()}
    sync_once(ahead, hub_url)
    monkeypatch.setattr(snapshot, "BLOCK", 9)  # 700 ops a chunk: 77 blocks and a rest of 7
    joined = laptops("Nieuw")
    report = sync_once(joined, hub_url, batch=700)
    pulled = laptops("Oud")
    by_window = sync_once(pulled, hub_url, batch=700, snapshot=False)
    assert report.pulled == by_window.pulled == pulled.op_count() == joined.op_count()
    assert report.skewed == by_window.skewed == len(skewed) == 2
    assert set(joined.skewed_ops()) == set(pulled.skewed_ops()) == skewed
    assert joined.dump() == pulled.dump()
    assert joined.check() == [] and pulled.check() == []
    assert joined._clock.last.wall < now_ms() + 60_000  # not dragged forward
