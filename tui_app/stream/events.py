"""The app's record of each server-sent event: what arrived, when, and anything odd about it."""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from typing import Any

from tui_app.stream.sse import SSEFrame

PREVIEW_CHARS = 40
MESSAGE_EVENTS = frozenset({
    "message_start", "content_block_start", "content_block_delta", "content_block_stop",
    "message_delta", "message_stop", "ping", "error",
})
"""The event types of the Messages stream today; others are logged and otherwise ignored."""
DELTA_TYPES = frozenset({"text_delta", "thinking_delta", "input_json_delta", "signature_delta", "citations_delta"})
BEFORE_START_ALLOWED = frozenset({"message_start", "ping", "error", "comment"})


@dataclass(frozen=True, slots=True)
class WireEvent:
    """One frame as it came over the wire, stamped with its arrival time.

    Kept as text: a long reply has a hundred thousand of these, and their parsed payloads would take ten
    times the memory. `payload` parses the data when asked (the latest parses are shared).
    """

    seq: int
    """Position in the reply's stream, from 0."""
    name: str
    """The SSE `event:` field; `(none)` when the frame had none, `comment` for a comment-only frame."""
    data: str
    """The `data:` text exactly as received."""
    arrived: float
    """Seconds since the request was sent."""
    problem: str | None = None
    """What was wrong with the frame, when something was."""
    type: str = ""
    """The payload's own `type`, falling back to the SSE event name."""

    def __post_init__(self) -> None:
        if not self.type:
            object.__setattr__(self, "type", sys.intern(type_of(parse_data(self.data), self.name)))

    @property
    def payload(self) -> Any:
        """The data parsed as JSON, or None when it is empty or not JSON."""
        return parse_data(self.data)

    def to_record(self) -> dict[str, Any]:
        """A JSON-ready record, as written to an `--events` file."""
        record: dict[str, Any] = {
            "seq": self.seq,
            "t_ms": round(self.arrived * 1000, 3),
            "event": self.name,
            "data": self.data,
        }
        if self.problem:
            record["problem"] = self.problem
        return record


def parse_data(data: str) -> Any:
    """`data` as JSON, or None. The same event is read by the reply, the session and the event log in
    turn, so the latest parses are remembered: the results are shared, and must not be changed."""
    return _parse(data) if data else None


@functools.lru_cache(maxsize=4096)
def _parse(data: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def type_of(payload: Any, name: str) -> str:
    if isinstance(payload, dict) and isinstance(payload.get("type"), str):
        return payload["type"]
    return name


def wire_event_from_record(seq: int, name: str, data: str, arrived: float, problem: str | None) -> WireEvent:
    """An event read back from where it was kept (its `type` is read from the data again)."""
    return WireEvent(seq=seq, name=sys.intern(name), data=data, arrived=arrived, problem=problem)


def wire_event_from_frame(frame: SSEFrame, seq: int, arrived: float, *, started: bool = True) -> WireEvent:
    """Build the record for a frame, noting what a well-formed Messages stream would not contain.

    `started` says whether `message_start` has arrived: nothing but pings and errors may come before it.
    """
    problems: list[str] = []
    payload: Any = None
    if frame.truncated:
        problems.append("stream ended inside this frame")
    if frame.data:
        payload = parse_data(frame.data)  # parsed once here for the reply, the session and the event log
        if payload is None:
            try:
                json.loads(frame.data)
            except ValueError as error:
                problems.append(f"data is not JSON ({error.msg})")
    name = frame.event or ("(none)" if frame.data else "comment")
    kind = sys.intern(type_of(payload, name))  # shared, not one copy per event
    if frame.event is None:
        if frame.data:
            problems.append("frame has no event field")
    else:
        if kind != name:
            problems.append(f"payload type {kind!r} differs from event name")
        if name not in MESSAGE_EVENTS:
            problems.append("unknown event type: logged, otherwise ignored")
    if isinstance(payload, dict):
        problems.extend(_content_problems(payload, kind, started))
    return WireEvent(seq=seq, name=name, data=frame.data, arrived=arrived, problem="; ".join(problems) or None,
                     type=kind)


def _content_problems(payload: dict[str, Any], kind: str, started: bool) -> list[str]:
    problems = []
    if not started and kind not in BEFORE_START_ALLOWED:
        problems.append("arrived before message_start")
    delta = payload.get("delta")
    if kind == "content_block_delta" and isinstance(delta, dict) and delta.get("type") not in DELTA_TYPES:
        problems.append(f"unknown delta type {delta.get('type')!r}: ignored")
    return problems


def _preview(text: str) -> str:
    flat = text.replace("\n", "⏎")
    if len(flat) > PREVIEW_CHARS:
        flat = flat[: PREVIEW_CHARS - 1] + "…"
    return repr(flat)


def summarize(event: WireEvent) -> str:
    """A short, single-line account of an event for the event log."""
    payload = event.payload
    if not isinstance(payload, dict):
        payload = {}
    parts: list[str] = []
    kind = event.type
    if not payload:
        if event.data:
            parts.append(_preview(event.data))  # not JSON: what came, as it came
    elif kind == "message_start":
        message = payload.get("message") or {}
        usage = message.get("usage") or {}
        parts.append(f"model={message.get('model')}")
        parts.append(f"in={usage.get('input_tokens')}")
    elif kind in ("content_block_start", "content_block_stop"):
        parts.append(f"#{payload.get('index')}")
        block = payload.get("content_block") or {}
        if block:
            parts.append(str(block.get("type")))
            if block.get("name"):
                parts.append(str(block["name"]))
    elif kind == "content_block_delta":
        delta = payload.get("delta") or {}
        parts.append(f"#{payload.get('index')}")
        parts.append(str(delta.get("type")))
        for key in ("text", "thinking", "partial_json"):
            if isinstance(delta.get(key), str):
                parts.append(_preview(delta[key]))
                break
    elif kind == "message_delta":
        delta = payload.get("delta") or {}
        usage = payload.get("usage") or {}
        parts.append(f"stop={delta.get('stop_reason')}")
        parts.append(f"out={usage.get('output_tokens')}")
    elif kind == "error":
        error = payload.get("error") or {}
        parts.append(f"{error.get('type')}: {error.get('message')}")
    elif kind not in ("ping", "message_stop") and event.data:
        parts.append(_preview(event.data))
    if event.problem:
        parts.append(f"⚠ {event.problem}")
    return " ".join(parts)


def pretty_payload(event: WireEvent) -> str:
    """The payload pretty-printed for the raw view, or the data as received when it is not JSON."""
    if event.payload is not None:
        return json.dumps(event.payload, indent=2, ensure_ascii=False)
    return event.data
