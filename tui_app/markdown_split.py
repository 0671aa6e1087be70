"""Where a Markdown document can be cut into segments that, rendered one after another, read as the whole.

A reply is drawn in pieces so that streaming into it costs what a short one does: only its last piece is
parsed and drawn again (see `tui_app.markdown_parts`). A cut goes at the start of a line that:
- follows a blank line, outside any fenced code block (so it ends the block before it);
- starts with a character that can only begin a new top-level block: not a space (the line might
  continue a list item, or be indented code), not `-`, `*`, `+` or a digit (it might be the next item of a
  list, which would otherwise be cut in two and numbered again).

The cut after `start` is the first such line, judged on the text up to that line's first character, so
where a segment ends depends only on the text and never on how it arrived in pieces.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

SEGMENT_CHARS = 2048
"""A segment is cut at the first safe place after this many characters."""

_FENCE = re.compile(r" {0,3}(`{3,}(?=[^`\n]*$)|~{3,})")
"""A line opening (or closing) a fenced code block: a backtick fence's info holds no backtick (```js``` is
inline code in a paragraph)."""
_NOT_A_BLOCK_START = " \t-*+0123456789"


def first_safe_cut(text: str, start: int) -> int | None:
    """The first position at or after `start` where `text` can be cut, or None if none can be told yet."""
    fence: str | None = None
    """The marker of the fenced code block the scan is in, if any."""
    previous_blank = False
    position = 0
    length = len(text)
    while position < length:
        end = text.find("\n", position)
        if (
            position >= start
            and previous_blank
            and fence is None
            and text[position] not in _NOT_A_BLOCK_START
            and text[position] != "\n"
        ):
            return position
        if end == -1:
            return None  # the last line is still arriving: what follows it cannot be judged yet
        line = text[position:end]
        opening = _FENCE.match(line)
        if fence is None:
            if opening is not None:
                fence = opening.group(1)
        elif opening is not None and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence) \
                and not line[opening.end() :].strip():
            fence = None
        previous_blank = fence is None and not line.strip()
        position = end + 1
    return None


def split_document(text: str, size: int = SEGMENT_CHARS) -> list[str]:
    """A whole document cut into segments (one, for a short one)."""
    segments = []
    while True:
        cut = first_safe_cut(text, size)
        if cut is None:
            segments.append(text)
            return segments
        segments.append(text[:cut])
        text = text[cut:]


class Segments:
    """A document that grows at its end, kept as its segments."""

    def __init__(self, text: str = "", size: int = SEGMENT_CHARS) -> None:
        self.size = size
        self.texts: list[str] = split_document(text, size) if text else []

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def add(self, text: str) -> list[tuple[int, str]]:
        """Take in `text`: which segment each piece of it goes to, in order, as (segment number, piece).
        A number one past the last segment starts a new one; the piece before a cut may be empty."""
        if not text:
            return []
        if not self.texts:
            self.texts.append("")
        pieces = []
        while True:
            current = self.texts[-1]
            combined = current + text
            cut = first_safe_cut(combined, self.size)
            if cut is None or cut < len(current):
                # (A cut before the new text would have been found last time: the text up to it was there.)
                self.texts[-1] = combined
                pieces.append((len(self.texts) - 1, text))
                return pieces
            head, text = combined[len(current) : cut], combined[cut:]
            self.texts[-1] = combined[:cut]
            pieces.append((len(self.texts) - 1, head))
            self.texts.append("")  # (a cut always leaves text after it)


def estimated_rows(text: str, width: int) -> int:
    """About how many rows `text` takes as Markdown `width` cells wide: one per wrapped line."""
    width = max(1, width)
    return sum(max(1, -(-cell_len(line) // width)) for line in text.split("\n"))
