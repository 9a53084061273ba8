"""Publishing the agenda from the meeting screen (a meeting command: ``u`` and the palette).

The store call runs in a thread worker; the result (version, and a warning when later than
the overleg's lead time) comes back as a notification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lvv_tui.i18n import t

if TYPE_CHECKING:
    from textual.app import App


def publish_agenda(app: App, meeting_id: str) -> None:
    """Publish the meeting's agenda (version 1; already published: say which version)."""
    from lvv_tui.agenda_text import change_text, error_message, late_warning, version_line

    store = app.store  # type: ignore[attr-defined]
    today = app.today()  # type: ignore[attr-defined]

    def job() -> None:
        try:
            pub = store.publish_agenda(meeting_id, today=today)
            lead = store.agenda_lead_days(store.meeting(meeting_id).overleg_id)
        except Exception as exc:  # shown to the user; the app keeps running
            app.call_from_thread(app.notify, error_message(exc), title=t("app.error"),
                                 severity="error", markup=False)
            return
        lines = [version_line(pub), *(change_text(c) for c in pub.changes)]
        warning = late_warning(pub, lead)
        app.call_from_thread(app.notify, "\n".join(lines), title=t("publish.done",
                             version=pub.version), markup=False)
        if warning:
            app.call_from_thread(app.notify, warning, severity="warning", markup=False)

    app.run_worker(job, thread=True, exit_on_error=False, group="publish",
                   description="publish the agenda")
