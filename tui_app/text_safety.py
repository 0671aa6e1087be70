"""Text that did not come from claude-tui is untrusted: make it safe to show without changing what it says.

Model output, server messages, model and tool names, titles, pastes and files all pass `neutralize`
before they are shown, on screen or on stderr, and are shown as plain text, never as markup.
Control characters would reach the terminal through Textual (an `ESC[2J` in a reply blanks the
screen, OSC 52 writes the clipboard), bidi controls reorder what is read around them, zero-width
characters hide text, a lone surrogate cannot be written at all, and line separators other than LF
throw off the Markdown widget's line bookkeeping, which `str.splitlines` counts but the parser does not.
Each becomes a visible symbol, one for one, so the text reads the same and nothing is dropped; storage
and exports keep the original.
"""

from __future__ import annotations

import re
from typing import TextIO

_VISIBLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_VISIBLE[0x7F] = "\u2421"  # ␡
_VISIBLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})
_VISIBLE.update({0x85: "\u2424", 0x2028: "\u2424", 0x2029: "\u2424"})  # ␤: line breaks Markdown does not count
INVISIBLE = (0x061C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
             *range(0x2066, 0x206A), 0xFEFF)
"""Bidi controls (which reorder the text around them) and zero-width characters (which hide text)."""
_VISIBLE.update({code: f"<U+{code:04X}>" for code in INVISIBLE})
_VISIBLE.update(dict.fromkeys(range(0xD800, 0xE000), "\ufffd"))  # a lone surrogate cannot be encoded

_TABLE = str.maketrans(_VISIBLE)
_CONTROLS = re.compile("[" + "".join(re.escape(chr(code)) for code in _VISIBLE if code < 0xA0 and code != 0x0D) + "]")


def neutralize(text: str) -> str:
    """Replace terminal control characters (keeping tab and newline) with visible stand-ins.

    `\\x1b[31m` becomes `␛[31m`; works piece by piece, so a stream can be neutralized chunk by chunk.
    """
    return text.translate(_TABLE)


def one_line(text: str, limit: int = 400) -> str:
    """`neutralize`d and folded onto one line (a multi-line server message, an HTML error page), cut at `limit`
    characters with a note of how much more there was."""
    flat = " ".join(neutralize(text).split())
    if len(flat) <= limit:
        return flat
    return f"{flat[: limit - 1]}… ({len(flat) - limit + 1:,} more characters)"


def say(stderr: TextIO, text: str) -> None:
    """One line on stderr, `claude-tui: …`: whatever a server or a file put in it is made visible, never
    obeyed, and folded onto one line (the whole text stays in `--events` and the debug log)."""
    stderr.write(f"claude-tui: {one_line(text)}\n")
    stderr.flush()


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
