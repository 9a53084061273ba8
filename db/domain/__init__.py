"""Plain domain objects: what the store hands out and takes in. No SQL, no Textual.

``core`` holds the record (overleg, case, meeting, views, decisions, actions, stays,
conflicts); ``escalations`` the escalation threads. Import them from here:
``from db import domain as d``.
"""

from db.domain.core import *  # noqa: F403 - the package is the one name to import from
from db.domain.escalations import (  # noqa: F401
    ESCALATION_ORDER,
    EscalationStats,
    EscalationStatus,
    EscalationStep,
    EscalationThread,
    MrtMember,
)
from db.domain.intake import IntakeRow, Stay  # noqa: F401
