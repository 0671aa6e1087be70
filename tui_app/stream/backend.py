"""Which server replies come from, and the SDK client that talks to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import anthropic

PLACEHOLDER_KEY = "no-key"
"""Sent to servers that need no key (the demo backend, a local model server): the SDK insists on one."""


@dataclass(frozen=True, slots=True)
class Backend:
    """A Messages API endpoint. The key is never part of its text form."""

    base_url: str
    is_demo: bool = False
    api_key: str | None = field(default=None, repr=False)
    connect_timeout: float = 10.0
    idle_timeout: float = 60.0
    """Seconds without a single byte (pings count) before a stream is given up as stalled."""
    max_retries: int = 2

    @property
    def label(self) -> str:
        """What the status bar shows: `demo`, or the server's host."""
        if self.is_demo:
            return "demo"
        return urlsplit(self.base_url).netloc or self.base_url


def make_client(backend: Backend) -> anthropic.AsyncAnthropic:
    """Build the SDK client. Imports the SDK here, not at start-up: it takes most of a second."""
    import anthropic
    import httpx2

    from tui_app.stream.attempts import observe_response

    return anthropic.AsyncAnthropic(
        api_key=backend.api_key or PLACEHOLDER_KEY,
        base_url=backend.base_url,
        timeout=httpx2.Timeout(backend.idle_timeout, connect=backend.connect_timeout),
        max_retries=backend.max_retries,
        # Every response passes this hook, so the SDK's silent retries can be shown.
        http_client=anthropic.DefaultAsyncHttpxClient(event_hooks={"response": [observe_response]}),
    )
