"""The side panel: every server-sent event as it arrived, as summary lines or raw payloads."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.widgets import ContentSwitcher

from tui_app.stream.events import WireEvent, pretty_payload, summarize
from tui_app.text_safety import neutralize
from tui_app.widgets.copy_request import CopyRequest
from tui_app.widgets.event_lines import EventLines, Line, line_width, text_width

MAX_RAW_LINES = 20_000
"""Lines kept in the raw view; the full record stays in `entries`."""

TIME_WIDTH = 11
"""Width of the arrival-time column of a summary line ("   41.2 ms ")."""

Entry = WireEvent | str
"""An event, or a note between events (a reply's heading, how a stream ended)."""


def event_kind(event: WireEvent) -> str:
    """The colour class of an event's line."""
    if event.problem:
        return "problem"
    if event.name in ("error", "ping"):
        return event.name
    if event.name.startswith("message_"):
        return "message"
    if event.name in ("content_block_start", "content_block_stop"):
        return "block"
    if event.name == "content_block_delta":
        return "delta"
    return "unknown"


def summary_line(event: WireEvent) -> str:
    return neutralize(f"{event.arrived * 1000:8.1f} ms  {event.name:<19} {summarize(event)}")


def raw_lines(event: WireEvent) -> list[str]:
    heading = f"── #{event.seq} {event.name} at {event.arrived * 1000:.1f} ms"
    if event.problem:
        heading += f"  ⚠ {event.problem}"
    return [neutralize(heading), *neutralize(pretty_payload(event)).split("\n")]


MEASURED_PER_LOOK = 500
"""Summary lines measured each time the view asks how wide it is."""
MEASURE_AGAIN_SECONDS = 1 / 10
"""How soon the log measures more of a burst's lines."""


class SummaryLines:
    """The summary view: a line per entry, made when it is drawn (the latest made are kept), so a burst of
    twenty thousand events is not drawn until it is looked at, and every event can be scrolled to.

    Every line is measured once, when the view next asks how wide it is (each sync), at most
    `MEASURED_PER_LOOK` at a time so a burst costs no frame much: the view is as wide as the widest line
    of all, so its horizontal scroll bar depends only on the events, never on how many frames were drawn
    while they came in. Measuring takes the line's text alone, not a drawn line.
    """

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = entries
        self._made: LRUCache[int, Line] = LRUCache(2048)
        self._widest = 0
        self._measured = 0
        """Entries measured so far, from the first."""

    @property
    def unmeasured(self) -> bool:
        return self._measured < len(self._entries)

    @property
    def widest(self) -> int:
        """The widest of the lines measured, in cells (measuring some of those added since the last look)."""
        entries, made = self._entries, self._made
        end = min(len(entries), self._measured + MEASURED_PER_LOOK)
        for index in range(self._measured, end):
            line = made.get(index)
            width = line_width(line) if line is not None else text_width(summary_text(entries[index]))
            if width > self._widest:
                self._widest = width
        self._measured = end
        return self._widest

    def make_last(self, count: int) -> None:
        """Make the last `count` lines: those on screen while the log follows the stream (and, made, they
        are measured for nothing)."""
        for index in range(max(0, len(self._entries) - count), len(self._entries)):
            self[index]

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> Line:
        if index < 0:
            index += len(self._entries)
        if not 0 <= index < len(self._entries):
            raise IndexError(index)
        line = self._made.get(index)
        if line is None:
            line = self._made[index] = lines_of(self._entries[index], index, raw=False)[0]
        return line

    def __iter__(self) -> Iterator[Line]:
        return (self[index] for index in range(len(self)))

    def line_of_entry(self, entry: int) -> int | None:
        return entry if 0 <= entry < len(self._entries) else None


def summary_text(entry: Entry) -> str:
    """The text of an entry's line in the summary view."""
    return neutralize(entry) if isinstance(entry, str) else summary_line(entry)


def lines_of(entry: Entry, index: int, *, raw: bool) -> list[Line]:
    """The lines that show entry number `index`: one in the summary view, a payload's worth in the raw."""
    if isinstance(entry, str):
        return [Line(summary_text(entry), "heading" if entry.startswith("━━") else "note", index)]
    if raw:
        heading, *payload = raw_lines(entry)
        return [Line(heading, event_kind(entry), index), *(Line(text, "delta", index) for text in payload)]
    return [Line(summary_text(entry), event_kind(entry), index, TIME_WIDTH)]


class EventLog(Vertical):
    """Two views of one record. Only the visible view is written; the other catches up when shown."""

    BINDINGS = [Binding("escape", "app.focus('prompt')", "Back to prompt", show=False)]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Events"
        self._entries: list[Entry] = []
        self._reply_of: list[int] = []
        """For each entry, the number of the reply it belongs to (from 1)."""
        self._summary = SummaryLines(self._entries)
        self._raw_written = 0
        """Entries the raw view has lines for (it catches up when shown)."""
        self._measuring = False
        self._timeline_reply = 0
        self._ended: dict[int, float] = {}
        """When each reply ended, in seconds from its request, once it has: its timeline runs to there."""

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="event-lines", id="event-views"):
            yield EventLines(id="event-lines", lines=self._summary)
            yield EventLines(id="event-raw", max_lines=MAX_RAW_LINES)

    @property
    def raw(self) -> bool:
        return self.query_one(ContentSwitcher).current == "event-raw"

    @property
    def entries(self) -> list[Entry]:
        return self._entries

    @property
    def timeline_shown(self) -> bool:
        return self.query_one(ContentSwitcher).current == "event-timeline"

    @property
    def view(self) -> EventLines:
        """The lines shown (with the timeline shown, the summaries it stands in front of)."""
        current = self.query_one(ContentSwitcher).current
        return self.query_one(f"#{'event-lines' if current in (None, 'event-timeline') else current}", EventLines)

    async def toggle_timeline(self) -> None:
        """The timeline of the reply whose event is selected (the latest when none is), or the lines again."""
        switcher = self.query_one(ContentSwitcher)
        if not switcher.query("#event-timeline"):
            # Made when first asked for: its chart library would hold up the first frame.
            from tui_app.widgets.timeline_view import TimelineView

            await switcher.add_content(TimelineView(id="event-timeline"))
        if self.timeline_shown:
            switcher.current = "event-lines"
            self.border_title = "Events"
        else:
            selected = self._selected_entry()
            self._timeline_reply = self._reply_of[selected] if selected is not None else self._replies
            switcher.current = "event-timeline"
            self.border_title = "Events · timeline"
        self.refresh_view()

    def begin_reply(self, number: int, heading: str) -> None:
        """Start reply `number`'s part of the log: the events added from now on are its own."""
        self._add(f"━━ {heading}", reply=number)
        self.refresh_view()

    def has_reply(self, number: int) -> bool:
        return number in self._reply_of

    def show_reply(self, number: int) -> None:
        """Put the cursor on reply `number`'s heading."""
        if number in self._reply_of:
            self.refresh_view()
            line = self.view.line_of_entry(self._reply_of.index(number))
            if line is not None:
                self.view.cursor = line

    def reset(self) -> None:
        """Forget every entry: another conversation is shown."""
        self._entries.clear()
        self._reply_of.clear()
        self._ended.clear()
        self._summary = SummaryLines(self._entries)
        self._raw_written = 0
        self.query_one("#event-lines", EventLines).clear(self._summary)
        self.query_one("#event-raw", EventLines).clear()

    @property
    def _replies(self) -> int:
        return self._reply_of[-1] if self._reply_of else 0

    def reply_ended(self, reply: int, seconds: float | None) -> None:
        if seconds is not None:
            self._ended[reply] = seconds

    def note(self, text: str, reply: int) -> None:
        """A line of the log's own about reply `reply` (a retry, how it ended)."""
        self._continue(reply)
        self._add(f"   {text}", reply=reply)

    def _continue(self, reply: int) -> None:
        """Lines of reply `reply` go under its heading: again, if another reply's came in between (a saved
        reply's events shown while this one streams)."""
        if reply != self._replies:
            self._add(f"━━ reply {reply} · continued", reply=reply)

    def _add(self, entry: Entry, reply: int) -> None:
        self._entries.append(entry)
        self._reply_of.append(reply)

    def add_events(self, events: Sequence[WireEvent], reply: int) -> None:
        """Show `events` of reply `reply` (the ones that arrived since the last call), in one batch."""
        if events:
            self._continue(reply)
            self._entries.extend(events)
            self._reply_of.extend([reply] * len(events))
        self.refresh_view()

    def toggle_raw(self) -> None:
        selected = self._selected_entry()
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "event-lines" if self.raw else "event-raw"  # from the timeline too: raw
        self.border_title = "Events · raw" if self.raw else "Events"
        self.refresh_view()
        if selected is not None:
            self.view.cursor = self.view.line_of_entry(selected)

    def _selected_entry(self) -> int | None:
        view = self.view
        return view.lines[view.cursor].entry if view.cursor is not None else None

    def refresh_view(self) -> None:
        if self.timeline_shown:
            reply = self._timeline_reply if self._timeline_reply in self._reply_of else self._replies
            timeline = self.query_one("#event-timeline")
            timeline.show(self.events_of_reply(reply), reply, self._ended.get(reply))  # type: ignore[attr-defined]
            return
        view = self.view
        if view.id != "event-raw":
            if len(self._summary) != view.virtual_size.height or self._summary.unmeasured:
                self._summary.make_last(view.size.height)
                view.grew()
                self._measure_soon()
            return
        start = self._raw_written
        if start == len(self._entries):
            return
        self._raw_written = len(self._entries)
        # Newest first, and only as many as the view keeps: switching to the raw view after a long reply
        # formats the last screenfuls, not a hundred thousand payloads that would be dropped at once.
        groups: list[list[Line]] = []
        count = 0
        for index in range(len(self._entries) - 1, start - 1, -1):
            groups.append(lines_of(self._entries[index], index, raw=True))
            count += len(groups[-1])
            if count >= view.max_lines:
                break
        view.add_lines([line for group in reversed(groups) for line in group])

    def _measure_soon(self) -> None:
        """The rest of a burst's lines are measured a little at a time, in the next moments."""
        if self._summary.unmeasured and not self._measuring:
            self._measuring = True
            self.set_timer(MEASURE_AGAIN_SECONDS, self._measure_more)

    def _measure_more(self) -> None:
        self._measuring = False
        self.query_one("#event-lines", EventLines).widen()
        self._measure_soon()

    def events_of_reply(self, reply: int) -> list[WireEvent]:
        return [entry for entry, owner in zip(self._entries, self._reply_of)
                if owner == reply and isinstance(entry, WireEvent)]

    @on(EventLines.CopyRequested)
    def copy_selection(self, message: EventLines.CopyRequested) -> None:
        message.stop()
        entry = message.entry
        if message.whole_reply:
            reply = self._reply_of[entry] if entry is not None else self._replies
            events = self.events_of_reply(reply)
            if not events:
                self.notify("No events to copy yet.", severity="warning")
                return
            text = "".join(json.dumps({"reply": reply, **event.to_record()}, ensure_ascii=False) + "\n"
                           for event in events)
            self.post_message(CopyRequest(neutralize(text), f"the {len(events)} events of reply {reply}"))
        elif entry is None:
            self.notify("Select an event first: ↑/↓ or a click.", severity="warning")
        else:
            chosen = self._entries[entry]
            if isinstance(chosen, WireEvent):
                self.post_message(CopyRequest(neutralize(chosen.data), f"the {chosen.name} payload"))
            else:
                self.post_message(CopyRequest(neutralize(chosen.strip()), "the note"))
