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
from db.partner_inputs import Audience, InputStatus, PartnerInput, visible, wire
from db.rules import MAX_TEXT, RuleViolation, ValidationError, _enum, check_text
from db.store.base import StoreBase

_TEXTS = ("feiten", "oordeel", "withheld", "withheld_reason", "inzet")
_OWN = Audience.OWN.value


def _input(r: dict[str, Any]) -> PartnerInput:
    return PartnerInput(
        id=r["id"], agenda_item_id=r["agenda_item_id"], meeting_id=r["meeting_id"],
        case_id=r["case_id"], organisation_id=r["organisation_id"],
        position=d.Position(r["position"] or "none"), feiten=r["feiten"] or "",
        oordeel=r["oordeel"] or "", oordeel_audience=Audience(r["oordeel_audience"] or _OWN),
        withheld=r["withheld"] or "", withheld_reason=r["withheld_reason"] or "",
        withheld_audience=Audience(r["withheld_audience"] or _OWN), inzet=r["inzet"] or "",
        status=InputStatus(r["status"] or "draft"),
        submitted_on=dt.date.fromisoformat(r["submitted_on"]) if r["submitted_on"] else None,
    )


def _stored(inp: PartnerInput, name: str) -> Any:
    """The value of field ``name`` as the projection holds it (to write it again)."""
    if name in ("agenda_item_id", "meeting_id", "case_id", "organisation_id"):
        return getattr(inp, name)
    if name == "submitted_on":
        return inp.submitted_on.isoformat() if inp.submitted_on else None
    value = getattr(inp, name)
    return value.value if hasattr(value, "value") else value


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
        with self._tx() as conn:
            item = self._input_target(conn, item_id, organisation_id)
            key = f"{item_id}/{organisation_id}"
            rows = self._rows(conn, "SELECT * FROM partner_input WHERE id = ? AND deleted = 0",
                              (key,))
            before = _input(rows[0]) if rows else None
            if before is None:
                values = {"agenda_item_id": item_id, "meeting_id": item["meeting_id"],
                          "case_id": item["case_id"], "organisation_id": organisation_id,
                          "status": InputStatus.DRAFT.value,
                          "oordeel_audience": _OWN, "withheld_audience": _OWN} | values
            self._write_input(conn, key, item["overleg_id"], organisation_id, values, before,
                              submitted=before is not None and before.submitted)
            row = self._row(conn, "partner_input", key)
        return _input(row)

    def _write_input(self, conn: Connection, key: str, overleg_id: str, organisation_id: str,
                     values: dict[str, Any], before: PartnerInput | None, *,
                     submitted: bool) -> None:
        """Write the input's fields, each op with its audience (need-to-know): a draft
        only for the organisation; submitted, the oordeel and the withheld reason for
        their own audience and the rest for the table. A field whose audience widened or
        narrowed is written again (its old op cannot be recalled where it was pulled)."""
        oordeel = Audience(values.get("oordeel_audience") or (
            before.oordeel_audience if before else _OWN))
        withheld = Audience(values.get("withheld_audience") or (
            before.withheld_audience if before else _OWN))
        now = wire(organisation_id, submitted, oordeel, withheld)
        force: set[str] = set()
        if before is not None:
            was = wire(organisation_id, before.submitted, before.oordeel_audience,
                       before.withheld_audience)
            force = {f for f, aud in now.items() if was[f] != aud}
            for name in force - set(values):
                values[name] = _stored(before, name)
        self._set(conn, "partner_input", key, overleg_id, values, wire=now,
                  force=frozenset(force))

    def submit_input(self, item_id: str, organisation_id: str,
                     today: dt.date | None = None) -> PartnerInput:
        """Submit the organisation's input: the chair and the table see it from now on
        (the oordeel and the withheld reason only within their audience)."""
        today = today or dt.date.today()
        with self._tx() as conn:
            item = self._input_target(conn, item_id, organisation_id)
            key = f"{item_id}/{organisation_id}"
            rows = self._rows(conn, "SELECT * FROM partner_input WHERE id = ? AND deleted = 0",
                              (key,))
            if not rows:
                raise RuleViolation("agenda_item_id", "error.input_empty")
            before = _input(rows[0])
            self._write_input(conn, key, item["overleg_id"], organisation_id, {
                "status": InputStatus.SUBMITTED.value, "submitted_on": today.isoformat()},
                before, submitted=True)
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
