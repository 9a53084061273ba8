"""A progress bar on stderr while a new laptop loads the server's snapshot (big ones only)."""

from __future__ import annotations

from typing import Any

#: snapshots smaller than this load without a bar
PROGRESS_FROM = 20000


class JoinProgress:
    """``progress(done, total)`` for :func:`db.sync.sync_once`: a rich bar from the first
    call with a big total, then, when every op is in, "building the views"."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None
        self.step = 1

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        from lvv_tui.i18n import t

        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), console=Console(stderr=True),
                                transient=True)
            self.bar.start()
            self.task = self.bar.add_task(t("sync.cli.joining"), total=total)
        self.bar.update(self.task, completed=done)
        if done >= total:
            self.bar.update(self.task, description=t("sync.cli.building"))

    def __enter__(self) -> JoinProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
