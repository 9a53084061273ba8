"""One search, everywhere (``/``): results as you type, grouped by kind, with filters.

The store does the searching (:meth:`db.store.Store.search`) in a thread worker; each
keystroke starts a new search and a result that arrives after a newer one was started is
dropped. ``enter`` in the query moves to the results; ``enter`` on a result opens the
agenda item it came from (a case: its last item; a minutes text or a correction: the
minutes of its meeting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from lvv_tui.i18n import t
from screens.widgets.base import StoreMixin, error_text, literal
from screens.widgets.topbar import TopBar

KINDS = ("case", "view", "decision", "action", "minutes", "correction")
#: Hits per kind while typing.
LIMIT = 10


@dataclass(frozen=True)
class Filters:
    """What the filter row holds."""

    kind: str | None = None
    overleg_id: str | None = None
    organisation_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def hit_text(hit: Any) -> Text:
    """One result line: meeting date, case code, the snippet with the matches marked.

    Everything from the record is user text: it goes in as ``Text``, never as markup.
    """
    line = Text()
    line.append(f"{hit.meeting_date.isoformat() if hit.meeting_date else '':<10}  ",
                style="dim")
    line.append_text(literal(hit.case_code or "", one_line=True, limit=18))
    line.append(" " * max(1, 20 - len(hit.case_code or "")))
    for piece, matched in hit.snippet_parts():
        # fold line breaks but keep the spaces at the edges of a piece ("Irak ⟨Artikel⟩ 64")
        part = literal(" ".join(piece.splitlines()))
        if matched:
            part.stylize("bold reverse")
        line.append_text(part)
    if hit.confidential:
        line.append(f"  [{t('search.confidential')}]", style="bold red")
    return line


class SearchResults(OptionList):
    """The hits, grouped by kind (a disabled header option per kind)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", id="search-open-hit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="search-results")


class SearchScreen(StoreMixin, Screen[None]):
    """Search cases, views, decisions, actions, minutes and corrections."""

    CSS_PATH = "search.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="search-back"),
        Binding("ctrl+f", "focus_query", "Query", id="search-focus-query"),
        Binding("ctrl+g", "clear_filters", "No filters", id="search-clear-filters"),
    ]

    @dataclass
    class SearchDone(Message):
        """A search finished (``error``: the message to show instead of results)."""

        serial: int
        hits: list[Any]
        error: str | None = None

    @dataclass
    class ChoicesLoaded(Message):
        """The overleggen and organisations for the filters were read."""

        overleggen: list[tuple[str, str]]
        organisations: list[tuple[str, str]]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.serial = 0
        self.hits: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield TopBar(t("search.title"))
        yield Input(self.initial, placeholder=t("search.placeholder"), id="search-query")
        with Horizontal(id="search-filters"):
            yield Select([(t(f"search.kind.{k}"), k) for k in KINDS],
                         prompt=t("search.any_kind"), id="search-kind")
            yield Select([], prompt=t("search.any_overleg"), id="search-overleg")
            yield Select([], prompt=t("search.any_organisation"), id="search-organisation")
            yield Input(placeholder=t("search.from"), id="search-from")
            yield Input(placeholder=t("search.to"), id="search-to")
        yield Static(Text(t("search.hint")), id="search-status")
        yield SearchResults()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search-query", Input).focus()
        self.load_choices()
        if self.initial:
            self.run_search()

    # -- filters ------------------------------------------------------------------------

    def load_choices(self) -> None:
        store = self.store

        def job() -> SearchScreen.ChoicesLoaded:
            overleggen = [(o.id, o.name) for o in store.overleggen()]
            orgs = []
            for oid, oname in overleggen:
                orgs += [(g.id, f"{g.name} ({oname})" if len(overleggen) > 1 else g.name)
                         for g in store.organisations(oid)]
            return self.ChoicesLoaded(overleggen, orgs)

        self.call_store(job, self.post_message, group="search-choices",
                        description="load search filters")

    def on_search_screen_choices_loaded(self, message: ChoicesLoaded) -> None:
        with self.prevent(Select.Changed):
            self.query_one("#search-overleg", Select).set_options(
                [(literal(name, one_line=True), oid) for oid, name in message.overleggen])
            self.query_one("#search-organisation", Select).set_options(
                [(literal(name, one_line=True), gid) for gid, name in message.organisations])

    def filters(self) -> Filters:
        """The filters as set; raises ValidationError for a date that is not one."""
        from db.store import parse_date

        def value(name: str) -> str | None:
            got = self.query_one(f"#{name}", Select).value
            return got if isinstance(got, str) else None

        return Filters(
            kind=value("search-kind"), overleg_id=value("search-overleg"),
            organisation_id=value("search-organisation"),
            date_from=parse_date(self.query_one("#search-from", Input).value, "from"),
            date_to=parse_date(self.query_one("#search-to", Input).value, "to"),
        )

    # -- searching ------------------------------------------------------------------------

    def run_search(self) -> None:
        self.serial += 1
        serial, store = self.serial, self.store
        text = self.query_one("#search-query", Input).value
        try:
            f = self.filters()
        except Exception as exc:  # noqa: BLE001 - a bad date: say so, keep what was typed
            self.post_message(self.SearchDone(serial, [], error_text(exc)))
            return

        def job() -> SearchScreen.SearchDone:
            result = store.search(
                text, kinds=[f.kind] if f.kind else None, overleg_id=f.overleg_id,
                organisation_id=f.organisation_id, date_from=f.date_from, date_to=f.date_to,
                limit=LIMIT, typing=True)
            return self.SearchDone(serial, result.hits)

        def failed(exc: Exception) -> None:
            self.post_message(self.SearchDone(serial, [], error_text(exc)))

        self.call_store(job, self.post_message, group="search", description="search",
                        failed=failed)

    def on_search_screen_search_done(self, message: SearchDone) -> None:
        if message.serial != self.serial:
            return  # a newer search was started
        status = self.query_one("#search-status", Static)
        results = self.query_one(SearchResults)
        if message.error:
            status.update(Text(message.error, style="bold red"))
            return
        results.clear_options()
        self.hits = {}
        text = self.query_one("#search-query", Input).value
        if not text.strip():
            status.update(Text(t("search.hint")))
            return
        status.update(Text(t("search.count", n=len(message.hits)) if message.hits
                           else t("search.none")))
        kind = None
        options: list[Option] = []
        for n, hit in enumerate(message.hits):
            if hit.kind != kind:
                kind = hit.kind
                count = sum(1 for h in message.hits if h.kind == kind)
                options.append(Option(Text(f"{t('search.kind.' + kind)} ({count})",
                                           style="bold"), id=f"head-{kind}", disabled=True))
            key = f"hit-{n}"
            self.hits[key] = hit
            options.append(Option(hit_text(hit), id=key))
        results.add_options(options)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.run_search()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one(SearchResults)
        if self.hits:
            results.focus()
            if results.highlighted is None or results.highlighted == 0:
                results.highlighted = 1  # the first hit, below its kind's header

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.run_search()

    # -- going to a hit -------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        hit = self.hits.get(event.option.id or "")
        if hit is not None:
            self.open_hit(hit)

    def open_hit(self, hit: Any) -> None:
        app = self.app
        self.ctx.overleg_id = hit.overleg_id
        if hit.kind in ("minutes", "correction") and hit.meeting_id:
            from screens.minutes import MinutesScreen

            app.push_screen(MinutesScreen(hit.meeting_id))
        elif hit.agenda_item_id and hit.meeting_id:
            from screens.item import ItemScreen

            app.push_screen(ItemScreen(hit.meeting_id, hit.agenda_item_id))
        else:  # a case never on an agenda: the register, filtered on its code
            from screens.register import CaseRegisterScreen

            register = CaseRegisterScreen(hit.overleg_id)

            def fill() -> None:
                if register.is_mounted:
                    register.query_one("#search", Input).value = hit.case_code or ""

            app.push_screen(register)
            app.call_after_refresh(fill)

    # -- actions --------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_focus_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_clear_filters(self) -> None:
        with self.prevent(Select.Changed, Input.Changed):
            for name in ("search-kind", "search-overleg", "search-organisation"):
                self.query_one(f"#{name}", Select).clear()
            for name in ("search-from", "search-to"):
                self.query_one(f"#{name}", Input).value = ""
        self.run_search()
