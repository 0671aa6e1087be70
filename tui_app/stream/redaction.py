"""Credentials out of what is shown: a URL's password, user name and credential-looking parameters."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

REDACTED = "[redacted]"
CREDENTIAL_NAME = re.compile(r"key|token|secret|passw|pwd|sig|auth|credential|session", re.IGNORECASE)
"""Query parameters whose value is hidden wherever a URL is shown: `key`, `api_key`, `X-Amz-Signature` …"""


def shown_url(url: str) -> str:
    """The URL as it may be shown or printed: a password in it, or a user name with no password (often
    a token), and the values of credential-looking query parameters read `[redacted]`; the rest is kept
    as written."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL at all: nothing in it can be told apart
        return REDACTED
    netloc = parts.netloc
    userinfo, at, host = netloc.rpartition("@")
    if at:
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}:{REDACTED}@{host}" if colon else f"{REDACTED}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, _redact_parameters(parts.query),
                       _redact_parameters(parts.fragment)))


def _redact_parameters(text: str) -> str:
    def one(parameter: str) -> str:
        name, equals, _ = parameter.partition("=")
        return f"{name}={REDACTED}" if equals and CREDENTIAL_NAME.search(unquote(name)) else parameter

    return "&".join(one(parameter) for parameter in text.split("&"))
