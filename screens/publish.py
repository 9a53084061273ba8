"""Publishing the agenda from the meeting screen (``P`` and the palette).

The store call runs in a thread worker; the result (version, and a warning when later than
the overleg's lead time) comes back as a notification and the meeting line shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lvv_tui.i18n import t

if TYPE_CHECKING:
    from screens.meeting import MeetingScreen


def publish_agenda(screen: MeetingScreen) -> None:
    """Publish the meeting's agenda (version 1; already published: say which version)."""
    from lvv_tui.agenda_text import change_text, late_warning, version_line
    store, meeting_id, today = screen.store, screen.meeting_id, screen.ctx.today()

    def job() -> tuple[Any, int]:
        pub = store.publish_agenda(meeting_id, today=today)
        return pub, store.agenda_lead_days(store.meeting(meeting_id).overleg_id)

    def done(result: tuple[Any, int]) -> None:
        pub, lead = result
        lines = [version_line(pub), *(change_text(c) for c in pub.changes)]
        screen.notify("\n".join(lines), title=t("publish.done", version=pub.version),
                      markup=False)
        warning = late_warning(pub, lead)
        if warning:
            screen.notify(warning, severity="warning", markup=False)
        screen.load()

    screen.call_store(job, done, group="publish",
                      description="publish the agenda", exclusive=False)
