"""The demo backend's answer to one request: what `server.DemoServer.reply` decides and `http` sends."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui_app.demo.scripts import Step

ID_LETTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
STREAM_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


@dataclass
class Reply:
    """What the demo backend answers one request with, whatever carries it."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds before the answer: a whole message comes once all of it has been generated at its pace."""
    steps: list[Step] | None = None
    """A stream's steps, sent instead of `body`."""
    silent: bool = False
    """Take the request and never answer it."""


def json_reply(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    request_id = new_id("req_011C", 20)
    if body.get("type") == "error":
        body = {**body, "request_id": request_id}  # as the API's error bodies carry it
    return answer_reply(status, json.dumps(body).encode("utf-8"),
                        {"content-type": "application/json", "request-id": request_id, **(headers or {})})


def answer_reply(status: int, body: bytes, headers: dict[str, str]) -> Reply:
    if not any(name.lower() == "request-id" for name in headers):
        headers = {"request-id": new_id("req_011C", 20), **headers}
    return Reply(status, body, headers)


def stream_reply(steps: list[Step]) -> Reply:
    return Reply(headers={**STREAM_HEADERS, "request-id": new_id("req_011C", 20)}, steps=steps)


def too_large() -> Reply:
    return json_reply(413, error_body("request_too_large", "Request exceeds the demo backend's limit"))


def error_body(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def new_id(prefix: str, length: int) -> str:
    """An id shaped like the API's (`msg_01…`, `req_011C…`), never the same twice."""
    return prefix + "".join(ID_LETTERS[byte % len(ID_LETTERS)] for byte in os.urandom(length))
