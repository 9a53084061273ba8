"""Pilot: ``u`` says how many deferred items went to the next agenda and how many were
on it already (a case is on an agenda once) — never "0 moved" without a reason."""

from __future__ import annotations

from screen_helpers import TODAY, make_app, press, settle

from db import domain as d


async def test_u_says_which_were_on_the_next_agenda_already(demo_db, reader) -> None:  # noqa: ANN001
    store = reader()
    try:
        ov = store.overleggen()[0].id
        today = next(m for m in store.meetings(ov, today=TODAY) if m.date == TODAY)
        nxt = store.next_meeting(today.id)
        on_next = {i.case_id for i in store.agenda(nxt.id) if i.case_id}
        items = [i for i in store.agenda(today.id) if i.case_id]
        there = next(i for i in items if i.case_id in on_next)
        new = next(i for i in items if i.case_id not in on_next)
        for item in (there, new):
            store.update_agenda_item(item.id, status=d.ItemStatus.DEFERRED)
    finally:
        store.close()
    app = make_app(demo_db)
    notes: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        app.notify = lambda message, **_kw: notes.append(str(message))
        await press(pilot, "u")
    assert notes == [f"1 uitgesteld(e) agendapunt(en) op de agenda van {nxt.date.isoformat()} "
                     "gezet · 1 stond(en) daar al op"]
