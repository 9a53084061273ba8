"""Where a conflict is, and who made it on which laptop: the words a person reads.

Laptops get a human name at set-up (:meth:`PlacesMixin.set_device_name`): kept in ``meta``
and, per overleg, as a ``device`` record that travels with the ops, so every laptop shows
"Laptop secretaris" instead of a hex device id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from db import domain as d
from db.projection import WireOp
from db.store.base import StoreBase, _raw

_DEVICE = "device"


class PlacesMixin(StoreBase):
    """Laptop names and the place of each conflict (overleg, meeting, case, organisation)."""

    device_name: str | None = None
    _named: set[str]

    def _load_device_name(self, conn: Connection | None = None) -> None:
        """Read the laptop's name; with ``conn``, inside the caller's transaction."""
        if conn is None:
            with self._read() as read:
                self._load_device_name(read)
            return
        row = _raw(conn).execute("SELECT value FROM meta WHERE key = 'device_name'").fetchone()
        self.device_name = row[0] if row else None
        self._named = {r[0] for r in _raw(conn).execute(
            "SELECT overleg_id FROM device WHERE device_id = ? AND name = ? AND deleted = 0",
            (self.device_id, self.device_name or ""))}

    def current_device_name(self) -> str | None:
        """This laptop's human name, if it has one."""
        if not hasattr(self, "_named"):
            self._load_device_name()
        return self.device_name

    def set_device_name(self, name: str) -> None:
        """Name this laptop (at set-up); every overleg it writes in learns the name."""
        from db.rules import MAX_SHORT, check_text

        name = check_text(name, "device_name", MAX_SHORT, required=True).strip()
        with self._tx() as conn:
            conn.exec_driver_sql(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('device_name', ?)", (name,))
            self.device_name = name
            self._named = set()
            for (overleg_id,) in conn.exec_driver_sql(
                    "SELECT id FROM overleg WHERE deleted = 0").fetchall():
                self._register(conn, overleg_id)
            self._save_meta(conn)

    def _register(self, conn: Connection, overleg_id: str) -> None:
        self._named.add(overleg_id)
        self._set(conn, _DEVICE, f"{overleg_id}/{self.device_id}", overleg_id,
                  {"device_id": self.device_id, "name": self.device_name})

    def _write_own(self, conn: Connection, ops: Sequence[WireOp], sole: Sequence[bool], *,
                   redacted: set[str] | None = None) -> None:
        """Write this laptop's ops; the first op of a named laptop in an overleg also writes
        its name there (a ``device`` record), so the others see the name, not an id."""
        super()._write_own(conn, ops, sole, redacted=redacted)
        if not hasattr(self, "_named"):
            self._load_device_name(conn)  # never a read (it would commit the write)
        if self.device_name:
            for overleg_id in dict.fromkeys(op.overleg_id for op in ops if op.entity != _DEVICE):
                if overleg_id not in self._named:
                    self._register(conn, overleg_id)

    def device_names(self) -> dict[str, str]:
        """Device id -> the laptop's human name, for every laptop that named itself."""
        with self._read() as conn:
            rows = conn.exec_driver_sql(
                "SELECT device_id, name FROM device WHERE deleted = 0 AND name IS NOT NULL "
                "ORDER BY id").fetchall()
        if not hasattr(self, "_named"):
            self._load_device_name()
        out = {r[0]: r[1] for r in rows}
        if self.device_name:
            out[self.device_id] = self.device_name
        return out

    # -- where a conflict is ---------------------------------------------------------------

    def conflict_places(self, conflicts: list[d.Conflict]) -> dict[tuple, d.ConflictPlace]:
        """The place of each conflict, by ``(entity, entity_id, field)``."""
        with self._read() as conn:
            return {(c.entity, c.entity_id, c.field): self._place(conn, c) for c in conflicts}

    def conflict_marks(self, overleg_id: str | None = None) -> d.ConflictMarks:
        """Which meetings, items and records hold an open conflict (for the ⚠ marks)."""
        conflicts = self.conflicts(overleg_id)
        places = self.conflict_places(conflicts)
        meetings, items, records = set(), set(), set()
        for c in conflicts:
            place = places[(c.entity, c.entity_id, c.field)]
            if place.meeting_id:
                meetings.add(place.meeting_id)
            if place.item_id:
                items.add(place.item_id)
            records.add((c.entity, c.entity_id))
            if c.entity == "decision" and c.field == "perspective" and place.case_id:
                records.add(("casus", place.case_id))  # the derived perspective too
        return d.ConflictMarks(frozenset(meetings), frozenset(items), frozenset(records))

    def _place_row(self, conn: Connection, sql: str, *params: Any) -> dict[str, Any] | None:
        cur = _raw(conn).execute(sql, params)
        row = cur.fetchone()
        return dict(zip([c[0] for c in cur.description], row, strict=True)) if row else None

    def _place(self, conn: Connection, c: d.Conflict) -> d.ConflictPlace:
        row = self._place_row(conn, f"SELECT * FROM {_table(c.entity)} WHERE id = ?", c.entity_id) \
            if c.entity in _TABLES else None
        row = row or {}
        item_id = meeting_id = case_id = org_id = None
        if c.entity in ("partner_view", "decision", "minutes_text"):
            item_id = row.get("agenda_item_id") or (c.entity_id if c.entity == "decision"
                                                     else None)
        elif c.entity == "agenda_item":
            item_id = c.entity_id
        elif c.entity == "action_item":
            item_id, meeting_id = row.get("agenda_item_id"), row.get("meeting_id")
        elif c.entity == "meeting":
            meeting_id = c.entity_id
        elif c.entity in ("attendance", "minutes_correction"):
            meeting_id = row.get("meeting_id") or c.entity_id.split("/")[0]
        elif c.entity == "casus":
            case_id = c.entity_id
        org_id = row.get("organisation_id") or row.get("owner_organisation_id")
        if c.entity == "organisation":
            org_id = c.entity_id
        item = self._place_row(conn, "SELECT * FROM agenda_item WHERE id = ?", item_id) \
            if item_id else None
        if item:
            meeting_id = meeting_id or item.get("meeting_id")
            case_id = case_id or item.get("case_id")
        case_id = case_id or row.get("case_id")
        meeting_id = meeting_id or row.get("meeting_id")
        meeting = self._place_row(conn, "SELECT date FROM meeting WHERE id = ?", meeting_id) \
            if meeting_id else None
        case = self._place_row(conn, "SELECT code FROM casus WHERE id = ?", case_id) \
            if case_id else None
        org = self._place_row(conn, "SELECT name FROM organisation WHERE id = ?", org_id) \
            if org_id else None
        overleg = self._place_row(conn, "SELECT name FROM overleg WHERE id = ?", c.overleg_id)
        return d.ConflictPlace(
            overleg=(overleg or {}).get("name"), meeting_id=meeting_id,
            meeting_date=(meeting or {}).get("date"), item_id=item_id,
            item_title=(item or {}).get("title"), item_position=(item or {}).get("position"),
            case_id=case_id, case_code=(case or {}).get("code"),
            organisation_id=org_id, organisation=(org or {}).get("name"),
        )


def _table(entity: str) -> str:
    return _TABLES[entity]


def _tables() -> dict[str, str]:
    from db.tables import ENTITIES

    return {e: t.__tablename__ for e, t in ENTITIES.items()}  # type: ignore[misc]


_TABLES = _tables()
__all__ = ["PlacesMixin"]
