"""An incremental decoder for `text/event-stream` bodies.

The SDK's own decoder drops nothing we need on purpose, but it decodes UTF-8 per event and raises on a
truncated sequence, and it cannot tell us when bytes arrived. This one is fed raw chunks as the network
delivers them, so it works for any split of the stream: inside a multi-byte character, between the CR
and LF of a CRLF, or in the middle of a field name.

Its work is linear in the stream for any chunking (a line's text is joined once, when it ends), and one
frame holds at most `FRAME_CHARS_LIMIT` characters in at most `FRAME_LINES_LIMIT` lines: the rest of a
larger frame is dropped as it arrives and counted in `SSEFrame.oversized`.
"""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass, field

FRAME_CHARS_LIMIT = 8 * 1024 * 1024
"""Characters of line text one frame keeps. A text delta is a few bytes to a few KB; the largest frames
of a Messages stream carry a server tool's whole result (a fetched document, in base64), which is why
this is megabytes. A frame costs the decoder about twice this at its peak (its line and its data)."""
FRAME_LINES_LIMIT = 100_000
"""Lines one frame keeps. A Messages frame has two; each line is a string object of its own, and this
keeps a frame of tiny lines from costing more than a frame of long ones."""
PARTS_PER_BLOCK = 1024
"""Pieces of an unfinished line joined into one block: a line trickling in byte by byte costs a list
entry per block, not one per byte, and each character is still copied a bounded number of times."""


@dataclass(slots=True)
class SSEFrame:
    """One dispatched server-sent event, exactly as framed on the wire."""

    event: str | None
    """The `event:` field, or None when the frame had none."""
    data: str
    """The `data:` lines joined with newlines."""
    raw_lines: list[str] = field(default_factory=list)
    """Every line of the frame as received, comments and unknown fields included."""
    truncated: bool = False
    """True for a frame the stream ended inside of (no blank line closed it)."""
    oversized: int = 0
    """Characters of the frame's lines dropped past the decoder's limits (0 when none). The frame keeps
    its lines up to the limit; the line the limit falls in is cut there, so `data` is a prefix of what was
    sent. Line ends are not counted."""


class SSEDecoder:
    """Turns byte chunks into `SSEFrame`s, following the WHATWG event-stream rules.

    `frame_chars` and `frame_lines` bound what one frame keeps (see `FRAME_CHARS_LIMIT`).
    """

    def __init__(self, *, frame_chars: int = FRAME_CHARS_LIMIT, frame_lines: int = FRAME_LINES_LIMIT) -> None:
        self._frame_chars = frame_chars
        self._frame_lines = frame_lines
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._skip_lf = False
        # The unfinished line: the pieces kept (the first `_blocks` already joined), and their size.
        self._parts: list[str] = []
        self._blocks = 0
        self._line_kept = 0
        self._line_dropped = 0
        # The frame being read.
        self._event: str | None = None
        self._data: list[str] = []
        self._raw: list[str] = []
        self._has_fields = False
        self._kept = 0
        self._dropped = 0

    def feed(self, chunk: bytes) -> list[SSEFrame]:
        """Decode one chunk and return the frames it completed."""
        return self._consume(self._utf8.decode(chunk))

    def finish(self) -> list[SSEFrame]:
        """Flush at end of stream: a partial character becomes U+FFFD, a partial frame is truncated."""
        frames = self._consume(self._utf8.decode(b"", final=True))
        if self._parts or self._line_dropped:
            self._end_line()
        if self._has_fields:
            frames.append(self._dispatch(truncated=True))
        return frames

    def _consume(self, text: str) -> list[SSEFrame]:
        if not text:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
        if "\r" in text:
            # A CR at the end of what we have: its LF may come with the next chunk.
            self._skip_lf = text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        rest = lines.pop()
        frames: list[SSEFrame] = []
        if lines and (self._parts or self._line_dropped):
            self._extend(lines[0])
            self._end_line()
            del lines[0]
        for line in lines:
            if not line:
                if self._has_fields:
                    frames.append(self._dispatch(truncated=False))
            elif self._kept + len(line) <= self._frame_chars and len(self._raw) < self._frame_lines:
                self._kept += len(line)
                self._field_line(line)
            else:
                self._extend(line)
                self._end_line()
        if rest:
            self._extend(rest)
        return frames

    def _extend(self, text: str) -> None:
        """Add text to the unfinished line, keeping only what the frame still has room for."""
        room = self._frame_chars - self._kept if len(self._raw) < self._frame_lines else 0
        room -= self._line_kept
        if len(text) > room:
            self._line_dropped += len(text) - room
            text = text[:room]
            if not text:
                return
        self._parts.append(text)
        self._line_kept += len(text)
        if len(self._parts) - self._blocks >= PARTS_PER_BLOCK:
            self._parts[self._blocks:] = ["".join(self._parts[self._blocks:])]
            self._blocks += 1

    def _end_line(self) -> None:
        """The unfinished line has ended (it is never blank: it holds text, kept or dropped)."""
        line = "".join(self._parts)
        self._dropped += self._line_dropped
        self._parts = []
        self._blocks = self._line_kept = self._line_dropped = 0
        self._has_fields = True
        if line:
            self._kept += len(line)
            self._field_line(line)

    def _field_line(self, line: str) -> None:
        self._raw.append(line)
        self._has_fields = True
        if line[0] == ":":
            return
        colon = line.find(":")
        if colon == -1:
            name, value = line, ""
        else:
            name = line[:colon]
            value = line[colon + 2:] if line.startswith(" ", colon + 1) else line[colon + 1:]
        if name == "event":
            self._event = sys.intern(value)  # one string for a hundred thousand `content_block_delta`s
        elif name == "data":
            self._data.append(value)

    def _dispatch(self, *, truncated: bool) -> SSEFrame:
        frame = SSEFrame(
            event=self._event or None,
            data="\n".join(self._data),
            raw_lines=self._raw,
            truncated=truncated,
            oversized=self._dropped,
        )
        self._event = None
        self._data = []
        self._raw = []
        self._has_fields = False
        self._kept = self._dropped = 0
        return frame
