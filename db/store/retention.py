"""Retention and a case's sensitive details (issue 10): the term per overleg, the cases past
it, anonymising them (one redaction op per case, see :mod:`db.retention`), and a partner's
health or police details of a case under an audience, like a view's note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db import retention
from db.rules import check_audience, check_text
from db.store.base import StoreBase, _raw

#: what a partner's sensitive details of a case are about
DETAIL_TOPICS = ("health", "police", "other")


@dataclass(frozen=True)
class RetentionDue:
    """A case past its overleg's retention term (not yet anonymised)."""

    case_id: str
    code: str
    overleg_id: str
    exit_date: dt.date
    term_months: int
    due_on: dt.date


@dataclass(frozen=True)
class CaseDetail:
    """A partner's sensitive details of a case (health, police information)."""

    id: str
    case_id: str
    organisation_id: str
    topic: str
    text: str
    audience: str = "organisation"


class RetentionMixin(StoreBase):
    """Retention terms, anonymising cases, and sensitive case details."""

    # -- the term ------------------------------------------------------------------------

    def retention_term(self, overleg_id: str) -> int:
        """The overleg's term in months (the default when it has none)."""
        with self._read() as conn:
            row = _raw(conn).execute("SELECT retention_months FROM overleg WHERE id = ?",
                                     (overleg_id,)).fetchone()
        return int(row[0]) if row and row[0] else retention.DEFAULT_MONTHS

    def set_retention_term(self, overleg_id: str, months: int) -> None:
        """Set the overleg's retention term (an administrator's choice, 1–240 months)."""
        months = retention.check_term(months)
        with self._tx() as conn:
            self._row(conn, "overleg", overleg_id)
            self._set(conn, "overleg", overleg_id, overleg_id, {"retention_months": months})

    # -- the cases past it ---------------------------------------------------------------

    def retention_due(self, today: dt.date, overleg_id: str | None = None) -> list[RetentionDue]:
        """Cases that left more than their overleg's term before ``today`` and are not yet
        anonymised, the longest overdue first."""
        with self._read() as conn:
            rows = _raw(conn).execute(
                "SELECT c.id, c.code, c.overleg_id, c.exit_date, o.retention_months FROM casus c "
                "LEFT JOIN overleg o ON o.id = c.overleg_id WHERE c.deleted = 0 AND "
                "c.redacted IS NULL AND c.exit_date IS NOT NULL AND (? IS NULL OR "
                "c.overleg_id = ?)", (overleg_id, overleg_id)).fetchall()
        out = []
        for case_id, code, overleg, exit_text, term in rows:
            try:
                left = dt.date.fromisoformat(exit_text)
            except ValueError:
                continue
            months = int(term) if term else retention.DEFAULT_MONTHS
            due = retention.add_months(left, months)
            if due <= today:
                out.append(RetentionDue(case_id, code or "", overleg, left, months, due))
        return sorted(out, key=lambda r: (r.due_on, r.code))

    def redact_cases(self, case_ids: Sequence[str], today: dt.date) -> int:
        """Anonymise the cases: one redaction op each, then what retention does not keep is
        erased from the op log and the tables (zeroed in the file: ``secure_delete``) and
        the WAL is checkpointed and truncated. Returns the number of op values erased."""
        month = today.isoformat()[:7]
        with self._tx() as conn:
            raw = _raw(conn)
            todo = []
            for case_id in case_ids:
                row = self._row(conn, "casus", case_id)
                if not row.get("redacted"):
                    self._set(conn, "casus", case_id, row["overleg_id"], {"redacted": month})
                todo.append(case_id)
            erased = retention.erase(raw, todo)
        self.checkpoint_erased()
        return erased

    def cases_by_code(self, code: str) -> list[str]:
        """The ids of the cases with ``code`` (one per overleg that uses it)."""
        with self._read() as conn:
            return [r[0] for r in _raw(conn).execute(
                "SELECT id FROM casus WHERE code = ? AND deleted = 0 ORDER BY id", (code,))]

    def case_audit(self, code: str, case_id: str | None = None) -> list[dict[str, Any]]:
        """The audit trail of a case (see :func:`db.audit.case_changes`)."""
        from db.audit import case_changes

        return case_changes(self, code, case_id)

    def redacted_cases(self) -> set[str]:
        with self._read() as conn:
            return retention.redacted_cases(_raw(conn))

    def checkpoint_erased(self) -> bool:
        """Copy the WAL into the file and truncate it, so no erased value is left in it.
        False when a reader kept part of it (then it is done at the next checkpoint)."""
        with self._lock:
            busy = _raw(self._conn).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy or busy[0] == 0

    # -- a partner's sensitive details of a case -----------------------------------------

    def record_case_detail(self, case_id: str, organisation_id: str, text: str, *,
                           topic: str = "health", audience: str = "organisation") -> CaseDetail:
        """Record (or change) a partner's sensitive details of a case. Its text and topic
        travel with ``audience`` (default: the partner itself), enforced by the server as
        for a view's note."""
        from db.rules import ValidationError

        text = check_text(text, "text")
        audience = check_audience(audience)
        if topic not in DETAIL_TOPICS:
            raise ValidationError("topic", "error.choice")
        with self._tx() as conn:
            case = self._row(conn, "casus", case_id)
            org = self._row(conn, "organisation", organisation_id)
            if org["overleg_id"] != case["overleg_id"]:
                raise ValidationError("organisation_id", "error.choice")
            did = f"{case_id}/{organisation_id}"
            wire = (audience, organisation_id)
            self._set(conn, "case_detail", did, case["overleg_id"], {
                "case_id": case_id, "organisation_id": organisation_id, "topic": topic,
                "text": text, "audience": audience,
            }, wire={"text": wire, "topic": wire})
        return CaseDetail(did, case_id, organisation_id, topic, text, audience)

    def case_details(self, case_id: str) -> list[CaseDetail]:
        """The sensitive details of a case this laptop holds (only those for its
        organisation's audience, when it syncs with a server)."""
        with self._read() as conn:
            rows = _raw(conn).execute(
                "SELECT id, case_id, organisation_id, topic, text, audience FROM case_detail "
                "WHERE case_id = ? AND deleted = 0 ORDER BY id", (case_id,)).fetchall()
        return [CaseDetail(r[0], r[1], r[2], r[3] or "", r[4] or "", r[5] or "overleg")
                for r in rows if r[4] is not None]


__all__ = ["DETAIL_TOPICS", "CaseDetail", "RetentionDue", "RetentionMixin"]
