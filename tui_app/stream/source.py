"""Where a reply's bytes come from. The core reads a body (its content type and its chunks, as they arrive)
from a source and makes the reply of it; the SDK over HTTP is one source, bytes already at hand another."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tui_app.stream.backend import PLACEHOLDER_KEY, REDACTED

if TYPE_CHECKING:
    import anthropic

SSE = "text/event-stream"
SHORTEST_KEY_REDACTED = 8
"""A key shorter than this (a local server's `x`, say) is not looked for: it would match ordinary text."""


@dataclass(frozen=True, slots=True)
class ReplyRequest:
    """What is sent: the model, its settings, and the whole conversation so far."""

    model: str
    max_tokens: int
    messages: list[dict[str, Any]]
    system: str | None = None
    temperature: float | None = None
    thinking: dict[str, Any] | None = None
    effort: str | None = None
    cache_control: dict[str, Any] | None = None
    """Automatic prompt caching: the top-level marker the API places on the last cacheable block."""
    diagnostics: dict[str, Any] | None = None

    def params(self) -> dict[str, Any]:
        """The request body's fields (without `stream`)."""
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": self.messages,
        }
        if self.system:
            params["system"] = self.system
        if self.temperature is not None:
            params["temperature"] = self.temperature
        if self.thinking is not None:
            params["thinking"] = self.thinking
        if self.effort is not None:
            params["output_config"] = {"effort": self.effort}
        if self.cache_control is not None:
            params["cache_control"] = self.cache_control
        if self.diagnostics is not None:
            params["diagnostics"] = self.diagnostics
        return params


@dataclass(frozen=True, slots=True)
class Body:
    """An answer's body as it arrives."""

    content_type: str
    chunks: AsyncIterator[bytes]
    streamed: bool = True
    """Whether an event stream was asked for (a whole Message otherwise)."""

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.chunks])


class StreamSource(Protocol):
    """Opens one answer. Failures to open raise; a body may end early (the reply is then incomplete)."""

    model: str
    """The model asked for: the reply's until the stream names its own."""
    attempts: int
    """How many times the source tries before it gives up (the SDK's retries included)."""
    read_timeout: float | None

    def open(self) -> AbstractAsyncContextManager[Body]: ...

    def redact(self, text: str) -> str:
        """`text` with the source's credentials taken out (some servers echo them in their errors)."""
        ...


@dataclass(slots=True)
class SDKSource:
    """The real SDK over HTTP: auth, retries and headers are its own; the body is read here, raw."""

    client: anthropic.AsyncAnthropic
    request: ReplyRequest
    streamed: bool = True
    """False asks for the whole Message at once (`stream: false`)."""

    @property
    def model(self) -> str:
        return self.request.model

    @property
    def attempts(self) -> int:
        return self.client.max_retries + 1

    @property
    def read_timeout(self) -> float | None:
        return getattr(self.client.timeout, "read", None)

    @asynccontextmanager
    async def open(self) -> AsyncIterator[Body]:
        params = self.request.params()
        # This SDK no longer types sampling parameters (current Claude models reject them), but older
        # models and other Messages API servers take them: sent as given, in the body.
        sampling = {name: params.pop(name) for name in ("temperature",) if name in params}
        async with self.client.messages.with_streaming_response.create(
            **params, stream=self.streamed, extra_body=sampling or None
        ) as response:
            http = response.http_response
            yield Body(http.headers.get("content-type", ""), http.aiter_bytes(), self.streamed)

    def redact(self, text: str) -> str:
        key = self.client.api_key
        if key and len(key) >= SHORTEST_KEY_REDACTED and key != PLACEHOLDER_KEY and key in text:
            return text.replace(key, REDACTED)
        return text


@dataclass(slots=True)
class RecordedSource:
    """Bytes already at hand (a recording, a file), played in the pieces given, with nothing to redact."""

    model: str
    chunks: Sequence[bytes]
    content_type: str = SSE
    attempts: int = 1
    read_timeout: float | None = None

    @asynccontextmanager
    async def open(self) -> AsyncIterator[Body]:
        yield Body(self.content_type, self._play())

    async def _play(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk

    def redact(self, text: str) -> str:
        return text
