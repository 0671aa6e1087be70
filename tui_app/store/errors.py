"""The one error the conversations store raises, in a module of its own: the app catches it from the
start, and the store itself (SQLite and all) loads only once the first frame is out."""

from __future__ import annotations

REASON_LENGTH = 300
"""How much of an unexpected error's own words a message keeps."""


class StoreError(Exception):
    """The conversations database cannot be used; the message says why in plain words."""


def reason(error: Exception) -> str:
    """Why `error` happened, in one line fit for a message: its words and its kind."""
    if isinstance(error, StoreError):
        return str(error)
    words = " ".join(str(error).split())
    if len(words) > REASON_LENGTH:
        words = words[: REASON_LENGTH - 1] + "…"
    words = f"{words} ({type(error).__name__})" if words else type(error).__name__
    # The words may quote what failed to encode: they must be printable themselves.
    return words.encode("utf-8", "backslashreplace").decode("utf-8")
