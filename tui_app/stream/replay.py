"""Recorded streams played again: an `--events` file, a raw event-stream body as `curl -N` (or `curl -i`) saves
it, or a saved whole Message. The file's format is found from what it holds; each reply in it becomes a
`ReplaySource` that feeds the core the bytes a live stream would have, at the recorded pace or faster."""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tui_app.stream.events import NOT_STREAMED, WireEvent
from tui_app.stream.source import SSE, Body

REPLAY_MODEL = "recorded"
"""The model a recording is shown under until its `message_start` names one."""
MAX_RECORDING_BYTES = 512 * 1024 * 1024
SSE_FIELDS = ("event", "data", "id", "retry")
FRAME_END = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r(?!\n)|\n)")
"""A blank line ending a frame: a lone CR is a line end only where no LF follows (a CRLF is one line end)."""
LINE_END = re.compile(rb"\r\n|\r|\n")
TRUNCATED = "stream ended inside this frame"
"""How an events file marks a frame the stream ended inside of (see `stream.events`)."""


class RecordingProblem(ValueError):
    """A file that is not a recording this app can play: the message names the file and the line."""


@dataclass(slots=True)
class RecordedReply:
    """One reply's answer as recorded: its body in pieces, and when each arrived where the file says."""

    chunks: list[bytes]
    times: list[float] | None = None
    """Seconds after the request at which each piece arrived; None when the file does not say."""
    content_type: str = SSE
    model: str = REPLAY_MODEL
    completed: bool = False
    """The file ended without the blank line after its last event, and it was added (see `_completed`)."""

    @property
    def events(self) -> int:
        return len(self.chunks)


@dataclass(slots=True)
class Recording:
    """What a file holds: its replies, in order, and what kind of file it was (for the screen's words)."""

    path: Path
    kind: str
    replies: list[RecordedReply] = field(default_factory=list)


def read_recording(path: Path) -> Recording:
    """Read and recognise `path`. Raises `RecordingProblem` (a clear message) or OSError."""
    size = path.stat().st_size
    if size > MAX_RECORDING_BYTES:
        raise RecordingProblem(f"{path}: {size:,} bytes is more than a recording this app plays")
    return parse_recording(path.read_bytes(), path)


def parse_recording(data: bytes, path: Path) -> Recording:
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark, as an event stream may start with
    start = data.lstrip()
    if not start:
        raise RecordingProblem(f"{path} is empty: there is no stream in it")
    if start.startswith(b"HTTP/"):
        head, body, content_type = _split_http(data, path)
        if not content_type.startswith(SSE):
            return Recording(path, "HTTP answer", [_whole_answer(body, content_type)])
        return Recording(path, "event stream with its HTTP head", [_event_stream(body, path, skipped=head)])
    if start.startswith(b"{"):
        first = _first_line(start)
        try:
            record = json.loads(first)
        except ValueError:
            record = None
        if isinstance(record, dict) and "event" in record and "data" in record:
            return Recording(path, "events file", _events_file(data, path))
        try:
            whole = json.loads(data)
        except ValueError as error:
            line = data[: data.find(start[:1])].count(b"\n") + 1
            raise RecordingProblem(f"{path}, line {line}: not an events file (JSON lines with `event` and `data`), "
                                   f"an event stream nor a Message in JSON ({error})") from None
        if isinstance(whole, dict) and whole.get("type") in ("message", "error"):
            return Recording(path, "Message", [_whole_answer(data, "application/json")])
        raise RecordingProblem(f"{path}: JSON, but not an events file nor a Message")
    return Recording(path, "event stream", [_event_stream(data, path)])


def _first_line(data: bytes) -> bytes:
    match = LINE_END.search(data)
    return data[: match.start()] if match else data


def _split_http(data: bytes, path: Path) -> tuple[int, bytes, str]:
    """A `curl -i` capture: the head's lines (counted, for line numbers), the body and its content type. The
    last head is the answer's: curl writes a `100 Continue` or a proxy's `200 Connection established` first."""
    body, lines, head = data.lstrip(), len(LINE_END.findall(data[: len(data) - len(data.lstrip())])), b""
    while body.startswith(b"HTTP/"):
        match = FRAME_END.search(body)
        if match is None:
            raise RecordingProblem(f"{path}: an HTTP head with no body after it")
        head, body = body[: match.start()], body[match.end():]
        lines += len(LINE_END.findall(head)) + 2
    content_type = ""
    for line in LINE_END.split(head)[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-type":
            content_type = value.strip().lower()
    return lines, body, content_type


def _whole_answer(body: bytes, content_type: str) -> RecordedReply:
    return RecordedReply([body], None, content_type or "application/json", _model_of_message(body))


def _model_of_message(body: bytes) -> str:
    try:
        message = json.loads(body)
    except ValueError:
        return REPLAY_MODEL
    model = message.get("model") if isinstance(message, dict) else None
    return model if isinstance(model, str) and model else REPLAY_MODEL


def _event_stream(data: bytes, path: Path, skipped: int = 0) -> RecordedReply:
    """A raw event-stream body (LF, CRLF or CR line ends), cut into one piece per frame so that a paused
    replay can go on one event at a time; every line must be one an event stream may hold."""
    for number, line in enumerate(LINE_END.split(data), start=skipped + 1):
        if line and not line.startswith(b":") and line.split(b":", 1)[0] not in (name.encode() for name in SSE_FIELDS):
            shown = line[:60].decode("utf-8", errors="replace")
            raise RecordingProblem(f"{path}, line {number} is not a line of an event stream "
                                   f"(event:, data:, id:, retry: or a :comment): {shown!r}")
    chunks, start = [], 0
    for match in FRAME_END.finditer(data):
        chunks.append(data[start : match.end()])
        start = match.end()
    completed = False
    if data[start:].strip():
        last, completed = _completed(data[start:])
        chunks.append(last)
    if not any(b"data" in chunk or b"event" in chunk for chunk in chunks):
        raise RecordingProblem(f"{path}: no events in it")
    return RecordedReply(chunks, None, SSE, _model_of_stream(chunks), completed)


def _completed(frame: bytes) -> tuple[bytes, bool]:
    """The file's last frame with the blank line after it that a saved file often lacks, where the frame
    itself is whole (its last line ended, or is a `data:` line of complete JSON); otherwise as it is, so
    that it reads as a stream cut inside a frame."""
    match = LINE_END.search(frame)
    ending = match.group() if match else b"\n"  # the file's own line end
    lines = LINE_END.split(frame)
    whole = not lines[-1]
    if not whole and lines[-1].startswith(b"data:"):
        try:
            json.loads(lines[-1][5:])
            whole = True
        except ValueError:
            whole = False
    if not whole:
        return frame, False
    return frame + ending * (1 if not lines[-1] else 2), True


def _model_of_stream(chunks: Iterable[bytes]) -> str:
    for chunk in chunks:
        if b"message_start" in chunk:
            for line in LINE_END.split(chunk):
                if line.startswith(b"data:"):
                    return _model_of_start(line[5:].decode("utf-8", errors="replace"))
    return REPLAY_MODEL


def _model_of_start(data: str) -> str:
    try:
        payload = json.loads(data)
    except ValueError:
        return REPLAY_MODEL
    message = payload.get("message") if isinstance(payload, dict) else None
    model = message.get("model") if isinstance(message, dict) else None
    return model if isinstance(model, str) and model else REPLAY_MODEL


def _events_file(data: bytes, path: Path) -> list[RecordedReply]:
    """An `--events` file: one JSON record per line (`reply`, `seq`, `t_ms`, `event`, `data`, any `problem`),
    each reply's frames written back as the bytes that carried them."""
    replies: list[RecordedReply] = []
    last: tuple[object, int | None] | None = None
    """The last record's reply number and seq: a new reply starts where either changes back (a file that
    several runs appended to numbers each run's replies from 1 again)."""
    # Only CR and LF end a record: its JSON may hold other line breaks (U+2028, U+0085) unescaped.
    for number, line in enumerate(re.split("\r\n|\r|\n", data.decode("utf-8", errors="replace")), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise RecordingProblem(f"{path}, line {number} is not JSON ({error})") from None
        if not isinstance(record, dict) or not isinstance(record.get("event"), str) \
                or not isinstance(record.get("data"), str):
            raise RecordingProblem(f"{path}, line {number} is not an event record (it needs `event` and `data`)")
        t_ms = record.get("t_ms")
        if not isinstance(t_ms, (int, float)) or isinstance(t_ms, bool) or not math.isfinite(t_ms):
            raise RecordingProblem(f"{path}, line {number}: `t_ms` is not a number")
        seq = record.get("seq") if isinstance(record.get("seq"), int) else None  # a file written by hand may lack it
        if last is None or record.get("reply") != last[0] or (seq is not None and last[1] is not None
                                                               and seq <= last[1]):
            replies.append(RecordedReply([], []))
        last, reply = (record.get("reply"), seq), replies[-1]
        name, payload = record["event"], record["data"]
        assert reply.times is not None
        if name == NOT_STREAMED:
            reply.content_type = "application/json"
            reply.model = _model_of_message(payload.encode("utf-8"))
            reply.chunks.append(payload.encode("utf-8"))
        else:
            reply.chunks.append(_frame_bytes(name, payload, str(record.get("problem") or "")))
            if name == "message_start" and reply.model == REPLAY_MODEL:
                reply.model = _model_of_start(payload)
        reply.times.append(t_ms / 1000)
    if not replies:
        raise RecordingProblem(f"{path}: no events in it")
    return replies


def _frame_bytes(name: str, data: str, problem: str) -> bytes:
    # A frame with no fields but a comment is named `comment`; one with data named so had `event: comment`.
    lines = [":"] if name == "comment" and not data else [] if name == "(none)" else [f"event: {name}"]
    if data:
        lines.extend(f"data: {line}" for line in data.split("\n"))
    end = "\n" if TRUNCATED in problem else "\n\n"  # a frame the stream ended inside of ends the same way again
    return ("\n".join(lines) + end).encode("utf-8")


def recorded_from_events(events: Iterable[WireEvent], model: str) -> RecordedReply:
    """A saved reply's events as the answer that carried them, at the times they arrived."""
    reply = RecordedReply([], [], SSE, model or REPLAY_MODEL)
    assert reply.times is not None
    for event in events:
        if event.name == NOT_STREAMED:
            reply.content_type = "application/json"
            reply.chunks.append(event.data.encode("utf-8"))
        else:
            reply.chunks.append(_frame_bytes(event.name, event.data, event.problem or ""))
        reply.times.append(event.arrived)
    return reply


class Playback:
    """The pace of a replay: `speed` times the recorded one (0: at once), paused and stepped on request.

    Its clock reads the recorded time of the stream's position, so a replay's figures are the recording's."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self.paused = False
        self._changed = asyncio.Event()
        self._steps = 0
        self._position = 0.0
        """Recorded seconds at the last piece let through."""
        self._since: float | None = None
        """The real time the position was last set; None until the reply's first piece is asked for."""

    def clock(self) -> float:
        if self.paused or self.speed <= 0 or self._since is None:
            return self._position
        return self._position + (time.perf_counter() - self._since) * self.speed

    def start(self) -> None:
        """A new reply begins: its recorded time stands at 0 until its first piece is asked for."""
        self._position, self._since = 0.0, None

    def pause(self) -> None:
        if not self.paused:
            self._position, self.paused = self.clock(), True
            self._changed.set()

    def resume(self) -> None:
        if self.paused:
            self.paused, self._steps, self._since = False, 0, time.perf_counter()
            self._changed.set()

    def step(self) -> None:
        """Let one more piece through, paused before and after it."""
        self.pause()
        self._steps += 1
        self._changed.set()

    async def reach(self, at: float | None) -> None:
        """Wait until the piece recorded at `at` (None: no time recorded) is due, and count it let through."""
        if self._since is None:
            self._since = time.perf_counter()
        while True:
            if self.paused:
                if self._steps:
                    self._steps -= 1
                    break
                await self._change(None)
                continue
            if at is None or self.speed <= 0:
                break
            delay = (at - self.clock()) / self.speed
            if delay <= 0:
                break
            await self._change(delay)
        if at is not None and (self.paused or self.speed <= 0):
            self._position = max(self._position, at)
        # Playing, the clock runs on from where it started: a late wake-up is made up, not carried forward.

    async def _change(self, timeout: float | None) -> None:
        """Wait for a pause, a resume or a step, or for `timeout` seconds."""
        self._changed.clear()
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass


@dataclass(slots=True)
class ReplaySource:
    """A recorded reply as a stream source: the core reads it as it would a live answer."""

    reply: RecordedReply
    playback: Playback
    attempts: int = 1
    read_timeout: float | None = None

    @property
    def model(self) -> str:
        return self.reply.model

    @asynccontextmanager
    async def open(self) -> AsyncIterator[Body]:
        yield Body(self.reply.content_type, self._play(), self.reply.content_type.startswith(SSE))

    async def _play(self) -> AsyncIterator[bytes]:
        times = self.reply.times
        for number, chunk in enumerate(self.reply.chunks):
            await self.playback.reach(times[number] if times is not None else None)
            yield chunk

    def redact(self, text: str) -> str:
        return text
