"""The one message every copyable widget posts: the app decides how the text reaches a clipboard."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tui_app.model.citations import reply_markdown
from tui_app.model.ending import Ending
from tui_app.stream.reply import Reply
from tui_app.text_safety import neutralize


@dataclass
class CopyRequest(Message):
    text: str
    """Exactly what goes to the clipboard."""
    what: str
    """What it is, in the user's words, for the notification ("the last reply")."""


def copy_request_for(reply: Reply, what: str) -> CopyRequest:
    """A reply's Markdown source as shown (control characters as visible symbols), with the numbers of the
    sources it cites and their list at the end, saying when it is not the whole reply."""
    if not reply.state.finished:
        what += " so far (still streaming)"
    elif partial := Ending.of(reply).partial:
        what += f" ({partial})"
    return CopyRequest(neutralize(reply_markdown(reply.blocks)), what)
