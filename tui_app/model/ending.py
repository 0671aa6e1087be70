"""How a reply ended, worded in one place for every view that says it: the reply's own line, the status
bar, the event log, exports, copies and print mode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from tui_app.stream.reply import Reply, ReplyState

END_TURN = "end_turn"
MAX_TOKENS = "max_tokens"
STOP_SEQUENCE = "stop_sequence"
TOOL_USE = "tool_use"
PAUSE_TURN = "pause_turn"
REFUSAL = "refusal"
WINDOW_FULL = "model_context_window_exceeded"
CONTINUE_KEY = "F6"
"""The key that continues a paused reply, unless the user bound `continue_reply` to another."""
SEQUENCE_CHARS = 30
"""A stop sequence is quoted up to this many characters: it is the server's text, of any length."""


class SavedReply(Protocol):
    """What a saved turn holds of how it ended."""

    stop_reason: str | None
    reason: str | None
    usage: dict[str, Any]

    @property
    def reply_state(self) -> ReplyState: ...


@dataclass(frozen=True, slots=True)
class Ending:
    """A reply's state, why the server stopped it, and what went wrong (if anything)."""

    state: ReplyState
    stop_reason: str | None = None
    reason: str | None = None
    stop_sequence: str | None = None
    stop_details: dict[str, Any] | None = None
    """A refusal's `category` and `explanation`, as the server gave them."""

    @classmethod
    def of(cls, reply: Reply) -> Ending:
        return cls(reply.state, reply.stop_reason, reply.reason, reply.stop_sequence, reply.stop_details)

    @classmethod
    def of_turn(cls, turn: SavedReply) -> Ending:
        """The ending of a reply read back from the store (its stop details are in its usage record)."""
        record = turn.usage if isinstance(turn.usage, dict) else {}
        sequence = record.get("stop_sequence")
        details = record.get("stop_details")
        return cls(turn.reply_state, turn.stop_reason, turn.reason, sequence if isinstance(sequence, str) else None,
                   details if isinstance(details, dict) else None)

    @property
    def went_wrong(self) -> bool:
        return self.state in (ReplyState.FAILED, ReplyState.INCOMPLETE)

    def _stopped_for(self, stop_reason: str) -> bool:
        return self.state is ReplyState.DONE and self.stop_reason == stop_reason

    @property
    def hit_max_tokens(self) -> bool:
        return self._stopped_for(MAX_TOKENS)

    @property
    def refused(self) -> bool:
        return self._stopped_for(REFUSAL)

    @property
    def paused(self) -> bool:
        """The server paused a long-running turn; sending the reply back continues it."""
        return self._stopped_for(PAUSE_TURN)

    @property
    def window_full(self) -> bool:
        return self._stopped_for(WINDOW_FULL)

    @property
    def at_stop_sequence(self) -> bool:
        return self._stopped_for(STOP_SEQUENCE)

    @property
    def asks_for_tool(self) -> bool:
        return self._stopped_for(TOOL_USE)

    @property
    def cut_short(self) -> bool:
        """Done, but not a whole answer: refused, paused, or out of room."""
        return self.refused or self.paused or self.window_full or self.hit_max_tokens

    @property
    def category(self) -> str | None:
        """A refusal's policy category (`cyber`, `bio` …), when the server named one."""
        category = (self.stop_details or {}).get("category")
        return category if isinstance(category, str) and category else None

    @property
    def explanation(self) -> str | None:
        explanation = (self.stop_details or {}).get("explanation")
        return explanation.strip() if isinstance(explanation, str) and explanation.strip() else None

    @property
    def quoted_sequence(self) -> str:
        sequence = self.stop_sequence or ""
        if len(sequence) > SEQUENCE_CHARS:
            sequence = sequence[: SEQUENCE_CHARS - 1] + "…"
        return f'"{sequence}"' if self.stop_sequence is not None else "(not named)"

    def _refused(self) -> str:
        label = f"refused ({self.category})" if self.category else "refused"
        return f"{label}: {self.explanation}" if self.explanation else label

    @property
    def status(self) -> str:
        """A few words, with what went wrong: `done`, `failed: overloaded`, `refused (cyber)`."""
        if self.went_wrong and self.reason:
            return f"{self.state.value}: {self.reason}"
        return self.short or self.state.value

    @property
    def short(self) -> str | None:
        """A done reply's ending in a few words, when it is not simply done (the status bar's)."""
        if self.refused:
            return f"refused ({self.category})" if self.category else "refused"
        if self.paused:
            return f"paused · {CONTINUE_KEY} continues"
        if self.window_full:
            return "context window full"
        if self.hit_max_tokens:
            return "stopped at max_tokens"
        if self.at_stop_sequence:
            return f"stopped at {self.quoted_sequence}"
        if self.asks_for_tool:
            return "tool call not run"
        return None

    @property
    def summary(self) -> str:
        """The status with the server's stop reason: `done (end_turn)`."""
        if self.state is ReplyState.DONE:
            detail = f", {self.category}" if self.refused and self.category else ""
            return f"{self.state.value} ({self.stop_reason}{detail})"
        if self.reason:
            return f"{self.state.value}: {self.reason}"
        return self.state.value

    @property
    def notice(self) -> str | None:
        """The line under a reply that did not simply finish; None when it did."""
        return self.notice_for(CONTINUE_KEY)

    def notice_for(self, continue_key: str) -> str | None:
        """The notice, naming the key bound to continuing a paused reply."""
        if self.state is ReplyState.DONE:
            return self._done_notice(continue_key)
        if self.state is ReplyState.CANCELLED:
            return "✗ cancelled — the partial reply is kept"
        if self.state is ReplyState.INCOMPLETE:
            label = "⚠ incomplete"
        elif self.state is ReplyState.FAILED:
            label = "✗ failed"
        else:
            return None
        return f"{label}: {self.reason}" if self.reason else label

    def _done_notice(self, continue_key: str) -> str | None:
        if self.refused:
            return f"✗ {self._refused()} · your next prompt replaces the refused one"
        if self.paused:
            return f"⏸ paused by the server (a long-running tool turn): {continue_key} continues it"
        if self.window_full:
            return "⚠ stopped: the context window is full; start a new conversation, or shorten it"
        if self.hit_max_tokens:
            return "⚠ stopped at the max_tokens limit"
        if self.at_stop_sequence:
            return f"⏹ stopped at the stop sequence {self.quoted_sequence}"
        if self.asks_for_tool:
            return "⚙ the reply asks to use a tool: claude-tui runs no tools, so the call is shown, not run"
        return None

    @property
    def saved_note(self) -> str | None:
        """What an export says of a reply that is not simply done; None when it is."""
        if self.state is ReplyState.DONE:
            return self._done_note()
        reason = self.reason or ("" if self.state is ReplyState.CANCELLED else "no reason recorded")
        return f"**{self.state.value}**" + (f": {reason}" if reason else "")

    def _done_note(self) -> str | None:
        if self.refused:
            return f"**refused**{self._refused().removeprefix('refused')}"
        if self.paused:
            return "**paused** by the server (a long-running tool turn); it can be continued in the app"
        if self.window_full:
            return "**stopped**: the context window is full"
        if self.hit_max_tokens:
            return "**stopped** at the max_tokens limit"
        if self.at_stop_sequence:
            return f"**stopped** at the stop sequence {self.quoted_sequence}"
        if self.asks_for_tool:
            return "**tool call not run**: claude-tui runs no tools"
        return None

    @property
    def partial(self) -> str:
        """What a copy of the reply says of itself: empty when the reply is done."""
        return "" if self.state is ReplyState.DONE else f"{self.state.value}: what arrived"

    @property
    def advice(self) -> str | None:
        """What print mode tells the user of a reply that is done but not simply finished."""
        if self.refused:
            label = f"refused ({self.category})" if self.category else "refused"
            said = f"; it says: {self.explanation}" if self.explanation else ""
            return f"the model {label}, so nothing more will come of this prompt: ask another way{said}"
        if self.paused:
            return ("the server paused this turn (a long-running tool turn), so what was printed is partial; "
                    f"print mode cannot continue it: ask in the app, where {CONTINUE_KEY} continues a paused reply")
        if self.window_full:
            return ("the reply stopped: the context window is full; shorten the prompt "
                    "(in the app, start a new conversation)")
        if self.hit_max_tokens:
            return "the reply stopped at --max-tokens; raise it for a longer answer"
        if self.at_stop_sequence:
            return f"the reply stopped at the stop sequence {self.quoted_sequence}"
        if self.asks_for_tool:
            return "the reply stopped for a tool call; claude-tui runs no tools, so it is described, not run"
        return None
