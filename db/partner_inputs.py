"""A partner's prepared input on a case of a published agenda (issue 15 item 3): the plain
objects and the audience rules, no database.

The input keeps the facts (*feiten*) apart from the professional judgement (*oordeel*) and
records what was withheld and why. *Oordeel* and the withheld reason carry an audience of
their own (default: the partner's own organisation). The audience travels on the ops
(:func:`wire`): the server hands an op to no organisation outside it, so a laptop never holds
what is not for it. :func:`visible` applies the same rules to what a laptop does hold, for a
reader (a pack ``--for`` another organisation, made on the chair's laptop).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from db.domain import Position


class Audience(StrEnum):
    """Who may read a field: the whole overleg, the chair and the owner, or the owner only
    (the op-level audiences of the need-to-know rules, :data:`db.wire_check.AUDIENCES`)."""

    OVERLEG = "overleg"
    CHAIR = "chair"
    OWN = "organisation"


class InputStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class PartnerInput:
    """One organisation's input on one case item. Hidden fields are ``None`` (not shown to
    this reader), an empty string is "nothing written"."""

    id: str
    agenda_item_id: str
    meeting_id: str
    case_id: str | None
    organisation_id: str
    position: Position = Position.NONE
    feiten: str = ""
    oordeel: str | None = ""
    oordeel_audience: Audience = Audience.OWN
    withheld: str = ""
    withheld_reason: str | None = ""
    withheld_audience: Audience = Audience.OWN
    inzet: str = ""
    status: InputStatus = InputStatus.DRAFT
    submitted_on: dt.date | None = None

    @property
    def submitted(self) -> bool:
        return self.status is InputStatus.SUBMITTED


def may_read(audience: Audience, owner: str, reader: str | None,
             chair_orgs: frozenset[str] = frozenset()) -> bool:
    """Whether organisation ``reader`` may read a field of ``owner`` with ``audience``.

    ``reader`` None is a reader of no organisation (an export for the whole table): only
    what the whole overleg may read.
    """
    if audience is Audience.OVERLEG:
        return True
    if reader is None:
        return False
    if reader == owner:
        return True
    return audience is Audience.CHAIR and reader in chair_orgs


def visible(item: PartnerInput, reader: str | None,
            chair_orgs: frozenset[str] = frozenset()) -> PartnerInput | None:
    """The input as ``reader`` may see it: another organisation's draft not at all, an
    oordeel or withheld reason outside its audience as ``None``."""
    own = reader is not None and reader == item.organisation_id
    if not own and not item.submitted:
        return None
    out = item
    if not may_read(item.oordeel_audience, item.organisation_id, reader, chair_orgs):
        out = replace(out, oordeel=None)
    if not may_read(item.withheld_audience, item.organisation_id, reader, chair_orgs):
        out = replace(out, withheld_reason=None)
    return out


#: Fields of the input that are for the table once submitted (the rest have an audience).
TABLE_FIELDS = ("agenda_item_id", "meeting_id", "case_id", "organisation_id", "position",
                "feiten", "withheld", "inzet", "oordeel_audience", "withheld_audience",
                "status", "submitted_on")


def wire(organisation_id: str, submitted: bool, oordeel: Audience, withheld: Audience
         ) -> dict[str, tuple[str, str]]:
    """field -> (audience, organisation id) of the ops of one input.

    A draft stays with the organisation (every field ``organisation``); submitted, the
    fields for the table go to the whole overleg, the *oordeel* and the withheld reason to
    their own audience.
    """
    if not submitted:
        return {f: (Audience.OWN.value, organisation_id)
                for f in (*TABLE_FIELDS, "oordeel", "withheld_reason")}
    out = {f: (Audience.OVERLEG.value, organisation_id) for f in TABLE_FIELDS}
    out["oordeel"] = (oordeel.value, organisation_id)
    out["withheld_reason"] = (withheld.value, organisation_id)
    return out
