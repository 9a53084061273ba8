"""Search: each matching rule, the filters, need-to-know, and the index on every write path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from db import domain as d
from db import engine as eng
from db import search_index
from db.search import MAX_QUERY, QueryError, parse
from db.store import Store
from tests.conftest import PASSPHRASE


def _seed(s: Store) -> SimpleNamespace:
    ov = s.create_overleg("LSO Teststad", "Teststad")
    gem = s.add_organisation(ov.id, "Gemeente Teststad", d.OrgKind.GEMEENTE)
    ngo = s.add_organisation(ov.id, "Stichting Hulp", d.OrgKind.NGO)
    eth = s.create_case(ov.id, "DEMO-AMS-0042", v_number="1234567890", nationality="Ethiopië")
    eri = s.create_case(ov.id, "LSO-7", nationality="eritrea")
    spring = s.create_meeting(ov.id, dt.date(2025, 4, 10), "10:00", "Stadhuis")
    march = s.create_meeting(ov.id, dt.date(2026, 3, 2), "10:00", "Stadhuis")
    i1 = s.add_agenda_item(spring.id, d.ItemKind.CASE, case_id=eth.id)
    i2 = s.add_agenda_item(march.id, d.ItemKind.CASE, case_id=eri.id)
    s.record_view(i1.id, gem.id, d.Position.STAY, "Medische situatie maakt terugkeer niet "
                  "verantwoord; artikel 64 aangevraagd.")
    s.record_view(i1.id, ngo.id, d.Position.STAY, "Vertrouwelijk: psychiatrisch dossier.",
                  confidential=True)
    s.record_view(i2.id, gem.id, d.Position.RETURN, "Betrokkene wil terugkeren; 64 dagen "
                  "artikel wachten.")
    s.decide(i1.id, d.Perspective.STAY, "Medisch advies afwachten; beëindiging niet aan de orde.")
    act = s.add_action(i2.id, ngo.id, "Juridisch advies inwinnen over doormigratie")
    s.set_minutes_text(spring.id, i1.id, "Besproken: de medische achtergrond van betrokkene.")
    return SimpleNamespace(ov=ov, gem=gem, ngo=ngo, eth=eth, eri=eri, spring=spring,
                           march=march, i1=i1, i2=i2, act=act)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "s.db", PASSPHRASE, author="A", create=True)
    s.seed = _seed(s)  # type: ignore[attr-defined]
    try:
        yield s
    finally:
        s.close()


def found(s: Store, text: str, **kw: object) -> set[tuple[str, str]]:
    return {(h.kind, h.id) for h in s.search(text, **kw).hits}


def kinds(s: Store, text: str, **kw: object) -> dict[str, int]:
    return {k: len(v) for k, v in s.search(text, **kw).groups.items()}


# -- matching rules -----------------------------------------------------------------------


def test_case_and_diacritics_do_not_matter(store: Store) -> None:
    eri, eth = store.seed.eri.id, store.seed.eth.id
    assert ("case", eri) in found(store, "Eritrea")  # stored as "eritrea"
    assert ("case", eth) in found(store, "Ethiopie")  # stored as "Ethiopië"
    assert ("case", eth) in found(store, "ETHIOPIË")
    assert ("decision", store.seed.i1.id) in found(store, "beeindiging")


def test_words_are_anded_by_default(store: Store) -> None:
    assert kinds(store, "terugkeer verantwoord") == {"view": 1}
    assert found(store, "terugkeer doormigratie") == set()


def test_of_and_or_give_either(store: Store) -> None:
    either = found(store, "eritrea OF ethiopie")
    assert {("case", store.seed.eri.id), ("case", store.seed.eth.id)} <= either
    assert found(store, "eritrea OR ethiopie") == either
    # lower-case "of" is a Dutch word, not the operator: both must occur
    assert found(store, "eritrea of ethiopie") == set()


def test_minus_leaves_out(store: Store) -> None:
    with_medisch = found(store, "advies")
    without = found(store, "advies -juridisch")
    assert ("action", store.seed.act.id) in with_medisch
    assert ("action", store.seed.act.id) not in without
    assert ("decision", store.seed.i1.id) in without


def test_phrases_in_quotes_keep_the_order(store: Store) -> None:
    assert kinds(store, '"artikel 64"') == {"view": 1}  # "64 dagen artikel" is not it
    assert kinds(store, "artikel 64") == {"view": 2}


def test_prefix_with_a_star_and_the_word_being_typed(store: Store) -> None:
    assert "view" in kinds(store, "psychiatr*")
    assert found(store, "psychiatr") == set()  # a finished word is not a prefix
    assert "view" in kinds(store, "psychiatr", typing=True)  # the word being typed is
    assert found(store, "psychiatr ", typing=True) == set()  # ... until a space follows


def test_case_codes_and_v_numbers_by_their_digits(store: Store) -> None:
    eth = ("case", store.seed.eth.id)
    assert eth in found(store, "42")
    assert eth in found(store, "0042")
    assert eth in found(store, "DEMO-AMS-0042")
    assert eth in found(store, "1234567890")
    assert ("case", store.seed.eri.id) in found(store, "7")
    hit = next(h for h in store.search("1234567890").hits if h.kind == "case")
    assert "1234567890" not in hit.snippet  # the V-number is found, never shown


def test_dutch_word_forms_through_the_stemmer(store: Store) -> None:
    view2 = ("view", store.seed.i2.id + "/" + store.seed.gem.id)
    view1 = ("view", store.seed.i1.id + "/" + store.seed.gem.id)
    assert view1 in found(store, "terugkeren")  # the note says "terugkeer"
    assert view2 in found(store, "terugkeer")  # the note says "terugkeren"
    assert ("minutes", found_minutes(store)) in found(store, "medisch")  # "medische"
    store.stemming = False
    assert view1 not in found(store, "terugkeren")


def found_minutes(store: Store) -> str:
    return next(h.id for h in store.search("achtergrond").hits if h.kind == "minutes")


def test_snippets_mark_the_matches(store: Store) -> None:
    (hit,) = store.search("psychiatrisch").groups["view"]
    assert ("psychiatrisch", True) in hit.snippet_parts()
    assert hit.plain_snippet == "Vertrouwelijk: psychiatrisch dossier."
    assert hit.case_code == "DEMO-AMS-0042"
    assert hit.meeting_date == dt.date(2025, 4, 10)
    assert hit.agenda_item_id == store.seed.i1.id


@pytest.mark.parametrize(("text", "code"), [
    ('"artikel 64', "search.error.quote"),
    ("OF medisch", "search.error.or"),
    ("medisch OR", "search.error.or"),
    ("a OF OF b", "search.error.or"),
    ("-medisch", "search.error.only_not"),
    ("x" * 100_000, "search.error.too_long"),
    (" ".join(["w"] * 40), "search.error.too_many"),
])
def test_bad_syntax_is_a_message(store: Store, text: str, code: str) -> None:
    with pytest.raises(QueryError) as caught:
        store.search(text)
    assert caught.value.code == code


def test_a_100_kb_query_is_refused_before_any_work() -> None:
    with pytest.raises(QueryError) as caught:
        parse("medisch " * 13_000)
    assert caught.value.params == {"limit": MAX_QUERY}


@pytest.mark.parametrize("text", [
    'NEAR(a b)', 'body : x', '^start', 'a AND', '"', "'; DROP TABLE casus; --", "*", "a*b*",
    "{body} : x", "(((", ")", "-", "--x", "x -", 'a "b', "OF", "\x00", "e\u0301", "a:b",
])
def test_odd_input_never_reaches_sql_as_syntax(store: Store, text: str) -> None:
    try:
        store.search(text)
        store.search(text, typing=True)
    except QueryError as exc:  # a message is fine; any other error is not
        assert exc.code.startswith("search.error.")
    assert store.check() == []


def test_an_empty_query_finds_nothing_quietly(store: Store) -> None:
    assert store.search("   ").hits == []
    assert store.search("", typing=True).hits == []


# -- filters -----------------------------------------------------------------------------


def test_filters_kind_overleg_period_organisation(store: Store) -> None:
    seed = store.seed
    other = store.create_overleg("LSO Elders", "Elders")
    store.create_case(other.id, "ELD-1", nationality="Eritrea")
    assert kinds(store, "eritrea") == {"case": 2}
    assert kinds(store, "eritrea", overleg_id=seed.ov.id) == {"case": 1}
    assert kinds(store, "artikel", kinds=["view"]) == {"view": 2}
    assert kinds(store, "artikel", kinds=["decision"]) == {}
    spring = found(store, "artikel", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31))
    assert spring == {("view", seed.i1.id + "/" + seed.gem.id)}
    assert found(store, "advies", organisation_id=seed.ngo.id) == {("action", seed.act.id)}
    with pytest.raises(QueryError):
        store.search("x", kinds=["nonsense"])


# -- need-to-know -------------------------------------------------------------------------


def test_confidential_views_are_found_but_marked(store: Store) -> None:
    (hit,) = store.search("psychiatrisch").groups["view"]
    assert hit.confidential is True
    (plain,) = store.search("verantwoord").groups["view"]
    assert plain.confidential is False


def test_whatever_is_said_on_a_confidential_item_is_marked(store: Store) -> None:
    store.update_agenda_item(store.seed.i2.id, confidential=True)
    hits = store.search("doormigratie OF wachten").hits
    assert {h.kind for h in hits} == {"view", "action"}
    assert all(h.confidential for h in hits)


def _delete(store: Store, entity: str, entity_id: str, overleg_id: str) -> None:
    with store._tx() as conn:  # noqa: SLF001 - a tombstone, as a sync would deliver it
        store._delete(conn, entity, entity_id, overleg_id)  # noqa: SLF001


def test_a_deleted_case_and_what_was_said_about_it_cannot_be_found(store: Store) -> None:
    seed = store.seed
    assert found(store, "psychiatrisch OF ethiopie")
    _delete(store, "casus", seed.eth.id, seed.ov.id)
    assert found(store, "psychiatrisch OF ethiopie OF 1234567890") == set()
    assert found(store, "eritrea")  # the other case is still there
    assert store.search_index_faults() == []


def test_a_removed_note_is_gone_from_the_index(store: Store) -> None:
    seed = store.seed
    store.record_view(seed.i1.id, seed.ngo.id, d.Position.STAY, "Alleen nog een korte notitie.")
    assert found(store, "psychiatrisch") == set()
    assert "view" in kinds(store, "korte notitie")


def test_what_the_laptop_does_not_hold_cannot_be_found(tmp_path: Path, store: Store) -> None:
    other = Store.open(tmp_path / "o.db", PASSPHRASE, author="B", create=True)
    try:
        ov = other.create_overleg("LSO Ander", "Ander")
        org = other.add_organisation(ov.id, "IND", d.OrgKind.IND)
        case = other.create_case(ov.id, "AND-1")
        m = other.create_meeting(ov.id, dt.date(2026, 3, 2), "10:00", "X")
        item = other.add_agenda_item(m.id, d.ItemKind.CASE, case_id=case.id)
        other.record_view(item.id, org.id, d.Position.RETURN, "Zeldzaamwoord alleen elders.")
        assert found(other, "zeldzaamwoord")
        assert found(store, "zeldzaamwoord") == set()
        # only the ops of the case, not of the view, reach this laptop
        store.apply_remote([op for op in other.all_ops() if op.entity != "partner_view"])
        assert found(store, "AND-1") and found(store, "zeldzaamwoord") == set()
    finally:
        other.close()


# -- the index on every write path ---------------------------------------------------------


def test_the_index_equals_a_rebuild_after_edits(store: Store) -> None:
    seed = store.seed
    store.update_case(seed.eth.id, code="DEMO-AMS-0043", nationality="Somalië")
    store.add_correction(seed.spring.id, "Correctie: het was artikel 64, niet 46.")
    store.remove_agenda_item(seed.i2.id)
    assert store.search_index_faults() == []
    assert ("case", seed.eth.id) in found(store, "somalie 43")
    assert "correction" in kinds(store, "correctie")
    before = _snapshot(store)
    store.rebuild_search_index()
    assert _snapshot(store) == before
    store.rebuild()  # the projection rebuild (check --repair) keeps the index right too
    assert _snapshot(store) == before and store.check() == []


def _snapshot(store: Store) -> set:
    with store._read() as conn:  # noqa: SLF001
        return search_index.snapshot(conn)


def test_check_reports_a_damaged_index_and_rebuild_repairs_it(store: Store) -> None:
    with store._tx() as conn:  # noqa: SLF001
        conn.exec_driver_sql("DELETE FROM search_index WHERE rowid IN "
                             "(SELECT id FROM search_key WHERE kind = 'view')")
    assert found(store, "psychiatrisch") == set()
    assert any("search index" in f for f in store.check())
    store.rebuild()
    assert store.check() == []
    assert found(store, "psychiatrisch")


def test_the_demo_bulk_import_is_indexed(tmp_path: Path) -> None:
    from db.demo import generate

    with Store.open(tmp_path / "demo.db", PASSPHRASE, create=True) as s:
        generate(s, "small", seed=1, today=dt.date(2026, 3, 4))
        assert s.search_index_faults() == []
        assert {"view", "decision"} <= set(kinds(s, "terugkeer"))


def test_a_file_of_the_previous_schema_gets_its_index_on_opening(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    step = next(n for n, f in eng.MIGRATIONS.items() if f.__name__ == "_migrate_search")
    with monkeypatch.context() as m:
        m.setattr(eng, "SCHEMA_VERSION", step)
        for later in [n for n in eng.MIGRATIONS if n >= step]:
            m.delitem(eng.MIGRATIONS, later)
        with Store.open(path, PASSPHRASE, create=True) as s:
            _seed(s)
    with Store.open(path, PASSPHRASE) as s:
        assert ("case" in kinds(s, "ethiopie")) and s.search_index_faults() == []
        assert list(tmp_path.glob("old.db.v*.bak"))


def test_purge_leaves_no_erased_words_in_the_index(store: Store) -> None:
    seed = store.seed
    store.record_view(seed.i1.id, seed.ngo.id, d.Position.STAY, "Vervangen notitie.")

    def segments() -> bytes:
        with store._read() as conn:  # noqa: SLF001
            rows = conn.exec_driver_sql("SELECT block FROM search_index_data").fetchall()
        return b"".join(r[0] or b"" for r in rows)

    assert b"psychiatrisch" in segments()  # a delete marker, the word still on disk
    with store._tx() as conn:  # noqa: SLF001
        search_index.purge(conn)
    assert b"psychiatrisch" not in segments()
    assert store.search_index_faults() == []
