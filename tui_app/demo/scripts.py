"""The demo backend's scripted replies, chosen by a keyword in the prompt.

Each script is a list of steps (send an event, wait, drop the connection, go silent) built from the
same pacing a real model has: a delay before the first token, a steady rate after it, and pings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tui_app.demo import api_scripts
from tui_app.demo.pacing import DemoPacing

DEMO_MODELS = tuple(api_scripts.MODELS)
DELTA_CHARS = 4
"""Characters per text delta: about one token each, as a real model streams."""
SIGNATURE = "EqQBCkgIBhABGAIqQDemoSignatureOverTheThinkingAboveSentBackUnchangedInTheNextRequest=="
TOKEN_DELTAS = ("text_delta", "thinking_delta", "input_json_delta", "compaction_delta")
"""Deltas that carry tokens; a signature or a citation does not."""


@dataclass(frozen=True, slots=True)
class Send:
    event: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Wait:
    seconds: float


@dataclass(frozen=True, slots=True)
class Drop:
    """Close the connection abruptly, mid-stream."""


@dataclass(frozen=True, slots=True)
class Hold:
    """Go silent, like a stalled model, until the client gives up."""


@dataclass(frozen=True, slots=True)
class Raw:
    """Bytes sent exactly as given: frames no well-behaved server would send."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Answer:
    """A whole HTTP answer instead of a stream, as the first and only step: any status, headers and body."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Silence:
    """Take the request and never answer it, not even with headers, as the first and only step."""


Step = Send | Wait | Drop | Hold | Raw | Answer | Silence


@dataclass(slots=True)
class Script:
    """A reply to send, and what a client should make of it."""

    name: str
    steps: list[Step] = field(default_factory=list)
    text: str = ""
    """The Markdown text the reply's text blocks add up to."""
    thinking: str = ""
    tool_input: Any = None
    input_tokens: int = 0
    output_tokens: int = 0
    stop_reason: str | None = None
    stop_sequence: str | None = None
    stop_details: dict[str, Any] | None = None
    complete: bool = True
    """False when the script ends without `message_stop`."""
    error: dict[str, str] | None = None
    start_step: int | None = None
    delta_step: int | None = None
    """Where `message_start` and `message_delta` are among the steps, for the server to add what only it knows
    (the reply's id, what its prompt cache did)."""


class ScriptWriter:
    """Builds a Messages stream step by step, counting tokens and placing pings as it goes."""

    def __init__(self, name: str, model: str, input_tokens: int, pacing: DemoPacing) -> None:
        self.script = Script(name=name, input_tokens=input_tokens)
        self.pacing = pacing
        self._model = model
        self._index = -1
        self._tokens = 0
        """Output tokens other than thinking."""
        self._thinking_tokens = 0
        self._paced = 0
        self._server_tools: dict[str, int] = {}
        self._first = True

    def send(self, event: str, payload: dict[str, Any]) -> None:
        self.script.steps.append(Send(event, {"type": event, **payload}))

    def start(self) -> None:
        message = {
            "id": f"msg_demo_{self.script.name}",
            "type": "message",
            "role": "assistant",
            "model": self._model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "stop_details": None,
            "usage": {**api_scripts.input_usage(self.script.input_tokens), "output_tokens": 1,
                      "service_tier": "standard"},
        }
        self.script.start_step = len(self.script.steps)
        self.send("message_start", {"message": message})
        self.send("ping", {})

    def block(self, content_block: dict[str, Any], pieces: list[tuple[str, str, Any]], reasoning: int = 0) -> None:
        """One content block: start, the deltas `(delta type, field, value)`, stop. `reasoning` is the
        thinking tokens behind it, more than any summary it shows."""
        self._index += 1
        if not pieces:
            self._pace()  # a block given whole in its start still comes when the model has made it
        self.send("content_block_start", {"index": self._index, "content_block": content_block})
        for delta_type, key, value in pieces:
            self._pace()
            self.send("content_block_delta", {"index": self._index, "delta": {"type": delta_type, key: value}})
            if delta_type not in TOKEN_DELTAS:
                continue
            if delta_type != "thinking_delta":
                self._tokens += 1
            self._paced += 1
            if self.pacing.ping_every and self._paced % self.pacing.ping_every == 0:
                self.send("ping", {})
        self.send("content_block_stop", {"index": self._index})
        self._thinking_tokens += reasoning
        if content_block.get("type") == "server_tool_use":
            name = str(content_block.get("name"))
            self._server_tools[name] = self._server_tools.get(name, 0) + 1

    def text(self, text: str, citations: Sequence[dict[str, Any]] = ()) -> None:
        """A text block; with `citations`, each arrives as a `citations_delta` before the text it backs."""
        self.script.text += text
        start: dict[str, Any] = {"type": "text", "text": ""}
        if citations:
            start["citations"] = []
        pieces: list[tuple[str, str, Any]] = [("citations_delta", "citation", cited) for cited in citations]
        self.block(start, pieces + [("text_delta", "text", piece) for piece in chunks(text)])

    def thinking(self, thinking: str, display: str = "summarized") -> None:
        """A thinking block: its text summarised, or with display `omitted` only its signature."""
        shown = thinking if display == "summarized" else ""
        self.script.thinking += shown
        pieces: list[tuple[str, str, Any]] = [("thinking_delta", "thinking", piece) for piece in chunks(shown)]
        pieces.append(("signature_delta", "signature", SIGNATURE))
        reasoning = max(api_scripts.HIDDEN_REASONING, 2 * len(chunks(thinking)))
        self.block({"type": "thinking", "thinking": "", "signature": ""}, pieces, reasoning)

    def tool_use(self, name: str, tool_input: dict[str, Any]) -> None:
        self.script.tool_input = tool_input
        encoded = json.dumps(tool_input)
        pieces: list[tuple[str, str, Any]] = [("input_json_delta", "partial_json", piece)
                                              for piece in chunks(encoded, 6)]
        self.block({"type": "tool_use", "id": "toolu_demo", "name": name, "input": {}}, pieces)

    def finish(self, stop_reason: str = "end_turn", stop_sequence: str | None = None,
               stop_details: dict[str, Any] | None = None) -> Script:
        """`message_delta` with the stop and the usage in full (cumulative, as the API sends it), then the stop."""
        script = self.script
        script.output_tokens = self._tokens + self._thinking_tokens
        script.stop_reason, script.stop_sequence, script.stop_details = stop_reason, stop_sequence, stop_details
        usage: dict[str, Any] = {**api_scripts.input_usage(script.input_tokens), "output_tokens": script.output_tokens}
        if self._thinking_tokens:
            usage["output_tokens_details"] = {"thinking_tokens": self._thinking_tokens}
        if self._server_tools:
            usage["server_tool_use"] = {"web_search_requests": self._server_tools.get("web_search", 0),
                                        "web_fetch_requests": self._server_tools.get("web_fetch", 0)}
        script.delta_step = len(script.steps)
        self.send("message_delta", {"delta": {"stop_reason": stop_reason, "stop_sequence": stop_sequence,
                                              "stop_details": stop_details}, "usage": usage})
        self.send("message_stop", {})
        return script

    def fail(self, error_type: str, message: str) -> Script:
        self.script.complete = False
        self.script.error = {"type": error_type, "message": message}
        self.send("error", {"error": {"type": error_type, "message": message}})
        return self.script

    def cut(self, step: Drop | Hold) -> Script:
        self.script.complete = False
        self.script.steps.append(step)
        return self.script

    def _pace(self) -> None:
        if self._first:
            self._first = False
            if self.pacing.first_token_delay:
                self.script.steps.append(Wait(self.pacing.first_token_delay))
        elif self.pacing.delta_interval:
            self.script.steps.append(Wait(self.pacing.delta_interval))


def chunks(text: str, size: int = DELTA_CHARS) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def estimate_tokens(request: dict[str, Any]) -> int:
    """A stable stand-in for a tokenizer: about four characters a token."""
    return max(1, len(json.dumps(request.get("messages", []))) // 4 + len(str(request.get("system") or "")) // 4)


SHOWCASE = """# A tour of the stream

Every character you see arrived as a `content_block_delta` — watch the **event log** on the right.

## Lists
- Streaming *Markdown*, rendered as it arrives
- Unicode survives any split: café, naïve, 日本語, 🚀
  - nested items work too
1. Enter sends
2. Alt+Enter or Ctrl+J add a newline

## A table

| event | what it carries |
|-------|-----------------|
| `message_start` | the model and input tokens |
| `content_block_delta` | a piece of text |
| `message_delta` | the stop reason and output tokens |

## Some code

```python
async def stream(session):
    async for event in session.stream():
        print(event.name, event.arrived)
```

> Press **Ctrl+R** to see the raw payloads, **Escape** twice to cancel a reply.

Try a prompt with *essay*, *think*, *tool*, *search*, *redacted*, *omitted*, *compact*, *pause*, *refuse*,
*window*, *stop*, *overload*, *drop*, *stall*, *malformed* or *echo* in it.
"""

_ESSAY_TOPICS = (
    ("Why streams", "A reply that arrives all at once hides how it was made. Streaming shows the model's pace, "
     "its pauses, and the moment it decides to stop."),
    ("Events", "Each server-sent event has a name and a JSON payload. The `message_start` event opens the reply, "
     "deltas carry it piece by piece, and `message_stop` closes it."),
    ("Pings", "Between deltas the server may send `ping` events. They carry nothing, but they prove the "
     "connection is alive while the model thinks."),
    ("Failures", "A stream can end badly: an `error` event, or a connection that simply drops. A reply without "
     "`message_stop` is incomplete, whatever it looks like."),
    ("Timing", "Time to first token measures the wait; tokens per second measure the flow. Both depend on the "
     "model, the prompt and the load on the server."),
)


def essay_text(paragraphs: int = 24) -> str:
    parts = ["# An essay on streaming\n"]
    for number in range(paragraphs):
        title, body = _ESSAY_TOPICS[number % len(_ESSAY_TOPICS)]
        parts.append(f"\n## {number + 1}. {title}\n\n{body} (Section {number + 1} of {paragraphs}.)\n")
    return "".join(parts)


_KEYWORDS = ("essay", "think", "tool", "overload", "drop", "stall", "malformed", "echo", *api_scripts.KEYWORDS)


def choose_script(request: dict[str, Any], pacing: DemoPacing) -> Script:
    """The script a prompt asks for: the first keyword in the last user message, else the showcase. A request
    that ends with the model's own message (a paused turn sent back) is carried on instead. A request asking
    for thinking gets a thinking block first, shown as it asks."""
    prompt = _last_user_text(request)
    match = re.search(r"\b(" + "|".join(_KEYWORDS) + r")", prompt.lower())
    name = match.group(1) if match else "showcase"
    model = str(request.get("model") or DEMO_MODELS[0])
    writer = ScriptWriter(name, model, estimate_tokens(request), pacing)
    writer.start()
    if api_scripts.continues(request):
        return writer.finish(**api_scripts.carry_on(writer))
    display = api_scripts.thinking_display(request)
    if display is not None and name not in ("think", "omitted"):
        writer.thinking(api_scripts.THOUGHT, display)
    if name in api_scripts.KEYWORDS:
        return writer.finish(**api_scripts.write(name, writer, request, prompt))
    if name == "essay":
        writer.text(essay_text())
    elif name == "think":
        writer.thinking("The user wants to see thinking. I will reason briefly, then answer in one line.",
                        display or "summarized")
        writer.text("Thinking arrives first, in its own block; this answer came after it.")
    elif name == "tool":
        writer.text("Let me look that up.")
        writer.tool_use("get_weather", {"location": "Paris, France", "unit": "celsius", "days": [1, 2, 3]})
        return writer.finish("tool_use")
    elif name == "overload":
        writer.text("This reply starts normally, and then the server runs out of capacity")
        return writer.fail("overloaded_error", "Overloaded")
    elif name == "drop":
        writer.text("This reply starts normally, and then the connection drops without warn")
        return writer.cut(Drop())
    elif name == "stall":
        writer.text("This reply starts, and then the model goes quiet")
        return writer.cut(Hold())
    elif name == "malformed":
        return malformed(writer)
    elif name == "echo":
        turns = len(request.get("messages", []))
        writer.text(f"You said: {prompt}\n\n(This request carried {turns} message{'s' * (turns != 1)}.)")
    else:
        writer.text(SHOWCASE)
    return writer.finish()


def malformed(writer: ScriptWriter) -> Script:
    """A stream with every oddity a client must survive, around a reply that still makes sense."""

    def text_delta(text: bytes) -> bytes:
        return b'{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "' + text

    steps = writer.script.steps
    # Before message_start (which the writer has already placed).
    steps.insert(0, Raw(b"event: content_block_delta\ndata: " + text_delta(b'too early"}}') + b"\n\n"))
    writer.script.start_step = 1
    writer.send("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
    writer.send("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "Odd frames follow; "}})
    # Not JSON, and carrying a control sequence and markup: shown neutralised and literal in the log.
    steps.append(Raw(b"event: content_block_delta\ndata: " + text_delta(b"\x1b[2J[bold]lost") + b"\n\n"))
    steps.append(Raw(b"data: " + text_delta(b'this came without an event field. "}}') + b"\n\n"))
    writer.send("future_event", {"detail": "[link=https://example.com]a type from the future[/link]"})
    writer.send("content_block_delta", {"index": 0, "delta": {"type": "future_delta", "future": "ignored"}})
    writer.send("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "The reply still ends."}})
    writer.send("content_block_stop", {"index": 0})
    script = writer.finish()
    script.text = "Odd frames follow; this came without an event field. The reply still ends."
    # The body ends inside a frame, inside a UTF-8 sequence ("é" is C3 A9).
    steps.append(Raw(b'event: ping\ndata: {"type": "ping", "note": "caf\xc3'))
    return script


HTTP_FAULTS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "messages: the request is malformed"),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "model: the model was not found"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "This request would exceed your rate limit. Please try again later."),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}
"""HTTP errors the demo backend answers with on request, with the API's own error types."""


@dataclass(frozen=True, slots=True)
class HttpFault:
    """Answer with this status instead of a reply: always, or only the first `times` attempts."""

    status: int
    times: int | None = None

    def body(self) -> dict[str, Any]:
        kind, message = HTTP_FAULTS[self.status]
        return {"type": "error", "error": {"type": kind, "message": message}}


def choose_http_fault(request: dict[str, Any]) -> HttpFault | None:
    """`status 429` in the last prompt fails every attempt; `flaky 529` fails the first two (so the SDK's
    retries succeed on the third)."""
    # The last one counts: a refused prompt is joined to the next, which may ask for something else.
    found = re.findall(r"\b(status|flaky) (\d{3})\b", _last_user_text(request).lower())
    if not found or int(found[-1][1]) not in HTTP_FAULTS:
        return None
    mode, status = found[-1]
    return HttpFault(int(status), 2 if mode == "flaky" else None)


def _last_user_text(request: dict[str, Any]) -> str:
    for message in reversed(request.get("messages", [])):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def message_json(script: Script) -> dict[str, Any]:
    """The non-streaming answer: the same reply as one Message object, folded from its events."""
    return api_scripts.fold_message([(step.event, step.payload) for step in script.steps if isinstance(step, Send)])
