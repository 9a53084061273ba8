"""The search screen: `/` everywhere, results as you type, grouped, enter goes to the item."""

from __future__ import annotations

from rich.text import Text
from screen_helpers import make_app, open_today_item, press, settle, type_text

from db import domain as d


def _options(app) -> list:  # noqa: ANN001
    results = app.screen.query_one("#search-results")
    return [results.get_option_at_index(i) for i in range(results.option_count)]


async def test_slash_opens_search_and_results_come_as_you_type(demo_db) -> None:  # noqa: ANN001
    from screens.search import SearchScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        assert isinstance(app.screen, SearchScreen)
        assert app.focused is app.screen.query_one("#search-query")
        await type_text(pilot, "terugk")  # the word being typed is a prefix
        options = _options(app)
        heads = [o for o in options if o.disabled]
        assert [str(h.prompt).split(" (")[0] for h in heads][:2] == ["Inbreng", "Besluiten"]
        hits = [o for o in options if not o.disabled]
        assert hits and all("terugk" in str(o.prompt).lower() for o in hits)
        status = str(app.screen.query_one("#search-status").render())
        assert status == f"{len(hits)} gevonden"


async def test_a_bad_query_is_a_message_and_keeps_the_results(demo_db) -> None:  # noqa: ANN001
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await type_text(pilot, "medisch")
        before = len(_options(app))
        assert before > 0
        app.screen.query_one("#search-query").value = "medisch OF"  # as pasted
        await settle(pilot)
        status = str(app.screen.query_one("#search-status").render())
        assert status.startswith("OF (OR) moet tussen")
        assert len(_options(app)) == before
        assert app.screen.query_one("#search-query").value == "medisch OF"


async def test_enter_goes_to_the_item_the_hit_came_from(demo_db) -> None:  # noqa: ANN001
    from screens.item import ItemScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await type_text(pilot, "terugkeer")
        await press(pilot, "enter")  # to the results, on the first hit
        results = app.screen.query_one("#search-results")
        assert app.focused is results
        hit = app.screen.hits[results.get_option_at_index(results.highlighted).id]
        await press(pilot, "enter")
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.item_id == hit.agenda_item_id
        await press(pilot, "escape")
        await press(pilot, "escape")
        await press(pilot, "escape")
        assert app.screen.__class__.__name__ == "MeetingsScreen"


async def test_user_text_is_shown_as_typed_and_confidential_is_marked(demo_db, reader) -> None:  # noqa: ANN001, E501
    store = reader()
    try:
        (ov,) = store.overleggen()
        meeting = store.meetings(ov.id)[0]
        item = next(i for i in store.agenda(meeting.id) if i.case_id)
        org = store.organisations(ov.id)[0]
        store.record_view(item.id, org.id, d.Position.STAY,
                          "[bold]Zeldzaamwoord[/bold] in de notitie", confidential=True)
    finally:
        store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await type_text(pilot, "zeldzaamwoord")
        (hit,) = [o for o in _options(app) if not o.disabled]
        assert isinstance(hit.prompt, Text)
        assert "[bold]Zeldzaamwoord[/bold] in de notitie" in hit.prompt.plain
        assert "[vertrouwelijk]" in hit.prompt.plain


async def test_search_from_an_item_and_from_the_palette(demo_db) -> None:  # noqa: ANN001
    from screens.search import SearchScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_today_item(pilot)
        await press(pilot, "slash")
        assert isinstance(app.screen, SearchScreen)
        await press(pilot, "escape")
        assert not isinstance(app.screen, SearchScreen)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "Zoeken")
        await press(pilot, "enter")
        assert isinstance(app.screen, SearchScreen)
