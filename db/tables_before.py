"""Projection tables of issue 15 (before the meeting): agenda versions and partner input.

Kept apart from :mod:`db.tables` so that the helpers working in parallel do not collide;
:mod:`db.tables` registers them in ``ENTITIES``.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class AgendaVersion(SQLModel, table=True):
    """One published version of a meeting's agenda. id = ``meeting_id/version``.

    Version 1 is the publication; every agenda change after it writes the next version with
    its list of changes (``changes``: JSON list of ``{"change", "number", "to", "label"}``)
    and the agenda as it then stood (``snapshot``: JSON list of items).
    """

    __tablename__ = "agenda_version"
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    meeting_id: str | None = Field(default=None, index=True)
    version: int | None = None
    published_on: str | None = None
    published_by: str | None = None
    late: bool | None = None
    changes: str | None = None
    snapshot: str | None = None


class PartnerInput(SQLModel, table=True):
    """A partner's prepared input on a case item. id = ``item_id/organisation_id``.

    ``oordeel`` and ``withheld_reason`` carry their own audience (default: the partner's own
    organisation) so that the need-to-know rules can narrow them.
    """

    __tablename__ = "partner_input"
    id: str = Field(primary_key=True)
    overleg_id: str
    deleted: bool = False
    agenda_item_id: str | None = Field(default=None, index=True)
    meeting_id: str | None = Field(default=None, index=True)
    case_id: str | None = None
    organisation_id: str | None = None
    position: str | None = None
    feiten: str | None = None
    oordeel: str | None = None
    oordeel_audience: str | None = None
    withheld: str | None = None
    withheld_reason: str | None = None
    withheld_audience: str | None = None
    inzet: str | None = None
    status: str | None = None
    submitted_on: str | None = None
