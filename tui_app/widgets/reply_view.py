"""One assistant reply: its content blocks as they stream, then how it ended."""

from __future__ import annotations

import json
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from markdown_it.token import Token
from textual.highlight import guess_language
from textual.widgets import Collapsible, Label, Markdown, Static
from textual.widgets.markdown import MarkdownBlock, MarkdownFence, MarkdownStream

from tui_app.stream.conversation import Turn
from tui_app.stream.reply import ContentBlock, Reply, ReplyState
from tui_app.text_safety import neutralize
from tui_app.widgets.copy_request import CopyRequest


CODE_CHUNK_LINES = 32
"""A code block is highlighted and drawn in chunks of this many lines."""


class CodeBlock(MarkdownFence, can_focus=True):
    """A fenced code block that can be selected and copied on its own: its contents, not the fences.

    It is highlighted and drawn in chunks of `CODE_CHUNK_LINES` lines, one label each. Markdown re-parses
    the open block on every append; drawn whole, a 400-line block streaming in was highlighted and drawn
    whole again for each new line. In chunks only the last one changes, so a line costs the same however
    long the block already is. Chunks depend only on the code, never on how it arrived.
    """

    DEFAULT_CSS = """
    CodeBlock > Label.code-chunk { padding: 0 2; }
    CodeBlock > Label.code-chunk:first-child { padding: 1 2 0 2; }
    CodeBlock > Label.code-chunk:last-child { padding: 0 2 1 2; }
    CodeBlock > Label.code-chunk:first-child:last-child { padding: 1 2; }
    """

    BINDINGS = [Binding("c,enter", "copy", "Copy code")]

    def __init__(self, markdown: Markdown, token: Token, code: str) -> None:
        # Not MarkdownFence.__init__: it highlights the whole code, for every parse of an open block.
        MarkdownBlock.__init__(self, markdown, token)
        self.code = code
        self.lexer = token.info
        self.auto_links = False
        self._shown: list[str] = []
        """The text of each chunk label, as last highlighted."""
        self._theme: tuple[bool, bool] | None = None

    def action_copy(self) -> None:
        language = f"{self.lexer} " if self.lexer else ""
        self.post_message(CopyRequest(self.code, f"the {language}code block"))

    def compose(self) -> ComposeResult:
        self._theme = self._theme_key()
        self._shown = code_chunks(self.code)
        for text in self._shown:
            yield Label(self._highlight(text), expand=True, classes="code-chunk")

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        if not isinstance(block, MarkdownFence):
            await super()._update_from_block(block)
            return
        self._copy_context(block)
        await self._show_chunks()

    def _copy_context(self, block: MarkdownBlock) -> None:
        if isinstance(block, MarkdownFence):
            self.code = block.code
            self.lexer = block.lexer
        MarkdownBlock._copy_context(self, block)

    def notify_style_update(self) -> None:
        """Highlight again if the theme went from dark to light or to ANSI colours (not on every focus)."""
        if self._theme is not None and self._theme != self._theme_key() and self.is_mounted:
            self._theme = self._theme_key()
            for label, text in zip(self.query_children(Label), self._shown, strict=False):
                label.update(self._highlight(text))
        MarkdownBlock.notify_style_update(self)

    async def _show_chunks(self) -> None:
        chunks = code_chunks(self.code)
        labels = list(self.query_children(Label))
        for index, text in enumerate(chunks[: len(labels)]):
            if index >= len(self._shown) or self._shown[index] != text:
                labels[index].update(self._highlight(text))
        if len(chunks) > len(labels):
            await self.mount_all(Label(self._highlight(text), expand=True, classes="code-chunk")
                                 for text in chunks[len(labels) :])
        elif len(chunks) < len(labels):
            await self.remove_children(labels[len(chunks) :])
        self._shown = chunks

    def _highlight(self, text: str) -> Content:
        ansi, dark = self._theme or self._theme_key()
        return self.highlight(text, self.lexer or self._guessed_language(), ansi=ansi, dark=dark)

    def _guessed_language(self) -> str:
        """A block that names no language is lexed as the language its first chunk looks like."""
        first = self._shown[0] if self._shown else code_chunks(self.code)[0]
        return guess_language(first, None)

    def _theme_key(self) -> tuple[bool, bool]:
        return self.app.native_ansi_color, self.app.current_theme.dark


def code_chunks(code: str) -> list[str]:
    """`code` cut into chunks of `CODE_CHUNK_LINES` lines (always at least one, maybe empty)."""
    lines = code.split("\n")
    return ["\n".join(lines[start : start + CODE_CHUNK_LINES]) for start in range(0, len(lines), CODE_CHUNK_LINES)]


class TextBlockView(Markdown):
    """A text block as Markdown, fed only the pieces it has not yet shown."""

    BLOCKS = {**Markdown.BLOCKS, "fence": CodeBlock, "code_block": CodeBlock}

    def __init__(self, block: ContentBlock | None = None) -> None:
        """With a `block` that is already whole (read back from the store), it is parsed once, on mount."""
        super().__init__(neutralize(block.text) if block is not None else None, classes="reply-text")
        self._seen = len(block.pieces) if block is not None else 0
        self._stream: MarkdownStream | None = None

    async def sync(self, block: ContentBlock) -> None:
        new = block.pieces[self._seen :]
        if not new:
            return
        first = self._seen == 0
        self._seen += len(new)
        if first and block.closed:
            # Arrived whole (or read back from the store): one parse, no stream.
            await self.update(neutralize(block.text))
            return
        if self._stream is None:
            self._stream = Markdown.get_stream(self)
        await self._stream.write(neutralize("".join(new)))

    async def settle(self) -> None:
        """Wait until everything written is on screen."""
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None


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

    async def settle(self) -> None:
        pass


class ToolUseBlockView(Static):
    """A tool call: the tool's name and its input as pretty JSON, built up as it streams."""

    def __init__(self, block: ContentBlock) -> None:
        super().__init__(classes="reply-tool")
        self.border_title = f"tool use · {block.tool_name or block.kind}"
        self._seen = -1

    async def sync(self, block: ContentBlock) -> None:
        if len(block.pieces) == self._seen:
            return
        self._seen = len(block.pieces)
        parsed = block.tool_input
        shown = json.dumps(parsed, indent=2, ensure_ascii=False) if parsed is not None else block.text
        self.update(Content(neutralize(shown or "…")))

    async def settle(self) -> None:
        pass


class OtherBlockView(Static):
    """A block type this version does not know: named, not hidden."""

    def __init__(self, block: ContentBlock) -> None:
        super().__init__(Content(f"[{neutralize(block.kind)} block]"), classes="reply-other")

    async def sync(self, block: ContentBlock) -> None:
        pass

    async def settle(self) -> None:
        pass


BlockView = TextBlockView | ThinkingBlockView | ToolUseBlockView | OtherBlockView

SUPERSEDED = "set aside: not sent again"
"""The subtitle of a turn a retry or an edit replaced."""

STATE_LABELS = {
    ReplyState.CANCELLED: "✗ cancelled — the partial reply is kept",
    ReplyState.INCOMPLETE: "⚠ incomplete",
    ReplyState.FAILED: "✗ failed",
}


class ReplyView(Vertical, can_focus=True):
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
        self.border_title = neutralize(turn.model or "")
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
        for view in self._views:
            await view.settle()
        label = STATE_LABELS.get(reply.state)
        if reply.state is ReplyState.DONE and reply.stop_reason == "max_tokens":
            label = "⚠ stopped at the max_tokens limit"
        if label is None:
            return
        if reply.reason and reply.state is not ReplyState.CANCELLED:
            label = f"{label}: {reply.reason}"
        self._state.update(Content(neutralize(label)))
        self._state.set_class(True, f"-{reply.state.value}")
        self._state.display = True

    @property
    def markdown_source(self) -> str:
        """The Markdown source shown so far, across text blocks."""
        return "".join(view.source for view in self._views if isinstance(view, TextBlockView))


def copy_request_for(reply: Reply, what: str) -> CopyRequest:
    """A reply's Markdown source as shown (control characters as visible symbols), saying when it is
    not the whole reply."""
    if not reply.state.finished:
        what += " so far (still streaming)"
    elif reply.state is not ReplyState.DONE:
        what += f" ({reply.state.value}: what arrived)"
    return CopyRequest(neutralize(reply.text), what)


def _view_for(block: ContentBlock) -> BlockView:
    if block.kind == "text":
        return TextBlockView()
    if block.kind == "thinking":
        return ThinkingBlockView()
    if block.tool_name is not None or block.kind.endswith("tool_use"):
        return ToolUseBlockView(block)
    return OtherBlockView(block)
