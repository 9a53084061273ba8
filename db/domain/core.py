"""Plain domain objects: what the store hands out and takes in. No SQL, no Textual.

Codes (``Perspective.RETURN`` …) are stable strings; their Dutch and English words live
in the i18n catalogs of the app, under ``<enum key>.<value>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from db.placing import ConflictMarks, ConflictPlace, RecordChange  # noqa: F401 - domain


class OrgKind(StrEnum):
    GEMEENTE = "gemeente"
    IND = "ind"
    DTENV = "dtenv"
    POLITIE = "politie"
    NGO = "ngo"
    OTHER = "other"


class Position(StrEnum):
    """A partner's position on a case (its view)."""

    RETURN = "return"
    ONWARD = "onward"
    STAY = "stay"
    RESEARCH = "research"
    END = "end"
    NONE = "none"


class Perspective(StrEnum):
    """The begeleidingsperspectief the table works towards."""

    RETURN = "return"
    ONWARD = "onward"
    STAY = "stay"
    RESEARCH = "research"
    END = "end"
    UNDECIDED = "undecided"


class Consensus(StrEnum):
    UNANIMOUS = "unanimous"
    RESERVATION = "reservation"
    NONE = "none"


class Escalation(StrEnum):
    NONE = "none"
    MRT = "mrt"
    STUURGROEP = "stuurgroep"
    PROGRAMMARAAD = "programmaraad"
    BESTUURLIJK = "bestuurlijk"


class Attendance(StrEnum):
    UNKNOWN = "unknown"
    PRESENT = "present"
    ABSENT = "absent"
    APOLOGIES = "apologies"


class ItemKind(StrEnum):
    OPENING = "opening"
    ANNOUNCEMENTS = "announcements"
    PREVIOUS_MINUTES = "previous_minutes"
    CASE = "case"
    AOB = "aob"
    CLOSING = "closing"
    OTHER = "other"


class ItemStatus(StrEnum):
    OPEN = "open"
    DISCUSSED = "discussed"
    DEFERRED = "deferred"


class CaseStatus(StrEnum):
    INTAKE = "intake"
    ACTIVE = "active"
    LEFT = "left"
    NOT_ADMITTED = "not_admitted"  # put forward, the LSO decided: not an LVV-zaak


class Cooperation(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    UNKNOWN = "unknown"


class OutcomeCategory(StrEnum):
    """How the pilot counted exits (DOMAIN.md, "Outcomes")."""

    DURABLE = "durable"
    SEMI_DURABLE = "semi_durable"
    NONE = "none"


class OutcomeSubtype(StrEnum):
    RETURN = "return"  # durable: return to the country of origin
    ONWARD = "onward"  # durable: to another country
    PERMIT = "permit"  # durable: residence permit on regular grounds
    REPEAT_ASYLUM = "repeat_asylum"  # semi-durable: national reception, repeated application
    ART64 = "art64"  # semi-durable: stay of departure for medical reasons
    ENDED = "ended"  # none: trajectory ended by the municipality
    UNKNOWN_DEST = "unknown_destination"  # none: left with unknown destination
    DETENTION = "detention"  # none

    @property
    def category(self) -> OutcomeCategory:
        return OUTCOME_CATEGORY[self]


OUTCOME_CATEGORY: dict[OutcomeSubtype, OutcomeCategory] = {
    OutcomeSubtype.RETURN: OutcomeCategory.DURABLE,
    OutcomeSubtype.ONWARD: OutcomeCategory.DURABLE,
    OutcomeSubtype.PERMIT: OutcomeCategory.DURABLE,
    OutcomeSubtype.REPEAT_ASYLUM: OutcomeCategory.SEMI_DURABLE,
    OutcomeSubtype.ART64: OutcomeCategory.SEMI_DURABLE,
    OutcomeSubtype.ENDED: OutcomeCategory.NONE,
    OutcomeSubtype.UNKNOWN_DEST: OutcomeCategory.NONE,
    OutcomeSubtype.DETENTION: OutcomeCategory.NONE,
}


class LvvVerdict(StrEnum):
    """The LSO's intake decision: is this an LVV-zaak?"""

    YES = "yes"
    NO = "no"
    EXCEPTION = "exception"  # admitted as an exception (also by the stuurgroep)


class IntakeStep(StrEnum):
    """Where a stay stands, from being put forward to leaving."""

    PUT_FORWARD = "put_forward"  # waiting for the LSO's decision
    NOT_ADMITTED = "not_admitted"
    DOSSIERS = "dossiers"  # admitted, IND and/or DTenV dossier outstanding
    REST_PERIOD = "rest_period"  # both dossiers in, rusttermijn running
    SCENARIO = "scenario"  # rusttermijn over, begeleidingsscenario to be set
    GUIDANCE = "guidance"  # scenario set: the partners' inzet runs
    LEFT = "left"


#: the rusttermijn after the last dossier (DOMAIN.md, "Intake")
REST_PERIOD_DAYS = 14


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class MinutesStatus(StrEnum):
    CONCEPT = "concept"
    APPROVED = "vastgesteld"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"


# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overleg:
    id: str
    name: str
    municipality: str
    places: int | None = None


@dataclass(frozen=True)
class Organisation:
    id: str
    overleg_id: str
    name: str
    kind: OrgKind
    sort: int = 0


@dataclass(frozen=True)
class Case:
    id: str
    overleg_id: str
    code: str
    v_number: str | None = None
    nationality: str | None = None
    intake_date: dt.date | None = None
    stay_term_days: int | None = None
    health_flag: bool = False
    identity_established: bool = False
    cooperation: Cooperation = Cooperation.UNKNOWN
    procedure: str | None = None
    perspective: Perspective = Perspective.UNDECIDED
    status: CaseStatus = CaseStatus.INTAKE
    put_forward_by: str | None = None
    exit_date: dt.date | None = None
    outcome_subtype: OutcomeSubtype | None = None
    seen: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The op ids of the values shown (pass back as ``seen`` when saving an edit)."""
    conflicts: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The fields with an open conflict (shown with a mark until resolved)."""

    @property
    def outcome_category(self) -> OutcomeCategory | None:
        return self.outcome_subtype.category if self.outcome_subtype else None

    def days_in_lvv(self, today: dt.date) -> int | None:
        """Days from intake to today (or to the exit date once left)."""
        if self.intake_date is None:
            return None
        end = self.exit_date or today
        return (end - self.intake_date).days

    @property
    def masked_v_number(self) -> str | None:
        """The V-number with all but the last two digits hidden, for the screen."""
        if not self.v_number:
            return None
        return "•" * (len(self.v_number) - 2) + self.v_number[-2:]


@dataclass(frozen=True)
class Meeting:
    id: str
    overleg_id: str
    date: dt.date
    start_time: str | None = None
    place: str | None = None
    chair: str | None = None
    secretary: str | None = None
    status: MeetingStatus = MeetingStatus.PLANNED
    minutes_status: MinutesStatus = MinutesStatus.CONCEPT
    approved_in: str | None = None
    approved_on: dt.date | None = None


@dataclass(frozen=True)
class AttendanceRow:
    meeting_id: str
    organisation_id: str
    status: Attendance = Attendance.UNKNOWN
    names: str | None = None


@dataclass(frozen=True)
class AgendaItem:
    id: str
    meeting_id: str
    position: int
    kind: ItemKind
    case_id: str | None = None
    title: str | None = None
    timebox_min: int | None = None
    status: ItemStatus = ItemStatus.OPEN
    confidential: bool = False
    has_decision: bool = False


@dataclass(frozen=True)
class View:
    id: str
    agenda_item_id: str
    case_id: str | None
    organisation_id: str
    position: Position = Position.NONE
    note: str = ""
    confidential: bool = False
    seen: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The op ids of the values shown (pass back as ``seen`` when saving an edit)."""
    conflicts: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The fields with an open conflict (shown with a mark until resolved)."""
    audience: str = "overleg"
    """Who may read the note: overleg, chair or organisation (db.wire_check.AUDIENCES)."""


@dataclass(frozen=True)
class Dissent:
    organisation_id: str
    reason: str = ""


@dataclass(frozen=True)
class Decision:
    id: str
    agenda_item_id: str
    meeting_id: str
    case_id: str | None
    perspective: Perspective = Perspective.UNDECIDED
    rationale: str = ""
    consensus: Consensus = Consensus.UNANIMOUS
    dissent: tuple[Dissent, ...] = ()
    escalation_level: Escalation = Escalation.NONE
    escalation_question: str | None = None
    escalation_date: dt.date | None = None
    escalation_advice: str | None = None
    review_date: dt.date | None = None
    seen: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The op ids of the values shown (pass back as ``seen`` when saving an edit)."""
    conflicts: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The fields with an open conflict (shown with a mark until resolved)."""


@dataclass(frozen=True)
class Action:
    id: str
    overleg_id: str
    case_id: str | None
    meeting_id: str | None
    agenda_item_id: str | None
    owner_organisation_id: str | None
    text: str
    due_date: dt.date | None = None
    status: ActionStatus = ActionStatus.OPEN
    closed_on: dt.date | None = None
    owner_person: str | None = None
    """A named person of the owner organisation (optional)."""
    seen: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The op ids of the values shown (pass back as ``seen`` when saving an edit)."""
    conflicts: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The fields with an open conflict (shown with a mark until resolved)."""


@dataclass(frozen=True)
class MinutesText:
    meeting_id: str
    agenda_item_id: str | None
    text: str


@dataclass(frozen=True)
class Correction:
    id: str
    meeting_id: str
    agenda_item_id: str | None
    text: str
    made_on: dt.date | None
    made_by: str | None


@dataclass(frozen=True)
class PastDecision:
    """A decision of an earlier meeting, for the case history."""

    meeting_date: dt.date
    decision: Decision


@dataclass(frozen=True)
class CaseHistory:
    case: Case
    decisions: tuple[PastDecision, ...] = ()
    open_actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class ConflictValue:
    op_id: str
    value: object
    author: str
    device_id: str
    hlc: str
    pushed_by: str | None = field(default=None, compare=False)
    """The account that pushed it to the server (None: this laptop's own, or not known):
    how this laptop learnt of the value, not part of it (two laptops list equal values)."""

    @property
    def written_at(self) -> dt.datetime:
        """Wall time of the op's clock reading (UTC)."""
        ms = int(self.hlc.split("-", 1)[0])
        return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


@dataclass(frozen=True)
class Conflict:
    """An open conflict on one field: every concurrent value, the shown one first."""

    entity: str
    entity_id: str
    field: str
    overleg_id: str
    values: tuple[ConflictValue, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SyncCounts:
    unsynced: int
    conflicts: int
    last_sync_ms: int | None
    quarantined: int = 0


#: The partners of a local LVV table, in the order the minutes list them (name, kind).
DEFAULT_PARTNERS: tuple[tuple[str, OrgKind], ...] = (
    ("Gemeente", OrgKind.GEMEENTE),
    ("IND", OrgKind.IND),
    ("DTenV", OrgKind.DTENV),
    ("Politie (AVIM)", OrgKind.POLITIE),
    ("Maatschappelijke organisatie", OrgKind.NGO),
)
