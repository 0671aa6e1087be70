"""Today's Messages API as the demo backend acts it out: the keyword scripts for its newer blocks and stop
reasons (web search with citations, redacted and omitted thinking, compaction, refusals, paused turns and
their continuation), what a model's thinking and usage look like, a whole Message folded from a stream, and
the models as the model list describes them."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any, Protocol

KEYWORDS = ("search", "redacted", "omitted", "compact", "pause", "refuse", "window", "stop")
HIDDEN_REASONING = 48
"""Thinking tokens behind a block that shows none of them (omitted or redacted), and the fewest behind any."""
THOUGHT = "Reading the prompt to choose which of the demo's replies fits it, and how to put it briefly."
"""The summarised thinking of a reply to a request that asks for thinking."""
DEFAULT_STOP = "END"
EFFORTS_ALL = ("low", "medium", "high", "xhigh", "max")


class Writer(Protocol):
    """What a keyword script writes with (the demo's `ScriptWriter`)."""

    def block(self, content_block: dict[str, Any], pieces: list[tuple[str, str, Any]],
              reasoning: int = 0) -> None: ...

    def text(self, text: str, citations: Sequence[dict[str, Any]] = ()) -> None: ...

    def thinking(self, thinking: str, display: str = "summarized") -> None: ...


def opaque(seed: str, size: int = 48) -> str:
    """Stable base64 that stands for the API's encrypted fields (data, encrypted_content, encrypted_index)."""
    digest = b"".join(hashlib.sha256(f"{seed}/{n}".encode()).digest() for n in range(size // 32 + 1))
    return base64.b64encode(digest[:size]).decode("ascii")


def input_usage(input_tokens: int) -> dict[str, Any]:
    """A reply's input usage before the server says what its prompt cache read and wrote."""
    return {"input_tokens": input_tokens, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}}


def thinking_display(request: dict[str, Any]) -> str | None:
    """How the request asks to see thinking (`summarized` unless it says `omitted`); None when it asks none."""
    thinking = request.get("thinking")
    if not isinstance(thinking, dict) or thinking.get("type") not in ("enabled", "adaptive"):
        return None
    return "omitted" if thinking.get("display") == "omitted" else "summarized"


def continues(request: dict[str, Any]) -> bool:
    """Whether the request ends with the model's own message: a paused turn sent back to be carried on."""
    messages = request.get("messages")
    return bool(messages) and isinstance(messages, list) and isinstance(messages[-1], dict) \
        and messages[-1].get("role") == "assistant"


def carry_on(writer: Writer) -> dict[str, Any]:
    writer.text("And here the turn carries on from where it paused, then ends.")
    return {"stop_reason": "end_turn"}


SEARCH_RESULTS = (
    ("Streaming Messages - Claude Docs", "https://docs.claude.com/en/docs/build-with-claude/streaming",
     "2 weeks ago"),
    ("Using server-sent events - MDN",
     "https://developer.mozilla.org/en-US/docs/Web/API/Server-sent_events/Using_server-sent_events", "May 3, 2026"),
    ("Web search tool - Claude Docs", "https://docs.claude.com/en/docs/agents-and-tools/tool-use/web-search-tool",
     None),
)
CITED = (
    (0, "Each stream uses the following event flow: message_start, content blocks, message_delta, message_stop.",
     "a reply streams as named events: it opens with `message_start`, its blocks follow, and `message_delta` "
     "and `message_stop` close it"),
    (1, "Each event is a block of text terminated by a pair of newlines.",
     "each event is a few lines of text ended by a blank line"),
)


def write(name: str, writer: Writer, request: dict[str, Any], prompt: str) -> dict[str, Any]:
    """Write the reply to `prompt` for keyword `name`; return how it stops (the `finish` arguments)."""
    if name == "search":
        return _search(writer, prompt)
    if name == "redacted":
        writer.block({"type": "redacted_thinking", "data": opaque("redacted", 96)}, [], HIDDEN_REASONING)
        writer.text("Part of my reasoning was redacted: the block before this one carries it encrypted, and it "
                    "goes back to the model unchanged with the next prompt.")
    elif name == "omitted":
        writer.thinking("Reasoning the server keeps to itself.", "omitted")
        writer.text("My thinking was omitted: only its signature came back, so the next request can carry it.")
    elif name == "compact":
        summary = ("The conversation so far: the user is touring the demo backend and has seen its replies "
                   "stream block by block.")
        writer.block({"type": "compaction", "content": None}, [("compaction_delta", "content", summary)])
        writer.text("The earlier turns were compacted into the summary above; the conversation goes on from it.")
    elif name == "pause":
        writer.text("This is a long task, so the server paused the turn here and handed it back.\n\n")
        return {"stop_reason": "pause_turn"}
    elif name == "refuse":
        writer.text("I can start with an outline of the approach. First,")
        return {"stop_reason": "refusal", "stop_details": {
            "type": "refusal", "category": "cyber",
            "explanation": "The request could enable cyber harm, such as malware or exploit development."}}
    elif name == "window":
        writer.text("This reply runs until the model's context window is full, and stops right")
        return {"stop_reason": "model_context_window_exceeded"}
    elif name == "stop":
        sequences = request.get("stop_sequences")
        stop = sequences[0] if isinstance(sequences, list) and sequences else DEFAULT_STOP
        writer.text("Counting down: three, two, one,")
        return {"stop_reason": "stop_sequence", "stop_sequence": stop}
    return {"stop_reason": "end_turn"}


def _search(writer: Writer, prompt: str) -> dict[str, Any]:
    """One web search, its results, then an answer whose cited parts carry where they came from."""
    query = (prompt.strip().splitlines() or [""])[0][:80] or "Messages API streaming"
    tool_id = "srvtoolu_" + opaque(query, 18).replace("+", "x").replace("/", "y")[:24]
    encoded = json.dumps({"query": query})
    pieces = [("input_json_delta", "partial_json", encoded[start : start + 8]) for start in range(0, len(encoded), 8)]
    writer.block({"type": "server_tool_use", "id": tool_id, "name": "web_search", "input": {}}, pieces)
    results = [{"type": "web_search_result", "title": title, "url": url, "encrypted_content": opaque(url, 120),
                "page_age": age} for title, url, age in SEARCH_RESULTS]
    writer.block({"type": "web_search_tool_result", "tool_use_id": tool_id, "content": results}, [])
    writer.text("From what the search found, ")
    for number, (result, cited_text, said) in enumerate(CITED):
        title, url, _age = SEARCH_RESULTS[result]
        citation = {"type": "web_search_result_location", "cited_text": cited_text, "url": url, "title": title,
                    "encrypted_index": opaque(f"{url}#{number}", 36)}
        writer.text(said, [citation])
        writer.text(", and " if number == 0 else ".")
    return {"stop_reason": "end_turn"}


def fold_message(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """A stream's events as the one Message a request without `stream` gets, folded as the SDK folds them."""
    message: dict[str, Any] = {}
    blocks: dict[int, dict[str, Any]] = {}
    inputs: dict[int, str] = {}
    for event, payload in events:
        if event == "message_start":
            message = {**payload["message"], "content": []}
        elif event == "content_block_start":
            blocks[payload["index"]] = dict(payload["content_block"])
        elif event == "content_block_delta" and payload.get("index") in blocks:
            block, delta = blocks[payload["index"]], payload["delta"]
            kind = delta.get("type")
            if kind == "text_delta":
                block["text"] = block.get("text", "") + delta["text"]
            elif kind == "thinking_delta":
                block["thinking"] = block.get("thinking", "") + delta["thinking"]
            elif kind == "signature_delta":
                block["signature"] = delta["signature"]
            elif kind == "citations_delta":
                block["citations"] = [*(block.get("citations") or []), delta["citation"]]
            elif kind == "compaction_delta":
                block["content"] = delta.get("content")
            elif kind == "input_json_delta":
                inputs[payload["index"]] = inputs.get(payload["index"], "") + delta["partial_json"]
        elif event == "message_delta":
            message.update(payload["delta"])
            message["usage"] = {**message.get("usage", {}), **payload["usage"]}
    for index, partial in inputs.items():
        blocks[index]["input"] = json.loads(partial)
    message["content"] = [blocks[index] for index in sorted(blocks)]
    return message


MODELS: dict[str, dict[str, Any]] = {
    "claude-sonnet-5": {"display_name": "Claude Sonnet 5", "created_at": "2026-09-23T00:00:00Z", "line": "sonnet",
                        "max_input_tokens": 1_000_000, "max_tokens": 128_000,
                        "thinking": ("adaptive", "enabled", "between_tools"), "effort": EFFORTS_ALL},
    "claude-opus-5": {"display_name": "Claude Opus 5", "created_at": "2026-08-12T00:00:00Z", "line": "opus",
                      "max_input_tokens": 1_000_000, "max_tokens": 128_000,
                      "thinking": ("adaptive", "between_tools"), "effort": EFFORTS_ALL},
    "claude-opus-4-8": {"display_name": "Claude Opus 4.8", "created_at": "2026-05-28T00:00:00Z", "line": "opus",
                        "max_input_tokens": 1_000_000, "max_tokens": 128_000,
                        "thinking": ("adaptive", "enabled"), "effort": EFFORTS_ALL},
    "claude-sonnet-4-6": {"display_name": "Claude Sonnet 4.6", "created_at": "2026-02-17T00:00:00Z",
                          "line": "sonnet", "max_input_tokens": 1_000_000, "max_tokens": 64_000,
                          "thinking": ("adaptive", "enabled"), "effort": ("low", "medium", "high", "max")},
    "claude-haiku-4-5": {"display_name": "Claude Haiku 4.5", "created_at": "2025-10-15T00:00:00Z", "line": "haiku",
                         "max_input_tokens": 200_000, "max_tokens": 64_000,
                         "thinking": ("enabled",), "effort": ("low", "medium", "high")},
}
"""The demo's models as `GET /v1/models` describes them: each its own context window, longest reply, thinking
types (besides `disabled`, which all take) and effort levels."""


def model_info(model: object) -> dict[str, Any]:
    """One entry of the model list (a ModelInfo); an id the demo does not know gets only the bare fields."""
    known = MODELS.get(model) if isinstance(model, str) else None
    if known is None:
        return {"type": "model", "id": model, "display_name": str(model).replace("-", " ").title(),
                "created_at": "2026-10-01T00:00:00Z"}

    def said(value: bool) -> dict[str, bool]:
        return {"supported": value}

    thinking = {kind: said(kind in known["thinking"] or kind == "disabled")
                for kind in ("adaptive", "between_tools", "disabled", "enabled")}
    effort = {level: said(level in known["effort"]) for level in EFFORTS_ALL}
    capabilities = {
        "batch": said(True), "citations": said(True), "code_execution": said(True),
        "context_management": {"supported": True, "clear_thinking_20251015": said(True),
                               "clear_tool_uses_20250919": said(True), "compact_20260112": said(True)},
        "effort": {"supported": bool(known["effort"]), **effort},
        "image_input": said(True), "pdf_input": said(True),
        "server_tools": {"supported": True, "code_execution": said(True), "web_search": said(True)},
        "structured_outputs": said(True),
        "thinking": {"supported": True, "types": thinking},
    }
    return {"type": "model", "id": model, "display_name": known["display_name"], "created_at": known["created_at"],
            "lifecycle": "active", "deprecated_at": None, "retires_at": None, "line": known["line"],
            "max_input_tokens": known["max_input_tokens"], "max_tokens": known["max_tokens"],
            "capabilities": capabilities}
