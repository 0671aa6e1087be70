"""The conversation: user turns, assistant replies and notices, following new text as it arrives."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from tui_app.text_safety import neutralize
from tui_app.widgets.copy_request import CopyRequest
from tui_app.widgets.reply_view import ReplyView


class UserTurn(Static, can_focus=True):
    """A prompt as it was sent; select it (click, or ↑/↓ in the transcript) and press c to copy it."""

    BINDINGS = [Binding("c,enter", "copy", "Copy message")]

    def __init__(self, text: str) -> None:
        self.text = neutralize(text)
        super().__init__(Content(self.text), classes="turn turn-user")
        self.border_title = "You"

    def action_copy(self) -> None:
        self.post_message(CopyRequest(self.text, "your message"))


class TranscriptView(VerticalScroll, can_focus=False):
    """Scrolls with the stream until the user scrolls away (an anchored container).

    Messages and code blocks inside it take focus, so they can be selected and copied from the keyboard.
    """

    BINDINGS = [
        Binding("up", "select(-1)", "Previous", show=False),
        Binding("down", "select(1)", "Next", show=False),
        Binding("escape", "app.focus('prompt')", "Back to prompt", show=False),
    ]

    def on_mount(self) -> None:
        self.anchor()

    @property
    def selectable(self) -> list[Widget]:
        """Messages and code blocks, in reading order."""
        return [widget for widget in self.screen.focus_chain if self in widget.ancestors]

    def action_select(self, step: int) -> None:
        items = self.selectable
        focused = self.screen.focused
        if not items or focused not in items:
            return
        position = items.index(focused) + step
        if 0 <= position < len(items):
            items[position].focus()

    async def add_notice(self, text: str) -> None:
        await self.mount(Static(Content(neutralize(text)), classes="notice"))

    async def add_user_turn(self, text: str) -> None:
        await self.mount(UserTurn(text))

    async def add_reply(self, model: str) -> ReplyView:
        reply = ReplyView()
        reply.border_title = neutralize(model)
        await self.mount(reply)
        self.anchor()
        return reply
