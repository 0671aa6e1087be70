"""How fast the demo model answers: part of the settings, so kept apart from the scripts it paces,
which are loaded only when the demo server answers its first request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoPacing:
    """How fast the demo model answers."""

    first_token_delay: float = 0.6
    """Seconds between the request and the first content delta."""
    tokens_per_second: float = 60.0
    """Deltas per second after the first; 0 sends everything at once."""
    ping_every: int = 20
    """A `ping` after `message_start` and then after every this many deltas."""

    @property
    def delta_interval(self) -> float:
        return 1.0 / self.tokens_per_second if self.tokens_per_second > 0 else 0.0


UNPACED = DemoPacing(first_token_delay=0.0, tokens_per_second=0.0)
