"""check, rebuild and dump: in SQL over the log, streamed, and never in the app's way."""

from __future__ import annotations

import io
import json
import threading

import pytest

from db import projection_sql
from db.store import Store
from tests.conftest import PASSPHRASE


def test_a_write_from_another_connection_succeeds_while_check_reads(
        small_demo: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    reading, written = threading.Event(), threading.Event()
    real = projection_sql.check_projection

    def paused(raw: object, log: list[tuple] | None = None) -> list[str]:
        reading.set()  # integrity and the log are read: the snapshot is taken
        assert written.wait(60)
        return real(raw, log)

    monkeypatch.setattr(projection_sql, "check_projection", paused)
    result: dict[str, list[str]] = {}
    worker = threading.Thread(target=lambda: result.update(faults=small_demo.check()))
    worker.start()
    try:
        assert reading.wait(60)
        other = Store.open(small_demo.path, PASSPHRASE)  # the app, say, on the same file
        try:
            (ov,) = other.overleggen()
            case = other.create_case(ov.id, "DEMO-NIEUW-1", nationality="Ghana")
        finally:
            other.close()
    finally:
        written.set()
        worker.join(60)
    assert result["faults"] == []  # its own snapshot: consistent, the new case or not
    assert small_demo.case(case.id).code == "DEMO-NIEUW-1"
    with Store.open(small_demo.path, PASSPHRASE) as fresh:  # its device counter is current
        assert fresh.check() == []


def test_the_streamed_dump_is_the_canonical_json_of_dump(small_demo: Store) -> None:
    out = io.StringIO()
    small_demo.write_dump(out)
    assert out.getvalue() == json.dumps(small_demo.dump(), sort_keys=True, indent=1,
                                        ensure_ascii=False)
    assert json.loads(out.getvalue())["ops"] == small_demo.op_count()


@pytest.mark.parametrize(("damage", "fault"), [
    ("DELETE FROM field_head WHERE op_id IN (SELECT op_id FROM field_head LIMIT 3)",
     "field heads differ from a rebuild (3 differences)"),
    ("UPDATE field_head SET value = '\"x\"' WHERE field = 'code'",
     "field heads differ from a rebuild"),
    ("INSERT INTO conflict_key SELECT entity, entity_id, field FROM field_head LIMIT 2",
     "open conflicts differ from a rebuild (2 differences)"),
    ("INSERT INTO tombstone (entity, entity_id) SELECT 'casus', id FROM casus LIMIT 1",
     "deletes differ from a rebuild (1 differences)"),
    ("UPDATE partner_view SET note = 'anders' WHERE rowid IN (SELECT rowid FROM "
     "partner_view LIMIT 4)", "projection partner_view differs from a rebuild (4 rows)"),
    ("DELETE FROM meeting WHERE rowid IN (SELECT rowid FROM meeting LIMIT 2)",
     "projection meeting differs from a rebuild (2 rows)"),
    ("INSERT INTO casus (id, overleg_id, deleted) VALUES ('zonder-ops', 'ov', 0)",
     "projection casus differs from a rebuild (1 rows)"),
    ("UPDATE agenda_item SET overleg_id = 'elders' WHERE rowid IN (SELECT rowid FROM "
     "agenda_item LIMIT 1)", "projection agenda_item differs from a rebuild (1 rows)"),
])
def test_check_names_each_kind_of_damage_and_rebuild_repairs_it(
        small_demo: Store, damage: str, fault: str) -> None:
    before = small_demo.dump()
    with small_demo._tx() as conn:
        conn.exec_driver_sql(damage)
    faults = small_demo.check()
    assert any(f.startswith(fault) for f in faults), faults
    # the CLI's way: integrity and the log on two more connections, in threads
    twin = lambda: Store.open(small_demo.path, PASSPHRASE)  # noqa: E731
    assert small_demo.check(twins=[twin, twin]) == faults
    small_demo.rebuild()
    assert small_demo.check() == []
    assert small_demo.dump() == before


def test_check_holds_other_devices_to_gapless_numbers_unless_pulled_as_a_role(
        tmp_path) -> None:  # noqa: ANN001
    """A gap in another device's numbers is a fault on a laptop that sees everything (a
    SQLite hub); pulled from PostgreSQL as a role, need-to-know may withhold ops, so only
    this device's own counter must be gapless there."""
    from db.clock import HybridClock
    from db.projection import WireOp
    from db.store import Store

    store = Store.open(tmp_path / "g.db", passphrase="pw", create=True)
    try:
        ov = store.create_overleg("LSO Gat", "Gat")
        own = [op for op in store.all_ops() if op.entity == "overleg"][0]
        dev = "0191f0c2-0000-7000-8000-00000000dd01"
        clock = HybridClock()
        ops = [WireOp(**{**own.as_dict(), "id": f"0191f0c2-0000-7000-8000-0000000000{n:02d}",
                         "device_id": dev, "device_seq": n, "hlc": clock.tick(),
                         "entity_id": ov.id, "field": "name", "value": f'"LSO {n}"',
                         "base": "[]"})
               for n in (1, 3)]
        store.apply_remote(ops, server="sqlite-hub", cursor=2)
        assert any("device_seq has gaps" in f for f in store.check())
        store.apply_remote([], server="hub:abc/lvv_dtenv", cursor=2)
        assert not any("gaps" in f for f in store.check())
    finally:
        store.close()


def test_check_finds_a_lost_open_conflict_and_a_lost_delete(small_demo: Store) -> None:
    """Conflicts and deletes are worked out in the pass over the log: a field with two
    heads of different values and an entity deleted must have their rows, counted once."""
    from db.clock import HybridClock
    from db.projection import WireOp

    (ov,) = small_demo.overleggen()
    case = small_demo.create_case(ov.id, "DEMO-CONFLICT-1", nationality="Ghana")
    other = small_demo.create_case(ov.id, "DEMO-WEG-1", nationality="Mali")
    own = [op for op in small_demo.all_ops()
           if op.entity_id == case.id and op.field == "nationality"][0]
    dev, clock = "0191f0c2-0000-7000-8000-00000000dd02", HybridClock()
    rival = WireOp(**{**own.as_dict(), "id": "0191f0c2-0000-7000-8000-000000000101",
                      "device_id": dev, "device_seq": 1, "hlc": clock.tick(),
                      "value": '"Eritrea"', "base": "[]"})
    gone = WireOp(**{**own.as_dict(), "id": "0191f0c2-0000-7000-8000-000000000102",
                     "device_id": dev, "device_seq": 2, "hlc": clock.tick(),
                     "entity_id": other.id, "field": "deleted", "value": "true",
                     "base": "[]"})
    small_demo.apply_remote([rival, gone], server="sqlite-hub", cursor=2)
    assert small_demo.check() == []
    with small_demo._tx() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM conflict_key").scalar() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM tombstone").scalar() == 1
        conn.exec_driver_sql("DELETE FROM conflict_key")
        conn.exec_driver_sql("DELETE FROM tombstone")
    faults = small_demo.check()
    assert "open conflicts differ from a rebuild (1 differences)" in faults, faults
    assert "deletes differ from a rebuild (1 differences)" in faults, faults
    twin = lambda: Store.open(small_demo.path, PASSPHRASE)  # noqa: E731
    assert small_demo.check(twins=[twin, twin]) == faults
    small_demo.rebuild()
    assert small_demo.check() == []
