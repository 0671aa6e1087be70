"""One assistant reply: its content blocks as they stream, then how it ended. A text block's widgets are in
`text_block_view` and `code_block`."""

from __future__ import annotations

import json
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Collapsible, Static

from tui_app.model.conversation import Turn
from tui_app.model.ending import Ending
from tui_app.stream.reply import ContentBlock, Reply
from tui_app.text_safety import neutralize
from tui_app.widgets.copy_request import copy_request_for
from tui_app.widgets.growing_frame import GrowingFrame
from tui_app.widgets.text_block_view import TextBlockView
from tui_app.widgets.user_turn import SUPERSEDED


class ThinkingBlockView(Collapsible):
    """Thinking, dimmed and collapsible, apart from the answer."""

    def __init__(self) -> None:
        self._body = Static(classes="thinking-text")
        super().__init__(self._body, title="Thinking", collapsed=False, classes="reply-thinking")
        self._seen = 0

    async def sync(self, block: ContentBlock) -> None:
        if len(block.pieces) != self._seen:
            self._seen = len(block.pieces)
            self._body.update(Content(neutralize(block.text)))

    async def settle(self, block: ContentBlock) -> None:
        pass


class ToolUseBlockView(Static):
    """A tool call: the tool's name and its input as pretty JSON, built up as it streams."""

    def __init__(self, block: ContentBlock) -> None:
        super().__init__(classes="reply-tool")
        self.border_title = Content(neutralize(f"tool use · {block.tool_name or block.kind}"))
        self._seen = -1

    async def sync(self, block: ContentBlock) -> None:
        if len(block.pieces) == self._seen:
            return
        self._seen = len(block.pieces)
        self.update(Content(neutralize(_tool_input_text(block) or "…")))

    async def settle(self, block: ContentBlock) -> None:
        shown = _tool_input_text(block)
        if block.tool_input is None and block.text.strip():
            shown += "\n⚠ incomplete: the input that arrived is not whole JSON"
        self.update(Content(neutralize(shown or "(no input)")))


def _tool_input_text(block: ContentBlock) -> str:
    """The tool input as pretty JSON when it parses, else what arrived of it as it came."""
    parsed = block.tool_input
    if parsed is None:
        return block.text
    try:
        return json.dumps(parsed, indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return block.text


class OtherBlockView(Static):
    """A block type this version does not know: named, not hidden."""

    def __init__(self, block: ContentBlock) -> None:
        super().__init__(Content(f"[{neutralize(block.kind)} block]"), classes="reply-other")

    async def sync(self, block: ContentBlock) -> None:
        pass

    async def settle(self, block: ContentBlock) -> None:
        pass


BlockView = TextBlockView | ThinkingBlockView | ToolUseBlockView | OtherBlockView


class ReplyView(GrowingFrame, Vertical, can_focus=True):
    """An assistant turn. `sync` brings it up to date with a streaming `Reply` (call it as often as you
    like) and `finish` shows how it ended; `show_saved` draws a reply read back from the store."""

    DEFAULT_CSS = """
    ReplyView { height: auto; }
    """
    BINDINGS = [Binding("c,enter", "copy", "Copy reply"), Binding("e", "show_events", "Its events")]

    @dataclass
    class EventsRequested(Message):
        """Show this reply's wire events in the event log."""

        turn: Turn

    def __init__(self, turn: Turn, *, saved: bool = False) -> None:
        """`saved`: draw the turn as read back from the store, in one pass, rather than streaming into it."""
        super().__init__(classes="turn turn-assistant")
        self.turn = turn
        self._saved = turn.to_reply() if saved else None
        self.border_title = Content(neutralize(turn.model or ""))
        self._views: list[BlockView] = []
        self._state = Static(classes="reply-state")
        self._state.display = False
        self._reply: Reply | None = None
        self.streaming = True
        """Until `finish`: a streaming reply is never unmounted to save memory."""
        self.show_superseded()

    def show_superseded(self) -> None:
        self.set_class(self.turn.superseded, "-superseded")
        self.border_subtitle = SUPERSEDED if self.turn.superseded else ""

    def action_copy(self) -> None:
        if self._reply is not None:
            self.post_message(copy_request_for(self._reply, "the reply"))

    def action_show_events(self) -> None:
        self.post_message(self.EventsRequested(self.turn))

    def compose(self) -> ComposeResult:
        # A saved reply's blocks are composed with it: one layout pass for a whole page of turns.
        if self._saved is not None:
            for block in self._saved.blocks:
                view = TextBlockView(block) if block.kind == "text" else _view_for(block)
                self._views.append(view)
                yield view
        yield self._state

    async def on_mount(self) -> None:
        if self._saved is not None:
            await self.finish(self._saved)

    async def sync(self, reply: Reply) -> None:
        self._reply = reply
        for block in reply.blocks[len(self._views) :]:
            view = _view_for(block)
            self._views.append(view)
            await self.mount(view, before=self._state)
        for view, block in zip(self._views, reply.blocks):
            await view.sync(block)

    async def finish(self, reply: Reply) -> None:
        """Show everything that arrived, then how the reply ended."""
        self.streaming = False
        await self.sync(reply)
        for view, block in zip(self._views, reply.blocks, strict=False):
            await view.settle(block)
        label = Ending.of(reply).notice
        if label is None:
            return
        self._state.update(Content(neutralize(label)))
        self._state.set_class(True, f"-{reply.state.value}")
        self._state.display = True


def _view_for(block: ContentBlock) -> BlockView:
    if block.kind == "text":
        return TextBlockView()
    if block.kind == "thinking":
        return ThinkingBlockView()
    if block.tool_name is not None or block.kind.endswith("tool_use"):
        return ToolUseBlockView(block)
    return OtherBlockView(block)
