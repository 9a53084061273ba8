"""The checklist before closing a meeting or approving its minutes.

The points come from the core (:meth:`db.store.Store.meeting_checklist`); this modal lists
them, ``enter`` goes to the highlighted point, ``ctrl+s`` (or ``ctrl+j``, or ``y`` as in the approve question) confirms, ``esc``
cancels. It dismisses a :class:`ChecklistAnswer` (or None when cancelled).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from db import domain as d
from lvv_tui.i18n import t
from screens.widgets.base import ScreenBase, literal

if TYPE_CHECKING:
    from db.store import CheckPoint


@dataclass(frozen=True)
class ChecklistAnswer:
    """What the chair chose: confirm (close / approve anyway), or go to ``goto``."""

    confirm: bool = False
    goto: CheckPoint | None = None


def point_text(point: CheckPoint, subject: str) -> Text:
    """One line of the checklist: what is open, and where."""
    text = Text(t(f"close.kind.{point.kind}", n=point.position or "", subject="").rstrip())
    text.append(" ")
    text.append_text(literal(subject, one_line=True))
    return text


class ChecklistDialog(ScreenBase, ModalScreen[ChecklistAnswer | None]):
    """The open points of a meeting; ``mode`` is ``close`` or ``approve``."""

    DEFAULT_CSS = """
    ChecklistDialog { align: center middle; }
    ChecklistDialog > Vertical { width: 90%; max-width: 120; height: 80%;
        border: thick $primary; background: $surface; padding: 0 1; }
    ChecklistDialog .dialog-title { text-style: bold; width: 100%; }
    ChecklistDialog DataTable { height: 1fr; }
    ChecklistDialog .dialog-hint { color: $text-muted; height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "goto", "Go to point", id="checklist-goto"),
        Binding("ctrl+s,ctrl+j,y", "confirm", "Confirm", id="checklist-confirm"),
        Binding("escape", "cancel", "Cancel", id="checklist-cancel"),
    ]

    def __init__(self, title: str, points: Sequence[CheckPoint],
                 subjects: Mapping[str, str], mode: str = "close") -> None:
        """``subjects`` names each item or organisation id of the points."""
        super().__init__()
        self.title_text = title
        self.points = list(points)
        self.subjects = dict(subjects)
        self.mode = mode

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="dialog-title")
            if not self.points:
                yield Static(Text(t("close.none")), id="checklist-none")
            yield DataTable(id="checklist", cursor_type="row", zebra_stripes=True)
            yield Static(Text(t("close.hint" if self.mode == "close" else "close.hint_approve")),
                         classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", key="mark", width=2)
        table.add_column(t("close.col.point"), key="point")
        for n, point in enumerate(self.points):
            subject = self.subjects.get(point.item_id or point.organisation_id or "", "")
            mark = Text("!" if point.blocking else "·",
                        style="bold red" if point.blocking else "dim")
            table.add_row(mark, point_text(point, subject), key=str(n))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_goto()

    def action_goto(self) -> None:
        table = self.query_one(DataTable)
        if not self.points:
            self.app.bell()
            return
        self.dismiss(ChecklistAnswer(goto=self.points[table.cursor_row]))

    def action_confirm(self) -> None:
        self.dismiss(ChecklistAnswer(confirm=True))

    def action_cancel(self) -> None:
        self.dismiss(None)


def subjects_for(data: object) -> dict[str, str]:
    """Names of the items and organisations of a loaded meeting (``MeetingData``)."""
    from screens.widgets.agenda import item_title

    out = {o.id: o.name for o in getattr(data, "organisations", ())}
    cases = getattr(data, "cases", {})
    for item in getattr(data, "items", ()):
        out[item.id] = item_title(item, cases).plain
    return out


# -- the flows (called by the meeting and minutes screens) ------------------------------


def close_meeting_flow(screen: Any) -> None:
    """The meeting screen's ``s``: checklist from the core, then close (status held)."""
    from screens.meeting_data import load_meeting

    store, meeting_id = screen.store, screen.meeting_id

    def loaded(result: tuple) -> None:
        data, points = result
        title = t("close.title", date=data.meeting.date.isoformat())

        def answered(answer: ChecklistAnswer | None) -> None:
            if answer is None:
                return
            if answer.goto is not None:
                goto_point(screen, answer.goto)
                return

            def job() -> object:
                store.close_meeting(meeting_id, confirmed=True)
                return load_meeting(store, meeting_id)

            def done(new_data: object) -> None:
                screen.show(new_data)
                screen.app.notify(t("close.closed"), markup=False)

            screen.call_store(job, done, group="meeting-save",
                              description="close meeting", exclusive=False)

        screen.app.push_screen(
            ChecklistDialog(title, points, subjects_for(data)), answered)

    screen.call_store(
        lambda: (load_meeting(store, meeting_id), store.meeting_checklist(meeting_id)),
        loaded, group="meeting-load", description="checklist")


def carry_deferred_flow(screen: Any) -> None:
    """The meeting screen's ``u``: deferred items onto the next meeting's agenda."""
    store, meeting_id = screen.store, screen.meeting_id
    deferred = sum(1 for i in screen.data.items if i.status is d.ItemStatus.DEFERRED) \
        if screen.data is not None else 0

    def job() -> tuple:
        carried = store.carry_deferred(meeting_id)
        nxt = store.meeting(carried[0].to_meeting_id) if carried else store.next_meeting(
            meeting_id)
        return carried, nxt

    def done(result: tuple) -> None:
        carried, nxt = result
        date = nxt.date.isoformat() if nxt else "-"
        said = t("close.carried", count=len(carried), date=date)
        if deferred > len(carried):  # a case already on that agenda is not added twice
            said += " · " + t("close.carried_already", count=deferred - len(carried), date=date)
        screen.app.notify(said, markup=False)

    screen.call_store(job, done, group="meeting-save",
                      description="carry deferred items", exclusive=False)


def goto_point(screen: Any, point: CheckPoint) -> None:
    """Go where a checklist point is: the item screen, or the attendance row."""
    if point.item_id is not None:
        screen.open_item(point.item_id)
        return
    table = screen.query_one("#attendance", DataTable)
    table.focus()
    if point.organisation_id is not None:
        table.move_cursor(row=table.get_row_index(point.organisation_id))


def approve_checklist_flow(screen: Any, ask: object, answered: object) -> None:
    """Before approval: the same checklist; without open points, the usual question
    (``ask``); confirmed in the checklist, ``answered(True)``; a point opens its item."""
    from screens.meeting_data import load_meeting

    store, meeting_id = screen.store, screen.meeting_id

    def loaded(result: tuple) -> None:
        data, points = result
        if not points:
            ask()  # type: ignore[operator]
            return

        def chosen(answer: ChecklistAnswer | None) -> None:
            if answer is None:
                return
            if answer.goto is None:
                answered(True)  # type: ignore[operator]
            elif answer.goto.item_id is not None:
                from screens.item import ItemScreen

                screen.app.push_screen(
                    ItemScreen(meeting_id, answer.goto.item_id))
            else:
                screen.app.pop_screen()

        title = t("close.title_approve", date=data.meeting.date.isoformat())
        screen.app.push_screen(
            ChecklistDialog(title, points, subjects_for(data), mode="approve"), chosen)

    screen.call_store(
        lambda: (load_meeting(store, meeting_id), store.meeting_checklist(meeting_id)),
        loaded, group="minutes-load", description="checklist")
