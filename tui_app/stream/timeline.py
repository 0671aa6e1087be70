"""A reply's timing, read from its recorded events: content deltas per interval (text and thinking apart),
pings, the first token, and the silences long enough to call stalls. Knows nothing of drawing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tui_app.stream.events import WireEvent

STALL_SECONDS = 2.0
"""A silence at least this long between two events is marked as a stall (as the status bar says one)."""
BUCKETS = 40
"""Intervals the reply's time is cut into, at most: enough for a chart's width, few enough to read."""
SMALLEST_BUCKET = 0.05
THINKING_DELTAS = ("thinking_delta", "signature_delta")


@dataclass(frozen=True)
class Stall:
    start: float
    seconds: float


@dataclass
class Timeline:
    """Seconds from the request; counts per bucket of `bucket` seconds from 0."""

    bucket: float = SMALLEST_BUCKET
    text: list[int] = field(default_factory=list)
    thinking: list[int] = field(default_factory=list)
    other: list[int] = field(default_factory=list)
    """Tool input and any other content delta."""
    pings: list[float] = field(default_factory=list)
    stalls: list[Stall] = field(default_factory=list)
    first_token: float | None = None
    end: float | None = None
    events: int = 0

    @property
    def starts(self) -> list[float]:
        return [index * self.bucket for index in range(len(self.text))]

    def deltas_per_second(self) -> list[float]:
        """Content deltas per second in each bucket: the stream's pace (a delta is a token or a few)."""
        return [(text + thinking + other) / self.bucket
                for text, thinking, other in zip(self.text, self.thinking, self.other)]

    @classmethod
    def of(cls, events: Sequence[WireEvent], ended: float | None = None,
           stall_seconds: float = STALL_SECONDS) -> Timeline:
        """The timeline of one reply's events, in the order they arrived; `ended` is when the reply ended
        (cancelled, or given up on, it may be long after its last event)."""
        if not events:
            return cls()
        end = max([event.arrived for event in events] + ([ended] if ended is not None else []))
        bucket = max(SMALLEST_BUCKET, end / BUCKETS)
        count = int(end / bucket) + 1
        timeline = cls(bucket, [0] * count, [0] * count, [0] * count, end=end, events=len(events))
        previous = events[0].arrived  # the wait for the first event is the request's, not a stall
        for event in events:
            if event.arrived - previous >= stall_seconds:
                timeline.stalls.append(Stall(previous, event.arrived - previous))
            previous = max(previous, event.arrived)
            if event.type == "ping":
                timeline.pings.append(event.arrived)
            elif event.type == "content_block_delta":
                timeline._count(event)
        if end - previous >= stall_seconds:  # silent from the last event to the end: the stall that ended it
            timeline.stalls.append(Stall(previous, end - previous))
        return timeline

    def _count(self, event: WireEvent) -> None:
        payload = event.payload
        delta = payload.get("delta") if isinstance(payload, dict) else None
        kind = delta.get("type") if isinstance(delta, dict) else None
        if kind == "signature_delta":
            return  # no content the reader sees, and not a token of output
        if self.first_token is None:
            self.first_token = event.arrived
        place = min(int(event.arrived / self.bucket), len(self.text) - 1)
        series = self.text if kind == "text_delta" else self.thinking if kind in THINKING_DELTAS else self.other
        series[place] += 1
