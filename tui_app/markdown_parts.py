"""A reply's Markdown as parts to draw: runs of prose, drawn as lines, and fenced code blocks, each a widget
of its own (it can be selected and copied by itself).

The text is first cut into small pieces where Markdown allows (`tui_app.markdown_split`, at every place
it allows): while a reply streams only its last piece changes, so only that piece is parsed and drawn
again. A piece holds prose, a code block, or prose then a code block (a fence may follow a paragraph
with no blank line between).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tui_app.markdown_parser import parse, references_in
from tui_app.markdown_split import Segments


@dataclass(frozen=True)
class Prose:
    text: str


@dataclass(frozen=True)
class Code:
    code: str
    language: str


Part = Prose | Code

_OPENING_FENCE = re.compile(r" {0,3}(`{3,}(?=[^`\n]*\n)|~{3,})([^\n]*)\n")


class MarkdownPieces:
    """A reply's Markdown, growing at its end, as pieces each drawn on its own."""

    def __init__(self, text: str = "") -> None:
        self._segments = Segments(text, size=1)

    @property
    def text(self) -> str:
        return self._segments.text

    @property
    def texts(self) -> list[str]:
        return self._segments.texts

    def add(self, text: str) -> None:
        self._segments.add(text)

    def references(self) -> dict[str, dict]:
        """The link reference definitions of the whole text: a piece may use one another piece defines."""
        found: dict[str, dict] = {}
        for text in self._segments.texts:
            for label, definition in _references_of(text):
                found.setdefault(label, definition)  # (the first definition of a label counts)
        return found

    def parts(self) -> list[list[Part]]:
        """Each piece's parts, in order."""
        texts = self._segments.texts
        return [*map(parts_of, texts[:-1]), open_parts(texts[-1])] if texts else []


@lru_cache(maxsize=4096)
def parts_of(text: str) -> list[Part]:
    """A piece's parts (a finished piece is asked for at every frame: the answer is kept)."""
    return open_parts(text)


_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.MULTILINE)


@lru_cache(maxsize=4096)
def _references_of(text: str) -> tuple[tuple[str, dict], ...]:
    return tuple(references_in(text).items()) if _DEFINITION.search(text) else ()


def open_parts(text: str) -> list[Part]:
    """A piece's parts, parsed afresh. A piece that is one code block still open (a long block streaming
    in) is not parsed: what follows its first line is all code so far."""
    if "```" not in text and "~~~" not in text:
        return [Prose(text.strip("\n"))] if text.strip() else []  # no code block in it: no parse needed
    opening = _OPENING_FENCE.match(text)
    if opening is not None and _closing_line(text, opening) is None:
        return [Code(text[opening.end() :].removesuffix("\n"), _language(opening.group(2)))]
    lines = text.split("\n")
    parts: list[Part] = []
    prose_from: int | None = None
    for token in parse(text):
        if token.level != 0 or token.map is None:
            continue
        start = token.map[0]
        if token.type == "fence":
            if prose_from is not None:
                parts.append(Prose("\n".join(lines[prose_from:start]).strip("\n")))
                prose_from = None
            parts.append(Code(token.content.removesuffix("\n"), _language(token.info)))
        elif prose_from is None:
            prose_from = start
    if prose_from is not None:
        parts.append(Prose("\n".join(lines[prose_from:]).strip("\n")))
    return [part for part in parts if not (isinstance(part, Prose) and not part.text)]


def _closing_line(text: str, opening: re.Match[str]) -> int | None:
    """Where the line closing the fence opened by `opening` starts, if it has come."""
    fence = opening.group(1)
    closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)
    found = closing.search(text, opening.end())
    return None if found is None else found.start()


def _language(info: str) -> str:
    return info.strip().split(" ")[0] if info.strip() else ""
