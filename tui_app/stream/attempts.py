"""The SDK's retries, made visible: each failed HTTP attempt of a request, seen as its response arrives.

The SDK retries 408, 409, 429 and 5xx answers by itself (twice by default), waiting as `retry-after`
says or backing off. It reports none of that, so the client built in `backend.make_client` hooks every
response, and the session whose request it is records the failures here.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui_app.debug_log import log_exchange

if TYPE_CHECKING:
    import httpx2

ResponseWatcher = Callable[["httpx2.Response"], Awaitable[None]]

watching: ContextVar[ResponseWatcher | None] = ContextVar("watching", default=None)
"""The watcher of the request running in this task, if any."""


async def observe_response(response: httpx2.Response) -> None:
    """The HTTP client's response hook: log the exchange, and hand the response to whoever is watching
    this request."""
    log_exchange(response)
    watcher = watching.get()
    if watcher is not None:
        await watcher(response)


@dataclass(frozen=True, slots=True)
class FailedAttempt:
    """One HTTP attempt that did not get a reply."""

    number: int
    """1 for the first attempt."""
    attempts: int
    """How many attempts the SDK makes at most."""
    status: int
    error: str
    """The API's error type and message, or the HTTP reason."""
    will_retry: bool
    retry_after: float | None
    """The wait the server asked for, in seconds, when it asked; otherwise the SDK backs off (0.5 s, 1 s …)."""
    arrived: float
    """Seconds since the request was first sent."""

    def describe(self) -> str:
        where = f"attempt {self.number} of {self.attempts}"
        if not self.will_retry:
            then = "no retries left" if self.number >= self.attempts else "not retried"
        elif self.retry_after is not None:
            then = f"retrying in {self.retry_after:g} s, as the server asked"
        else:
            then = "retrying after a short back-off"
        return f"HTTP {self.status} {self.error} · {where} failed · {then}"


def should_retry(status: int, headers: httpx2.Headers) -> bool:
    """The SDK's own rule for which answers it retries."""
    explicit = headers.get("x-should-retry")
    if explicit in ("true", "false"):
        return explicit == "true"
    return status in (408, 409, 429) or status >= 500


def retry_after_seconds(headers: httpx2.Headers) -> float | None:
    """`retry-after-ms` or `retry-after` in seconds, as the SDK reads them (dates are left to the SDK)."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            value = float(headers.get(name, ""))
        except ValueError:
            continue
        if value > 0:
            return value / scale
    return None


def error_of(body: bytes, reason: str) -> str:
    """The API error's type and message from a response body, or the HTTP reason when there is none."""
    try:
        document = json.loads(body)
    except ValueError:
        return reason or "error"
    error = document.get("error") if isinstance(document, dict) else None
    if isinstance(error, dict) and (error.get("type") or error.get("message")):
        return ": ".join(str(part) for part in (error.get("type"), error.get("message")) if part)
    return reason or "error"
