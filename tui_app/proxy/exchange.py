"""One request passed through the inspecting proxy and its answer, as the app watches them.

No aiohttp here: the app reads exchanges without loading the proxy's HTTP stack.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from tui_app.stream.redaction import REDACTED

HIDDEN = "(hidden)"
CREDENTIAL_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie"})
"""Request headers whose values an exchange never shows."""
SHORTEST_SECRET = 8
"""Shorter values are not replaced in text: they would match ordinary words."""


class Secrets(tuple[str, ...]):
    """The credentials an exchange redacts: they never show in its repr, and they pickle (an exchange is
    handed from the proxy's process to the app's)."""

    def __repr__(self) -> str:
        return f"<{len(self)} hidden>"

    __str__ = __repr__


@dataclass(eq=False)
class Exchange:
    """A request as the client sent it (credentials hidden) and what came back, filled in as it happens."""

    number: int
    """1, 2, … in order of arrival."""
    client: str
    """Where the request came from: `127.0.0.1:54321`."""
    method: str
    path: str
    """The path and query as sent."""
    request_headers: dict[str, str]
    """Lower-case names; credential values read `(hidden)`."""
    request_body: bytes = field(repr=False)
    started: float
    """`time.perf_counter()` when the request arrived."""
    status: int | None = None
    """The upstream's status; None while it has not answered, and if it never did (see `failure`)."""
    reason: str = ""
    response_headers: dict[str, str] = field(default_factory=dict)
    """Lower-case names, as the upstream sent them (duplicates joined by `, `)."""
    failure: str | None = None
    """Why the exchange did not end normally, in plain words; None if it did."""
    note: str | None = None
    """Something the watcher should know about the body, such as an encoding that cannot be undone for it."""
    finished: float | None = None
    """`time.perf_counter()` when the exchange ended, either way."""
    _secrets: Secrets = field(default_factory=lambda: Secrets(()), repr=False, compare=False)
    """What `redact` replaces, longest first (so a whole header value goes before the token inside it)."""

    @classmethod
    def arrived(cls, number: int, client: str, method: str, path: str, headers: Iterable[tuple[str, str]],
                body: bytes, started: float) -> Exchange:
        """The exchange for a request, its credentials hidden from every field and kept only for `redact`."""
        shown: dict[str, str] = {}
        secrets: list[str] = []
        for name, value in headers:
            name = name.lower()
            if name in CREDENTIAL_HEADERS:
                secrets.extend(_secrets_in(name, value))
                value = HIDDEN
            shown[name] = f"{shown[name]}, {value}" if name in shown and value != HIDDEN else value
        kept = sorted({secret for secret in secrets if len(secret) >= SHORTEST_SECRET}, key=len, reverse=True)
        return cls(number, client, method, path, shown, body, started, _secrets=Secrets(kept))

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "")

    def redact(self, text: str) -> str:
        """`text` with any credential the client sent (of 8 characters or more) replaced by `[redacted]`."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def _secrets_in(name: str, value: str) -> list[str]:
    value = value.strip()
    if name == "x-api-key":
        return [value]
    if name in ("authorization", "proxy-authorization"):
        scheme, _, token = value.partition(" ")
        return [token.strip(), value] if token.strip() else [scheme]
    return []


class Tap(Protocol):
    """What watches the exchanges. Called on the proxy's thread, after the client has been written to; each
    call must return at once (hand the exchange over to another thread, do not work on it there)."""

    def request(self, exchange: Exchange) -> None:
        """The request's head and body are in, before it goes upstream."""

    def response(self, exchange: Exchange) -> None:
        """The upstream's status and headers are known (and passed on to the client)."""

    def chunk(self, exchange: Exchange, at: float, data: bytes) -> None:
        """A piece of the response body, passed on, `at` seconds after the request arrived. `data` has any
        gzip or deflate encoding undone; it is empty for an encoding that cannot be (see `exchange.note`)."""

    def ended(self, exchange: Exchange) -> None:
        """The exchange is over: `finished` is set, and `failure` if it went wrong."""


class BodyDecoder:
    """Undoes a response's content encoding for watching; the client gets the bytes as they were."""

    def __init__(self, content_encoding: str) -> None:
        self.note: str | None = None
        encodings = [part.strip().lower() for part in content_encoding.split(",")]
        encodings = [encoding for encoding in encodings if encoding not in ("", "identity")]
        self._passes = not encodings
        self._encoding = encodings[0] if len(encodings) == 1 else content_encoding.strip()
        self._decompressor: zlib._Decompress | None = None
        self._fed = 0
        if self._encoding in ("gzip", "x-gzip"):
            self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._encoding == "deflate":
            self._decompressor = zlib.decompressobj()
        elif not self._passes:
            self.note = f"the body is encoded as {self._encoding}, which cannot be shown"

    def feed(self, data: bytes) -> bytes:
        if self._passes:
            return data
        if self._decompressor is None:
            return b""
        fed, self._fed = self._fed, self._fed + len(data)
        try:
            return self._decompressor.decompress(data)
        except zlib.error as error:
            if self._encoding == "deflate" and not fed:
                # Some servers send "deflate" without its zlib wrapper: read it raw, from the start.
                self._encoding = "raw deflate"
                self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                self._fed = 0
                return self.feed(data)
            self.note = f"the {self._encoding} body could not be undone for showing: {error}"
            self._decompressor = None
            return b""

    def flush(self) -> bytes:
        """What the decompressor still holds at the end of the body."""
        if self._decompressor is None:
            return b""
        try:
            return self._decompressor.flush()
        except zlib.error:
            return b""
