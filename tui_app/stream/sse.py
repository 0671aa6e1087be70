"""An incremental decoder for `text/event-stream` bodies.

The SDK's own decoder drops nothing we need on purpose, but it decodes UTF-8 per event and raises on a
truncated sequence, and it cannot tell us when bytes arrived. This one is fed raw chunks as the network
delivers them, so it works for any split of the stream: inside a multi-byte character, between the CR
and LF of a CRLF, or in the middle of a field name.
"""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass, field


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


class SSEDecoder:
    """Turns byte chunks into `SSEFrame`s, following the WHATWG event-stream rules."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._text = ""
        self._skip_lf = False
        self._event: str | None = None
        self._data: list[str] = []
        self._raw: list[str] = []
        self._has_fields = False

    def feed(self, chunk: bytes) -> list[SSEFrame]:
        """Decode one chunk and return the frames it completed."""
        return self._consume(self._utf8.decode(chunk))

    def finish(self) -> list[SSEFrame]:
        """Flush at end of stream: a partial character becomes U+FFFD, a partial frame is truncated."""
        frames = self._consume(self._utf8.decode(b"", final=True))
        if self._text:
            self._field_line(self._text)
            self._text = ""
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
        buffer = self._text + text
        frames: list[SSEFrame] = []
        start = 0
        length = len(buffer)
        while start < length:
            cr = buffer.find("\r", start)
            lf = buffer.find("\n", start)
            if cr == -1 and lf == -1:
                break
            if cr == -1 or (lf != -1 and lf < cr):
                end, next_start = lf, lf + 1
            else:
                end, next_start = cr, cr + 1
                if next_start < length:
                    if buffer[next_start] == "\n":
                        next_start += 1
                else:
                    # A CR at the end of what we have: its LF may come with the next chunk.
                    self._skip_lf = True
            line = buffer[start:end]
            start = next_start
            if line:
                self._field_line(line)
            elif self._has_fields:
                frames.append(self._dispatch(truncated=False))
        self._text = buffer[start:]
        return frames

    def _field_line(self, line: str) -> None:
        self._raw.append(line)
        self._has_fields = True
        if line.startswith(":"):
            return
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
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
        )
        self._event = None
        self._data = []
        self._raw = []
        self._has_fields = False
        return frame
