"""The app's side of the inspecting proxy: exchanges handed over from the proxy's thread without ever making it
wait, what each request asked for in a few lines, and each answer as a stream source the core reads like a
live one, with the arrival times the proxy saw."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from tui_app.proxy.exchange import Exchange
from tui_app.stream.failures import AnsweredWithStatus, StreamCut
from tui_app.stream.source import SSE, Body

SYSTEM_SHOWN = 300
LAST_MESSAGE_SHOWN = 2000
UNNAMED_MODEL = "unnamed model"


@dataclass(eq=False)
class WatchedExchange:
    """One exchange as the app sees it: its answer's pieces queue up until the screen reads them."""

    exchange: Exchange
    pieces: asyncio.Queue[tuple[float, bytes] | None] = field(default_factory=asyncio.Queue)
    """Body pieces with their arrival times; None once the exchange has ended."""
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    size: int = 0
    """Body bytes seen so far (after any content encoding is undone)."""

    @property
    def asked(self) -> Asked:
        return Asked.of(self.exchange)


class ExchangeFeed:
    """The proxy's tap: every call is handed to the app's event loop at once (`call_soon_threadsafe`), so the
    proxy never waits for the screen; calls made before the app's loop is attached wait in a list. `arrived`
    gives each exchange as its request comes in."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._early: list[tuple[Callable[..., None], tuple[object, ...]]] = []
        self._lock = threading.Lock()
        self.arrived: asyncio.Queue[WatchedExchange] = asyncio.Queue()
        self._watched: dict[int, WatchedExchange] = {}

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hand every call, from now on and those made already, to `loop`."""
        with self._lock:
            self._loop, early, self._early = loop, self._early, []
        for call, arguments in early:
            loop.call_soon_threadsafe(call, *arguments)

    def _hand_over(self, call: Callable[..., None], *arguments: object) -> None:
        loop = self._loop
        if loop is None:
            with self._lock:
                if self._loop is None:
                    self._early.append((call, arguments))
                    return
                loop = self._loop
        try:
            loop.call_soon_threadsafe(call, *arguments)
        except RuntimeError:
            pass  # the app has closed its loop: it is quitting, and the proxy with it

    # Called on the proxy's thread.
    def request(self, exchange: Exchange) -> None:
        self._hand_over(self._opened, exchange)

    def response(self, exchange: Exchange) -> None:
        self._hand_over(self._answered, exchange.number)

    def chunk(self, exchange: Exchange, at: float, data: bytes) -> None:
        if data:
            self._hand_over(self._piece, exchange.number, at, data)

    def ended(self, exchange: Exchange) -> None:
        self._hand_over(self._ended, exchange.number)

    # On the app's loop.
    def _opened(self, exchange: Exchange) -> None:
        watched = self._watched[exchange.number] = WatchedExchange(exchange)
        self.arrived.put_nowait(watched)

    def _answered(self, number: int) -> None:
        if (watched := self._watched.get(number)) is not None:
            watched.answered.set()

    def _piece(self, number: int, at: float, data: bytes) -> None:
        if (watched := self._watched.get(number)) is not None:
            watched.size += len(data)
            watched.pieces.put_nowait((at, data))

    def _ended(self, number: int) -> None:
        watched = self._watched.pop(number, None)
        if watched is not None:
            watched.answered.set()
            watched.pieces.put_nowait(None)
            watched.ended.set()


@dataclass(frozen=True, slots=True)
class Asked:
    """What a request asked for, in the words the screen shows."""

    model: str
    is_reply: bool
    """A Messages request whose answer is a reply (not a token count, a model list or anything else)."""
    streamed: bool
    summary: str
    """One line: method, path, model, how many messages and tools, the parameters."""
    system: str | None
    last_message: str | None
    max_tokens: int | None = None

    @classmethod
    def of(cls, exchange: Exchange) -> Asked:
        path = exchange.path.split("?", 1)[0].rstrip("/")
        request = _json_object(exchange.request_body)
        model = request.get("model") if isinstance(request.get("model"), str) else None
        is_reply = exchange.method == "POST" and path.endswith("/messages") and "messages" in request
        streamed = request.get("stream") is True
        parts = [f"{exchange.method} {exchange.path}"]
        if model:
            parts.append(model)
        if is_reply:
            parts.append("streamed" if streamed else "not streamed")
            messages = request.get("messages")
            if isinstance(messages, list):
                parts.append(_count(len(messages), "message"))
            tools = request.get("tools")
            if isinstance(tools, list) and tools:
                parts.append(_count(len(tools), "tool"))
            parts.extend(_parameters(request))
        max_tokens = request.get("max_tokens")
        return cls(model or UNNAMED_MODEL, is_reply, streamed, " · ".join(parts),
                   _cut(_system_text(request.get("system")), SYSTEM_SHOWN),
                   _cut(_last_user_text(request.get("messages")), LAST_MESSAGE_SHOWN),
                   max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) else None)

    def describe(self) -> str:
        """The user turn that stands for the request in the transcript."""
        lines = [self.summary]
        if self.system:
            lines.append(f"System: {self.system}")
        if self.last_message:
            lines.append(f"Last user message: {self.last_message}")
        return "\n".join(lines)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number:,} {word}s"


def _parameters(request: dict[str, Any]) -> list[str]:
    shown = []
    for name in ("max_tokens", "temperature", "top_p", "top_k"):
        if isinstance(request.get(name), (int, float)) and not isinstance(request.get(name), bool):
            shown.append(f"{name} {request[name]}")
    thinking = request.get("thinking")
    if isinstance(thinking, dict) and isinstance(thinking.get("type"), str):
        budget = thinking.get("budget_tokens")
        shown.append(f"thinking {thinking['type']}" + (f" {budget}" if isinstance(budget, int) else ""))
    effort = (request.get("output_config") or {}).get("effort") if isinstance(request.get("output_config"), dict) \
        else None
    if isinstance(effort, str):
        shown.append(f"effort {effort}")
    if isinstance(request.get("cache_control"), dict):
        shown.append("prompt caching")
    return shown


def _system_text(system: Any) -> str | None:
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        texts = [block.get("text") for block in system if isinstance(block, dict)]
        return "\n".join(text for text in texts if isinstance(text, str)) or None
    return None


def _last_user_text(messages: Any) -> str | None:
    if not isinstance(messages, list):
        return None
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return _content_text(message.get("content"))
    return None


def _content_text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return None
    parts = []
    for block in content:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text" and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif isinstance(kind, str):
            parts.append(f"[{kind.replace('_', ' ')}]")
    return "\n".join(parts) or None


def _cut(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


class TapClock:
    """Seconds since the proxy got the request, as the screen reads the answer: the arrival time of the last
    piece read while pieces wait to be read, the real time once the screen has caught up."""

    def __init__(self, watched: WatchedExchange) -> None:
        self._watched = watched
        self._position: float | None = None

    def __call__(self) -> float:
        if self._position is None:
            return 0.0  # the session starts its count here: times are the proxy's, not the screen's
        if self._watched.pieces.empty() and not self._watched.ended.is_set():
            return max(self._position, time.perf_counter() - self._watched.exchange.started)
        return self._position

    def reached(self, at: float) -> None:
        self._position = max(self._position or 0.0, at)


@dataclass(slots=True)
class TapSource:
    """An exchange's answer as a stream source: the core reads what the proxy passed on, as it was passed."""

    watched: WatchedExchange
    clock: TapClock
    attempts: int = 1
    read_timeout: float | None = None

    @classmethod
    def of(cls, watched: WatchedExchange) -> TapSource:
        return cls(watched, TapClock(watched))

    @property
    def model(self) -> str:
        return self.watched.asked.model

    @asynccontextmanager
    async def open(self) -> AsyncIterator[Body]:
        watched = self.watched
        await watched.answered.wait()
        self.clock.reached(0.0)
        exchange = watched.exchange
        if exchange.status is None:
            raise StreamCut(exchange.failure or "no answer came")
        if exchange.status >= 400:
            body = b"".join([data async for data in self._pieces()])
            raise AnsweredWithStatus(exchange.status, self.redact(body.decode("utf-8", errors="replace")))
        yield Body(exchange.content_type, self._pieces(cut_short=True), exchange.content_type.startswith(SSE))

    async def _pieces(self, *, cut_short: bool = False) -> AsyncIterator[bytes]:
        while (piece := await self.watched.pieces.get()) is not None:
            at, data = piece
            self.clock.reached(at)
            yield data
        exchange = self.watched.exchange
        if exchange.finished is not None:
            self.clock.reached(exchange.finished - exchange.started)
        if cut_short and exchange.failure:
            raise StreamCut(exchange.failure)

    def redact(self, text: str) -> str:
        return self.watched.exchange.redact(text)
