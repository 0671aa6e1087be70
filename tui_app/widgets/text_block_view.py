"""A reply's text block: its prose drawn as lines, its fenced code blocks as widgets of their own."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from tui_app.markdown_parts import Code, MarkdownPieces
from tui_app.stream.reply import ContentBlock
from tui_app.text_safety import neutralize
from tui_app.textual_compat.sizes import LaidOutOnce
from tui_app.widgets.code_block import CodeBlock
from tui_app.widgets.prose_lines import ProseLines

Run = list[str] | Code
"""What one child shows: a run of prose pieces, or a code block."""


class TextBlockView(LaidOutOnce, Vertical):
    """A text block as Markdown, fed only the text it has not yet shown.

    The text is kept in small pieces cut where Markdown allows (`tui_app.markdown_parts`). While it
    streams only the last piece changes: it alone is parsed and drawn again, and a new line of a 200 KB
    reply costs what one of a 4 KB reply does. Prose between code blocks is one `ProseLines`, which draws
    only the rows on screen; each code block is a `CodeBlock`.
    """

    DEFAULT_CSS = """
    TextBlockView { height: auto; visibility: hidden; }
    TextBlockView > * { visibility: visible; }
    """
    """Hidden itself, its children shown: drawn, it would be a layer of blank rows under them, drawn again
    at every frame the reply grows."""

    def __init__(self, block: ContentBlock | None = None) -> None:
        """With a `block` that is already whole (read back from the store)."""
        super().__init__(classes="reply-text")
        self._pieces = MarkdownPieces(neutralize(block.text) if block is not None else "")
        self._seen = len(block.pieces) if block is not None else 0
        self._lock = asyncio.Lock()

    def compose(self) -> ComposeResult:
        references = self._pieces.references()
        yield from (_widget(run, references) for run in self._runs())

    @property
    def source(self) -> str:
        return self._pieces.text

    async def sync(self, block: ContentBlock) -> None:
        async with self._lock:
            new = block.pieces[self._seen :]
            if not new:
                return
            self._seen += len(new)
            self._pieces.add(neutralize("".join(new)))
            await self._show()

    async def settle(self, block: ContentBlock) -> None:
        """Make sure the whole block is on screen, as it is.

        A sync cut short (a reply cancelled in the middle of drawing) leaves the screen behind the text:
        whatever it missed is drawn again here, so a finished reply always shows exactly what arrived.
        """
        async with self._lock:
            text = neutralize(block.text)
            self._seen = len(block.pieces)
            if self._pieces.text != text:
                self._pieces = MarkdownPieces(text)
            await self._show()

    def _runs(self) -> list[Run]:
        runs: list[Run] = []
        for parts in self._pieces.parts():
            for part in parts:
                if isinstance(part, Code):
                    runs.append(part)
                elif runs and isinstance(runs[-1], list):
                    runs[-1].append(part.text)
                else:
                    runs.append([part.text])
        return runs

    async def _show(self) -> None:
        """Bring the children up to date with the text: each updated in place while it shows the same kind
        of run, the rest mounted afresh."""
        runs = self._runs()
        references = self._pieces.references()
        children = list(self.children)
        for index, run in enumerate(runs):
            child = children[index] if index < len(children) else None
            if isinstance(run, list) and isinstance(child, ProseLines):
                child.update(run, references)
            elif isinstance(run, Code) and isinstance(child, CodeBlock):
                await child.update(run.code, run.language)
            else:
                if child is not None:
                    await self.remove_children(children[index:])
                await self.mount_all(_widget(run, references) for run in runs[index:])
                return
        if len(children) > len(runs):
            await self.remove_children(children[len(runs) :])


def _widget(run: Run, references: dict[str, dict]) -> Widget:
    return CodeBlock(run.code, run.language) if isinstance(run, Code) else ProseLines(run, references)



