"""Ops for bulk import with a store's device id, sequence and clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from db.clock import uuid7
from db.projection import (
    SCHEMA_VERSION_OPS,
    WireOp,
    dumps,
)

if TYPE_CHECKING:
    from db.store.base import StoreBase as Store


class OpFactory:
    """Builds ops for bulk import with this device's id, sequence and clock."""

    def __init__(self, store: Store, rand: Callable[[], int] | None = None,
                 sink: Callable[[list[WireOp]], None] | None = None,
                 chunk: int = 20_000) -> None:
        self.store = store
        self._rand = rand
        self.ops: list[WireOp] = []
        self.made = 0
        self._sink = sink
        self._chunk = chunk
        self._seq = store._next_seq
        self._last: dict[tuple[str, str, str], str] = {}

    def flush(self) -> None:
        """Hand the ops made so far to the sink (if any): memory stays one chunk."""
        if self._sink is not None and self.ops:
            self._sink(self.ops)
            self.ops = []

    def forget(self) -> None:
        """Drop the memory of the last op per field: the next set of any field has no base.
        For a generator that is done with a group of entities (the demo: one overleg)."""
        self._last.clear()

    def set(self, entity: str, entity_id: str, overleg_id: str, values: Mapping[str, Any],
            *, hlc_ms: int | None = None,
            wire: Mapping[str, tuple[str, str]] | None = None) -> None:
        """Ops setting ``values``; ``wire``: field -> (audience, organisation id)."""
        for field, value in values.items():
            key = (entity, entity_id, field)
            prev = self._last.get(key)
            if hlc_ms is not None:
                hlc = self.store._clock.advance_to(hlc_ms)
            else:
                hlc = self.store._clock.tick()
            op = WireOp(
                id=uuid7(int(hlc.split("-")[0]), self._rand() if self._rand else None),
                device_id=self.store.device_id,
                device_seq=self._seq,
                hlc=hlc,
                author=self.store.author,
                overleg_id=overleg_id,
                entity=entity,
                entity_id=entity_id,
                field=field,
                value=dumps(value),
                base=dumps([prev] if prev else []),
                schema_version=SCHEMA_VERSION_OPS,
                audience=(wire or {}).get(field, ("overleg", ""))[0],
                org_id=(wire or {}).get(field, ("overleg", ""))[1],
            )
            self._seq += 1
            self._last[key] = op.id
            self.ops.append(op)
            self.made += 1
        if self._sink is not None and len(self.ops) >= self._chunk:
            self.flush()


