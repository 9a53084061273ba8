"""The bare baseline for stepping through agenda items (used by ``bench_screens.py``).

A Textual app with the item screen's widgets, columns and styles whose "next item" swaps
their contents from data prepared in memory: no database, no worker, no i18n lookups.
"""

from __future__ import annotations

import asyncio
import time
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from db.store import Store


class BareTable(DataTable):
    """A plain DataTable (its own class, like the app's tables)."""

    def action_bare_noop(self, binding_id: str) -> None:
        """Bound to the table's keys (those of the app's table), which the footer shows
        while the table has the focus."""


class BareItemScreen(Screen[None]):
    """What the item screen shows, without the app: the same widgets, columns and styles;
    stepping swaps their contents from data prepared in memory (no database, no worker)."""

    tables: ClassVar[dict[str, type[DataTable]]] = {}
    """The table classes by id, with the keys of the app's tables (set by the app)."""

    DEFAULT_CSS = """
    #top { height: 1; background: $panel; }
    #item-bar { height: 1; padding: 0 1; background: $boost; }
    #item-body { height: 1fr; }
    #case-pane { width: 36%; height: 1fr; padding: 0 1; border-right: vkey $panel; }
    #work-pane { width: 1fr; height: 1fr; }
    .pane-title { text-style: bold; padding: 0 1; color: $accent; }
    #views { height: auto; max-height: 9; overflow-x: hidden; }
    #decision { height: auto; max-height: 7; padding: 0 1; }
    #actions { height: 1fr; min-height: 3; overflow-x: hidden; }
    """

    def __init__(self, pages: list[dict]) -> None:
        super().__init__()
        self.pages = pages
        self.at = 0
        self.painted: asyncio.Event | None = None

    def action_bare_noop(self, binding_id: str) -> None:
        """Bound to every key of the baseline."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static(Text("Agendapunt"))
            yield Horizontal()
        yield Static("", id="item-bar")
        with Horizontal(id="item-body"):
            with VerticalScroll(id="case-pane"):
                yield Static("", id="case-file")
                yield Static("", id="case-history")
            with Vertical(id="work-pane"):
                yield Label("Inbreng", classes="pane-title")
                yield self.tables["views"](id="views", cursor_type="row")
                yield Label("Besluit", classes="pane-title")
                yield Static("", id="decision")
                yield Label("Acties", classes="pane-title")
                yield self.tables["actions"](id="actions", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        for name, widths in (("#views", (18, 16, 12, 6)), ("#actions", (16, 12, 10, 8))):
            table = self.query_one(name, DataTable)
            for n, width in enumerate(widths):
                table.add_column(f"c{n}", width=width)
        self.show(0)

    def show(self, at: int) -> None:
        page = self.pages[at]
        self.at = at
        self.query_one("#item-bar", Static).update(page["bar"])
        self.query_one("#case-file", Static).update(page["case_file"])
        self.query_one("#case-history", Static).update(page["history"])
        self.query_one("#decision", Static).update(page["decision"])
        for name in ("views", "actions"):
            table = self.query_one(f"#{name}", DataTable)
            table.clear()
            for key, cells in page[name]:
                table.add_row(*cells, key=key)
        if self.painted is not None:
            self.app.call_after_refresh(self.painted.set)

    def action_step(self, delta: int) -> None:
        self.show(self.at + delta)


class BareItemApp(App[None]):
    def __init__(self, pages: list[dict], bindings: list[Binding],
                 tables: dict[str, list[Binding]]) -> None:
        super().__init__()
        self.screen_class = type("BareItem", (BareItemScreen,), {
            "BINDINGS": bindings,
            "tables": {name: type(f"Bare_{name}", (BareTable,), {"BINDINGS": keys})
                       for name, keys in tables.items()},
        })
        self.pages = pages

    def on_mount(self) -> None:
        self.push_screen(self.screen_class(self.pages))


def item_pages(store: Store, meeting_id: str) -> list[dict]:
    """Every item of the meeting as the item screen renders it (the same panel functions
    of :mod:`screens.item_panels`), prepared in memory."""
    import datetime as dt

    from screens.item_panels import (
        action_rows,
        case_file,
        case_history,
        decision_text,
        load_item,
        view_cells,
    )
    from screens.meeting_data import load_meeting
    from screens.widgets.agenda import item_title

    today = dt.date.today()
    part = load_meeting(store, meeting_id)
    pages = []
    for item in store.agenda(meeting_id):
        data = load_item(store, part, item.id)
        pages.append({
            "bar": item_title(data.item, part.cases),
            "case_file": case_file(data, today),
            "history": case_history(data, today),
            "decision": decision_text(data),
            "views": [(o.id, view_cells(o, data.views.get(o.id))) for o in data.table_orgs()],
            "actions": action_rows(data),
        })
    return pages


async def walk_bare(pages: list[dict], bindings: list[Binding],
                    tables: dict[str, list[Binding]], laps: int,
                    size: tuple[int, int], gap: float = 0.0) -> tuple[list[float], list[float]]:
    """(seconds, CPU seconds of this thread) from each step to its repaint."""
    app = BareItemApp(pages, bindings, tables)
    samples: tuple[list[float], list[float]] = ([], [])
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BareItemScreen)
        screen.painted = asyncio.Event()
        await pilot.pause()
        for lap in range(laps):
            delta = 1 if lap % 2 == 0 else -1
            for _ in range(len(pages) - 1):
                await asyncio.sleep(gap)
                screen.painted.clear()
                cpu, started = time.thread_time(), time.perf_counter()
                screen.action_step(delta)
                await screen.painted.wait()
                samples[0].append(time.perf_counter() - started)
                samples[1].append(time.thread_time() - cpu)
    return samples
