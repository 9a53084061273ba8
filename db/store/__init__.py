"""The store: the only door to data. Use cases in, plain domain objects out.

Every change becomes ops (see :mod:`db.projection`); writing the ops and updating their
projection happen in one transaction, committed with ``synchronous=FULL`` before the call
returns: when a screen says "saved", it is on disk.

The store is thread-safe (one connection behind a lock) so screens can call it from
thread workers; it never touches the event loop. :class:`Store` is one façade over a
module per aggregate: ``base`` (the op-writing core), ``cases``, ``meetings`` (with
attendance and agenda), ``record`` (views, decisions, actions), ``minutes`` (and
corrections), ``replication`` (conflicts, sync support, bulk import) and ``maintenance``
(check, rebuild, dump). The rules that need no database live in :mod:`db.rules`; the
store is the only authority that enforces them (see the lock after approval there).
"""

from __future__ import annotations

from db.engine import StoreError
from db.rules import (
    AUDIENCES,
    MAX_SEARCH,
    MAX_SHORT,
    MAX_TEXT,
    STAY_TERM_MAX,
    TIMEBOX_MAX,
    V_NUMBER_RE,
    Locked,
    NotFound,
    Refusal,
    RuleViolation,
    ValidationError,
    check_date,
    check_dissent,
    check_person,
    check_search,
    check_stay_term,
    check_text,
    check_time,
    check_timebox,
    check_v_number,
    date_doubt,
    parse_date,
    why_locked,
    why_not_case_item,
)
from db.store.base import ApplyResult
from db.store.cases import CasesMixin
from db.store.closing import CheckPoint, ClosingMixin
from db.store.escalations import EscalationsMixin
from db.store.intake import IntakeMixin
from db.store.locking import LockingMixin, StoreLocked
from db.store.maintenance import MaintenanceMixin
from db.store.meetings import MeetingsMixin
from db.store.minutes import MinutesMixin
from db.store.opfactory import OpFactory
from db.store.partner_input import PartnerInputMixin
from db.store.places import PlacesMixin
from db.store.publication import PublicationMixin
from db.store.record import RecordMixin
from db.store.replication import ReplicationMixin
from db.store.retention import DETAIL_TOPICS, CaseDetail, RetentionMixin
from db.store.search import SearchMixin
from db.store.snapshot import SnapshotMixin
from db.store.timeline import TimelineMixin


class Store(
    IntakeMixin,  # first: its create_case / update_case put the dates under the stay rules
    PlacesMixin,
    CasesMixin,
    MeetingsMixin,
    RecordMixin,
    MinutesMixin,
    ReplicationMixin,
    MaintenanceMixin,
    SearchMixin,
    ClosingMixin,
    TimelineMixin,
    EscalationsMixin,
    RetentionMixin,
    SnapshotMixin,
    LockingMixin,
    PublicationMixin,
    PartnerInputMixin,
):
    """Use cases on one local database. Open with :meth:`open`; close when done."""


__all__ = [
    "AUDIENCES", "DETAIL_TOPICS", "CaseDetail", "MAX_SHORT", "MAX_TEXT", "STAY_TERM_MAX", "TIMEBOX_MAX", "V_NUMBER_RE", "ApplyResult",
    "Locked", "NotFound", "OpFactory", "Refusal", "RuleViolation", "Store", "StoreError",
    "StoreLocked", "CheckPoint", "ValidationError", "check_date", "check_dissent",
    "check_stay_term", "check_text",
    "check_time", "check_timebox", "check_v_number", "parse_date", "why_locked",
    "why_not_case_item", "MAX_SEARCH", "check_person", "check_search", "date_doubt",
]
