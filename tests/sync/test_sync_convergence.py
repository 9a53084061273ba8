"""Convergence: three replicas, random edits, random partial syncs with duplicated, reordered
and dropped deliveries, then a full sync: identical dumps, no op lost."""

from __future__ import annotations

import os
import random
import tempfile
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_helpers import seed_meeting

from db import domain as d
from db.server import init_server
from db.store import Store
from db.sync import Hub, sync_once

PASSPHRASE = "test-passphrase"
REPLICAS = 3

edits = st.tuples(st.just("edit"), st.integers(0, REPLICAS - 1),
                  st.sampled_from(["place", "minutes", "view", "decision", "remove", "case",
                                   "resolve"]),
                  st.integers(0, 3))
pushes = st.tuples(st.just("push"), st.integers(0, REPLICAS - 1), st.integers(0, 2**16),
                   st.booleans(), st.booleans())
pulls = st.tuples(st.just("pull"), st.integers(0, REPLICAS - 1), st.integers(1, 8),
                  st.sampled_from(["normal", "duplicate", "drop", "reorder"]))
programs = st.lists(st.one_of(edits, pushes, pushes, pulls, pulls), min_size=1, max_size=24)


class World:
    """Three laptops around one hub, with a lossy, reordering transport."""

    def __init__(self, stack: ExitStack, folder: Path, url: str) -> None:
        self.url = url
        self.hub = stack.enter_context(Hub(url))
        self.replicas: list[Store] = []
        for n in range(REPLICAS):
            store = Store.open(folder / f"r{n}.db", PASSPHRASE, author=f"R{n}", create=True)
            stack.callback(store.close)
            self.replicas.append(store)
        self.overleg, self.meeting, self.item = seed_meeting(self.replicas[0])
        self.org = self.replicas[0].organisations(self.overleg)[0].id
        self.general = self.replicas[0].agenda(self.meeting)[0].id
        self.cursors = [0] * REPLICAS
        for store in self.replicas:
            sync_once(store, self.hub)
        self.key = self.hub.key
        self.cursors = [store.cursor(self.key) for store in self.replicas]

    def edit(self, r: int, kind: str, v: int) -> None:
        s = self.replicas[r]
        if kind == "place":
            s.update_meeting(self.meeting, place=f"Zaal {v}")
        elif kind == "minutes":
            s.set_minutes_text(self.meeting, None, f"samenvatting {v}")
        elif kind == "view":
            s.record_view(self.item, self.org, list(d.Position)[v], f"noot {v}")
        elif kind == "decision":
            s.decide(self.item, list(d.Perspective)[v], f"besluit {v}")
        elif kind == "remove":
            s.remove_agenda_item(self.general)
        elif kind == "case":
            s.create_case(self.overleg, f"C{r}-{v}-{s.op_count()}")
        elif kind == "resolve":
            conflicts = s.conflicts()
            if conflicts:
                c = conflicts[v % len(conflicts)]
                s.resolve_conflict(c, c.values[-1].value)

    def push(self, r: int, seed: int, drop_ack: bool, duplicate: bool) -> None:
        s = self.replicas[r]
        rng = random.Random(seed)
        ops = s.unpushed_ops(10_000)
        if not ops:
            return
        batch = rng.sample(ops, rng.randint(1, len(ops)))  # a random subset, reordered
        if duplicate:
            batch += rng.sample(batch, rng.randint(1, len(batch)))
        result = self.hub.push(batch)
        assert result.rejected == []
        if not drop_ack:  # a lost acknowledgement: the ops are sent again later
            s.mark_pushed(result.stored + result.already)

    def pull(self, r: int, limit: int, mode: str) -> None:
        s = self.replicas[r]
        ops, cursor = self.hub.pull(self.cursors[r], limit)
        if not ops or mode == "drop":
            return
        if mode == "reorder":
            ops = ops[::-1]
        s.apply_remote(ops, server=self.key, cursor=cursor)
        if mode == "duplicate":
            s.apply_remote(ops, server=self.key, cursor=cursor)
        self.cursors[r] = cursor

    def settle(self) -> None:
        for _ in range(2):
            for store in self.replicas:
                report = sync_once(store, self.hub, batch=7)
                assert report.rejected == [] and report.alarms == 0

    def check(self) -> None:
        dumps = [store.dump() for store in self.replicas]
        assert dumps[0] == dumps[1] == dumps[2]
        made = set()
        for store in self.replicas:
            made |= {op.id for op in store.all_ops() if op.device_id == store.device_id}
        on_hub, _ = self.hub.pull(0, 1_000_000)
        assert {op.id for op in on_hub} == made  # no op lost, none invented
        assert len(on_hub) == len(made)
        for store in self.replicas:
            assert {op.id for op in store.all_ops()} == made
            assert store.sync_counts().unsynced == 0
            assert store.check() == []


def run(program: list[tuple], url: str) -> None:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        world = World(stack, Path(folder), url)
        for r in range(REPLICAS):  # every replica starts with an unsynced, concurrent edit
            world.edit(r, "place", r)
        for step in program:
            getattr(world, step[0])(*step[1:])
        world.settle()
        world.check()


EXAMPLES = int(os.environ.get("LVV_SYNC_EXAMPLES", "100"))
COMMON = dict(deadline=None, derandomize=False, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])


@pytest.fixture
def pg_template(pg) -> str:  # noqa: ANN001
    """A database with ``server init`` done, used as a template for one database per example."""
    from sqlalchemy.engine import make_url

    url = pg.database()
    init_server(url)
    return make_url(url).database


@settings(max_examples=EXAMPLES, **COMMON)
@given(program=programs)
def test_three_replicas_converge_on_postgresql(pg, pg_template: str, program) -> None:  # noqa: ANN001
    url = pg.database(template=pg_template)
    try:
        run(program, url)
    finally:
        pg.drop_database(url)


@settings(max_examples=max(10, EXAMPLES // 4), **COMMON)
@given(program=programs)
def test_three_replicas_converge_on_a_sqlite_hub(program) -> None:  # noqa: ANN001
    with tempfile.TemporaryDirectory() as folder:
        run(program, f"sqlite:///{folder}/hub.db")
