"""Markdown lists drawn as one widget, so a list that streams costs what a paragraph does.

Textual draws each list item as four widgets (a row, its bullet, a column and the paragraph in it), and
a nested list as as many again inside it. While a list streams, the whole list is removed and mounted
again for every new piece of text, and every frame lays out and composites its rows and columns: lists
were most of the widgets of a streaming reply, and of the worst frames. Here a list whose items hold
only paragraphs and lists, as nearly all do, is one widget that draws its items as lines with hanging
indents, brought up to date in place. A list holding anything else (code, a table, a quote, a heading)
is drawn by Textual's widgets, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.content import Content
from textual.geometry import Size
from textual.style import Style
from textual.widgets.markdown import MarkdownBlock

from tui_app.textual_compat.markdown import (
    MarkdownBulletList,
    MarkdownListItem,
    MarkdownOrderedList,
    MarkdownParagraph,
    UpdatedInPlace,
    child_blocks,
    copy_context,
    inline_content,
)

BULLET = "markdown-list--bullet"
"""The component class of the bullets and numbers."""


class DrawnList(UpdatedInPlace):
    """What both kinds of list share: drawn as lines when every item holds only paragraphs and lists.

    A plain class mixed in before Textual's list: Textual's style sheets and component classes follow
    only the first widget class among a class's bases, which must stay Textual's list.
    """

    _items: list[MarkdownListItem] | None = None
    """The items drawn, or None when Textual's widgets draw them."""
    _drawn: tuple[int, list[Content]] | None = None

    def compose(self):
        blocks = child_blocks(self)  # type: ignore[arg-type]
        if drawable(blocks):
            self._items = list_items(blocks)
            blocks.clear()  # drawn, never mounted
            return
        yield from super().compose()  # type: ignore[misc]

    async def update_from(self, block: MarkdownBlock) -> bool:
        if type(block) is not type(self) or self._items is None or not drawable(child_blocks(block)):
            return False
        self._items = list_items(child_blocks(block))
        copy_context(self, block)  # type: ignore[arg-type]
        self._drawn = None
        self.refresh(layout=True)  # type: ignore[attr-defined]
        return True

    def symbols(self, items: Sequence[MarkdownListItem]) -> list[str]:
        """What each item is marked with: its bullet, as Textual draws it."""
        return [item.bullet for item in items]

    def notify_style_update(self) -> None:
        """The lines drawn carry the bullet colour of the theme they were drawn in."""
        self._drawn = None
        super().notify_style_update()  # type: ignore[misc]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self._items is None:
            return super().get_content_height(container, viewport, width)  # type: ignore[misc]
        return len(self.lines(width))

    def render(self):
        if self._items is None:
            return super().render()  # type: ignore[misc]
        return Content("\n").join(self.lines(self.size.width))  # type: ignore[attr-defined]

    def lines(self, width: int) -> list[Content]:
        """The list drawn `width` cells wide."""
        if self._drawn is not None and self._drawn[0] == width:
            return self._drawn[1]
        bullet_style = self.get_visual_style(BULLET)  # type: ignore[attr-defined]
        lines = draw_list(self, self._items or [], width, bullet_style)
        self._drawn = (width, lines)
        return lines


class BulletListBlock(DrawnList, MarkdownBulletList):
    """A bullet list (`-`, `*`, `+`)."""

    DEFAULT_CSS = """
    BulletListBlock > .markdown-list--bullet { color: $text-primary; }
    BulletListBlock:light > .markdown-list--bullet { color: $text-secondary; }
    """
    COMPONENT_CLASSES = {BULLET}


class OrderedListBlock(DrawnList, MarkdownOrderedList):
    """A numbered list, numbered from its first item's number as Textual numbers it."""

    DEFAULT_CSS = """
    OrderedListBlock > .markdown-list--bullet { color: $text-primary; }
    OrderedListBlock:light > .markdown-list--bullet { color: $text-secondary; }
    """
    COMPONENT_CLASSES = {BULLET}

    def symbols(self, items: Sequence[MarkdownListItem]) -> list[str]:
        try:
            start = int(items[0].bullet) if items else 1
        except ValueError:
            start = 1
        numbers = [f"{number}. " for number in range(start, start + len(items))]
        size = max((len(number) for number in numbers), default=0)
        return [number.rjust(size + 1) for number in numbers]


def list_items(blocks: Sequence[MarkdownBlock]) -> list[MarkdownListItem]:
    return [block for block in blocks if isinstance(block, MarkdownListItem)]


def drawable(blocks: Sequence[MarkdownBlock]) -> bool:
    """Whether a list of these items can be drawn as lines: items of paragraphs and such lists only."""
    return all(
        isinstance(item, MarkdownListItem)
        and all(
            isinstance(block, MarkdownParagraph) or (isinstance(block, DrawnList) and drawable(child_blocks(block)))
            for block in child_blocks(item)
        )
        for item in blocks
    )


def draw_list(
    outer: DrawnList, items: Sequence[MarkdownListItem], width: int, bullet_style: Style | str
) -> list[Content]:
    """The lines of a list `width` cells wide: each item's first line after its bullet, the rest indented
    to its text, nested lists further in. `outer` numbers the items."""
    lines: list[Content] = []
    if width < 1:
        return lines
    for item, symbol in zip(items, outer.symbols(items), strict=True):
        indent = cell_len(symbol)
        inner = max(1, width - indent)
        body: list[Content] = []
        for block in child_blocks(item):
            if isinstance(block, DrawnList):
                body += draw_list(block, list_items(child_blocks(block)), inner, bullet_style)  # type: ignore[arg-type]
            else:
                body += inline_content(block).wrap(inner)
        bullet = Content(symbol).stylize(bullet_style)
        hanging = Content(" " * indent)
        lines += [(bullet if number == 0 else hanging) + line for number, line in enumerate(body or [Content()])]
    return lines
