"""Fenced code blocks in replies: selectable, copied on their own, and highlighted in chunks as they stream."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from contextlib import suppress

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label
from textual.widgets.markdown import MarkdownFence

from tui_app.textual_compat.sizes import LaidOutOnce
from tui_app.widgets import code_lexers
from tui_app.widgets.copy_request import CopyRequest
from tui_app.widgets.growing_frame import GrowingFrame

CODE_CHUNK_LINES = 32
"""A code block is highlighted and drawn in chunks of this many lines."""


class CodeChunk(LaidOutOnce, Label):
    """Some lines of a code block, highlighted (see `CodeBlock`)."""


class CodeBlock(GrowingFrame, Widget, can_focus=True):
    """A fenced code block that can be selected and copied on its own: its contents, not the fences.

    It is highlighted and drawn in chunks of `CODE_CHUNK_LINES` lines, one label each. While a long block
    streams in, only the last chunk changes, so a line costs the same however long the block already is.
    Chunks depend only on the code, never on how it arrived.

    Until its language's lexer is ready (see `code_lexers`) the code is drawn plain, then highlighted.
    """

    DEFAULT_CSS = """
    CodeBlock {
        margin: 1 0; width: 1fr; height: auto;
        overflow: scroll hidden; scrollbar-size-horizontal: 0; scrollbar-size-vertical: 0;
        color: rgb(210,210,210); background: black 10%;
        &:light { background: white 30%; }
    }
    CodeBlock:ansi { background: transparent; margin: 0; }
    CodeBlock > Label.code-chunk { padding: 0 2; }
    CodeBlock > Label.code-chunk:first-child { padding: 1 2 0 2; }
    CodeBlock > Label.code-chunk:last-child { padding: 0 2 1 2; }
    CodeBlock > Label.code-chunk:first-child:last-child { padding: 1 2; }
    """

    BINDINGS = [Binding("c,enter", "copy", "Copy code")]

    def __init__(self, code: str, language: str) -> None:
        super().__init__()
        self.code = code
        self.lexer = language
        """The language the block names (may be empty)."""
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

    @property
    def allow_horizontal_scroll(self) -> bool:
        return True

    def action_copy(self) -> None:
        language = f"{self.lexer} " if self.lexer else ""
        self.post_message(CopyRequest(self.code, f"the {language}code block"))

    def compose(self) -> ComposeResult:
        self._theme = self._theme_key()
        self._shown = code_chunks(self.code)
        for text in self._shown:
            yield CodeChunk(self._highlight(text), expand=True, classes="code-chunk")

    async def update(self, code: str, language: str) -> None:
        """Show `code` instead (the block streaming in, or its language now named)."""
        if code == self.code and language == self.lexer:
            return
        if language != self.lexer:
            self._shown = []  # (highlighted again, whole)
        self.code, self.lexer = code, language
        await self._show_chunks()

    def notify_style_update(self) -> None:
        """Highlight again if the theme went from dark to light or to ANSI colours (not on every focus)."""
        if self._theme is not None and self._theme != self._theme_key() and self.is_mounted:
            self._theme = self._theme_key()
            self._highlight_again()
        super().notify_style_update()

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
            await self.mount_all(CodeChunk(self._highlight(text), expand=True, classes="code-chunk")
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
        return MarkdownFence.highlight(text, language, ansi=ansi, dark=dark)

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
                # As a message to the block: handled once it is mounted, however early the lexer is ready.
                loop.call_soon_threadsafe(self.call_later, self._highlight_again)

        ready.add_done_callback(done)

    def _theme_key(self) -> tuple[bool, bool]:
        return self.app.native_ansi_color, self.app.current_theme.dark


def code_chunks(code: str) -> list[str]:
    """`code` cut into chunks of `CODE_CHUNK_LINES` lines (always at least one, maybe empty)."""
    lines = code.split("\n")
    return ["\n".join(lines[start : start + CODE_CHUNK_LINES]) for start in range(0, len(lines), CODE_CHUNK_LINES)]
