"""The one message every copyable widget posts: the app decides how the text reaches a clipboard."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class CopyRequest(Message):
    text: str
    """Exactly what goes to the clipboard."""
    what: str
    """What it is, in the user's words, for the notification ("the last reply")."""
