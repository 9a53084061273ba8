"""The shared pieces of the synthetic demo data (:mod:`db.demo` and its parts): weights of
nationalities and exit outcomes, and a demo case while it is being built."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from db import domain as d

NATIONALITIES = [
    ("Nigeria", 14), ("Marokko", 9), ("Algerije", 8), ("Guinee", 6), ("Ghana", 5),
    ("Sierra Leone", 5), ("Irak", 5), ("Iran", 4), ("Afghanistan", 4), ("Somalië", 4),
    ("Ethiopië", 4), ("Soedan", 3), ("Libië", 3), ("Georgië", 3), ("Armenië", 3),
    ("Mongolië", 3), ("Sri Lanka", 2), ("Kameroen", 3), ("Egypte", 2), ("Onbekend", 3),
]

POSITION_TO_PERSPECTIVE = {
    d.Position.RETURN: d.Perspective.RETURN, d.Position.ONWARD: d.Perspective.ONWARD,
    d.Position.STAY: d.Perspective.STAY, d.Position.RESEARCH: d.Perspective.RESEARCH,
    d.Position.END: d.Perspective.END, d.Position.NONE: d.Perspective.RESEARCH,
}
# Exit outcomes as the final evaluation counted them: 18% durable, 41% semi, 41% none.
OUTCOMES = [
    (d.OutcomeSubtype.RETURN, 8), (d.OutcomeSubtype.ONWARD, 2), (d.OutcomeSubtype.PERMIT, 8),
    (d.OutcomeSubtype.REPEAT_ASYLUM, 24), (d.OutcomeSubtype.ART64, 17),
    (d.OutcomeSubtype.ENDED, 24), (d.OutcomeSubtype.UNKNOWN_DEST, 15),
    (d.OutcomeSubtype.DETENTION, 2),
]


@dataclass
class _Case:
    id: str
    code: str
    intake: dt.date
    leave: dt.date | None
    lean: d.Position
    outcome: d.OutcomeSubtype | None
    discussed: int = 0
    open_actions: list[str] = field(default_factory=list)
    items: list[tuple[str, dt.date, str]] = field(default_factory=list)  # discussed
    stay: str = ""
