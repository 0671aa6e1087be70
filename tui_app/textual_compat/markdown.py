"""Textual's Markdown blocks, brought up to date in place as a reply streams.

`Markdown.append` parses the document's last block again with the new text and hands the new block to
the one on screen, whose default is to remove itself and mount the new one: for a list, a table or a
code block, every widget of it, for every piece of text. The blocks here take the new one in instead.

The block classes Textual does not export (lists, list items, paragraphs, tables) live in its private
module `textual.widgets._markdown`: they are imported from here, and only here.
"""

from __future__ import annotations

from markdown_it.token import Token
from textual.content import Content
from textual.widgets._markdown import (
    MarkdownBulletList,
    MarkdownListItem,
    MarkdownOrderedList,
    MarkdownParagraph,
    MarkdownTable,
)
from textual.widgets.markdown import Markdown, MarkdownBlock, MarkdownFence

__all__ = [
    "MarkdownBulletList",
    "MarkdownListItem",
    "MarkdownOrderedList",
    "MarkdownParagraph",
    "MarkdownTable",
    "PlainFence",
    "UpdatedInPlace",
    "child_blocks",
    "copy_context",
    "inline_content",
    "table_cells",
]


class UpdatedInPlace:
    """Mixed in before a Textual Markdown block class: `update_from` may take in the block parsed again;
    if it does not, the block is replaced, as Textual does.

    Relies on the private `MarkdownBlock._update_from_block(block)`, which `Markdown.append` awaits on the
    last block on screen with the first block of the new parse (its default removes the old block and
    mounts the new one). Why: it is the only point where a block can see its own next version.
    """

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        if not await self.update_from(block):
            await MarkdownBlock._update_from_block(self, block)  # type: ignore[arg-type]

    async def update_from(self, block: MarkdownBlock) -> bool:
        """Bring this block up to date with `block`, its next version; False to be replaced by it."""
        return False


def copy_context(block: MarkdownBlock, parsed: MarkdownBlock) -> None:
    """`block`, on screen, takes what `parsed`, its next version, knows of the document (its token).

    Relies on the private `MarkdownBlock._copy_context(block)`. Why: a block brought up to date in place
    must stand for the new parse, as one Textual updates itself does.
    """
    block._copy_context(parsed)


def child_blocks(block: MarkdownBlock) -> list[MarkdownBlock]:
    """The blocks the parser put inside `block` (a list's items, an item's paragraphs), until it is
    composed: the list itself, which composing empties.

    Relies on the private `MarkdownBlock._blocks`. Why: a list drawn as one widget draws its items from
    them rather than mounting them.
    """
    return block._blocks


def inline_content(block: MarkdownBlock) -> Content:
    """The text of a paragraph (or any block of inline text), styled, as Textual would draw it.

    Relies on the private `MarkdownBlock._content`, set by `build_from_token`. Why: a list drawn as one
    widget wraps its paragraphs' text itself.
    """
    return block._content


def table_cells(table: MarkdownTable) -> tuple[list[Content], list[list[Content]]]:
    """A table's header cells and rows of cells, as Textual's table widget would draw them.

    Relies on the private `MarkdownTable._get_headers_and_rows()`. Why: a table drawn as one widget
    draws its cells from it.
    """
    return table._get_headers_and_rows()


class PlainFence:
    """Mixed in before `MarkdownFence`: a fenced code block that does not highlight its code itself
    (the widget draws it, highlighted as it sees fit), keeping `code` and `lexer` as Textual's does.

    Relies on `MarkdownFence.__init__(markdown, token, code)` doing no more than `MarkdownBlock.__init__`
    and setting `code`, `lexer`, `auto_links` and the private `_highlighted_code`, which only its
    `__init__`, `notify_style_update`, `_copy_context`, `_update_from_block` and `compose` use: the first
    three are replaced here, and the widget must replace `compose` and `update_from` (see
    `UpdatedInPlace`). Why: Textual's fence highlights the whole code at every parse of an open block.
    """

    code: str
    lexer: str

    def __init__(self, markdown: Markdown, token: Token, code: str) -> None:
        MarkdownBlock.__init__(self, markdown, token)  # type: ignore[arg-type]
        self.code = code
        self.lexer = token.info
        self.auto_links = False  # (no links in code)

    def notify_style_update(self) -> None:
        MarkdownBlock.notify_style_update(self)  # type: ignore[arg-type]

    def _copy_context(self, block: MarkdownBlock) -> None:
        if isinstance(block, MarkdownFence):
            self.code = block.code
            self.lexer = block.lexer
        MarkdownBlock._copy_context(self, block)  # type: ignore[arg-type]
