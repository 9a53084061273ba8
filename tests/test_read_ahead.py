"""db.read_ahead: items made in a thread, in order; its errors raised in the caller; a
caller that stops early stops the thread too."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from db.read_ahead import SWITCH_S, read_ahead


class Broken(Exception):
    """Raised by a source half-way."""


def test_items_arrive_in_order_made_in_another_thread() -> None:
    threads: list[str] = []

    def source() -> Iterator[int]:
        for i in range(50):
            threads.append(threading.current_thread().name)
            yield i

    switch = sys.getswitchinterval()
    with read_ahead(source(), depth=2) as items:
        assert sys.getswitchinterval() == min(switch, SWITCH_S)
        assert list(items) == list(range(50))
    assert set(threads) == {"lvv-read-ahead"}
    assert sys.getswitchinterval() == switch


def test_an_error_of_the_source_is_raised_where_its_item_would_be() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise Broken("at the third")

    got: list[int] = []
    with pytest.raises(Broken, match="at the third"), read_ahead(source()) as items:
        got.extend(items)
    assert got == [1, 2]


def test_a_caller_that_stops_early_stops_the_thread() -> None:
    made: list[int] = []

    def source() -> Iterator[int]:
        for i in range(10_000):
            made.append(i)
            yield i

    before = threading.active_count()
    with pytest.raises(Broken), read_ahead(source(), depth=2) as items:
        for item in items:
            if item == 3:
                raise Broken("the caller's own")
    assert threading.active_count() == before  # the thread has ended
    assert len(made) <= 3 + 1 + 2 + 1  # no more than the queue and one in hand
