"""The side panel: every server-sent event as it arrived, as summary lines or raw payloads."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Log

from tui_app.stream.events import WireEvent, pretty_payload, summarize
from tui_app.text_safety import neutralize

MAX_LINES = 20_000
"""Lines kept on screen per view; the full record stays with the replies."""

Entry = WireEvent | str
"""An event, or a note between events (a reply's heading, how a stream ended)."""


def summary_line(event: WireEvent) -> str:
    return neutralize(f"{event.arrived * 1000:8.1f} ms  {event.name:<19} {summarize(event)}")


def raw_lines(event: WireEvent) -> list[str]:
    heading = f"── #{event.seq} {event.name} at {event.arrived * 1000:.1f} ms"
    if event.problem:
        heading += f"  ⚠ {event.problem}"
    return [neutralize(heading), *neutralize(pretty_payload(event)).split("\n")]


class EventLog(Vertical):
    """Two views of one record. Only the visible view is written; the other catches up when shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Events"
        self._entries: list[Entry] = []
        self._written = {"event-lines": 0, "event-raw": 0}
        self._source: list[WireEvent] = []
        self._taken = 0

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="event-lines", id="event-views"):
            yield Log(id="event-lines", max_lines=MAX_LINES)
            yield Log(id="event-raw", max_lines=MAX_LINES)

    @property
    def raw(self) -> bool:
        return self.query_one(ContentSwitcher).current == "event-raw"

    @property
    def entries(self) -> list[Entry]:
        return self._entries

    def begin_reply(self, heading: str, events: list[WireEvent]) -> None:
        """Follow a new reply's event list from now on."""
        self._entries.append(f"━━ {heading}")
        self._source = events
        self._taken = 0
        self.refresh_view()

    def note(self, text: str) -> None:
        self._entries.append(f"   {text}")

    def sync(self) -> None:
        """Take in the events that arrived since the last call and show them, in one batch."""
        new = self._source[self._taken :]
        if new:
            self._taken += len(new)
            self._entries.extend(new)
        self.refresh_view()

    def toggle_raw(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "event-lines" if self.raw else "event-raw"
        self.border_title = "Events · raw" if self.raw else "Events"
        self.refresh_view()

    def refresh_view(self) -> None:
        view_id = self.query_one(ContentSwitcher).current or "event-lines"
        start = self._written[view_id]
        pending = self._entries[start:]
        if not pending:
            return
        self._written[view_id] = len(self._entries)
        lines: list[str] = []
        raw = view_id == "event-raw"
        for entry in pending:
            if isinstance(entry, str):
                lines.append(neutralize(entry))
            elif raw:
                lines.extend(raw_lines(entry))
            else:
                lines.append(summary_line(entry))
        self.query_one(f"#{view_id}", Log).write_lines(lines)
