"""Writes every wire event of every reply to a JSON-lines file, as it arrives."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from tui_app.private_files import open_private_append
from tui_app.stream.events import WireEvent


class EventsFile:
    """One JSON object per line: `reply`, `seq`, `t_ms`, `event`, `data` and any `problem`.

    A new file is created readable by its owner only. Opening raises OSError; after that nothing raises:
    a reply must not fail because its record could not be kept. The first failure (a full disk, a
    removed drive) is kept in `problem`, handed once to `on_problem`, and no more is written.
    """

    def __init__(self, path: Path, on_problem: Callable[[str], None] | None = None) -> None:
        self.path = path
        self.problem: str | None = None
        """Why events are no longer written, in plain words with the path; None while all is well."""
        self._on_problem = on_problem
        self._file: TextIO | None = open_private_append(path)
        self._reply = 0

    def next_reply(self) -> None:
        """Number the events of the next reply separately."""
        self._reply += 1

    def write(self, event: WireEvent) -> None:
        if self._file is None:
            return
        record = {"reply": self._reply, **event.to_record()}
        try:
            self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._file.flush()
        except (OSError, ValueError) as error:
            self._fail(error)

    def close(self) -> None:
        file, self._file = self._file, None
        if file is None:
            return
        try:
            file.close()
        except (OSError, ValueError) as error:
            self._fail(error)

    def _fail(self, error: Exception) -> None:
        file, self._file = self._file, None
        if file is not None:
            try:
                file.close()  # flushes what failed once more, then lets go of the file whatever happens
            except (OSError, ValueError):
                pass
        if self.problem is not None:
            return
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        self.problem = f"cannot write the events file {self.path}: {reason}; no more events are written to it"
        if self._on_problem is not None:
            self._on_problem(self.problem)
