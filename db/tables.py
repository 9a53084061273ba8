"""SQLModel tables: the op log, its bookkeeping, and the projections the screens read.

Projections (everything under "Projections") are derived from the op log and can be
rebuilt from it at any time; never write them except through :mod:`db.projection`.
"""

from __future__ import annotations

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from db.tables_threads import CaseDetail, EscalationRecord, Stay

# ---------------------------------------------------------------------------------------
# The op log and device-local bookkeeping
# ---------------------------------------------------------------------------------------


class Op(SQLModel, table=True):
    """One immutable change. The first twelve columns travel; the rest are local.

    ``local_seq`` (the rowid) is the order of arrival on this device. The table carries as
    few indexes as it can: every index is another page written by every edit.
    """

    __tablename__ = "op"
    __table_args__ = (Index("ix_op_unpushed", "local_seq", sqlite_where=text("pushed = 0")),)

    local_seq: int = Field(primary_key=True)
    id: str = Field(unique=True)
    device_id: str
    device_seq: int
    hlc: str
    author: str
    overleg_id: str
    entity: str
    entity_id: str
    field: str
    value: str  # JSON
    base: str  # JSON list of op ids
    schema_version: int
    #: who may read the op: overleg (everyone), chair (chair + org_id), organisation
    audience: str = "overleg"
    #: the organisation the record belongs to ("" for none)
    org_id: str = ""
    pushed: bool = False
    skewed: bool = False


class OpBase(SQLModel, table=True):
    """One edge of an op's ``base``: the op ``op_id`` had seen ``base_id``.

    Keyed by ``base_id`` first: every lookup asks which ops saw a given op, and no second
    index is kept up at every edit (schema 13, issue 11)."""

    __tablename__ = "op_base"
    __table_args__ = {"sqlite_with_rowid": False}

    base_id: str = Field(primary_key=True)
    op_id: str = Field(primary_key=True)


class FieldHead(SQLModel, table=True):
    """An op that no later op on the same field has superseded.

    One head per field is the normal case; two or more heads with different values are an
    open conflict.
    """

    __tablename__ = "field_head"
    __table_args__ = {"sqlite_with_rowid": False}

    entity: str = Field(primary_key=True)
    entity_id: str = Field(primary_key=True)
    field: str = Field(primary_key=True)
    op_id: str = Field(primary_key=True)
    hlc: str
    device_id: str
    value: str


class ConflictKey(SQLModel, table=True):
    """A field whose heads hold more than one value: an open conflict (kept in step with
    ``field_head`` so that counting conflicts never scans the heads)."""

    __tablename__ = "conflict_key"
    __table_args__ = {"sqlite_with_rowid": False}

    entity: str = Field(primary_key=True)
    entity_id: str = Field(primary_key=True)
    field: str = Field(primary_key=True)


class Tombstone(SQLModel, table=True):
    """An entity with a delete among the heads of its ``deleted`` field."""

    __tablename__ = "tombstone"
    __table_args__ = {"sqlite_with_rowid": False}

    entity: str = Field(primary_key=True)
    entity_id: str = Field(primary_key=True)


class Meta(SQLModel, table=True):
    """Device-local settings: device id, clock, next device_seq, author."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True)
    value: str


class SyncCursor(SQLModel, table=True):
    """How far this device has pulled from one server."""

    __tablename__ = "sync_cursor"

    server: str = Field(primary_key=True)
    cursor: int = 0
    last_sync_ms: int | None = None


class OpAlarm(SQLModel, table=True):
    """A received op whose id we had with a different payload: kept aside, never applied."""

    __tablename__ = "op_alarm"

    id: int | None = Field(default=None, primary_key=True)
    op_id: str = Field(index=True)
    source: str
    payload: str
    at_ms: int


class OpQuarantine(SQLModel, table=True):
    """A pulled op that failed the checks of :mod:`db.wire_check`: kept, listed by
    ``check`` and in the top bar, never applied."""

    __tablename__ = "op_quarantine"
    __table_args__ = (Index("ux_op_quarantine", "op_id", "payload", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    op_id: str
    source: str
    reason: str
    payload: str
    at_ms: int


# ---------------------------------------------------------------------------------------
# Projections
# ---------------------------------------------------------------------------------------


class Overleg(SQLModel, table=True):
    """A local cooperation body (lokaal samenwerkingsoverleg) of one municipality."""

    __tablename__ = "overleg"
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    name: str | None = None
    municipality: str | None = None
    places: int | None = None
    #: months after a case left before it is anonymised (None: the default, 24)
    retention_months: int | None = None
    #: days before a meeting its agenda is published (None: the default, 7)
    agenda_lead_days: int | None = None


class Organisation(SQLModel, table=True):
    """A partner at the table: gemeente, IND, DTenV, Politie, an NGO, other."""

    __tablename__ = "organisation"
    id: str = Field(primary_key=True)
    overleg_id: str = Field(index=True)
    deleted: bool = False
    name: str | None = None
    kind: str | None = None
    sort: int | None = None


class Person(SQLModel, table=True):
    """A professional at the table (never the migrant: cases carry a code)."""

    __tablename__ = "person"
    id: str = Field(primary_key=True)
    overleg_id: str = Field(index=True)
    deleted: bool = False
    name: str | None = None
    organisation_id: str | None = None
    role: str | None = None


class Casus(SQLModel, table=True):
    """A case: one person in the LVV, known by a code."""

    __tablename__ = "casus"
    __table_args__ = (Index("ix_casus_overleg_code", "overleg_id", "code"),)
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    code: str | None = None
    v_number: str | None = None
    nationality: str | None = None
    intake_date: str | None = None
    stay_term_days: int | None = None
    health_flag: bool | None = None
    identity_established: bool | None = None
    cooperation: str | None = None
    procedure: str | None = None
    perspective: str | None = None
    status: str | None = None
    put_forward_by: str | None = None
    exit_date: str | None = None
    outcome_category: str | None = None
    outcome_subtype: str | None = None
    #: the month (YYYY-MM) the case was anonymised under the retention term; None: not
    redacted: str | None = None


class Meeting(SQLModel, table=True):
    """One session of an overleg."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_overleg_date", "overleg_id", "date"),)
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    date: str | None = None
    start_time: str | None = None
    place: str | None = None
    chair: str | None = None
    secretary: str | None = None
    status: str | None = None
    minutes_status: str | None = None
    approved_in: str | None = None
    approved_on: str | None = None


class Attendance(SQLModel, table=True):
    """Whether an organisation was present at a meeting. id = ``meeting_id/organisation_id``."""

    __tablename__ = "attendance"
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    meeting_id: str | None = Field(default=None, index=True)
    organisation_id: str | None = None
    status: str | None = None
    names: str | None = None


class AgendaItem(SQLModel, table=True):
    """An item on a meeting's agenda: a case, or a general item (opening, rondvraag, …)."""

    __tablename__ = "agenda_item"
    __table_args__ = (Index("ix_agenda_meeting_pos", "meeting_id", "position"),)
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    meeting_id: str | None = None
    position: int | None = None
    kind: str | None = None
    case_id: str | None = Field(default=None, index=True)
    title: str | None = None
    timebox_min: int | None = None
    status: str | None = None
    confidential: bool | None = None


class PartnerView(SQLModel, table=True):
    """An organisation's view (inbreng) on a case item. id = ``item_id/organisation_id``."""

    __tablename__ = "partner_view"
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    agenda_item_id: str | None = Field(default=None, index=True)
    case_id: str | None = Field(default=None, index=True)
    organisation_id: str | None = None
    position: str | None = None
    note: str | None = None
    confidential: bool | None = None
    audience: str | None = None


class Decision(SQLModel, table=True):
    """The table's decision on a case item. id = ``item_id``."""

    __tablename__ = "decision"
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    agenda_item_id: str | None = None
    meeting_id: str | None = Field(default=None, index=True)
    case_id: str | None = Field(default=None, index=True)
    perspective: str | None = None
    rationale: str | None = None
    consensus: str | None = None
    dissent: str | None = None  # JSON list of {"organisation_id", "reason"}
    escalation_level: str | None = None
    escalation_question: str | None = None
    escalation_date: str | None = None
    escalation_advice: str | None = None
    review_date: str | None = None


class ActionItem(SQLModel, table=True):
    """A follow-up action (actiepunt) with an owner organisation (and optionally a named
    person) and a due date."""

    __tablename__ = "action_item"
    id: str = Field(primary_key=True)
    overleg_id: str = Field(index=True)
    deleted: bool = False
    case_id: str | None = Field(default=None, index=True)
    meeting_id: str | None = None
    agenda_item_id: str | None = Field(default=None, index=True)
    owner_organisation_id: str | None = None
    owner_person: str | None = None  # optional: a named person of the owner organisation
    text: str | None = None
    due_date: str | None = None
    status: str | None = None
    closed_on: str | None = None


class MinutesText(SQLModel, table=True):
    """The secretary's summary of an item (or of the meeting when agenda_item_id is None)."""

    __tablename__ = "minutes_text"
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    meeting_id: str | None = Field(default=None, index=True)
    agenda_item_id: str | None = None
    text: str | None = None


class MinutesCorrection(SQLModel, table=True):
    """A recorded correction to approved minutes."""

    __tablename__ = "minutes_correction"
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    meeting_id: str | None = Field(default=None, index=True)
    agenda_item_id: str | None = None
    text: str | None = None
    made_on: str | None = None
    made_by: str | None = None


class Device(SQLModel, table=True):
    """A laptop's human name, per overleg (id = ``overleg_id/device_id``): conflict lists and
    change notices name "Laptop secretaris" instead of a hex device id."""

    __tablename__ = "device"
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    device_id: str | None = Field(default=None, index=True)
    name: str | None = None


from db.tables_before import AgendaVersion, PartnerInput  # noqa: E402 - issue 15

ENTITIES: dict[str, type[SQLModel]] = {
    "overleg": Overleg,
    "organisation": Organisation,
    "person": Person,
    "casus": Casus,
    "meeting": Meeting,
    "attendance": Attendance,
    "agenda_item": AgendaItem,
    "partner_view": PartnerView,
    "decision": Decision,
    "action_item": ActionItem,
    "minutes_text": MinutesText,
    "minutes_correction": MinutesCorrection,
    "device": Device,
    "escalation": EscalationRecord,
    "stay": Stay,
    "case_detail": CaseDetail,
    "agenda_version": AgendaVersion,
    "partner_input": PartnerInput,
}

#: the field name of a delete (tombstone) op
DELETED = "deleted"

#: columns of a projection table that are not settable fields
_RESERVED = {"id", "overleg_id"}


def entity_fields(entity: str) -> frozenset[str]:
    """The settable fields of an entity (including the tombstone field)."""
    table = ENTITIES[entity].__table__  # type: ignore[attr-defined]
    return frozenset(c.name for c in table.columns if c.name not in _RESERVED)


#: the columns of an op that travel between devices, in wire order
WIRE_COLUMNS = (
    "id",
    "device_id",
    "device_seq",
    "hlc",
    "author",
    "overleg_id",
    "entity",
    "entity_id",
    "field",
    "value",
    "base",
    "schema_version",
    "audience",
    "org_id",
)
