"""Which server replies come from, and the SDK client that talks to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui_app.stream.redaction import REDACTED, shown_url

__all__ = ["PLACEHOLDER_KEY", "REDACTED", "Backend", "make_client", "shown_url"]

if TYPE_CHECKING:
    import anthropic

PLACEHOLDER_KEY = "no-key"
"""Sent to servers that need no key (the demo backend, a local model server): the SDK insists on one."""

@dataclass(frozen=True, slots=True)
class Backend:
    """A Messages API endpoint. The key is never part of its text form, nor are credentials in the URL."""

    base_url: str
    is_demo: bool = False
    api_key: str | None = field(default=None, repr=False)
    connect_timeout: float = 10.0
    idle_timeout: float = 60.0
    """Seconds without a single byte (pings count) before a stream is given up as stalled."""
    max_retries: int = 2

    @property
    def shown_url(self) -> str:
        """`base_url` as messages show it, credentials redacted."""
        return shown_url(self.base_url)

    @property
    def label(self) -> str:
        """What the status bar shows: `demo`, or the server's host (and port)."""
        if self.is_demo:
            return "demo"
        try:
            host = urlsplit(self.base_url).netloc.rpartition("@")[2]
        except ValueError:
            host = ""
        return host or self.shown_url

    def __repr__(self) -> str:
        return f"Backend({self.shown_url!r}, is_demo={self.is_demo})"


def make_client(backend: Backend) -> anthropic.AsyncAnthropic:
    """Build the SDK client. Imports the SDK here, not at start-up: it is slow to import."""
    import anthropic
    import httpx2

    from tui_app.stream.attempts import observe_response, send_watched

    class WatchedHttpClient(anthropic.DefaultAsyncHttpxClient):
        """The SDK's own HTTP client, telling the request's watcher of each attempt that got no response."""

        async def send(self, request: httpx2.Request, **options: Any) -> httpx2.Response:
            return await send_watched(lambda request: super(WatchedHttpClient, self).send(request, **options),
                                      request)

    return anthropic.AsyncAnthropic(
        api_key=backend.api_key or PLACEHOLDER_KEY,
        base_url=backend.base_url,
        timeout=httpx2.Timeout(backend.idle_timeout, connect=backend.connect_timeout),
        max_retries=backend.max_retries,
        # Every response passes this hook and every attempt `send`, so the SDK's silent retries can be shown.
        http_client=WatchedHttpClient(event_hooks={"response": [observe_response]}),
    )
