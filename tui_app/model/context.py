"""How full a model's context window is: what the next request starts from, against the window the
backend's model list gives (`max_input_tokens`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui_app.stream.usage import TokenUsage

if TYPE_CHECKING:
    from tui_app.model.conversation import Turn

NEARLY_FULL = 0.9
"""From this share of the window on, the conversation is said to be nearly full."""


@dataclass(frozen=True, slots=True)
class ContextUse:
    """`used` tokens of a window of `limit` (None when the model list did not say)."""

    used: int
    limit: int | None = None

    @property
    def percent(self) -> float | None:
        return 100 * self.used / self.limit if self.limit else None

    @property
    def left(self) -> int | None:
        return max(0, self.limit - self.used) if self.limit else None

    def fits(self, more_tokens: int = 0) -> bool:
        """Whether `more_tokens` beyond what is used still fit; an unknown window is taken to fit."""
        return not self.limit or self.used + more_tokens <= self.limit

    def warning(self, more_tokens: int = 0) -> str | None:
        """Words for a conversation that would not fit, or nearly fills the window; None when all is well."""
        if not self.limit:
            return None
        total = self.used + more_tokens
        if total > self.limit:
            return (f"The conversation ({total:,} tokens) does not fit the model's context window "
                    f"({self.limit:,} tokens): start a new conversation, or pick a model with a larger window.")
        if total >= NEARLY_FULL * self.limit:
            return (f"The conversation fills {100 * total / self.limit:.0f}% of the model's context window "
                    f"({total:,} of {self.limit:,} tokens).")
        return None

    def describe(self) -> str:
        """For a status bar: `12,345 / 200,000 (6%)`, or `12,345` when the window is unknown."""
        if not self.limit:
            return f"{self.used:,}"
        return f"{self.used:,} / {self.limit:,} ({self.percent:.0f}%)"


def context_after(turn: Turn) -> int | None:
    """What the request after this reply starts from: the reply's whole input (uncached, written to the cache
    and read from it) plus its output. None when the server gave no counts. Thinking is in the output, so
    this is an upper bound where a model leaves earlier thinking out of the context."""
    if not turn.is_reply:
        return None
    whole_input = TokenUsage.from_record(turn.usage).total_input(turn.input_tokens)
    if whole_input is None:
        return None
    return whole_input + (turn.output_tokens or 0)


def last_context(turns: Iterable[Turn]) -> int | None:
    """`context_after` of the last reply still sent that has counts."""
    for turn in reversed(list(turns)):
        if turn.is_reply and not turn.superseded and (used := context_after(turn)) is not None:
            return used
    return None
