"""The turns of a conversation, and the messages they make for the next request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Conversation:
    """User prompts and the assistant text that answered them, in order."""

    turns: list[tuple[str, str]] = field(default_factory=list)

    def add_user(self, text: str) -> None:
        self.turns.append(("user", text))

    def add_assistant(self, text: str) -> None:
        """Record what the assistant said, partial or not; an empty reply records nothing."""
        if text:
            self.turns.append(("assistant", text))

    def messages(self) -> list[dict[str, Any]]:
        """The whole history as Messages API messages.

        Roles must alternate, so a prompt whose reply failed before any text joins the next prompt
        rather than being dropped.
        """
        messages: list[dict[str, Any]] = []
        for role, text in self.turns:
            if messages and messages[-1]["role"] == role:
                messages[-1]["content"] += "\n\n" + text
            else:
                messages.append({"role": role, "content": text})
        return messages
