"""A prompt in the transcript, as it was sent."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from tui_app.model.conversation import Turn
from tui_app.text_safety import neutralize, preview
from tui_app.widgets.copy_request import CopyRequest

SUPERSEDED = "set aside: not sent again"
"""The subtitle of a turn a retry or an edit replaced."""


class UserTurn(Static, can_focus=True):
    """A prompt as it was sent; select it (click, or ↑/↓ in the transcript) and press c to copy it."""

    BINDINGS = [Binding("c,enter", "copy", "Copy message")]

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        # Drawn neutralised, and only the start of a huge paste; copied as it was sent.
        super().__init__(Content(preview(neutralize(turn.text))), classes="turn turn-user")
        self.border_title = "You"
        self.show_superseded()

    def show_superseded(self) -> None:
        self.set_class(self.turn.superseded, "-superseded")
        self.border_subtitle = SUPERSEDED if self.turn.superseded else ""

    def action_copy(self) -> None:
        self.post_message(CopyRequest(self.turn.text, "your message"))
