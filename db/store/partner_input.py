"""Partners' input before the meeting (issue 15 item 3), per case item of a published agenda.

Rules, enforced here on every write: the item is a case item whose agenda is published; the
organisation is a partner of the overleg; the meeting's record is not locked. Reads take the
reading organisation and apply the audience rules of :mod:`db.partner_inputs`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import Connection

from db import domain as d
from db.partner_inputs import Audience, InputStatus, PartnerInput, visible
from db.rules import MAX_TEXT, RuleViolation, ValidationError, _enum, check_text
from db.store.base import StoreBase

_TEXTS = ("feiten", "oordeel", "withheld", "withheld_reason", "inzet")


def _input(r: dict[str, Any]) -> PartnerInput:
    return PartnerInput(
        id=r["id"], agenda_item_id=r["agenda_item_id"], meeting_id=r["meeting_id"],
        case_id=r["case_id"], organisation_id=r["organisation_id"],
        position=d.Position(r["position"] or "none"), feiten=r["feiten"] or "",
        oordeel=r["oordeel"] or "", oordeel_audience=Audience(r["oordeel_audience"] or "own"),
        withheld=r["withheld"] or "", withheld_reason=r["withheld_reason"] or "",
        withheld_audience=Audience(r["withheld_audience"] or "own"), inzet=r["inzet"] or "",
        status=InputStatus(r["status"] or "draft"),
        submitted_on=dt.date.fromisoformat(r["submitted_on"]) if r["submitted_on"] else None,
    )


class PartnerInputMixin(StoreBase):
    """Draft, submit and read partners' input."""

    def _input_target(self, conn: Connection, item_id: str, organisation_id: str
                      ) -> dict[str, Any]:
        item = self._row(conn, "agenda_item", item_id)
        if item["kind"] != d.ItemKind.CASE.value or not item["case_id"] or item["deleted"]:
            raise RuleViolation("agenda_item_id", "error.input_not_case")
        self._unlocked_meeting(conn, item["meeting_id"])
        published = conn.exec_driver_sql(
            "SELECT 1 FROM agenda_version WHERE meeting_id = ? AND deleted = 0 LIMIT 1",
            (item["meeting_id"],)).fetchone()
        if published is None:
            raise RuleViolation("agenda_item_id", "error.input_not_published")
        org = self._row(conn, "organisation", organisation_id)
        if org["overleg_id"] != item["overleg_id"] or org["deleted"]:
            raise ValidationError("organisation_id", "error.choice")
        return item

    def save_input(self, item_id: str, organisation_id: str, **fields: Any) -> PartnerInput:
        """Save (a draft of) an organisation's input; fields: position, feiten, oordeel,
        oordeel_audience, withheld, withheld_reason, withheld_audience, inzet."""
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key == "position":
                values[key] = _enum(d.Position, value, key).value
            elif key in _TEXTS:
                values[key] = check_text(value, key, MAX_TEXT)
            elif key in ("oordeel_audience", "withheld_audience"):
                values[key] = _enum(Audience, value, key).value
            else:
                raise ValueError(f"partner input has no field {key}")
        key = None
        with self._tx() as conn:
            item = self._input_target(conn, item_id, organisation_id)
            key = f"{item_id}/{organisation_id}"
            exists = conn.exec_driver_sql(
                "SELECT status FROM partner_input WHERE id = ? AND deleted = 0", (key,)
            ).fetchone()
            if exists is None:
                values = {"agenda_item_id": item_id, "meeting_id": item["meeting_id"],
                          "case_id": item["case_id"], "organisation_id": organisation_id,
                          "status": InputStatus.DRAFT.value,
                          "oordeel_audience": Audience.OWN.value,
                          "withheld_audience": Audience.OWN.value} | values
            self._set(conn, "partner_input", key, item["overleg_id"], values)
            row = self._row(conn, "partner_input", key)
        return _input(row)

    def submit_input(self, item_id: str, organisation_id: str,
                     today: dt.date | None = None) -> PartnerInput:
        """Submit the organisation's input: the chair and the table see it from now on."""
        today = today or dt.date.today()
        with self._tx() as conn:
            item = self._input_target(conn, item_id, organisation_id)
            key = f"{item_id}/{organisation_id}"
            row = conn.exec_driver_sql(
                "SELECT 1 FROM partner_input WHERE id = ? AND deleted = 0", (key,)).fetchone()
            if row is None:
                raise RuleViolation("agenda_item_id", "error.input_empty")
            self._set(conn, "partner_input", key, item["overleg_id"], {
                "status": InputStatus.SUBMITTED.value, "submitted_on": today.isoformat()})
            return _input(self._row(conn, "partner_input", key))

    def chair_organisations(self, overleg_id: str) -> frozenset[str]:
        """The organisations that chair (the gemeente: it has the regie)."""
        with self._read() as conn:
            return self._chair_orgs(conn, overleg_id)

    def _chair_orgs(self, conn: Connection, overleg_id: str) -> frozenset[str]:
        return frozenset(r["id"] for r in self._rows(
            conn, "SELECT id FROM organisation WHERE overleg_id = ? AND kind = ? "
            "AND deleted = 0", (overleg_id, d.OrgKind.GEMEENTE.value)))

    def partner_inputs(self, item_id: str, reader: str | None) -> list[PartnerInput]:
        """The inputs on an item as organisation ``reader`` may see them (its own drafts
        included; other organisations' only once submitted)."""
        with self._read() as conn:
            item = self._row(conn, "agenda_item", item_id)
            chair = self._chair_orgs(conn, item["overleg_id"])
            rows = self._rows(
                conn, "SELECT * FROM partner_input WHERE agenda_item_id = ? AND deleted = 0 "
                "ORDER BY organisation_id", (item_id,))
        out = [visible(_input(r), reader, chair) for r in rows]
        return [x for x in out if x is not None]

    def submitted_inputs(self, meeting_id: str) -> dict[str, list[str]]:
        """Per agenda item of the meeting, the organisations that submitted input."""
        with self._read() as conn:
            rows = self._rows(
                conn, "SELECT agenda_item_id, organisation_id FROM partner_input "
                "WHERE meeting_id = ? AND status = ? AND deleted = 0 "
                "ORDER BY agenda_item_id, organisation_id",
                (meeting_id, InputStatus.SUBMITTED.value))
        out: dict[str, list[str]] = {}
        for r in rows:
            out.setdefault(r["agenda_item_id"], []).append(r["organisation_id"])
        return out

    def meeting_inputs(self, meeting_id: str, reader: str | None) -> list[PartnerInput]:
        """Every input on the meeting's items as ``reader`` may see it (see
        :meth:`partner_inputs`); ``reader`` None: what the whole table may read."""
        with self._read() as conn:
            meeting = self._row(conn, "meeting", meeting_id)
            chair = self._chair_orgs(conn, meeting["overleg_id"])
            rows = self._rows(
                conn, "SELECT * FROM partner_input WHERE meeting_id = ? AND deleted = 0 "
                "ORDER BY agenda_item_id, organisation_id", (meeting_id,))
        out = [visible(_input(r), reader, chair) for r in rows]
        return [x for x in out if x is not None]
