"""A partner's sensitive details of a case (health, police information), under an audience
(issue 10, item 1): organisation, topic, text, and who reads it — ``ctrl+o`` goes round,
as in the view form; a narrower audience is shown by its 🔒 mark. The store keeps the rule
(:meth:`db.store.Store.record_case_detail`); the server enforces the audience."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Select, Static, TextArea

from db import domain as d
from lvv_tui.i18n import t
from screens.view_form import AUDIENCES
from screens.widgets.base import literal
from screens.widgets.form import Field, FormModal, NoteArea

if TYPE_CHECKING:
    from db.store import CaseDetail

#: what a detail is about (as :data:`db.store.DETAIL_TOPICS`; the store checks it)
DETAIL_TOPICS = ("health", "police", "other")


class CaseDetailForm(FormModal["CaseDetail"]):
    """Returns the recorded detail (durable), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "audience", "Who reads", id="detail-audience", priority=True),
    ]

    DEFAULT_CSS = """
    CaseDetailForm #detail-text { height: 6; }
    """

    def __init__(self, save: Callable[[dict[str, Any]], CaseDetail], code: str,
                 organisations: Sequence[d.Organisation],
                 details: Sequence[CaseDetail]) -> None:
        super().__init__(save)
        self.organisations = list(organisations)
        self.details = {x.organisation_id: x for x in details}
        self.title_text = t("case_detail.title", code=code)
        first = next((o.id for o in self.organisations if o.id in self.details),
                     self.organisations[0].id if self.organisations else None)
        self.organisation_id = first
        self.audience = self._current().audience if self._current() else "organisation"
        """Who may read the detail; the default is the partner itself."""

    def _current(self) -> CaseDetail | None:
        return self.details.get(self.organisation_id or "")

    def fields(self) -> ComposeResult:
        current = self._current()
        yield Field("organisation_id", t("case_detail.organisation"), Select(
            [(literal(o.name, one_line=True), o.id) for o in self.organisations],
            value=self.organisation_id or Select.NULL, allow_blank=False,
            id="detail-organisation"))
        yield Field("topic", t("case_detail.topic"), Select(
            [(t(f"case_detail.topic.{k}"), k) for k in DETAIL_TOPICS],
            value=current.topic if current and current.topic in DETAIL_TOPICS else "health",
            allow_blank=False, id="detail-topic"))
        yield Field("text", t("case_detail.text"), NoteArea(
            current.text if current else "", id="detail-text", soft_wrap=True))
        yield Field("audience", t("case_detail.audience"),
                    Static(self._audience_text(), id="detail-audience"))

    def _audience_text(self) -> Text:
        from lvv_tui.presentation import audience_mark

        text = Text(t(f"case_detail.audience.{self.audience}"))
        mark = audience_mark(self.audience)
        if mark:
            text.append("  " + mark, style="yellow")
        current = self._current()
        if current is not None and AUDIENCES.index(self.audience) > AUDIENCES.index(
                current.audience):
            text.append("\n" + t("privacy.audience.recall"), style="italic")
        return text

    def action_audience(self) -> None:
        self.audience = AUDIENCES[(AUDIENCES.index(self.audience) + 1) % len(AUDIENCES)]
        self.query_one("#detail-audience", Static).update(self._audience_text())

    def on_select_changed(self, event: Select.Changed) -> None:
        """Another organisation: its detail, if it has one, fills the form."""
        if event.select.id != "detail-organisation" or not isinstance(event.value, str):
            return
        self.organisation_id = event.value
        current = self._current()
        self.query_one("#detail-text", TextArea).text = current.text if current else ""
        if current is not None and current.topic in DETAIL_TOPICS:
            self.query_one("#detail-topic", Select).value = current.topic
        self.audience = current.audience if current else "organisation"
        self.query_one("#detail-audience", Static).update(self._audience_text())

    def on_mount(self) -> None:
        self.query_one("#detail-text", TextArea).focus()

    def collect(self) -> dict[str, Any]:
        topic = self.query_one("#detail-topic", Select).value
        return {
            "organisation_id": self.organisation_id,
            "topic": topic if isinstance(topic, str) else "health",
            "text": self.query_one("#detail-text", TextArea).text,
            "audience": self.audience,
        }

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        from db.store import MAX_TEXT

        if not values["organisation_id"]:
            return {"organisation_id": t("case_detail.no_organisation")}
        if not values["text"].strip():
            return {"text": t("case_detail.empty")}
        if len(values["text"]) > MAX_TEXT:
            return {"text": t("error.too_long", limit=MAX_TEXT, length=len(values["text"]))}
        return {}


def open_case_detail(screen: Any, store: Any, data: Any, done: Callable[[Any], None]) -> None:
    """The form for a sensitive detail of the case of this item (a case item only)."""
    case = data.history.case

    def save(values: dict[str, Any]) -> CaseDetail:
        org = values.pop("organisation_id")
        return store.record_case_detail(case.id, org, values.pop("text"), **values)

    screen.app.push_screen(CaseDetailForm(save, case.code, data.part.organisations,
                                          data.details), done)


def detail_lines(details: Sequence[CaseDetail], names: dict[str, str]) -> Text:
    """The case file's lines of the details this laptop holds, each with its mark."""
    from lvv_tui.presentation import audience_mark

    text = Text()
    if not details:
        return text
    text.append("\n" + t("case_detail.heading"), style="bold")
    for x in details:
        text.append("\n• ")
        text.append_text(literal(names.get(x.organisation_id, "?"), one_line=True, limit=24))
        topic = t(f"case_detail.topic.{x.topic}") if x.topic in DETAIL_TOPICS else "—"
        text.append(f" ({topic})", style="dim")
        mark = audience_mark(x.audience)
        if mark:
            text.append(" " + mark, style="yellow")
        text.append(": ")
        text.append_text(literal(x.text, one_line=True, limit=100))
    return text
