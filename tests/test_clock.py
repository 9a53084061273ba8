"""UUIDv7 ids and the hybrid logical clock: skew, restart, equal timestamps."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from db.clock import MAX_SKEW_MS, HybridClock, Timestamp, is_skewed, uuid7


def test_uuid7_has_version_variant_and_time_order() -> None:
    a = uuid.UUID(uuid7(1_700_000_000_000))
    b = uuid.UUID(uuid7(1_700_000_000_001))
    assert a.version == 7 and a.variant == uuid.RFC_4122
    assert str(a) < str(b)
    assert int(str(a).replace("-", "")[:12], 16) == 1_700_000_000_000


def test_uuid7_with_given_bits_is_reproducible() -> None:
    assert uuid7(5, 12345) == uuid7(5, 12345)
    assert uuid7(5, 12345) != uuid7(5, 12346)


@given(st.tuples(st.integers(0, 10**15), st.integers(0, 99_999)),
       st.tuples(st.integers(0, 10**15), st.integers(0, 99_999)))
def test_encoded_timestamps_sort_like_the_pair(a: tuple[int, int], b: tuple[int, int]) -> None:
    ta, tb = Timestamp(*a), Timestamp(*b)
    assert (ta.encode() < tb.encode()) == (ta < tb)
    assert Timestamp.decode(ta.encode()) == ta


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_equal_wall_times_advance_the_counter() -> None:
    wall = FakeWall(1000)
    clock = HybridClock(wall=wall)
    stamps = [clock.tick() for _ in range(5)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 5
    assert Timestamp.decode(stamps[-1]) == Timestamp(1000, 4)


def test_wall_clock_going_back_never_moves_the_clock_back() -> None:
    wall = FakeWall(10_000)
    clock = HybridClock(wall=wall)
    first = clock.tick()
    wall.ms = 5_000  # NTP correction, or a laptop with a wrong clock
    second = clock.tick()
    assert second > first


def test_restart_from_persisted_value_continues_after_it() -> None:
    wall = FakeWall(10_000)
    clock = HybridClock(wall=wall)
    for _ in range(3):
        clock.tick()
    saved = clock.last.encode()
    wall.ms = 9_000  # the machine restarts with its clock behind
    restarted = HybridClock(saved, wall=wall)
    assert restarted.tick() > saved


def test_observe_moves_past_remote_within_skew() -> None:
    wall = FakeWall(100_000)
    clock = HybridClock(wall=wall)
    remote = Timestamp(100_000 + 60_000, 7).encode()  # a minute ahead: acceptable
    assert clock.observe(remote) is True
    assert clock.tick() > remote


def test_observe_equal_timestamps_takes_max_counter_plus_one() -> None:
    wall = FakeWall(500)
    clock = HybridClock(Timestamp(500, 3).encode(), wall=wall)
    assert clock.observe(Timestamp(500, 9).encode())
    assert clock.last == Timestamp(500, 10)


def test_far_future_op_is_flagged_and_does_not_drag_the_clock() -> None:
    wall = FakeWall(1_000_000)
    clock = HybridClock(wall=wall)
    before = clock.tick()
    ahead = Timestamp(1_000_000 + 3 * 3600 * 1000, 0).encode()  # three hours ahead
    assert is_skewed(ahead, wall.ms)
    assert clock.observe(ahead) is False
    after = clock.tick()
    assert before < after < ahead
    assert Timestamp.decode(after).wall == 1_000_000


def test_skew_threshold_is_five_minutes() -> None:
    assert not is_skewed(Timestamp(MAX_SKEW_MS, 0).encode(), 0)
    assert is_skewed(Timestamp(MAX_SKEW_MS + 1, 0).encode(), 0)


def test_a_full_counter_carries_into_the_next_millisecond() -> None:
    wall = FakeWall(7)
    clock = HybridClock(Timestamp(7, 99_999).encode(), wall=wall)
    stamp = clock.tick()
    assert Timestamp.decode(stamp) == Timestamp(8, 0)
    assert stamp > Timestamp(7, 99_999).encode()
