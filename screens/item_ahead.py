"""Reading ahead on the agenda item screen, so that n / p repaint in the frame of the key.

Once an item is painted, a worker reads its neighbours (the store, off the event loop); a
step to an item read ahead shows it at once, and the worker then reads that item again and
the screen repaints only if anything changed (a fresh read follows every step, as before).
Every other read of the screen (after a save, a change from sync, back from a form) forgets
what was read ahead, and a read that started before the forgetting is not kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from screens.item_panels import ItemData, load_item

if TYPE_CHECKING:
    from textual.timer import Timer

    from db.store import Store

#: how many items on each side of the one shown are kept read (two in the walking direction)
REACH = 1
#: seconds between a paint and reading ahead: a key held down (a step a frame) reads nothing
#: ahead (it would only compete with the steps for the interpreter), a person's next key finds
#: the neighbours read
DELAY = 0.025


class ReadAhead:
    """The neighbours of the item shown, as :func:`~screens.item_panels.load_item` read them."""

    def __init__(self) -> None:
        self.items: dict[str, ItemData] = {}
        self.generation = 0
        """Raised by :meth:`forget`: a read of an older generation is dropped."""
        self.direction = 1
        """The last step's direction (+1 next, -1 previous): one more item is read that way."""
        self.verify: str | None = None
        """The item shown from the read-ahead, to be read again once painted."""
        self._timer: Timer | None = None

    def forget(self) -> None:
        """Something may have changed: nothing read ahead is shown any more."""
        self.items.clear()
        self.verify = None
        self.generation += 1

    def take(self, item_id: str, direction: int, shown: ItemData | None) -> ItemData | None:
        """The item read ahead (None: not read), for a step in ``direction``; the item
        shown until now is kept as a neighbour (it is as fresh as what the screen shows)."""
        self.direction = 1 if direction >= 0 else -1
        if self._timer is not None:  # the next key came first: no read for the item left
            self._timer.stop()
        data = self.items.get(item_id)
        if shown is not None and data is not None:
            self.items[shown.item.id] = shown
        self.verify = item_id if data is not None else None
        return data

    def wanted(self, data: ItemData) -> list[str]:
        """Ids of the neighbours of ``data`` to read now (those not read yet), the walking
        direction first."""
        ids = [i.id for i in data.items]
        at, way = data.index, self.direction
        near = [at + k * way for k in range(1, REACH + 2)] + [at - k * way for k in range(1, REACH + 1)]
        keep = {ids[n] for n in near if 0 <= n < len(ids)}
        self.items = {k: v for k, v in self.items.items() if k in keep}  # far ones go
        return [ids[n] for n in near if 0 <= n < len(ids) and ids[n] not in self.items]

    def job(self, store: Store, data: ItemData) -> Callable[[], tuple[int, Any, dict]] | None:
        """The worker's job after ``data`` is painted (None: nothing to read): the shown item
        again if it came from the read-ahead, and the neighbours not read yet."""
        todo = self.wanted(data)
        # kept until the fresh read is delivered (a job that fails leaves it for the next)
        again = self.verify if self.verify == data.item.id else None
        if not todo and again is None:
            return None
        generation, part = self.generation, data.part

        def read() -> tuple[int, ItemData | None, dict[str, ItemData]]:
            found = {}
            for item_id in todo:  # the next key's item first
                try:
                    found[item_id] = load_item(store, part, item_id)
                except Exception:  # noqa: BLE001 - not read ahead: the step reads it, and says why
                    continue
            fresh = load_item(store, part, again) if again is not None else None
            return generation, fresh, found

        return read

    def keep(self, generation: int, found: dict[str, ItemData]) -> bool:
        """Keep what a read found, unless something was forgotten since it started."""
        if generation != self.generation:
            return False
        self.items.update(found)
        return True

    def after_paint(self, screen: Any) -> None:
        """Called once ``screen`` (the item screen) painted its item: read in a moment."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = screen.set_timer(DELAY, lambda: self.start(screen), name="read-ahead")

    def start(self, screen: Any) -> None:
        """Start the read for the item ``screen`` shows (if anything is to be read)."""
        data = screen.data
        job = self.job(screen.store, data) if data is not None and screen.is_current else None
        if job is None:
            return

        def done(result: tuple[int, ItemData | None, dict[str, ItemData]]) -> None:
            generation, fresh, found = result
            if self.keep(generation, found) and fresh is not None:
                if self.verify == fresh.item.id:
                    self.verify = None
                screen.post_message(screen.ItemLoaded(fresh))  # repaints if it changed

        # not exclusive: a thread cannot be stopped, so what an older read found is kept too
        screen.call_store(job, done, group="item-ahead", description="read ahead",
                          exclusive=False)
