"""The agenda item screen's entries in the command palette (ctrl+p)."""

from __future__ import annotations

from typing import Any

from db import domain as d
from lvv_tui.i18n import t
from screens.widgets.agenda import item_title


def item_commands(screen: Any) -> list[tuple[str, str, Any]]:
    """(title, help, callback) of every command the item ``screen`` offers now."""
    out: list[tuple[str, str, Any]] = []
    data = screen.data
    if data is None:
        return out
    out.append((t("cmd.record_decision"), "", screen.action_decide))
    out.append((t("cmd.add_action"), "", screen.action_add_action))
    if data.history is not None:
        out.append((t("binding.item-intake-step"), t("cmd.intake_step_help"),
                    lambda: screen.action_case_form("intake")))
        out.append((t("binding.item-exit"), t("cmd.exit_help"),
                    lambda: screen.action_case_form("exit")))
        out.append((t("binding.item-case-detail"), t("cmd.case_detail_help"),
                    lambda: screen.action_case_form("detail")))
    out.append((t("cmd.next_item"), "", lambda: screen.action_step(1)))
    out.append((t("cmd.previous_item"), "", lambda: screen.action_step(-1)))
    cases = [i for i in data.items if i.kind is d.ItemKind.CASE]
    after = [i for i in cases if i.position > data.item.position]
    if after:
        out.append((t("cmd.next_case"), "", lambda: screen.go_to(after[0].id)))
    for org in data.table_orgs() if data.item.kind is d.ItemKind.CASE else []:
        out.append((t("cmd.record_view", organisation=org.name), "",
                    lambda org_id=org.id: screen.record_view(org_id)))
    for n, item in enumerate(data.items, start=1):
        title = item_title(item, data.part.cases).plain
        out.append((t("cmd.goto_item", n=n, title=title), t("cmd.goto_item_help"),
                    lambda item_id=item.id: screen.go_to(item_id)))
    return out
