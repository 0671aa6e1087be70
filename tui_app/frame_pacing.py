"""How often a streaming reply is drawn: every tick at a model's pace, less often in a burst.

A frame is costly (Textual lays out and composes the whole screen). At a model's pace a tick brings a
few dozen events, and drawing each tick keeps the text close behind the wire. When the wire outruns the
screen (an unpaced server, or a backlog after a stall) a tick brings thousands, and drawing every tick
would slow down reading them: then a frame is drawn only every `burst_seconds`.
What need not follow every frame (the event log) is drawn at an `Interval`.
"""

from __future__ import annotations

from dataclasses import dataclass

BURST_EVENTS = 100
"""More events than this since the last frame is a burst: several times what a fast model sends between frames."""
BURST_SECONDS = 0.5


@dataclass
class FramePacer:
    burst_events: int = BURST_EVENTS
    burst_seconds: float = BURST_SECONDS
    _events: int = 0
    _at: float | None = None

    def due(self, events: int, now: float) -> bool:
        """Whether to draw now, with `events` received so far at time `now`; if so, it counts as drawn."""
        burst = events - self._events > self.burst_events
        if burst and self._at is not None and now - self._at < self.burst_seconds:
            return False
        self._events, self._at = events, now
        return True


@dataclass
class Interval:
    """Whether something drawn less often than every frame is due: at most once every `seconds`."""

    seconds: float
    _at: float | None = None

    def due(self, now: float) -> bool:
        """Whether to draw it at time `now`; if so, it counts as drawn."""
        if self._at is not None and now - self._at < self.seconds:
            return False
        self._at = now
        return True
