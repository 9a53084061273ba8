"""Cursor completeness: concurrent pushers (some rolled back) and concurrent pullers."""

from __future__ import annotations

import random
import threading
import time

from sync_helpers import FakeDevice, hub_rows

from db.sync import Hub

PUSHERS = 8
PULLERS = 3
ROUNDS = 12


class RolledBack(Exception):
    """Raised inside a push transaction to roll it back."""


OVERLEG = "0191f0c2-0000-7000-8000-00000000c0c1"


def test_concurrent_pullers_see_every_committed_op_exactly_once(hub_url: str) -> None:
    with Hub(hub_url) as hub:
        assert hub.key  # creates a SQLite hub's tables before the threads start
    committed: set[str] = set()
    rolled_back: set[str] = set()
    guard = threading.Lock()
    pushers_done = threading.Event()
    errors: list[BaseException] = []
    seen: dict[int, list[tuple[int, str]]] = {}

    def pusher(i: int) -> None:
        rng = random.Random(i)
        device = FakeDevice(OVERLEG, author=f"pusher {i}")
        try:
            with Hub(hub_url) as hub:
                for _ in range(ROUNDS):
                    ops = [device.op(entity_id=f"m{rng.randint(1, 3)}", value=str(rng.random()))
                           for _ in range(rng.randint(1, 6))]
                    ids = {op.id for op in ops}
                    doomed = rng.random() < 0.25

                    def before_commit(doomed: bool = doomed) -> None:
                        time.sleep(rng.uniform(0, 0.008))  # hold the lock a while
                        if doomed:
                            raise RolledBack

                    try:
                        hub.push(ops, before_commit=before_commit)
                    except RolledBack:
                        with guard:
                            rolled_back.update(ids)
                        continue
                    with guard:
                        committed.update(ids)
                    time.sleep(rng.uniform(0, 0.004))
        except BaseException as exc:  # reported below: a thread must not swallow failures
            errors.append(exc)

    def puller(j: int) -> None:
        rng = random.Random(100 + j)
        got: list[tuple[int, str]] = []
        cursor = 0
        try:
            with Hub(hub_url) as hub:
                while True:
                    finished = pushers_done.is_set()
                    ops, new_cursor = hub.pull(cursor, rng.randint(1, 9))
                    got.extend((cursor, op.id) for op in ops)
                    assert new_cursor >= cursor
                    cursor = new_cursor
                    if finished and not ops:
                        break
                    time.sleep(rng.uniform(0, 0.003))
        except BaseException as exc:  # reported below
            errors.append(exc)
        seen[j] = got

    pullers = [threading.Thread(target=puller, args=(j,)) for j in range(PULLERS)]
    pushers = [threading.Thread(target=pusher, args=(i,)) for i in range(PUSHERS)]
    for thread in pullers + pushers:
        thread.start()
    for thread in pushers:
        thread.join(120)
    pushers_done.set()
    for thread in pullers:
        thread.join(120)
    assert errors == []
    assert committed and rolled_back  # both paths were exercised
    rows = hub_rows(hub_url)
    assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))  # gapless
    in_order = [op_id for _, op_id in rows]
    assert set(in_order) == committed
    for j in range(PULLERS):
        ids = [op_id for _, op_id in seen[j]]
        assert ids == in_order  # every committed op, exactly once, in commit order
        assert not rolled_back & set(ids)
