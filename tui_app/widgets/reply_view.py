"""One assistant reply: its content blocks as they stream, then how it ended."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass

from markdown_it.token import Token
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.content import Content
from textual.geometry import Region, Spacing
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Collapsible, Label, Markdown, Static
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

from tui_app.markdown_parser import reply_parser
from tui_app.markdown_split import Segments, estimated_rows
from tui_app.model.conversation import Turn
from tui_app.model.ending import Ending
from tui_app.stream.reply import ContentBlock, Reply
from tui_app.text_safety import neutralize
from tui_app.widgets import code_lexers
from tui_app.widgets.copy_request import CopyRequest, copy_request_for
from tui_app.widgets.growing_frame import GrowingFrame
from tui_app.widgets.markdown_list import BulletListBlock, OrderedListBlock
from tui_app.widgets.markdown_table import TableBlock
from tui_app.widgets.user_turn import SUPERSEDED

CODE_CHUNK_LINES = 32
"""A code block is highlighted and drawn in chunks of this many lines."""


class CodeBlock(GrowingFrame, MarkdownFence, can_focus=True):
    """A fenced code block that can be selected and copied on its own: its contents, not the fences.

    It is highlighted and drawn in chunks of `CODE_CHUNK_LINES` lines, one label each. Markdown re-parses
    the open block on every append; drawn whole, a 400-line block streaming in was highlighted and drawn
    whole again for each new line. In chunks only the last one changes, so a line costs the same however
    long the block already is. Chunks depend only on the code, never on how it arrived.

    Until its language's lexer is ready (see `code_lexers`) the code is drawn plain, then highlighted.
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
        self._guess: Future[str] | None = None
        """The language of a block that names none, being guessed or guessed from `_guessed_from`."""
        self._guessed_from = ""
        self._guessed: str | None = None
        self._awaited: set[Future[str]] = set()
        self._drawn_plain = False
        """Some chunk is drawn plain: it will be highlighted once its lexer is ready."""

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
            self._highlight_again()
        MarkdownBlock.notify_style_update(self)

    @property
    def highlighted(self) -> bool:
        """Every chunk is drawn highlighted (it may be drawn plain until its language's lexer is ready)."""
        return not self._drawn_plain

    def _highlight_again(self) -> None:
        if self.is_mounted:
            self._drawn_plain = False
            for label, text in zip(self.query_children(Label), self._shown, strict=False):
                label.update(self._highlight(text))

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
        language = self.lexer or self._guessed_language()
        if language is None or not code_lexers.is_ready(language):
            if language is not None:
                self._highlight_again_when(code_lexers.prepare(language))
            self._drawn_plain = True
            return Content(text)
        ansi, dark = self._theme or self._theme_key()
        return self.highlight(text, language, ansi=ansi, dark=dark)

    def _guessed_language(self) -> str | None:
        """A block that names no language is lexed as the language its first chunk looks like (None until
        that is known). One guess at a time: while the first chunk streams in, the latest is guessed next."""
        first = self._shown[0] if self._shown else code_chunks(self.code)[0]
        if self._guess is None or (self._guess.done() and self._guessed_from != first):
            if self._guess is not None:
                self._guessed = self._guess.result()
            self._guess, self._guessed_from = code_lexers.guess(first), first
            self._highlight_again_when(self._guess)
        return self._guess.result() if self._guess.done() else self._guessed

    def _highlight_again_when(self, ready: Future[str]) -> None:
        """Once `ready` is done, draw the chunks again, highlighted."""
        if ready in self._awaited:
            return
        self._awaited.add(ready)
        loop = asyncio.get_running_loop()

        def done(_: Future[str]) -> None:
            with suppress(RuntimeError):  # (the app has closed)
                loop.call_soon_threadsafe(self._highlight_again)

        ready.add_done_callback(done)

    def _theme_key(self) -> tuple[bool, bool]:
        return self.app.native_ansi_color, self.app.current_theme.dark


def code_chunks(code: str) -> list[str]:
    """`code` cut into chunks of `CODE_CHUNK_LINES` lines (always at least one, maybe empty)."""
    lines = code.split("\n")
    return ["\n".join(lines[start : start + CODE_CHUNK_LINES]) for start in range(0, len(lines), CODE_CHUNK_LINES)]


class TextSegment(Markdown):
    """One segment of a text block's Markdown (see `tui_app.markdown_split`)."""

    BLOCKS = {**Markdown.BLOCKS, "fence": CodeBlock, "code_block": CodeBlock, "table_open": TableBlock,
              "bullet_list_open": BulletListBlock, "ordered_list_open": OrderedListBlock}

    def __init__(self, number: int, markdown: str | None = None) -> None:
        parser = reply_parser()  # one for every append, not one each (see tui_app.markdown_parser)
        super().__init__(markdown, parser_factory=lambda: parser)
        self.number = number
        self.edits = 0
        self.laid_out = False
        """Laid out since its text last changed, so its height is its real one."""

    async def add(self, text: str) -> None:
        self.edits += 1
        self.laid_out = False
        await self.append(text)
        self.call_after_refresh(self._check_laid_out, self.edits)

    def _check_laid_out(self, edits: int) -> None:
        self.laid_out = edits == self.edits

    @property
    def placed(self) -> Region:
        """Where the segment lies on the screen, its blocks' margins included: an empty region while that
        is not known (it has no blocks, or they have not been laid out yet).

        A segment is not drawn itself, only its blocks (see `TextBlockView`), and Textual keeps no region
        or size for what it does not draw: this is the span of its blocks, which is the segment's height
        (a Markdown widget has no vertical padding, and its first block's top margin and last block's
        bottom margin are inside it)."""
        blocks = [child for child in self.children if child.display]
        if not blocks:
            return Region()
        first, last = blocks[0].region, blocks[-1].region  # (each a look-up in the screen's map)
        if not (first and last):
            return Region()
        top = first.y - blocks[0].styles.margin.top
        bottom = last.bottom + blocks[-1].styles.margin.bottom
        return Region(first.x, top, first.width, bottom - top)

    def on_mount(self) -> None:
        self.call_after_refresh(self._check_laid_out, self.edits)


class SegmentSpacer(Widget):
    """Holds the place of a run of segments set aside because they are far out of view, at the heights
    they had (or, for those never drawn, estimates). One widget for the whole run: a 200 KB reply set
    aside costs the layout of each frame one widget, not a hundred."""

    DEFAULT_CSS = """
    SegmentSpacer { width: 1fr; }
    """

    def __init__(self, first: int, heights: list[int]) -> None:
        super().__init__()
        self.first = first
        self.heights = heights
        """The height of each segment of the run, in order."""
        self.styles.height = sum(heights)

    def extend(self, heights: list[int]) -> None:
        """Hold the place of the segments after the run too."""
        self.heights = [*self.heights, *heights]
        self.styles.height = sum(self.heights)

    def on_resize(self) -> None:
        """Laid out at a new size (for the first time, taller, or at a new width): which of the block's
        segments lie near the screen may have changed. (An anchored transcript that scrolls to its end as
        it is laid out tells no one: Textual sets its position without a watcher.)"""
        if isinstance(self.parent, TextBlockView):
            self.parent.fold_after_refresh()

    @property
    def numbers(self) -> range:
        return range(self.first, self.first + len(self.heights))

    def rows_of(self, number: int) -> tuple[int, int]:
        """Where segment `number` lies in the spacer: (first row, height)."""
        index = number - self.first
        return sum(self.heights[:index]), self.heights[index]

    def part(self, numbers: list[int]) -> SegmentSpacer:
        """A spacer for `numbers`, a run within this one, at their heights here."""
        return SegmentSpacer(numbers[0], [self.heights[number - self.first] for number in numbers])

    def numbers_within(self, top: int, bottom: int) -> list[int]:
        """The segments of the run that lie, at least in part, between rows `top` and `bottom` of the spacer."""
        numbers, y = [], 0
        for number, height in zip(self.numbers, self.heights, strict=True):
            if y < bottom and y + height > top:
                numbers.append(number)
            y += height
        return numbers


NEAR_SEGMENTS = 2
"""The last segments of a text block, always drawn when the block is: the screen shows its end."""


class TextBlockView(Vertical):
    """A text block as Markdown, fed only the pieces it has not yet shown.

    The text is drawn in segments of a few KB, cut where Markdown allows (`tui_app.markdown_split`).
    While it streams only the last segment changes, so a new line of a 200 KB reply is parsed like one
    of a 4 KB reply. Segments far out of view are set aside, each run of them for one spacer of their
    height, and drawn again when they come near (`fold`): a reply of any length holds a few segments'
    widgets, not thousands, so laying out the screen costs the same at its end as at its start.
    """

    DEFAULT_CSS = """
    TextBlockView { height: auto; visibility: hidden; }
    TextBlockView > SegmentSpacer, TextBlockView > TextSegment > * { visibility: visible; }
    """
    """Hidden itself, and so are its segments; their blocks are shown. The view and its segments only hold
    the blocks, and drawn they are two layers of blank lines under them, each drawn again (thirty lines on
    a full screen) at every frame the reply grows."""

    def __init__(self, block: ContentBlock | None = None) -> None:
        """With a `block` that is already whole (read back from the store), its last segments are parsed on
        mount, and the others when they are scrolled near."""
        super().__init__(classes="reply-text")
        self._segments = Segments(neutralize(block.text) if block is not None else "")
        self._seen = len(block.pieces) if block is not None else 0
        self._complete = block is not None
        """No more text will come: the last segment may be set aside too."""
        self._lock = asyncio.Lock()
        self._fold_due = False

    def compose(self) -> ComposeResult:
        yield from self._read_back()

    @property
    def source(self) -> str:
        return self._segments.text

    @property
    def rearranging(self) -> bool:
        """Segments are being added, set aside or drawn again. Until that is done a segment may be held
        twice: drawn, and in the spacer about to be removed (never on screen: it is one batch)."""
        return self._lock.locked()

    def segment_offset(self, number: int) -> int:
        """Where segment `number` starts in the text."""
        return sum(len(text) for text in self._segments.texts[:number])

    async def sync(self, block: ContentBlock) -> None:
        async with self._lock:
            new = block.pieces[self._seen :]
            if not new:
                return
            self._seen += len(new)
            pieces = self._segments.add(neutralize("".join(new)))
            count = len(self._segments.texts)
            for number, piece in pieces:
                if number == self._segments_held():  # a new segment: its piece is all its text
                    widget = self._segment_or_spacer(number, count)
                    previous = self.children[-1] if self.children else None
                    if isinstance(widget, SegmentSpacer) and isinstance(previous, SegmentSpacer):
                        previous.extend(widget.heights)
                    else:
                        await self.mount(widget)
                segment = self._drawn(number)
                if piece and segment is not None:
                    await segment.add(piece)
            if len(self.children) > 2:
                await self._fold(self._near_screen())

    def _segment_or_spacer(self, number: int, count: int) -> Widget:
        """A segment arriving with more than one after it (a burst of text) is below the others and far
        from the end the screen shows: it gets a spacer of its estimated height until it is scrolled near.
        Otherwise it starts empty, and its text is added once it is mounted."""
        if number < count - NEAR_SEGMENTS:
            return SegmentSpacer(number, [estimated_rows(self._segments.texts[number], self._text_width())])
        return TextSegment(number)

    def _read_back(self) -> list[Widget]:
        """The widgets of a whole text: its last segments drawn, the others set aside in one spacer."""
        texts = self._segments.texts
        near = max(0, len(texts) - NEAR_SEGMENTS)
        width = self._text_width()
        spacer = [SegmentSpacer(0, [estimated_rows(text, width) for text in texts[:near]])] if near else []
        return [*spacer, *(TextSegment(number, texts[number]) for number in range(near, len(texts)))]

    def _segments_held(self) -> int:
        """How many segments the children stand for, drawn or set aside."""
        return sum(len(child.numbers) if isinstance(child, SegmentSpacer) else 1 for child in self.children)

    def _drawn(self, number: int) -> TextSegment | None:
        """The widget of segment `number`, if it is drawn (new text goes to the last ones: look there first)."""
        for child in reversed(self.children):
            if isinstance(child, TextSegment) and child.number == number:
                return child
        return None

    def _text_width(self) -> int:
        width = self.size.width or (self.parent.size.width if isinstance(self.parent, Widget) else 0)
        return max(20, (width or 80) - 4)

    async def settle(self, block: ContentBlock) -> None:
        """Make sure the whole block is on screen, as it is; from now on every segment may be set aside.

        A sync cut short (a reply cancelled in the middle of drawing) leaves the screen behind the text:
        whatever it missed is drawn again here, so a finished reply always shows exactly what arrived.
        """
        async with self._lock:
            self._complete = True
            text = neutralize(block.text)
            self._seen = len(block.pieces)
            if self._segments.text != text or self._segments_held() != len(self._segments.texts):
                self._segments = Segments(text)
                await self.remove_children()
                await self.mount_all(self._read_back())
            else:
                for child in self.children:
                    if isinstance(child, TextSegment) and child.source != self._segments.texts[child.number]:
                        await child.update(self._segments.texts[child.number])
        if len(self.children) > 1:
            # The last fold while it streamed may have kept segments not laid out yet, or that looked
            # near the screen because what came after them was not laid out yet.
            self.fold_after_refresh()

    async def fold(self) -> None:
        """Set aside the segments far out of view, and draw again those that have come near it."""
        async with self._lock:
            await self._fold(self._near_screen())

    def fold_after_refresh(self) -> None:
        """Fold once the screen is next laid out, once however often this is asked before then."""
        if not self._fold_due:
            self._fold_due = True
            self.call_after_refresh(self._fold_when_due)

    async def _fold_when_due(self) -> None:
        self._fold_due = False
        await self.fold()

    async def _fold(self, near: Region) -> None:
        last = self._segments_held() - 1
        far: list[TextSegment] = []
        back: list[tuple[SegmentSpacer, list[int]]] = []
        for child in self.children:
            if isinstance(child, TextSegment):
                open_segment = child.number == last and not self._complete
                placed = child.placed  # (empty while its blocks are not laid out: not judged until they are)
                if child.laid_out and not open_segment and placed and not placed.overlaps(near):
                    far.append(child)
            elif isinstance(child, SegmentSpacer) and child.region.overlaps(near):
                back.append((child, child.numbers_within(near.y - child.region.y, near.bottom - child.region.y)))
        if not far and not back:
            return
        screen_top = self.screen.region.y
        above = [(number, spacer.rows_of(number)[1]) for spacer, coming in back for number in coming
                 if spacer.region.y + sum(spacer.rows_of(number)) <= screen_top]
        with self.app.batch_update():
            for child in far:
                await self.mount(SegmentSpacer(child.number, [child.placed.height]), before=child)
            for spacer, coming in back:
                await self.mount_all(self._split(spacer, coming), before=spacer)
            await self.remove_children([*far, *(spacer for spacer, _ in back)])
            await self._merge_spacers()
        if above:
            self.call_after_refresh(self._keep_reading_place, above)

    def _split(self, spacer: SegmentSpacer, drawn: list[int]) -> list[Widget]:
        """What replaces `spacer` when segments `drawn` of its run come near: those segments drawn, the
        rest of the run still set aside, before and after them."""
        widgets: list[Widget] = []
        run: list[int] = []
        for number in spacer.numbers:
            if number in drawn:
                if run:
                    widgets.append(spacer.part(run))
                    run = []
                widgets.append(TextSegment(number, self._segments.texts[number]))
            else:
                run.append(number)
        if run:
            widgets.append(spacer.part(run))
        return widgets

    async def _merge_spacers(self) -> None:
        """Neighbouring spacers become one."""
        runs: list[list[SegmentSpacer]] = []
        previous: Widget | None = None
        for child in self.children:
            if isinstance(child, SegmentSpacer):
                if isinstance(previous, SegmentSpacer):
                    runs[-1].append(child)
                else:
                    runs.append([child])
            previous = child
        for first, *others in (run for run in runs if len(run) > 1):
            first.extend([height for spacer in others for height in spacer.heights])
            await self.remove_children(others)

    def _keep_reading_place(self, drawn_above: list[tuple[int, int]]) -> None:
        """Segments drawn above the screen may be taller or shorter than their estimate: scroll by the
        difference, so the text being read stays where it was."""
        placed = {child.number: child.placed for child in self.children if isinstance(child, TextSegment)}
        heights = {number: region.height for number, region in placed.items() if region}  # (those laid out)
        shift = sum(heights[number] - height for number, height in drawn_above if number in heights)
        scroller = next((ancestor for ancestor in self.ancestors if isinstance(ancestor, ScrollableContainer)), None)
        if shift and scroller is not None:
            scroller.scroll_relative(y=shift, animate=False, immediate=True)

    def _near_screen(self) -> Region:
        """The screen and one screen's height above and below it."""
        screen = self.screen.region
        return screen.grow(Spacing(screen.height, 0, screen.height, 0))


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

    @property
    def markdown_source(self) -> str:
        """The Markdown source shown so far, across text blocks."""
        return "".join(view.source for view in self._views if isinstance(view, TextBlockView))


def _view_for(block: ContentBlock) -> BlockView:
    if block.kind == "text":
        return TextBlockView()
    if block.kind == "thinking":
        return ThinkingBlockView()
    if block.tool_name is not None or block.kind.endswith("tool_use"):
        return ToolUseBlockView(block)
    return OtherBlockView(block)
