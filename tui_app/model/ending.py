"""How a reply ended, worded in one place for every view that says it: the reply's own line, the status
bar, the event log, exports, copies and print mode."""

from __future__ import annotations

from dataclasses import dataclass

from tui_app.stream.reply import Reply, ReplyState

MAX_TOKENS = "max_tokens"


@dataclass(frozen=True, slots=True)
class Ending:
    """A reply's state, why the server stopped it, and what went wrong (if anything)."""

    state: ReplyState
    stop_reason: str | None = None
    reason: str | None = None

    @classmethod
    def of(cls, reply: Reply) -> Ending:
        return cls(reply.state, reply.stop_reason, reply.reason)

    @property
    def went_wrong(self) -> bool:
        return self.state in (ReplyState.FAILED, ReplyState.INCOMPLETE)

    @property
    def hit_max_tokens(self) -> bool:
        return self.state is ReplyState.DONE and self.stop_reason == MAX_TOKENS

    @property
    def status(self) -> str:
        """One word, with what went wrong: `done`, `failed: overloaded`."""
        if self.went_wrong and self.reason:
            return f"{self.state.value}: {self.reason}"
        return self.state.value

    @property
    def summary(self) -> str:
        """The status with the server's stop reason: `done (end_turn)`."""
        if self.state is ReplyState.DONE:
            return f"{self.state.value} ({self.stop_reason})"
        if self.reason:
            return f"{self.state.value}: {self.reason}"
        return self.state.value

    @property
    def notice(self) -> str | None:
        """The line under a reply that did not simply finish; None when it did."""
        if self.hit_max_tokens:
            label = "⚠ stopped at the max_tokens limit"
        elif self.state is ReplyState.CANCELLED:
            return "✗ cancelled — the partial reply is kept"
        elif self.state is ReplyState.INCOMPLETE:
            label = "⚠ incomplete"
        elif self.state is ReplyState.FAILED:
            label = "✗ failed"
        else:
            return None
        return f"{label}: {self.reason}" if self.reason else label

    @property
    def saved_note(self) -> str | None:
        """What an export says of a reply that is not done; None when it is."""
        if self.state is ReplyState.DONE:
            return None
        reason = self.reason or ("" if self.state is ReplyState.CANCELLED else "no reason recorded")
        return f"**{self.state.value}**" + (f": {reason}" if reason else "")

    @property
    def partial(self) -> str:
        """What a copy of the reply says of itself: empty when the reply is done."""
        return "" if self.state is ReplyState.DONE else f"{self.state.value}: what arrived"

    @property
    def advice(self) -> str | None:
        """What print mode tells the user of a reply that is done but not whole."""
        if self.hit_max_tokens:
            return "the reply stopped at --max-tokens; raise it for a longer answer"
        return None
