"""A reply built up from the wire events, with its state decided by what actually arrived."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any

from tui_app.stream.events import NOT_STREAMED, WireEvent, as_count, as_dict, well_formed
from tui_app.stream.usage import TokenUsage

DELTA_FIELDS = {"text_delta": "text", "thinking_delta": "thinking", "input_json_delta": "partial_json",
                "compaction_delta": "content"}
"""Content delta types, and the field each carries its piece in."""
CONTENT_DELTAS = tuple(DELTA_FIELDS)
PIECE_FIELDS = {"text": "text", "thinking": "thinking", "compaction": "content"}
"""Block types whose start may already hold some of their streamed text, and the field it is in."""
KEPT_DELTAS = 100
"""Deltas of a type this version does not know are kept, to be shown, up to this many per block."""


class ReplyState(enum.Enum):
    """Where a reply stands. Only `DONE` means the server said the message was complete."""

    WAITING = "waiting"
    STREAMING = "streaming"
    DONE = "done"
    CANCELLED = "cancelled"
    INCOMPLETE = "incomplete"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self not in (ReplyState.WAITING, ReplyState.STREAMING)


@dataclass(slots=True)
class ContentBlock:
    """One content block of the reply, in the order the server indexed it.

    Streamed content is kept as the list of pieces that arrived: appending stays cheap on long
    replies, and a view can render just the pieces it has not seen.
    """

    index: int
    kind: str
    """`text`, `thinking`, `redacted_thinking`, `tool_use`, or whatever type the server sent."""
    pieces: list[str] = field(default_factory=list)
    """Text for `text` blocks, thinking for `thinking` blocks, input JSON for tool blocks."""
    tool_name: str | None = None
    initial_input: Any = None
    """A tool input given whole in `content_block_start` rather than streamed."""
    signature: str = ""
    """A thinking block's signature: what lets it be sent back to the API."""
    fields: dict[str, Any] = field(default_factory=dict)
    """The rest of the block as it started: a tool call's `id`, redacted thinking's `data`, a server tool
    result's `content` and `tool_use_id` …"""
    citations: list[dict[str, Any]] = field(default_factory=list)
    """The sources a text block cites, from its start and its `citations_delta`s."""
    other_deltas: list[dict[str, Any]] = field(default_factory=list)
    """Deltas of a type this version does not know, kept to be shown as they came."""
    started: float | None = None
    stopped: float | None = None
    """When the block started and stopped, in seconds since the request (None when not streamed)."""

    @property
    def seconds(self) -> float | None:
        """How long the block took to stream, once it has stopped."""
        if self.started is None or self.stopped is None:
            return None
        return max(0.0, self.stopped - self.started)

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def tool_input(self) -> Any:
        """The tool input as JSON, or None while what streamed is not (yet) parsable.

        An input streamed as nothing at all (a tool that takes no arguments) is the one the block started with.
        """
        text = self.text
        if not text.strip():
            return self.initial_input
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return None


@dataclass(slots=True)
class Reply:
    """Everything known about one assistant reply, updated event by event."""

    blocks: list[ContentBlock] = field(default_factory=list)
    state: ReplyState = ReplyState.WAITING
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    """The server's count, from `message_start` and then `message_delta`."""
    usage_final: bool = False
    """True once `message_delta` has given the server's own output token count."""
    content_deltas: int = 0
    """Content deltas seen: a live stand-in for output tokens until the server counts them."""
    stop_reason: str | None = None
    stop_sequence: str | None = None
    stop_details: dict[str, Any] | None = None
    """Why the model stopped, in detail: a refusal's `category` and `explanation`."""
    usage: TokenUsage = field(default_factory=TokenUsage)
    """Cache, thinking and server tool counts (input and output tokens are above)."""
    message_id: str | None = None
    cache_miss: dict[str, Any] | None = None
    """Why the prompt cache could not reuse the previous request's prefix, where the server said."""
    saw_message_start: bool = False
    saw_message_stop: bool = False
    error_type: str | None = None
    reason: str | None = None
    """Why the reply is not done, in plain words, when it is not."""

    @property
    def live_output_tokens(self) -> tuple[int, bool]:
        """Output tokens as best known now, and whether that is the server's final count."""
        if self.usage_final and self.output_tokens is not None:
            return self.output_tokens, True
        return max(self.content_deltas, self.output_tokens or 0), False

    @property
    def text(self) -> str:
        """The reply's text blocks, joined as Markdown source."""
        return "".join(block.text for block in self.blocks if block.kind == "text")

    def block(self, index: Any) -> ContentBlock | None:
        if not isinstance(index, int):
            return None
        for block in reversed(self.blocks):
            if block.index == index:
                return block
        return None

    def apply(self, event: WireEvent) -> None:
        """Fold one wire event into the reply. Unknown or malformed events, and fields of the wrong JSON
        type, change nothing: a server may send anything in any field."""
        payload = event.payload
        if not isinstance(payload, dict):
            return
        kind = event.type
        if kind == "message_start":
            self._start(as_dict(payload.get("message")))
        elif kind == "content_block_start":
            self._start_block(payload, event.arrived)
        elif kind == "content_block_delta":
            self._delta(payload)
        elif kind == "content_block_stop":
            block = self.block(payload.get("index"))
            if block is not None and event.arrived is not None:
                block.stopped = event.arrived
        elif kind == "message_delta":
            delta = as_dict(payload.get("delta"))
            self._stop(delta)
            usage = as_dict(payload.get("usage"))
            self._usage(usage)
            self._diagnostics(as_dict(payload.get("diagnostics")) or as_dict(delta.get("diagnostics")))
            self.usage_final = self.usage_final or as_count(usage.get("output_tokens")) is not None
        elif kind == "message_stop":
            self.saw_message_stop = True
        elif kind == "message" and event.name == NOT_STREAMED:
            self._whole_message(payload)
        elif kind == "error":
            error = as_dict(payload.get("error"))
            self.error_type = well_formed(_text(error.get("type")) or "error")
            message = well_formed(_text(error.get("message")) or "the server reported an error")
            self.reason = f"{self.error_type}: {message}"

    def _start(self, message: dict[str, Any]) -> None:
        self.saw_message_start = True
        self.model = well_formed(_text(message.get("model"))) or self.model
        self.message_id = well_formed(_text(message.get("id"))) or self.message_id
        self._usage(as_dict(message.get("usage")))
        self._diagnostics(as_dict(message.get("diagnostics")))
        if self.state is ReplyState.WAITING:
            self.state = ReplyState.STREAMING

    def _whole_message(self, message: dict[str, Any]) -> None:
        """A Message given whole, by a server that answered a streaming request without streaming."""
        self._start(message)
        content = message.get("content")
        for index, item in enumerate(content if isinstance(content, list) else []):
            item = as_dict(item)
            self._start_block({"index": index, "content_block": item}, None)
            if self.blocks and self.blocks[-1].pieces:
                self.content_deltas += 1
        self._stop(message)
        self.usage_final = as_count(as_dict(message.get("usage")).get("output_tokens")) is not None
        self.saw_message_stop = True

    def _stop(self, delta: dict[str, Any]) -> None:
        """The stop reason and its details, from `message_delta` or a whole Message."""
        if isinstance(delta.get("stop_reason"), str) and delta["stop_reason"]:
            self.stop_reason = well_formed(delta["stop_reason"])
        if isinstance(delta.get("stop_sequence"), str):
            self.stop_sequence = well_formed(delta["stop_sequence"])
        if isinstance(delta.get("stop_details"), dict):
            self.stop_details = delta["stop_details"]

    def _usage(self, usage: dict[str, Any]) -> None:
        if (input_tokens := as_count(usage.get("input_tokens"))) is not None:
            self.input_tokens = input_tokens
        if (output_tokens := as_count(usage.get("output_tokens"))) is not None:
            self.output_tokens = output_tokens
        self.usage.take(usage)

    def _diagnostics(self, diagnostics: dict[str, Any]) -> None:
        if isinstance(diagnostics.get("cache_miss_reason"), dict):
            self.cache_miss = diagnostics["cache_miss_reason"]

    def _start_block(self, payload: dict[str, Any], arrived: float | None) -> None:
        started = as_dict(payload.get("content_block"))
        index = payload.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            return
        block = ContentBlock(index=index, kind=well_formed(_text(started.get("type")) or "unknown"), started=arrived)
        piece_field = PIECE_FIELDS.get(block.kind)
        initial = started.get(piece_field) if piece_field else None
        if isinstance(initial, str) and initial:
            block.pieces.append(well_formed(initial))
        if "name" in started:
            block.tool_name = well_formed(_text(started.get("name")))
            block.initial_input = started.get("input")
        if isinstance(started.get("signature"), str):
            block.signature = started["signature"]
        if isinstance(started.get("citations"), list):
            block.citations.extend(as_dict(citation) for citation in started["citations"])
        block.fields = {key: value for key, value in started.items()
                        if key not in ("type", "name", "input", "signature", "citations", piece_field)}
        self.blocks.append(block)
        self.state = ReplyState.STREAMING

    def _delta(self, payload: dict[str, Any]) -> None:
        delta = payload.get("delta")
        block = self.block(payload.get("index"))
        if block is None or not isinstance(delta, dict):
            return
        kind = delta.get("type")
        if kind == "signature_delta":
            if isinstance(delta.get("signature"), str):
                block.signature += delta["signature"]
            return
        if kind == "citations_delta":
            if isinstance(delta.get("citation"), dict):
                block.citations.append(delta["citation"])
            return
        key = DELTA_FIELDS.get(kind) if isinstance(kind, str) else None
        if key is None:
            if len(block.other_deltas) < KEPT_DELTAS:
                block.other_deltas.append(delta)
            return
        if kind == "compaction_delta" and isinstance(delta.get("encrypted_content"), str):
            block.fields["encrypted_content"] = delta["encrypted_content"]
        piece = delta.get(key)
        if not isinstance(piece, str):
            return
        block.pieces.append(well_formed(piece))
        self.content_deltas += 1

    def finish(self, state: ReplyState | None = None, reason: str | None = None) -> None:
        """Settle the final state. Without `message_stop` a reply is never done."""
        if state is None:
            if self.error_type:
                state = ReplyState.FAILED
            elif self.saw_message_stop:
                state = ReplyState.DONE
            else:
                state = ReplyState.INCOMPLETE
                reason = reason or "the stream ended before message_stop"
        self.state = state
        if reason and not (state is ReplyState.FAILED and self.reason):
            self.reason = reason


def _text(value: Any) -> str:
    """A field that should be a string: itself, a number written out, or empty for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 10**40:
        return str(value)
    return ""
