"""The conversation: user turns, assistant replies and notices, following new text as it arrives."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui_app.text_safety import neutralize
from tui_app.widgets.reply_view import ReplyView


class TranscriptView(VerticalScroll):
    """Scrolls with the stream until the user scrolls away (an anchored container)."""

    def on_mount(self) -> None:
        self.anchor()

    async def add_notice(self, text: str) -> None:
        await self.mount(Static(Content(text), classes="notice"))

    async def add_user_turn(self, text: str) -> None:
        turn = Static(Content(neutralize(text)), classes="turn turn-user")
        turn.border_title = "You"
        await self.mount(turn)

    async def add_reply(self, model: str) -> ReplyView:
        reply = ReplyView()
        reply.border_title = neutralize(model)
        await self.mount(reply)
        self.anchor()
        return reply
