"""What went wrong with a request, in plain words, and the exit code print mode gives for it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import anthropic


class FailureKind(enum.Enum):
    """Classes of failure; each has its own exit code so scripts can tell them apart."""

    USAGE = 2
    AUTH = 3
    REJECTED = 4
    OVERLOADED = 5
    NETWORK = 6
    INCOMPLETE = 7
    SERVER = 8
    CANCELLED = 130

    @property
    def exit_code(self) -> int:
        return self.value


@dataclass(frozen=True, slots=True)
class Failure:
    kind: FailureKind
    message: str
    """One line: what happened and what to do."""


class AnsweredWithStatus(Exception):
    """A watched answer (not the SDK's) came with an HTTP error status; `body` is its text."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


class StreamCut(Exception):
    """A watched answer's body ended early; the message says how."""


def classify_exception(error: BaseException, base_url: str, idle_timeout: float | None = None) -> Failure:
    """Turn an SDK, transport or stream exception into a `Failure` without a traceback.

    `idle_timeout` is the seconds of silence after which a stream counts as stalled, to name in the message.
    """
    if isinstance(error, AnsweredWithStatus):
        detail = _body_detail(error.body) or error.body.strip()[:200] or "no body"
        return status_failure(error.status, detail, advice=False)  # a request made elsewhere
    if isinstance(error, StreamCut):
        return Failure(FailureKind.INCOMPLETE, str(error))
    import anthropic
    import httpx2

    if isinstance(error, TypeError) and "authentication" in str(error).lower():
        return Failure(FailureKind.AUTH, "no API key: set ANTHROPIC_API_KEY, or run with --demo")
    if isinstance(error, anthropic.APIStatusError):
        return _status_failure(error)
    if isinstance(error, anthropic.APITimeoutError):
        return Failure(FailureKind.NETWORK, f"timed out waiting for {base_url}; check the URL or the network")
    if isinstance(error, anthropic.APIConnectionError):
        cause = error.__cause__ or error
        return Failure(FailureKind.NETWORK,
                       f"cannot reach {base_url} ({_describe(cause)}); check the URL or the network")
    if isinstance(error, httpx2.TimeoutException):
        silence = f"{idle_timeout:g} s" if idle_timeout else "too long"
        return Failure(FailureKind.INCOMPLETE, f"stalled: no data for {silence}, so the reply was given up "
                       "(the idle timeout; set it with --idle-timeout or idle_timeout in the config)")
    if isinstance(error, httpx2.TransportError):
        return Failure(FailureKind.INCOMPLETE, f"the connection dropped mid-stream ({_describe(error)})")
    return Failure(FailureKind.SERVER, f"unexpected error: {_describe(error)}")


def _status_failure(error: anthropic.APIStatusError) -> Failure:
    return status_failure(error.status_code, _error_detail(error))


def status_failure(status: int, detail: str, *, advice: bool = True) -> Failure:
    """An HTTP status and the server's words about it, as a failure; `advice`: say what to check (not for a
    request someone else made, seen through the proxy or in a recording)."""
    kind, message, tip = _status_parts(status, detail)
    return Failure(kind, f"{message}; {tip}" if tip and advice else message)


def _status_parts(status: int, detail: str) -> tuple[FailureKind, str, str]:
    if status == 200:
        # An `error` event inside a 200 stream, raised by the SDK's stream layer.
        kind = FailureKind.OVERLOADED if "overloaded" in detail else FailureKind.SERVER
        return kind, f"the server ended the stream with an error: {detail}", ""
    if status in (401, 403):
        what = "the API key was refused" if status == 401 else "the API key may not use this"
        return FailureKind.AUTH, f"HTTP {status}: {what} ({detail})", "check ANTHROPIC_API_KEY"
    if status == 404:
        return FailureKind.REJECTED, f"HTTP 404: not found ({detail})", "check --model and --base-url"
    if status == 413:
        return FailureKind.REJECTED, f"HTTP 413: the request is too large ({detail})", "shorten the prompt"
    if status in (429, 529) or "overloaded" in detail:
        return FailureKind.OVERLOADED, f"HTTP {status}: {detail}", "wait a moment and retry"
    if 400 <= status < 500:
        return FailureKind.REJECTED, f"HTTP {status}: the request was rejected ({detail})", ""
    return FailureKind.SERVER, f"HTTP {status}: the server failed ({detail})", "retry later"


def _error_detail(error: anthropic.APIStatusError) -> str:
    return _detail_of(error.body) or error.message


def _body_detail(text: str) -> str | None:
    import json

    try:
        return _detail_of(json.loads(text))
    except ValueError:
        return None


def _detail_of(body: object) -> str | None:
    """`type: message` of an API error body, or None."""
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        kind, message = inner.get("type"), inner.get("message")
        if kind or message:
            detail = f"{kind}: {message}" if kind and message else str(kind or message)
            return detail.rstrip(". ")
    return None


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
