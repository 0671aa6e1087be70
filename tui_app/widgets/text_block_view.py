"""A reply's text block: Markdown drawn in segments, each fed only the text it has not shown yet."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.geometry import Region, Spacing
from textual.widget import Widget
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock

from tui_app.markdown_parser import reply_parser
from tui_app.markdown_split import Segments, estimated_rows
from tui_app.stream.reply import ContentBlock
from tui_app.text_safety import neutralize
from tui_app.textual_compat.sizes import LaidOutOnce
from tui_app.widgets.code_block import CodeBlock
from tui_app.widgets.markdown_list import BulletListBlock, OrderedListBlock
from tui_app.widgets.markdown_table import TableBlock


def _laid_out_once(block: type[MarkdownBlock]) -> type[MarkdownBlock]:
    """`block`, not laid out a second time when it grows (see `LaidOutOnce`), under the same name, so the
    style sheets that name it still apply."""
    return type(block.__name__, (LaidOutOnce, block), {"__module__": __name__})


class TextSegment(Markdown):
    """One segment of a text block's Markdown (see `tui_app.markdown_split`)."""

    BLOCKS = {**{name: _laid_out_once(block) for name, block in Markdown.BLOCKS.items()},
              "fence": CodeBlock, "code_block": CodeBlock, "table_open": TableBlock,
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
