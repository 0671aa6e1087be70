"""Model output is untrusted input: make it safe to draw without changing what it says.

Control characters would reach the terminal through Textual (an `ESC[2J` in a reply blanks the
screen) and line separators other than LF throw off the Markdown widget's line bookkeeping, which
`str.splitlines` counts but the parser does not. Each becomes a visible symbol, one for one, so the
text reads the same and nothing is dropped; storage and exports keep the original.
"""

from __future__ import annotations

import re

_VISIBLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_VISIBLE[0x7F] = "\u2421"  # ␡
_VISIBLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})
_VISIBLE.update({0x85: "\u2424", 0x2028: "\u2424", 0x2029: "\u2424"})  # ␤: line breaks Markdown does not count

_TABLE = str.maketrans(_VISIBLE)
_CONTROLS = re.compile("[" + "".join(re.escape(chr(code)) for code in _VISIBLE if code != 0x0D) + "]")


def neutralize(text: str) -> str:
    """Replace terminal control characters (keeping tab and newline) with visible stand-ins.

    `\\x1b[31m` becomes `␛[31m`; works piece by piece, so a stream can be neutralized chunk by chunk.
    """
    return text.translate(_TABLE)


def has_controls(text: str) -> bool:
    """Whether drawing the text as it is could drive the terminal (a carriage return alone cannot)."""
    return _CONTROLS.search(text) is not None


PREVIEW_LINES = 40
PREVIEW_CHARS = 4_000


def size_label(text: str) -> str:
    """`1.0 MB, 12,345 lines`: how big a text is, in the words a person uses."""
    size = len(text.encode("utf-8"))
    amount = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB" if size >= 1e3 else f"{size} bytes"
    lines = text.count("\n") + (not text.endswith("\n"))
    return f"{amount}, {lines:,} line{'s' if lines != 1 else ''}"


def preview(text: str) -> str:
    """The start of a text too big to lay out quickly (a pasted log, say), with how much there is in all;
    shorter texts unchanged."""
    if len(text) <= PREVIEW_CHARS and text.count("\n") < PREVIEW_LINES:
        return text
    head = text[:PREVIEW_CHARS]
    cut = -1
    for _ in range(PREVIEW_LINES):
        cut = head.find("\n", cut + 1)
        if cut == -1:
            break
    if cut != -1:
        head = head[:cut]
    return f"{head.rstrip()}\n… ({size_label(text)} in all; shortened here, sent and saved whole)"
