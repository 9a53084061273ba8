"""Reading ahead: the next items of an iterator made in a background thread while the
caller works on the current one.

A join reads its snapshot from PostgreSQL and parses and checks every op (Python, holding
the GIL), and writes the ops into SQLite (C, which lets the GIL go while it steps). Read
ahead, the reading runs on one core while the writing runs on the other. At most
``depth`` items wait between the two (memory stays bounded). An error in the thread is
raised in the caller at the item it would have been; when the caller stops early (an
error of its own, a crash test's checkpoint), the thread is told to stop and is waited
for, so that nothing else uses what it was reading from once the block is left.

While items are read ahead the interpreter switches threads more often (every
:data:`SWITCH_S`): the writer lets go of the GIL for every SQLite step and would
otherwise wait up to the default 5 ms to get it back from a busy reader.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

T = TypeVar("T")

#: the interpreter's thread switch interval while reading ahead (seconds)
SWITCH_S = 0.0005

_END = object()


@contextmanager
def read_ahead(items: Iterable[T], depth: int = 2) -> Iterator[Iterator[T]]:
    """``items``, produced in a background thread, at most ``depth`` ahead of the caller.
    Use inside the ``with`` block only."""
    waiting: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                waiting.put((item, None))
                if stop.is_set():
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, raised there
            waiting.put((_END, exc))
            return
        waiting.put((_END, None))

    def consume() -> Iterator[T]:
        while True:
            item, error = waiting.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item

    thread = threading.Thread(target=produce, name="lvv-read-ahead", daemon=True)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(min(switch, SWITCH_S))
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        while thread.is_alive():  # a producer blocked on a full queue gets room to end
            with suppress(queue.Empty):
                waiting.get(timeout=0.05)
        thread.join()
        sys.setswitchinterval(switch)


__all__ = ["SWITCH_S", "read_ahead"]
