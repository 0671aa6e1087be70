"""A conversation as it is kept: its turns with everything known about them, and the messages they make
for the next request. The store saves these records; the app, the exports and the tests read them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui_app.model.content import block_from_content, content_of, details_of, is_refusal, messages_of, take_details
from tui_app.stream.reply import Reply, ReplyState

if TYPE_CHECKING:
    from tui_app.stream.session import ReplySession

TITLE_CHARS = 60
INTERRUPTED = "claude-tui closed before the reply finished"


@dataclass(slots=True)
class ChatSettings:
    """What a conversation asks with; each conversation keeps its own, starting from the run's settings."""

    model: str
    max_tokens: int
    system: str | None = None
    temperature: float | None = None
    thinking: str | None = None
    """`off`, `adaptive` or a budget in tokens (see `model.asking`); None leaves it to the model."""
    thinking_display: str = "summarized"
    effort: str | None = None
    cache: str | None = None
    """Automatic prompt caching and its time to live (`5m`, `1h`); None caches nothing."""


@dataclass(slots=True)
class Turn:
    """One prompt or one reply. Replies carry how they ended, their usage and their timings."""

    role: str
    """`user` or `assistant`."""
    text: str
    """A prompt's text, or a reply's text blocks joined as Markdown source."""
    created: float = field(default_factory=time.time)
    id: int | None = None
    """The store's id, once saved."""
    superseded: bool = False
    """Retried or edited: kept in the history as it was, never sent to the model again."""
    model: str | None = None
    state: ReplyState | None = None
    """Where a reply stands (None for prompts); one saved while open reads back as it was saved."""
    reason: str | None = None
    stop_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    first_token: float | None = None
    """Seconds from the request to the first content delta."""
    total: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    """The request's parameters other than the messages (model, max_tokens, system, temperature)."""
    content: list[dict[str, Any]] = field(default_factory=list)
    """A reply's content blocks in the Messages API's own shape (text, thinking, tool_use …)."""
    usage: dict[str, Any] = field(default_factory=dict)
    """The rest of what the server said of a reply: cache tokens, thinking tokens, server tool requests,
    the message id, stop details, the reason a cache was missed (see `Reply.usage_record`)."""

    @property
    def is_reply(self) -> bool:
        return self.role == "assistant"

    @property
    def reply_state(self) -> ReplyState:
        """How the reply ended; a reply still open when it was last saved was cut short by the app closing."""
        state = self.state
        return state if state is not None and state.finished else ReplyState.INCOMPLETE

    def update_from(self, session: ReplySession) -> None:
        """Take in everything the session knows now: text, blocks, state, usage, timings."""
        reply = session.reply
        self.text = reply.text
        self.model = reply.model or session.model
        self.state = reply.state
        self.reason = reply.reason
        self.stop_reason = reply.stop_reason
        self.input_tokens = reply.input_tokens
        self.output_tokens = reply.live_output_tokens[0] if reply.blocks else reply.output_tokens
        self.first_token = session.timings.first_token
        self.total = session.timings.finished
        self.content = content_of(reply)
        self.usage = details_of(reply)

    def to_reply(self) -> Reply:
        """A `Reply` to draw, rebuilt from what was saved."""
        reply = Reply(model=self.model, input_tokens=self.input_tokens, output_tokens=self.output_tokens,
                      usage_final=True, stop_reason=self.stop_reason, reason=self.reason)
        for index, block in enumerate(self.content):
            reply.blocks.append(block_from_content(index, block))
        take_details(reply, self.usage)
        reply.state = self.reply_state
        if self.reply_state is ReplyState.INCOMPLETE and not self.reason:
            reply.reason = INTERRUPTED
        return reply


CHAT = "chat"
"""A conversation of the user's own prompts and Claude's replies."""
INSPECTED = "inspected"
"""Another client's exchanges, seen through the inspecting proxy: saved, never sent on, its prompts never
offered again."""
REPLAY = "replay"
"""A recording played again: shown, never saved."""


@dataclass(slots=True)
class Conversation:
    """A titled list of turns with the settings it asks with."""

    settings: ChatSettings
    turns: list[Turn] = field(default_factory=list)
    id: int | None = None
    title: str = ""
    created: float = field(default_factory=time.time)
    kind: str = CHAT
    """`CHAT`, `INSPECTED` or `REPLAY`."""

    def add_user(self, text: str) -> tuple[Turn, list[Turn]]:
        """Add a prompt; return it, and the turns it set aside: a last prompt left unanswered (its reply was
        refused, by the server or by the model's `refusal` stop, failed or was cancelled before a word
        arrived) is replaced by the new one, never joined to it, so a refused prompt cannot make every later
        request fail the same way."""
        aside = self.unanswered()
        for turn in aside:
            turn.superseded = True
        if not self.title:
            self.title = title_for(text)
        turn = Turn("user", text)
        self.turns.append(turn)
        return turn, aside

    def unanswered(self) -> list[Turn]:
        """The last prompt and its replies, when none of those replies brought any text and none is done, or
        the model refused it."""
        user = self.last("user")
        if user is None:
            return []
        after = [turn for turn in self.turns[self.turns.index(user) + 1 :] if not turn.superseded]
        if any((turn.text or turn.reply_state is ReplyState.DONE) and not is_refusal(turn) for turn in after):
            return []
        return [user, *after]

    def add_reply(self, model: str) -> Turn:
        """A reply turn that will be filled in as it streams."""
        turn = Turn("assistant", "", model=model, state=ReplyState.WAITING)
        self.turns.append(turn)
        return turn

    @property
    def replies(self) -> list[Turn]:
        return [turn for turn in self.turns if turn.is_reply]

    def last(self, role: str) -> Turn | None:
        for turn in reversed(self.turns):
            if turn.role == role and not turn.superseded:
                return turn
        return None

    def supersede_last_reply(self) -> Turn | None:
        """Set the last reply aside for a retry; return it (None when there is none to retry)."""
        reply = self.last("assistant")
        user = self.last("user")
        if reply is None or user is None or self.turns.index(reply) < self.turns.index(user):
            return None
        reply.superseded = True
        return reply

    def supersede_last_prompt(self) -> list[Turn]:
        """Set the last prompt and what answered it aside, for an edited prompt to take their place."""
        user = self.last("user")
        if user is None:
            return []
        start = self.turns.index(user)
        aside = [turn for turn in self.turns[start:] if not turn.superseded]
        for turn in aside:
            turn.superseded = True
        return aside

    def messages(self) -> list[dict[str, Any]]:
        """The history as the next request sends it."""
        return messages_of(self.turns, self.settings.model)


def title_for(prompt: str) -> str:
    """A conversation's title: the first line of its first prompt, shortened."""
    line = next((line.strip() for line in prompt.splitlines() if line.strip()), "") or "Untitled"
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"
