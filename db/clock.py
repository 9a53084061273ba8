"""Identifiers and time: UUIDv7 op ids and a hybrid logical clock (Kulkarni et al. 2014).

An HLC timestamp is kept as a string that sorts like the pair ``(wall_ms, counter)``:
``"0001764316800000-00000"``. Comparing two timestamps is comparing two strings.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

#: An op stamped further ahead of our wall clock than this is kept, but flagged, and
#: does not drag the local clock forward.
MAX_SKEW_MS = 5 * 60 * 1000

_WALL_DIGITS = 16
_COUNTER_DIGITS = 5


def now_ms() -> int:
    """Wall-clock time in milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def uuid7(ms: int | None = None, rand: int | None = None) -> str:
    """A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits.

    ``rand`` (80 bits) may be given for reproducible ids (demo data); by default it comes
    from the operating system's random source.
    """
    if ms is None:
        ms = now_ms()
    if rand is None:
        rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b, 62 bits
    return str(uuid.UUID(int=value))


def new_device_id() -> str:
    """A random device id (a UUIDv4 string)."""
    return str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))


@dataclass(frozen=True, order=True)
class Timestamp:
    """One HLC reading: wall milliseconds and a logical counter."""

    wall: int
    counter: int

    def encode(self) -> str:
        """The sortable string form."""
        return f"{self.wall:0{_WALL_DIGITS}d}-{self.counter:0{_COUNTER_DIGITS}d}"

    @classmethod
    def decode(cls, text: str) -> Timestamp:
        """Parse the string form; raises ValueError on anything else."""
        wall, sep, counter = text.partition("-")
        if not sep or not wall.isdigit() or not counter.isdigit():
            raise ValueError(f"not an HLC timestamp: {text!r}")
        return cls(int(wall), int(counter))


_MAX_COUNTER = 10**_COUNTER_DIGITS - 1


def _next(wall: int, counter: int) -> Timestamp:
    """``(wall, counter)``, carried into the next millisecond if the counter is full."""
    if counter > _MAX_COUNTER:
        return Timestamp(wall + 1, 0)
    return Timestamp(wall, counter)


class HybridClock:
    """A hybrid logical clock.

    ``last`` is persisted by the store after every tick, so a restart never goes back
    in time even when the wall clock does.
    """

    def __init__(self, last: str | None = None, wall: Callable[[], int] = now_ms) -> None:
        self._wall = wall
        self.last = Timestamp.decode(last) if last else Timestamp(0, 0)

    def advance_to(self, wall: int) -> str:
        """A timestamp at ``wall`` ms or just after the last one (historic demo data)."""
        if wall > self.last.wall:
            self.last = Timestamp(wall, 0)
        else:
            self.last = _next(self.last.wall, self.last.counter + 1)
        return self.last.encode()

    def tick(self) -> str:
        """A new timestamp for a local event (send rule)."""
        physical = self._wall()
        if physical > self.last.wall:
            self.last = Timestamp(physical, 0)
        else:
            self.last = _next(self.last.wall, self.last.counter + 1)
        return self.last.encode()

    def observe(self, remote: str) -> bool:
        """Merge a timestamp received from elsewhere (receive rule).

        Returns False, and leaves the clock alone, when the remote timestamp is more than
        :data:`MAX_SKEW_MS` ahead of our wall clock: such an op is kept but flagged.
        """
        ts = Timestamp.decode(remote)
        physical = self._wall()
        if ts.wall > physical + MAX_SKEW_MS:
            return False
        wall = max(self.last.wall, ts.wall, physical)
        if wall == self.last.wall and wall == ts.wall:
            counter = max(self.last.counter, ts.counter) + 1
        elif wall == self.last.wall:
            counter = self.last.counter + 1
        elif wall == ts.wall:
            counter = ts.counter + 1
        else:
            counter = 0
        self.last = _next(wall, counter)
        return True


def is_skewed(hlc: str, wall_ms: int | None = None) -> bool:
    """True when ``hlc`` lies more than :data:`MAX_SKEW_MS` ahead of the wall clock."""
    if wall_ms is None:
        wall_ms = now_ms()
    return Timestamp.decode(hlc).wall > wall_ms + MAX_SKEW_MS
