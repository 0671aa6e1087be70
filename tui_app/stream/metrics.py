"""Timings of one reply: time to first token, total time, and output speed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class ReplyTimings:
    """Moments of a reply, in seconds since the request was sent."""

    first_token: float | None = None
    """When the first content delta (text, thinking or tool input) arrived."""
    last_event: float | None = None
    finished: float | None = None

    def tokens_per_second(self, output_tokens: int | None) -> float | None:
        """Output speed over the streaming phase (first token to the end)."""
        end = self.finished if self.finished is not None else self.last_event
        if not output_tokens or self.first_token is None or end is None:
            return None
        span = end - self.first_token
        if span <= 0:
            return None
        return output_tokens / span


def format_seconds(seconds: float | None) -> str:
    """`850 ms` under a second, `2.41 s` above; `–` when unknown."""
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"
