"""The SDK's retries, made visible: each failed HTTP attempt of a request, seen as it fails.

The SDK retries 408, 409, 429 and 5xx answers, timeouts and lost connections by itself (twice by
default), waiting as `retry-after` says or backing off. It reports none of that, so the client built in
`backend.make_client` hooks every response and every attempt that got none, and the session whose
request it is records the failures here.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tui_app.stream.debug_log import log_exchange

if TYPE_CHECKING:
    import httpx2

MAX_RETRY_AFTER = 60.0
"""The longest wait a server's `retry-after` is honoured for: the SDK would wait days if told to."""


class AttemptWatcher(Protocol):
    """Whoever wants to know how each HTTP attempt of the request running in this task went."""

    async def response_arrived(self, response: httpx2.Response, asked_wait: float | None) -> None:
        """`asked_wait`: the wait the server asked for, when it was more than claude-tui honours."""

    def no_response(self, request: httpx2.Request, error: Exception) -> None: ...


watching: ContextVar[AttemptWatcher | None] = ContextVar("watching", default=None)
"""The watcher of the request running in this task, if any."""


async def observe_response(response: httpx2.Response) -> None:
    """The HTTP client's response hook: cap the wait the server asks for, log the exchange, and hand the
    response to whoever is watching this request."""
    asked = cap_retry_after(response.headers)
    log_exchange(response)
    watcher = watching.get()
    if watcher is not None:
        await watcher.response_arrived(response, asked)


def cap_retry_after(headers: httpx2.Headers) -> float | None:
    """Make a `retry-after` longer than `MAX_RETRY_AFTER` say that instead (the SDK reads the headers after
    this); return the wait that was asked for when it was capped."""
    asked = retry_after_seconds(headers)
    if asked is None or asked <= MAX_RETRY_AFTER:
        return None
    headers.pop("retry-after-ms", None)
    headers["retry-after"] = f"{MAX_RETRY_AFTER:g}"
    return asked


async def send_watched(send: Callable[[httpx2.Request], Awaitable[httpx2.Response]],
                       request: httpx2.Request) -> httpx2.Response:
    """Send one attempt; tell the watcher of an attempt that got no response at all (a timeout, a refused
    or lost connection) as it fails, before the SDK waits to retry it."""
    try:
        return await send(request)
    except Exception as error:
        watcher = watching.get()
        if watcher is not None:
            watcher.no_response(request, error)
        raise


@dataclass(frozen=True, slots=True)
class FailedAttempt:
    """One HTTP attempt that did not get a reply."""

    number: int
    """1 for the first attempt."""
    attempts: int
    """How many attempts the SDK makes at most."""
    status: int | None
    """None for an attempt that got no response (timed out, or the connection failed)."""
    error: str
    """The API's error type and message, the HTTP reason, or what happened to the connection."""
    will_retry: bool
    retry_after: float | None
    """The wait the server asked for, in seconds, when it asked; otherwise the SDK backs off (0.5 s, 1 s …)."""
    arrived: float
    """Seconds since the request was first sent."""
    asked_wait: float | None = None
    """A longer wait the server asked for than claude-tui honours (`retry_after` is then the cap)."""

    @property
    def short(self) -> str:
        """`HTTP 429`, or `no response`."""
        return f"HTTP {self.status}" if self.status is not None else "no response"

    def describe(self) -> str:
        where = f"attempt {self.number} of {self.attempts}"
        if not self.will_retry:
            then = "no retries left" if self.number >= self.attempts else "not retried"
        elif self.asked_wait is not None:
            then = (f"retrying in {self.retry_after:g} s: the server asked for {self.asked_wait:,.0f} s, "
                    f"and claude-tui waits {MAX_RETRY_AFTER:g} s at most")
        elif self.retry_after is not None:
            then = f"retrying in {self.retry_after:g} s, as the server asked"
        else:
            then = "retrying after a short back-off"
        return f"{self.short} {self.error} · {where} failed · {then}"


def should_retry(status: int, headers: httpx2.Headers) -> bool:
    """The SDK's own rule for which answers it retries."""
    explicit = headers.get("x-should-retry")
    if explicit in ("true", "false"):
        return explicit == "true"
    return status in (408, 409, 429) or status >= 500


def retry_after_seconds(headers: httpx2.Headers) -> float | None:
    """`retry-after-ms` or `retry-after` (seconds or an HTTP date) in seconds, as the SDK reads them."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            value = float(headers.get(name, ""))
        except ValueError:
            continue
        if value > 0:
            return value / scale
    try:
        when = email.utils.parsedate_to_datetime(headers.get("retry-after", ""))
    except (TypeError, ValueError, IndexError):
        return None
    wait = when.timestamp() - time.time()
    return wait if wait > 0 else None


def error_of(body: bytes, reason: str) -> str:
    """The API error's type and message from a response body, or the HTTP reason when there is none."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return reason or "error"
    error = document.get("error") if isinstance(document, dict) else None
    if isinstance(error, dict) and (error.get("type") or error.get("message")):
        return ": ".join(str(part) for part in (error.get("type"), error.get("message")) if part)
    return reason or "error"
