"""The debug log: what the SDK and the HTTP layer say about each request, with credentials redacted.

Asked for with `--debug-log FILE` or the SDK's own `ANTHROPIC_LOG=debug|info`. The SDK would print to
stderr, where the full-screen app draws, so the log goes to a file (owner-only) in the app and to stderr
only in print mode. Every line passes a formatter that removes the API key and the values of credential
headers, whatever logged them.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

from tui_app.stream.redaction import REDACTED, shown_url

LOGGERS = ("anthropic", "httpx2", "httpcore2", "tui_app")
CREDENTIAL_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"})
_HEADER_VALUE = re.compile(
    r"""(?P<name>["']?(?:""" + "|".join(map(re.escape, sorted(CREDENTIAL_HEADERS))) + r""")["']?\s*[:=,]\s*)"""
    r"""(?P<quote>(?-i:b["'])?["']?)(?!\[redacted\])(?P<value>[^\s"',}\]][^"'\r\n,}\]]*)""",
    re.IGNORECASE,
)

log = logging.getLogger("tui_app.http")


_URL = re.compile(r"\bhttps?://[^\s'\"<>]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """The text with each secret and every credential header's value replaced by `[redacted]`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _URL.sub(lambda found: shown_url(found[0]), text)  # a password or a key in a base URL
    return _HEADER_VALUE.sub(lambda found: f"{found['name']}{found['quote']}{REDACTED}", text)


def redacted_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: REDACTED if name.lower() in CREDENTIAL_HEADERS else value for name, value in headers.items()}


class RedactingFormatter(logging.Formatter):
    """Formats as the SDK does, then redacts: tracebacks and reprs included."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s", "%Y-%m-%d %H:%M:%S")
        self.secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def requested_level(environ: Mapping[str, str], path: Path | None) -> int | None:
    """The level asked for: DEBUG with `--debug-log`, else what `ANTHROPIC_LOG` says; None for no log."""
    if path is not None:
        return logging.DEBUG
    return {"debug": logging.DEBUG, "info": logging.INFO}.get(environ.get("ANTHROPIC_LOG", "").lower())


def start_debug_log(level: int, secrets: Iterable[str], path: Path | None = None,
                    stream: TextIO | None = None) -> None:
    """Send the SDK's, the HTTP layer's and the app's log to `path` (created owner-only) or `stream`.

    Installed on the root logger before the SDK is imported, so the SDK's own set-up (which would add
    a stderr handler) finds one and adds nothing.
    """
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(path, 0o600)
        handler: logging.Handler = logging.StreamHandler(os.fdopen(descriptor, "a", encoding="utf-8"))
    else:
        handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(level)


def log_exchange(response: object) -> None:
    """One line per HTTP exchange: method, URL, status and both sets of headers, credentials redacted."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    request = response.request  # type: ignore[attr-defined]
    log.debug("%s %s -> %s request headers %s response headers %s", request.method, request.url,
              response.status_code, redacted_headers(request.headers),  # type: ignore[attr-defined]
              redacted_headers(response.headers))  # type: ignore[attr-defined]
