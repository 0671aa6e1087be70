"""The built-in demo backend: a loopback HTTP server that speaks the Messages API.

It runs on its own event loop in a thread (inside the app, the print mode or a test) or alone with
`claude-tui --demo-server`. Streams use chunked transfer encoding like the real API, so a dropped
connection looks to the client exactly as it would in the wild.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui_app.demo.pacing import DemoPacing

if TYPE_CHECKING:
    from tui_app.demo.scripts import Script

MAX_HOLD_SECONDS = 600.0
MAX_BODY_BYTES = 64 * 1024 * 1024
DRAIN_EVERY = 64
"""Unpaced streams still wait for the socket now and then, so a vanished client is noticed."""


class DemoServer:
    """A Messages API server on loopback. `requests` keeps every request body it received."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, pacing: DemoPacing | None = None,
                 script_for: Callable[[dict[str, Any], DemoPacing], Script] | None = None) -> None:
        """`script_for` picks the reply to a request: a benchmark's own, or by default the keyword
        scripts (loaded at the first request, not before the app's first frame)."""
        self.host = host
        self.script_for = script_for
        self.port = port
        self.pacing = pacing or DemoPacing()
        self.requests: list[dict[str, Any]] = []
        self.request_headers: list[dict[str, str]] = []
        """The headers of each `POST /v1/messages`, in order (tests check what a client sent)."""
        self._fault_attempts: dict[str, int] = {}
        self.lists_models = True
        """False makes `GET /v1/models` answer 500, as a server without a model list might."""
        self.model_ids: list[object] | None = None
        """What `GET /v1/models` lists instead of the demo models (a test's, anything a server might send)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        """Start serving in a background thread; return the base URL once it is listening."""
        self._thread = threading.Thread(target=self._run_thread, name="demo-backend", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            raise self._startup_error
        return self.url

    def stop(self) -> None:
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        if self._thread is not None:
            self._thread.join(timeout=5)

    async def listen(self) -> None:
        """Bind the socket on the current event loop; `port` is then the real one."""
        self._server = await asyncio.start_server(self._connection, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def serve_forever(self) -> None:
        """Serve on the current event loop until cancelled; call `listen` first."""
        assert self._server is not None, "listen() first"
        async with self._server:
            await self._server.serve_forever()

    def _run_thread(self) -> None:
        asyncio.run(self._serve_in_thread())

    async def _serve_in_thread(self) -> None:
        try:
            await self.listen()
        except OSError as error:
            self._startup_error = error
            self._ready.set()
            return
        self._loop = asyncio.get_running_loop()
        self._ready.set()
        assert self._server is not None
        try:
            await self._server.serve_forever()
        except asyncio.CancelledError:
            pass

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # the server is shutting down; an idle keep-alive connection just ends
        finally:
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; return whether the connection may carry another."""
        from tui_app.demo import scripts  # loaded at the first request, once (see `__init__`)

        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, path, _version = request_line.split(" ", 2)
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines if line)
        }
        length = int(headers.get("content-length") or 0)
        if length > MAX_BODY_BYTES:
            await self._json(writer, 413, _error("request_too_large", "Request exceeds the demo backend's limit"))
            return False
        body = await reader.readexactly(length) if length else b""
        path = path.split("?", 1)[0]
        if method == "GET" and path == "/v1/models":
            if not self.lists_models:
                await self._json(writer, 500, _error("api_error", "This server does not list its models"))
            else:
                await self._json(writer, 200, _models(self.model_ids))
            return True
        if method != "POST" or path not in ("/v1/messages", "/v1/messages/count_tokens"):
            await self._json(writer, 404, _error("not_found_error", f"{method} {path} is not served here"))
            return True
        try:
            request = json.loads(body)
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            await self._json(writer, 400, _error("invalid_request_error", "The body is not a JSON object"))
            return True
        if path.endswith("count_tokens"):
            await self._json(writer, 200, {"input_tokens": scripts.estimate_tokens(request)})
            return True
        self.requests.append(request)
        self.request_headers.append(headers)
        fault = scripts.choose_http_fault(request)
        if fault is not None:
            key = json.dumps(request.get("messages"), sort_keys=True)
            attempts = self._fault_attempts[key] = self._fault_attempts.get(key, 0) + 1
            if fault.times is None or attempts <= fault.times:
                retry_after = {"retry-after": "1"} if fault.status == 429 else {}
                await self._json(writer, fault.status, fault.body(), retry_after)
                return True
        script = (self.script_for or scripts.choose_script)(request, self.pacing)
        first = script.steps[0] if script.steps else None
        if isinstance(first, scripts.Answer):
            await self._answer(writer, first.status, first.body, first.headers)
            return True
        if isinstance(first, scripts.Silence):
            await self._hold(reader)
            return False
        if not request.get("stream"):
            if not script.complete:
                await self._json(writer, 529, _error("overloaded_error", "Overloaded"))
                return True
            await self._json(writer, 200, scripts.message_json(script))
            return True
        return await self._stream(reader, writer, script.steps)

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, steps: list) -> bool:
        from tui_app.demo.scripts import Drop, Hold, Raw, Send, Wait

        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            b"cache-control: no-cache\r\nrequest-id: req_demo\r\ntransfer-encoding: chunked\r\n\r\n"
        )
        loop = asyncio.get_running_loop()
        due = loop.time()
        for number, step in enumerate(steps):
            if writer.transport.is_closing():
                return False  # the client hung up: stop talking to nobody
            if isinstance(step, Send):
                frame = f"event: {step.event}\ndata: {json.dumps(step.payload, ensure_ascii=False)}\n\n"
                encoded = frame.encode("utf-8")
                writer.write(b"%x\r\n%s\r\n" % (len(encoded), encoded))
                if number % DRAIN_EVERY == 0:
                    await writer.drain()
            elif isinstance(step, Wait):
                # Paced against a fixed schedule, not step by step, so a busy process catches up
                # instead of slowing the model down, as a remote server would.
                due += step.seconds
                await writer.drain()
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            elif isinstance(step, Raw):
                writer.write(b"%x\r\n%s\r\n" % (len(step.data), step.data))
            elif isinstance(step, Drop):
                await writer.drain()
                writer.transport.abort()
                return False
            elif isinstance(step, Hold):
                await writer.drain()
                await self._hold(reader)
                return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True

    async def _hold(self, reader: asyncio.StreamReader) -> None:
        """Silent until the client hangs up (or a generous limit passes)."""
        try:
            await asyncio.wait_for(reader.read(), MAX_HOLD_SECONDS)
        except asyncio.TimeoutError:
            pass

    async def _json(self, writer: asyncio.StreamWriter, status: int, body: dict[str, Any],
                    headers: dict[str, str] | None = None) -> None:
        await self._answer(writer, status, json.dumps(body).encode("utf-8"),
                           {"content-type": "application/json", **(headers or {})})

    async def _answer(self, writer: asyncio.StreamWriter, status: int, body: bytes, headers: dict[str, str]) -> None:
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                  413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
                  529: "Overloaded"}.get(status, "Error")
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\ncontent-length: {len(body)}\r\nrequest-id: req_demo\r\n"
            f"{extra}\r\n".encode("latin-1") + body
        )
        await writer.drain()


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def _models(model_ids: list[object] | None) -> dict[str, Any]:
    from tui_app.demo.scripts import DEMO_MODELS

    data = [
        {"type": "model", "id": model, "display_name": str(model).replace("-", " ").title(),
         "created_at": "2026-10-01T00:00:00Z"}
        for model in (DEMO_MODELS if model_ids is None else model_ids)
    ]
    return {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}
