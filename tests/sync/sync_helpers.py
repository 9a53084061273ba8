"""Small builders shared by the sync tests."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from db.clock import HybridClock, new_device_id, uuid7
from db.projection import SCHEMA_VERSION_OPS, WireOp

#: an organisation id for grants in tests where the organisation does not matter
ANY_ORG = "0191f0c2-0000-7000-8000-0000000000aa"


class FakeDevice:
    """Makes wire ops as a device would, without a store (for hub-level tests)."""

    def __init__(self, overleg_id: str, author: str = "Robot") -> None:
        self.device_id = new_device_id()
        self.overleg_id = overleg_id
        self.author = author
        self.seq = 0
        self.clock = HybridClock()

    def op(self, entity_id: str = "m1", field: str = "place", value: Any = "x") -> WireOp:
        self.seq += 1
        return WireOp(
            id=uuid7(), device_id=self.device_id, device_seq=self.seq, hlc=self.clock.tick(),
            author=self.author, overleg_id=self.overleg_id, entity="meeting",
            entity_id=entity_id, field=field, value=json.dumps(value), base="[]",
            schema_version=SCHEMA_VERSION_OPS,
        )


def seed_meeting(store: Any) -> tuple[str, str, str]:
    """An overleg with one organisation, a case and a meeting whose agenda holds the case.

    Returns (overleg_id, meeting_id, case item id).
    """
    from db import domain as d

    overleg = store.create_overleg("LSO Teststad", "Teststad")
    org = store.add_organisation(overleg.id, "Gemeente Teststad", d.OrgKind.GEMEENTE)
    case = store.create_case(overleg.id, "TS-001")
    meeting = store.create_meeting(overleg.id, dt.date(2026, 3, 2), "10:00", "Stadhuis")
    item = store.add_agenda_item(meeting.id, d.ItemKind.CASE, case_id=case.id)
    store.record_view(item.id, org.id, d.Position.RETURN, "eerste inbreng")
    return overleg.id, meeting.id, item.id


def hub_rows(url: str) -> list[tuple[int, str]]:
    """(server_seq, id) of every op on the hub, as its owner, in server_seq order."""
    from sqlalchemy import select

    from db.sync import Hub, hub_ops

    with Hub(url) as hub:
        conn = hub.connect()
        with conn.begin():
            return [tuple(r) for r in conn.execute(
                select(hub_ops.c.server_seq, hub_ops.c.id).order_by(hub_ops.c.server_seq))]
