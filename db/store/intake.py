"""A case's life in the LVV: intake steps, admission, exit and coming back, as stays.

Every stay is its own record (entity ``stay``); the case mirrors the dates, outcome and
status of its latest stay so that the register and the case file read one row. Every
rule of a stay is checked here, on every write path: the intake steps, an edit of the
case's dates in the case form (:meth:`update_case`), and the import of case lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from db import domain as d
from db.clock import uuid7
from db.rules import (
    MAX_SHORT,
    MAX_TEXT,
    ValidationError,
    _date,
    _enum,
    _iso,
    check_text,
    parse_date,
)
from db.store.base import StoreBase
from db.store.rows import _case, _item
from db.store.stays import STAY_FIELDS, _stay, _subtype, check_exit


class IntakeMixin(StoreBase):
    """Intake steps, exit, stays; the case's dates go through the same rules."""

    # -- reading --------------------------------------------------------------------------

    def _stays(self, conn: Connection, case_id: str) -> list[d.Stay]:
        rows = self._rows(conn, "SELECT * FROM stay WHERE case_id = ? AND deleted = 0 "
                          "ORDER BY number, id", (case_id,))
        return [_stay(r) for r in rows]

    def stays(self, case_id: str) -> list[d.Stay]:
        """Every stay of a case, oldest first."""
        with self._read() as conn:
            return self._stays(conn, case_id)

    def current_stay(self, case_id: str) -> d.Stay | None:
        """The latest stay of a case (None: never put forward)."""
        stays = self.stays(case_id)
        return stays[-1] if stays else None

    def intake_overview(self, overleg_id: str, today: dt.date | None = None) -> list[d.IntakeRow]:
        """The cases whose latest stay is still in intake (before the scenario is set), with
        the step each stands at, oldest first; the not admitted ones are left out."""
        today = today or dt.date.today()
        with self._read() as conn:
            rows = self._rows(
                conn,
                "SELECT s.*, c.id AS c_id FROM stay s JOIN casus c ON c.id = s.case_id "
                "WHERE s.overleg_id = ? AND s.deleted = 0 AND c.deleted = 0 "
                "AND s.exit_date IS NULL AND s.scenario IS NULL "
                "AND coalesce(s.lvv_verdict, '') != 'no' AND s.number = (SELECT max(number) "
                "FROM stay x WHERE x.case_id = s.case_id AND x.deleted = 0) "
                "ORDER BY coalesce(s.put_forward_on, s.intake_date), s.id",
                (overleg_id,),
            )
            out = []
            for r in rows:
                stay = _stay(r)
                case = _case(self._row(conn, "casus", r["c_id"]))
                out.append(d.IntakeRow(case, stay, stay.step(today)))
        return out

    # -- the steps ------------------------------------------------------------------------

    def put_forward(self, case_id: str, by: str, on: dt.date | str) -> d.Stay:
        """Put a case forward (again): a new stay. Not while a stay of it is still open, and a
        case that left comes back no earlier than the day it left."""
        by = check_text(by, "put_forward_by", MAX_SHORT, required=True).strip()
        day = parse_date(on, "put_forward_on")
        if day is None:
            raise ValidationError("put_forward_on", "error.required")
        with self._tx() as conn:
            case = self._row(conn, "casus", case_id)
            stays = self._stays(conn, case_id)
            if stays:
                last = stays[-1]
                if last.exit_date is None and last.lvv_verdict is not d.LvvVerdict.NO:
                    raise ValidationError("put_forward_on", "error.stay_open")
                after = last.exit_date or last.lvv_decided_on or last.put_forward_on
                if after and day < after:
                    raise ValidationError("put_forward_on", "error.before_last_stay")
            sid = uuid7()
            self._set(conn, "stay", sid, case["overleg_id"], {
                "case_id": case_id, "number": (stays[-1].number + 1) if stays else 1,
                "put_forward_by": by, "put_forward_on": day.isoformat(),
            })
            return self._sync_case(conn, case_id)

    def decide_intake(self, item_id: str, verdict: d.LvvVerdict | str, reason: str = "") -> d.Stay:
        """The LSO's decision on an agenda item: is the case an LVV-zaak (yes / no /
        exception)? ``no`` and ``exception`` need a reason. Admitted: the intake date is the
        meeting's date."""
        verdict = _enum(d.LvvVerdict, verdict, "lvv_verdict")
        reason = check_text(reason, "lvv_reason", MAX_TEXT).strip()
        if verdict is not d.LvvVerdict.YES and not reason:
            raise ValidationError("lvv_reason", "error.reason_required")
        with self._tx() as conn:
            item, meeting, stay = self._item_stay(conn, item_id)
            if stay.lvv_verdict is not None or stay.intake_date is not None:
                raise ValidationError("lvv_verdict", "error.intake_decided")
            day = _date(meeting["date"])
            if stay.put_forward_on and day and day < stay.put_forward_on:
                raise ValidationError("lvv_verdict", "error.before_put_forward")
            admitted = verdict is not d.LvvVerdict.NO
            self._set(conn, "stay", stay.id, stay.overleg_id, {
                "lvv_verdict": verdict.value, "lvv_reason": reason or None,
                "lvv_item_id": item_id, "lvv_decided_on": meeting["date"],
                "intake_date": meeting["date"] if admitted else None,
            })
            self._item_discussed(conn, item)
            return self._sync_case(conn, stay.case_id)

    def record_dossier(self, case_id: str, partner: d.OrgKind | str, on: dt.date | str) -> d.Stay:
        """IND or DTenV delivered its dossier on the admitted stay; the rusttermijn runs from
        the later of the two."""
        kind = _enum(d.OrgKind, partner, "partner")
        if kind not in (d.OrgKind.IND, d.OrgKind.DTENV):
            raise ValidationError("partner", "error.choice")
        field = f"{kind.value}_dossier_on"
        day = parse_date(on, field)
        if day is None:
            raise ValidationError(field, "error.required")
        with self._tx() as conn:
            stay = self._open_stay(conn, case_id)
            if stay.intake_date and day < stay.intake_date:
                raise ValidationError(field, "error.before_intake")
            if stay.scenario is not None:
                raise ValidationError(field, "error.scenario_set")
            self._set(conn, "stay", stay.id, stay.overleg_id, {field: day.isoformat()})
            return self._sync_case(conn, case_id)

    def set_scenario(
        self,
        item_id: str,
        scenario: d.Perspective | str,
        inzet: Iterable[tuple[str, str, dt.date | str | None]] = (),
    ) -> d.Stay:
        """The LSO sets the begeleidingsscenario on an agenda item once the rusttermijn is
        over, with each partner's inzet as actions ``(organisation_id, text, due date)``."""
        perspective = _enum(d.Perspective, scenario, "scenario")
        if perspective is d.Perspective.UNDECIDED:
            raise ValidationError("scenario", "error.required")
        actions = [(org, check_text(text, "inzet", MAX_TEXT, required=True),
                    _iso(parse_date(due, "due_date"))) for org, text, due in inzet]
        with self._tx() as conn:
            item, meeting, stay = self._item_stay(conn, item_id)
            if not stay.admitted or stay.exit_date is not None:
                raise ValidationError("scenario", "error.not_admitted")
            end = stay.rest_period_end
            day = _date(meeting["date"])
            if end is None:
                raise ValidationError("scenario", "error.dossiers_missing")
            if day is None or day < end:
                raise ValidationError("scenario", "error.rest_period", end=end.isoformat())
            self._set(conn, "stay", stay.id, stay.overleg_id, {
                "scenario": perspective.value, "scenario_item_id": item_id,
                "scenario_on": meeting["date"],
            })
            self._set(conn, "casus", stay.case_id, stay.overleg_id,
                      {"perspective": perspective.value})
            for org, text, due in actions:
                self._set(conn, "action_item", uuid7(), stay.overleg_id, {
                    "case_id": stay.case_id, "meeting_id": item["meeting_id"],
                    "agenda_item_id": item_id, "owner_organisation_id": org, "text": text,
                    "due_date": due, "status": d.ActionStatus.OPEN.value,
                })
            self._item_discussed(conn, item)
            return self._sync_case(conn, stay.case_id)

    def record_exit(self, case_id: str, exit_date: dt.date | str,
                    subtype: d.OutcomeSubtype | str, item_id: str | None = None) -> d.Stay:
        """The case leaves: its date, the subtype (which fixes the category) and the agenda
        item whose decision it came from."""
        day = parse_date(exit_date, "exit_date")
        sub = _subtype(subtype)
        with self._tx() as conn:
            stay = self._open_stay(conn, case_id)
            check_exit(stay.intake_date, day, sub)
            if day is None or sub is None:  # check_exit refused these; for the type checker
                raise ValidationError("exit_date", "error.required")
            if item_id is not None:  # the item whose decision it came from: same case, open
                item = self._row(conn, "agenda_item", item_id)
                if item["case_id"] != case_id or item["deleted"]:
                    raise ValidationError("exit_item_id", "error.other_case")
                self._unlocked_meeting(conn, item["meeting_id"])
            self._set(conn, "stay", stay.id, stay.overleg_id, {
                "exit_date": day.isoformat(), "outcome_subtype": sub.value,
                "outcome_category": sub.category.value, "exit_item_id": item_id,
            })
            return self._sync_case(conn, case_id)

    def decide(self, item_id: str, *args: Any, **kwargs: Any) -> d.Decision:
        """The table's decision (:meth:`RecordMixin.decide`). On a case still put forward it
        is also the intake decision: an LVV-zaak, admitted as of the meeting's date, so that
        the case's status and its stay keep telling the same story."""
        with self._lock:
            decision = super().decide(item_id, *args, **kwargs)  # type: ignore[misc]
            if decision.case_id:
                with self._tx() as conn:
                    stays = self._stays(conn, decision.case_id)
                    stay = stays[-1] if stays else None
                    if stay is not None and stay.lvv_verdict is None and \
                            stay.intake_date is None:
                        meeting = self._row(conn, "meeting", decision.meeting_id)
                        self._set(conn, "stay", stay.id, stay.overleg_id, {
                            "lvv_verdict": d.LvvVerdict.YES.value, "lvv_item_id": item_id,
                            "lvv_decided_on": meeting["date"], "intake_date": meeting["date"],
                        })
                        self._sync_case(conn, decision.case_id)
        return decision

    def intake_agenda_item(self, case_id: str, today: dt.date | None = None
                           ) -> d.AgendaItem | None:
        """The agenda item to record the LSO's intake decision on: the case's item of the
        latest meeting up to ``today`` since it was put forward (None: not discussed yet)."""
        today = today or dt.date.today()
        stay = self.current_stay(case_id)
        since = (stay.put_forward_on if stay and stay.put_forward_on else dt.date.min)
        with self._read() as conn:
            rows = self._rows(
                conn,
                "SELECT a.* FROM agenda_item a JOIN meeting m ON m.id = a.meeting_id "
                "WHERE a.case_id = ? AND a.deleted = 0 AND m.deleted = 0 AND m.date <= ? "
                "AND m.date >= ? ORDER BY m.date DESC, a.position LIMIT 1",
                (case_id, today.isoformat(), since.isoformat()))
        return _item(rows[0]) if rows else None

    def plan_next_intake_step(self, case_id: str, meeting_id: str | None = None,
                              today: dt.date | None = None) -> d.AgendaItem | None:
        """Put a case in intake on the agenda of ``meeting_id`` (default: the next planned
        meeting of its overleg). None when it is on that agenda already or no meeting is
        planned."""
        today = today or dt.date.today()
        with self._read() as conn:
            case = self._row(conn, "casus", case_id)
            if meeting_id is None:
                row = conn.exec_driver_sql(
                    "SELECT id FROM meeting WHERE overleg_id = ? AND deleted = 0 AND date >= ? "
                    "AND coalesce(status, 'planned') = 'planned' ORDER BY date, id LIMIT 1",
                    (case["overleg_id"], today.isoformat())).fetchone()
                if row is None:
                    return None
                meeting_id = row[0]
            on_it = conn.exec_driver_sql(
                "SELECT 1 FROM agenda_item WHERE meeting_id = ? AND case_id = ? AND deleted = 0",
                (meeting_id, case_id)).fetchone()
        if on_it:
            return None
        return self.add_agenda_item(
            meeting_id, d.ItemKind.CASE, case_id=case_id)

    # -- the case's own dates go through the same rules -------------------------------------

    def create_case(self, overleg_id: str, code: str, **fields: Any) -> d.Case:
        """A new case with its first stay: admitted on ``intake_date`` when given (an
        existing case entered afterwards), else put forward on ``put_forward_on`` (today)."""
        stay_values = {k: fields.pop(k) for k in (*STAY_FIELDS, "put_forward_on") if k in fields}
        values = self._case_values({"code": code, **fields})
        values.setdefault("perspective", d.Perspective.UNDECIDED.value)
        cid = uuid7()
        with self._tx() as conn:
            self._check_code(conn, overleg_id, values["code"], None)
            self._set(conn, "casus", cid, overleg_id, values)
            self._write_stay_fields(conn, cid, overleg_id, stay_values, new=True,
                                    by=values.get("put_forward_by"))
            self._sync_case(conn, cid)
            return _case(self._row(conn, "casus", cid))

    def update_case(self, case_id: str, *, seen: Any = None, **fields: Any) -> d.Case:
        """Edit a case; its intake and exit dates and outcome change its latest stay, under
        the rules of an exit. ``seen``: the op ids the form showed (``Case.seen``)."""
        stay_values = {k: fields.pop(k) for k in STAY_FIELDS if k in fields}
        values = self._case_values(fields)
        with self._tx() as conn:
            row = self._row(conn, "casus", case_id)
            if "code" in values and values["code"] != row["code"]:
                self._check_code(conn, row["overleg_id"], values["code"], case_id)
            self._set(conn, "casus", case_id, row["overleg_id"], values, seen)
            if stay_values:
                self._write_stay_fields(conn, case_id, row["overleg_id"], stay_values)
                self._sync_case(conn, case_id)
            return self._case_model(conn, self._row(conn, "casus", case_id))

    def _check_code(self, conn: Connection, overleg_id: str, code: str,
                    case_id: str | None) -> None:
        clash = conn.exec_driver_sql(
            "SELECT 1 FROM casus WHERE overleg_id = ? AND code = ? AND deleted = 0 "
            "AND id != ?", (overleg_id, code, case_id or "")).fetchone()
        if clash:
            raise ValidationError("code", "error.code_taken")

    def _write_stay_fields(self, conn: Connection, case_id: str, overleg_id: str,
                           given: Mapping[str, Any], *, new: bool = False,
                           by: str | None = None) -> None:
        """Apply intake date, exit date, outcome (and a status that must agree) to the
        latest stay, creating the first one when there is none."""
        stays = [] if new else self._stays(conn, case_id)
        stay = stays[-1] if stays else None
        intake = (parse_date(given["intake_date"], "intake_date") if "intake_date" in given
                  else stay.intake_date if stay else None)
        exit_date = (parse_date(given["exit_date"], "exit_date") if "exit_date" in given
                     else stay.exit_date if stay else None)
        sub = (_subtype(given["outcome_subtype"]) if "outcome_subtype" in given
               else stay.outcome_subtype if stay else None)
        check_exit(intake, exit_date, sub)
        status = given.get("status")
        if status not in (None, ""):
            status = _enum(d.CaseStatus, status, "status")
            if (status is d.CaseStatus.LEFT) != (exit_date is not None):
                raise ValidationError("status", "error.status_exit")
            if status is d.CaseStatus.ACTIVE and intake is None:
                raise ValidationError("intake_date", "error.required")
        if stay is not None and stay.lvv_verdict is d.LvvVerdict.NO and intake is not None:
            raise ValidationError("intake_date", "error.not_admitted")
        values = {
            "intake_date": _iso(intake), "exit_date": _iso(exit_date),
            "outcome_subtype": sub.value if sub else None,
            "outcome_category": sub.category.value if sub else None,
        }
        if stay is None:
            values.update(case_id=case_id, number=1, put_forward_by=by)
            if intake is None:
                day = parse_date(given.get("put_forward_on"), "put_forward_on")
                values["put_forward_on"] = (day or dt.date.today()).isoformat()
            sid = uuid7()
        else:
            sid = stay.id
        self._set(conn, "stay", sid, overleg_id, values)

    # -- shared pieces ----------------------------------------------------------------------

    def _open_stay(self, conn: Connection, case_id: str) -> d.Stay:
        """The latest stay, admitted and not left; else a ValidationError."""
        self._row(conn, "casus", case_id)
        stays = self._stays(conn, case_id)
        if not stays or not stays[-1].admitted:
            raise ValidationError("case_id", "error.not_admitted")
        if stays[-1].exit_date is not None:
            raise ValidationError("exit_date", "error.already_left")
        return stays[-1]

    def _item_stay(self, conn: Connection, item_id: str) -> tuple[dict, dict, d.Stay]:
        item = self._row(conn, "agenda_item", item_id)
        if not item["case_id"]:
            raise ValidationError("item_id", "error.not_a_case_item")
        meeting = self._unlocked_meeting(conn, item["meeting_id"])
        stays = self._stays(conn, item["case_id"])
        if not stays:
            raise ValidationError("case_id", "error.not_put_forward")
        return item, meeting, stays[-1]

    def _item_discussed(self, conn: Connection, item: Mapping[str, Any]) -> None:
        if item["status"] == d.ItemStatus.OPEN.value:
            self._set(conn, "agenda_item", item["id"], item["overleg_id"],
                      {"status": d.ItemStatus.DISCUSSED.value})

    def _sync_case(self, conn: Connection, case_id: str) -> d.Stay:
        """Mirror the latest stay onto the case (dates, outcome, status, put forward by)."""
        stay = self._stays(conn, case_id)[-1]
        if stay.exit_date is not None:
            status = d.CaseStatus.LEFT
        elif stay.lvv_verdict is d.LvvVerdict.NO:
            status = d.CaseStatus.NOT_ADMITTED
        elif stay.admitted:
            status = d.CaseStatus.ACTIVE
        else:
            status = d.CaseStatus.INTAKE
        values: dict[str, Any] = {
            "intake_date": _iso(stay.intake_date), "exit_date": _iso(stay.exit_date),
            "outcome_subtype": stay.outcome_subtype.value if stay.outcome_subtype else None,
            "outcome_category": stay.outcome_category.value if stay.outcome_category else None,
            "status": status.value,
        }
        if stay.put_forward_by:
            values["put_forward_by"] = stay.put_forward_by
        self._set(conn, "casus", case_id, stay.overleg_id, values)
        return stay

    # -- monitoring and import (the SQL and the parsing live in their own modules) ----------

    def monitoring(self, date_from: dt.date, date_to: dt.date,
                   overleg_id: str | None = None) -> Any:
        """The monitoring figures of a period (see :mod:`db.monitoring`)."""
        from db.monitoring import compute
        from db.store.escalation_reads import _thread

        with self._read() as conn:  # one snapshot: the stays and the escalation threads
            threads = [_thread(r) for r in self._rows(
                conn, "SELECT * FROM escalation WHERE deleted = 0", ())]
            return compute(conn, date_from, date_to, overleg_id, threads)

    def import_cases(self, rows: Sequence[Any], *, create_overleggen: bool = False,
                     dry_run: bool = False,
                     progress: Callable[[int], None] | None = None,
                     result: Any = None) -> Any:
        """Write parsed case rows (:mod:`db.case_import`) in one transaction, or nothing."""
        from db.case_import import write_rows

        return write_rows(self, rows, create_overleggen=create_overleggen,  # type: ignore[arg-type]
                          dry_run=dry_run, progress=progress, result=result)
