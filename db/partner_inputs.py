"""A partner's prepared input on a case of a published agenda (issue 15 item 3): the plain
objects and the audience rules, no database.

The input keeps the facts (*feiten*) apart from the professional judgement (*oordeel*) and
records what was withheld and why. *Oordeel* and the withheld reason carry an audience of
their own (default: the partner's own organisation); :func:`visible` applies it for a reader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from db.domain import Position


class Audience(StrEnum):
    """Who may read a field: the whole overleg, the chair and the owner, or the owner only."""

    OVERLEG = "overleg"
    CHAIR = "chair"
    OWN = "own"


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
