"""Model output is untrusted input: make it safe to draw without changing what it says.

Control characters would reach the terminal through Textual (an `ESC[2J` in a reply blanks the
screen) and line separators other than LF throw off the Markdown widget's line bookkeeping, which
`str.splitlines` counts but the parser does not. Each becomes a visible symbol, one for one, so the
text reads the same and nothing is dropped; storage and exports keep the original.
"""

from __future__ import annotations

_VISIBLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_VISIBLE[0x7F] = "\u2421"  # ␡
_VISIBLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})
_VISIBLE.update({0x85: "\u2424", 0x2028: "\u2424", 0x2029: "\u2424"})  # ␤: line breaks Markdown does not count

_TABLE = str.maketrans(_VISIBLE)


def neutralize(text: str) -> str:
    """Replace terminal control characters (keeping tab and newline) with visible stand-ins.

    `\\x1b[31m` becomes `␛[31m`; works piece by piece, so a stream can be neutralized chunk by chunk.
    """
    return text.translate(_TABLE)
