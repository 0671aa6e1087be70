"""The app's record of each server-sent event: what arrived, when, and anything odd about it."""

from __future__ import annotations

import functools
import json
import re
import sys
from dataclasses import dataclass
from typing import Any

from tui_app.stream.sse import FRAME_CHARS_LIMIT, SSEFrame

PREVIEW_CHARS = 40
MESSAGE_EVENTS = frozenset({
    "message_start", "content_block_start", "content_block_delta", "content_block_stop",
    "message_delta", "message_stop", "ping", "error",
})
"""The event types of the Messages stream today; others are logged and otherwise ignored."""
DELTA_TYPES = frozenset({"text_delta", "thinking_delta", "input_json_delta", "signature_delta", "citations_delta",
                         "compaction_delta"})
NOT_STREAMED = "(not streamed)"
"""The name of the one event that holds a whole answer which was not an event stream."""
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
    except (ValueError, RecursionError):
        return None


def json_problem(data: str) -> str:
    """Why `data` is not usable JSON, in a few words."""
    try:
        json.loads(data)
    except RecursionError:
        return "data is not JSON (nested too deeply)"
    except json.JSONDecodeError as error:
        return f"data is not JSON ({error.msg})"
    except ValueError as error:  # a number too long to read, say
        return f"data is not JSON ({error})"
    return "data is not JSON"


_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(text: str) -> str:
    """`text` with any lone surrogate (JSON's `\\ud800` escapes can make one) as U+FFFD: such text cannot be
    encoded as UTF-8, so it could not be saved, sent again in a request, or written to a terminal."""
    return _SURROGATE.sub("\ufffd", text)


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: a server may send any type in any field."""
    return value if isinstance(value, dict) else {}


def as_count(value: Any) -> int | None:
    """A token count: a whole number SQLite can hold, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
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
    if frame.oversized:
        problems.append(f"frame over {FRAME_CHARS_LIMIT // 2**20} MiB: the {frame.oversized:,} characters past that "
                        "were dropped")
    if frame.data:
        payload = parse_data(frame.data)  # parsed once here for the reply, the session and the event log
        if payload is None and not frame.oversized:  # a cut frame is said to be cut, not to be bad JSON
            problems.append(json_problem(frame.data))
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
        elif name == "message_start" and started:
            problems.append("a second message_start: its blocks are added to the reply")
    if isinstance(payload, dict):
        problems.extend(_content_problems(payload, kind, started))
    return WireEvent(seq=seq, name=name, data=frame.data, arrived=arrived, problem="; ".join(problems) or None,
                     type=kind)


def _content_problems(payload: dict[str, Any], kind: str, started: bool) -> list[str]:
    problems = []
    if not started and kind not in BEFORE_START_ALLOWED:
        problems.append("arrived before message_start")
    if kind == "content_block_delta":
        delta = payload.get("delta")
        if not isinstance(delta, dict):
            problems.append("delta is not an object: ignored")
        elif not isinstance(delta.get("type"), str) or delta["type"] not in DELTA_TYPES:
            problems.append(f"unknown delta type {_short(repr(delta.get('type')))}: ignored")
    problems.extend(_type_problems(payload, FIELD_TYPES.get(kind, ())))
    if kind == "message_start":
        problems.extend(_type_problems(as_dict(payload.get("message")), MESSAGE_FIELD_TYPES, "message."))
    return problems


def _type_problems(fields: dict[str, Any], expected: tuple[tuple[str, type], ...], prefix: str = "") -> list[str]:
    return [f"{prefix}{name} is not {TYPE_WORDS[kind]}: ignored" for name, kind in expected
            if name in fields and not isinstance(fields[name], kind)]


TYPE_WORDS = {dict: "an object", int: "a number", str: "a string"}
MESSAGE_FIELD_TYPES: tuple[tuple[str, type], ...] = (("model", str), ("usage", dict))


FIELD_TYPES: dict[str, tuple[tuple[str, type], ...]] = {
    "message_start": (("message", dict),),
    "content_block_start": (("index", int), ("content_block", dict)),
    "content_block_delta": (("index", int),),
    "content_block_stop": (("index", int),),
    "message_delta": (("delta", dict), ("usage", dict)),
    "error": (("error", dict),),
}
"""The fields of each event that a reply is built from, and the JSON type each must have to be used."""


def _preview(text: str) -> str:
    flat = text.replace("\n", "⏎")
    if len(flat) > PREVIEW_CHARS:
        flat = flat[: PREVIEW_CHARS - 1] + "…"
    return repr(flat)


def _short(value: Any, limit: int = PREVIEW_CHARS) -> str:
    """A field's value for a summary line, whatever its JSON type, cut to `limit` characters."""
    text = value if isinstance(value, str) else json.dumps(value) if _is_small(value) else type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_small(value: Any) -> bool:
    return value is None or isinstance(value, (bool, float)) or (isinstance(value, int) and abs(value) < 10**40)


PREVIEW_KEYS = ("text", "thinking", "partial_json", "content")
"""The fields a content delta carries its piece in, the first one present shown in preview."""
USAGE_PARTS = (("cache_read_input_tokens", "cache_read"), ("cache_creation_input_tokens", "cache_write"))
ID_CHARS = 16
"""A message id longer than this is shown by its prefix and its last characters: the part that differs."""


def _usage_parts(usage: dict[str, Any]) -> list[str]:
    """The usage counts beyond input and output tokens, each only when the server gave it."""
    parts = [f"{label}={count}" for key, label in USAGE_PARTS if (count := as_count(usage.get(key)))]
    if thinking := as_count(as_dict(usage.get("output_tokens_details")).get("thinking_tokens")):
        parts.append(f"thinking={thinking}")
    tools = as_dict(usage.get("server_tool_use"))
    for key, label in (("web_search_requests", "searches"), ("web_fetch_requests", "fetches")):
        if count := as_count(tools.get(key)):
            parts.append(f"{label}={count}")
    return parts


def _short_id(message_id: str) -> str:
    if len(message_id) <= ID_CHARS:
        return message_id
    prefix = message_id.split("_", 1)[0] + "_" if "_" in message_id[:8] else ""
    return f"{prefix}…{message_id[-6:]}"


def _block_parts(block: dict[str, Any]) -> list[str]:
    """What a starting block says beyond its type and name: a server tool's query, a result's count or error,
    the size of redacted thinking."""
    kind = block.get("type")
    if kind == "redacted_thinking":
        data = block.get("data")
        return [f"({len(data):,} chars of data)"] if isinstance(data, str) else []
    if kind == "compaction" and isinstance(block.get("content"), str) and block["content"]:
        return [_preview(block["content"])]
    tool_input = as_dict(block.get("input"))
    for key in ("query", "url", "command", "code"):
        if isinstance(tool_input.get(key), str):
            return [_preview(tool_input[key])]
    if isinstance(kind, str) and kind.endswith("_tool_result"):
        return [_tool_result(block.get("content"))]
    return []


def _tool_result(content: Any) -> str:
    """A server tool's result in a few words: `5 results`, `error max_uses_exceeded`, the page fetched."""
    if isinstance(content, list):
        return "1 result" if len(content) == 1 else f"{len(content)} results"
    content = as_dict(content)
    if "error_code" in content:
        return f"error {_short(content['error_code'])}"
    if isinstance(content.get("url"), str):
        return _short(content["url"])
    return _short(content.get("type")) if content else "no result"


def _source(citation: dict[str, Any]) -> str:
    """What a citation cites: its title, else its URL or source, else the text it quotes."""
    for key in ("title", "document_title", "url", "source"):
        if isinstance(citation.get(key), str) and citation[key].strip():
            return _short(citation[key].strip())
    if isinstance(citation.get("cited_text"), str):
        return _preview(citation["cited_text"])
    return _short(citation.get("type")) if citation else "?"


def summarize(event: WireEvent) -> str:
    """A short, single-line account of an event for the event log."""
    payload = as_dict(event.payload)
    parts: list[str] = []
    kind = event.type
    if not payload:
        if event.data:
            parts.append(_preview(event.data))  # not JSON, or not an object: what came, as it came
    elif kind == "message_start":
        message = as_dict(payload.get("message"))
        usage = as_dict(message.get("usage"))
        parts.append(f"model={_short(message.get('model'))}")
        parts.append(f"in={_short(usage.get('input_tokens'))}")
        parts.extend(_usage_parts(usage))
        if isinstance(message.get("id"), str):
            parts.append(f"id={_short_id(message['id'])}")
    elif kind in ("content_block_start", "content_block_stop"):
        parts.append(f"#{_short(payload.get('index'))}")
        block = as_dict(payload.get("content_block"))
        if block:
            parts.append(_short(block.get("type")))
            if block.get("name"):
                parts.append(_short(block["name"]))
            parts.extend(_block_parts(block))
    elif kind == "content_block_delta":
        delta = as_dict(payload.get("delta"))
        parts.append(f"#{_short(payload.get('index'))}")
        delta_type = delta.get("type")
        if delta_type == "signature_delta":
            signature = delta.get("signature")
            parts.append(f"signature ({len(signature):,} chars)" if isinstance(signature, str) else "signature")
        elif delta_type == "citations_delta":
            parts.append(f"cites {_source(as_dict(delta.get('citation')))}")
        else:
            parts.append(_short(delta_type))
            for key in PREVIEW_KEYS:
                if isinstance(delta.get(key), str):
                    parts.append(_preview(delta[key]))
                    break
    elif kind == "message_delta":
        delta = as_dict(payload.get("delta"))
        usage = as_dict(payload.get("usage"))
        parts.append(f"stop={_short(delta.get('stop_reason'))}")
        parts.append(f"out={_short(usage.get('output_tokens'))}")
        parts.extend(_usage_parts(usage))  # input was shown at message_start; a final count shows in the status bar
        details = as_dict(delta.get("stop_details"))
        if isinstance(details.get("category"), str):
            parts.append(f"category={_short(details['category'])}")
        if isinstance(delta.get("stop_sequence"), str):
            parts.append(f"sequence={_short(json.dumps(delta['stop_sequence'], ensure_ascii=False))}")
    elif kind == "error":
        error = as_dict(payload.get("error"))
        parts.append(f"{_short(error.get('type'))}: {_short(error.get('message'), 200)}")
    elif kind not in ("ping", "message_stop") and event.data:
        parts.append(_preview(event.data))
    if event.problem:
        parts.append(f"⚠ {event.problem}")
    return " ".join(parts)


def pretty_payload(event: WireEvent) -> str:
    """The payload pretty-printed for the raw view, or the data as received when it is not JSON."""
    if event.payload is not None:
        try:
            return json.dumps(event.payload, indent=2, ensure_ascii=False)
        except (ValueError, RecursionError):  # nested too deeply to indent: shown as it came
            pass
    return event.data
