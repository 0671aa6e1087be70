"""Writes every wire event of every reply to a JSON-lines file, as it arrives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from tui_app.stream.events import WireEvent


class EventsFile:
    """One JSON object per line: `reply`, `seq`, `t_ms`, `event`, `data` and any `problem`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] = path.open("a", encoding="utf-8")
        self._reply = 0

    def next_reply(self) -> None:
        """Number the events of the next reply separately."""
        self._reply += 1

    def write(self, event: WireEvent) -> None:
        record = {"reply": self._reply, **event.to_record()}
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()
