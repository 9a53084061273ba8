"""Overleggen, organisations and cases."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from db import domain as d
from db.clock import uuid7
from db.rules import (
    MAX_CODE,
    MAX_SHORT,
    ValidationError,
    _date,
    _enum,
    check_date,
    check_places,
    check_search,
    check_stay_term,
    check_text,
    check_v_number,
)
from db.store.base import StoreBase
from db.store.rows import _action, _case, _decision, _org


class CasesMixin(StoreBase):
    """Overleggen, organisations and cases."""

    # -- overleg and organisations ----------------------------------------------------

    def create_overleg(self, name: str, municipality: str, places: int | None = None) -> d.Overleg:
        return self.create_overleg_with_partners(name, municipality, places, partners=())

    def create_overleg_with_partners(
        self,
        name: str,
        municipality: str,
        places: int | None = None,
        partners: Iterable[tuple[str, d.OrgKind | str]] = d.DEFAULT_PARTNERS,
    ) -> d.Overleg:
        """A new overleg with its partner organisations (the usual five by default), in one
        transaction: all of it is written, or nothing."""
        name = check_text(name, "name", MAX_SHORT, required=True)
        municipality = check_text(municipality, "municipality", MAX_SHORT, required=True)
        places = check_places(places)
        orgs = [(check_text(org, "name", MAX_SHORT, required=True), _enum(d.OrgKind, kind, "kind"))
                for org, kind in partners]
        oid = uuid7()
        with self._tx() as conn:
            self._set(conn, "overleg", oid, oid, {"name": name, "municipality": municipality,
                                                  "places": places})
            for sort, (org, kind) in enumerate(orgs, start=1):
                self._set(conn, "organisation", uuid7(), oid,
                          {"name": org, "kind": kind.value, "sort": sort})
        return d.Overleg(oid, name, municipality, places)

    def overleggen(self) -> list[d.Overleg]:
        with self._read() as conn:
            rows = self._rows(conn, "SELECT * FROM overleg WHERE deleted = 0 ORDER BY name")
        return [d.Overleg(r["id"], r["name"] or "", r["municipality"] or "", r["places"])
                for r in rows]

    def add_organisation(
        self, overleg_id: str, name: str, kind: d.OrgKind | str, sort: int = 0
    ) -> d.Organisation:
        name = check_text(name, "name", MAX_SHORT, required=True)
        kind = _enum(d.OrgKind, kind, "kind")
        oid = uuid7()
        with self._tx() as conn:
            self._set(conn, "organisation", oid, overleg_id,
                      {"name": name, "kind": kind.value, "sort": sort})
        return d.Organisation(oid, overleg_id, name, kind, sort)

    def organisations(self, overleg_id: str) -> list[d.Organisation]:
        with self._read() as conn:
            rows = self._rows(
                conn,
                "SELECT * FROM organisation WHERE overleg_id = ? AND deleted = 0 "
                "ORDER BY sort, name",
                (overleg_id,),
            )
        return [_org(r) for r in rows]

    # -- cases ------------------------------------------------------------------------

    def _case_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in values.items():
            if key == "code":
                out[key] = check_text(value, "code", MAX_CODE, required=True).strip()
            elif key == "v_number":
                out[key] = check_v_number(value)
            elif key in ("intake_date", "exit_date"):
                out[key] = check_date(value, key)
            elif key == "stay_term_days":
                out[key] = check_stay_term(value, key)
            elif key in ("health_flag", "identity_established"):
                out[key] = bool(value)
            elif key == "cooperation":
                out[key] = _enum(d.Cooperation, value, key).value
            elif key == "perspective":
                out[key] = _enum(d.Perspective, value, key).value
            elif key == "status":
                out[key] = _enum(d.CaseStatus, value, key).value
            elif key == "outcome_subtype":
                if value in (None, ""):
                    out[key] = None
                    out["outcome_category"] = None
                else:
                    sub = _enum(d.OutcomeSubtype, value, key)
                    out[key] = sub.value
                    out["outcome_category"] = sub.category.value
            elif key in ("nationality", "procedure", "put_forward_by"):
                out[key] = check_text(value, key, MAX_SHORT) or None
            else:
                raise ValueError(f"case has no field {key}")
        return out

    def create_case(self, overleg_id: str, code: str, **fields: Any) -> d.Case:
        values = self._case_values({"code": code, **fields})
        values.setdefault("status", d.CaseStatus.INTAKE.value)
        values.setdefault("perspective", d.Perspective.UNDECIDED.value)
        cid = uuid7()
        with self._tx() as conn:
            clash = conn.exec_driver_sql(
                "SELECT 1 FROM casus WHERE overleg_id = ? AND code = ? AND deleted = 0",
                (overleg_id, values["code"]),
            ).fetchone()
            if clash:
                raise ValidationError("code", "error.code_taken")
            self._set(conn, "casus", cid, overleg_id, values)
            row = self._row(conn, "casus", cid)
        return _case(row)

    def update_case(
        self, case_id: str, *, seen: Collection[str] | None = None, **fields: Any
    ) -> d.Case:
        """Change a case; ``seen``: the op ids the form showed (``Case.seen``)."""
        values = self._case_values(fields)
        with self._tx() as conn:
            row = self._row(conn, "casus", case_id)
            if "code" in values and values["code"] != row["code"]:
                clash = conn.exec_driver_sql(
                    "SELECT 1 FROM casus WHERE overleg_id = ? AND code = ? AND deleted = 0 "
                    "AND id != ?",
                    (row["overleg_id"], values["code"], case_id),
                ).fetchone()
                if clash:
                    raise ValidationError("code", "error.code_taken")
            self._set(conn, "casus", case_id, row["overleg_id"], values, seen)
            return self._case_model(conn, self._row(conn, "casus", case_id))

    def _case_model(self, conn: Any, row: Mapping[str, Any]) -> d.Case:
        """The case with what it shows; its perspective is marked while one of its
        decisions has an open conflict on the perspective (a derived value follows)."""
        case_id = row["id"]
        conflicts = set(self._conflicted(conn, "casus", [case_id])[case_id])
        if conn.exec_driver_sql(
            "SELECT 1 FROM conflict_key k JOIN decision x ON x.id = k.entity_id "
            "WHERE k.entity = 'decision' AND k.field = 'perspective' AND x.case_id = ? LIMIT 1",
            (case_id,),
        ).fetchone():
            conflicts.add("perspective")
        seen = self._seen_of(conn, "casus", [case_id])[case_id]
        return _case(row, seen, frozenset(conflicts))

    def case(self, case_id: str) -> d.Case:
        with self._read() as conn:
            return self._case_model(conn, self._row(conn, "casus", case_id))

    def cases(
        self,
        overleg_id: str,
        *,
        search: str | None = None,
        status: str | None = None,
        perspective: str | None = None,
        nationality: str | None = None,
        limit: int | None = None,
    ) -> list[d.Case]:
        sql = "SELECT * FROM casus WHERE overleg_id = ? AND deleted = 0"
        params: list[Any] = [overleg_id]
        search = check_search(search)  # a 100 KB paste: refused, never "too complex"
        if search:
            sql += " AND (code LIKE ? ESCAPE '\\' OR nationality LIKE ? ESCAPE '\\')"
            like = "%" + re.sub(r"([%_\\])", r"\\\1", search) + "%"
            params += [like, like]
        if status:
            sql += " AND status = ?"
            params.append(status)
        if perspective:
            sql += " AND perspective = ?"
            params.append(perspective)
        if nationality:
            sql += " AND nationality = ?"
            params.append(nationality)
        sql += " ORDER BY code"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self._read() as conn:
            return [_case(r) for r in self._rows(conn, sql, params)]

    def nationalities(self, overleg_id: str) -> list[str]:
        with self._read() as conn:
            return [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT DISTINCT nationality FROM casus WHERE overleg_id = ? AND deleted = 0 "
                    "AND nationality IS NOT NULL ORDER BY 1",
                    (overleg_id,),
                )
            ]

    def case_history(self, case_id: str, before_meeting_id: str | None = None) -> d.CaseHistory:
        """The case, its decisions of earlier meetings (newest first) and open actions."""
        with self._read() as conn:
            case = self._case_model(conn, self._row(conn, "casus", case_id))
            sql = (
                "SELECT d.*, m.date AS meeting_date FROM decision d JOIN meeting m "
                "ON m.id = d.meeting_id WHERE d.case_id = ? AND d.deleted = 0 AND m.deleted = 0"
            )
            params: list[Any] = [case_id]
            if before_meeting_id:
                sql += " AND m.date < (SELECT date FROM meeting WHERE id = ?)"
                params.append(before_meeting_id)
            sql += " ORDER BY m.date DESC"
            decisions = tuple(
                d.PastDecision(_date(r["meeting_date"]), _decision(r))  # type: ignore[arg-type]
                for r in self._rows(conn, sql, params)
            )
            actions = tuple(
                _action(r)
                for r in self._rows(
                    conn,
                    "SELECT * FROM action_item WHERE case_id = ? AND deleted = 0 "
                    "AND status = 'open' ORDER BY due_date",
                    (case_id,),
                )
            )
        return d.CaseHistory(case, decisions, actions)

