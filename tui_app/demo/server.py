"""The built-in demo backend: a loopback HTTP server that speaks the Messages API.

It runs on its own event loop in a thread (inside the app, the print mode or a test) or alone with
`claude-tui --demo-server`. Streams use chunked transfer encoding like the real API, so a dropped
connection looks to the client exactly as it would in the wild. It refuses what the real API refuses
(`demo.rules`), so what passes here passes there.
"""

from __future__ import annotations

import asyncio
import json
import os
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
UNCACHED_TAIL = 3
"""Input tokens after automatic caching's marker (which sits on the last block): the turn's closing markup."""
ID_LETTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class DemoServer:
    """A Messages API server on loopback. `requests` keeps every request body it received."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, pacing: DemoPacing | None = None,
                 script_for: Callable[[dict[str, Any], DemoPacing], Script] | None = None,
                 strict: bool = True) -> None:
        """`script_for` picks the reply to a request: a benchmark's own, or by default the keyword
        scripts (loaded at the first request, not before the app's first frame). `strict` refuses what
        the real API refuses, in its words (see `demo.rules`)."""
        self.host = host
        self.script_for = script_for
        self.strict = strict
        self.refused: list[tuple[dict[str, Any], str]] = []
        """Each request refused as the API would refuse it, with the reason given."""
        self.message_ids: list[str] = []
        """The id of each reply, in order (each unique, as the API's are)."""
        self.prompt_cache = PromptCache()
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
        from tui_app.demo.rules import problems

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
        if method == "GET" and (path == "/v1/models" or path.startswith("/v1/models/")):
            if not self.lists_models:
                await self._json(writer, 500, _error("api_error", "This server does not list its models"))
                return True
            models = _models(self.model_ids)
            if path == "/v1/models":
                await self._json(writer, 200, models)
                return True
            wanted = path.removeprefix("/v1/models/")
            found = [model for model in models["data"] if model["id"] == wanted]
            if found:
                await self._json(writer, 200, found[0])
            else:
                await self._json(writer, 404, _error("not_found_error", f"model: {wanted}"))
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
            problem = problems(request, counting=True) if self.strict else None
            if problem:
                await self._json(writer, 400, _error("invalid_request_error", problem))
            else:
                await self._json(writer, 200, {"input_tokens": scripts.estimate_tokens(request)})
            return True
        self.requests.append(request)
        self.request_headers.append(headers)
        problem = problems(request) if self.strict else None
        if problem:
            self.refused.append((request, problem))
            await self._json(writer, 400, _error("invalid_request_error", problem))
            return True
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
        if script.start_step is not None:
            self._bill(script, request)
        if not request.get("stream"):
            if not script.complete:
                await self._json(writer, 529, _error("overloaded_error", "Overloaded"))
                return True
            # As a model would: the whole answer, only once all of it has been generated at this pace.
            await asyncio.sleep(sum(step.seconds for step in script.steps if isinstance(step, scripts.Wait)))
            await self._json(writer, 200, scripts.message_json(script))
            return True
        return await self._stream(reader, writer, script.steps)

    def _bill(self, script: Script, request: dict[str, Any]) -> None:
        """Give a reply what only the server knows: a unique id, what the prompt cache read and wrote, and
        why it missed where the request asks (in `message_start` and `message_delta`, so the whole Message
        folded from them has it too)."""
        from tui_app.demo.scripts import Send

        message_id = new_id("msg_01", 22)
        usage = self.prompt_cache.usage(request)
        fields = self.prompt_cache.diagnose(request, usage["cache_read_input_tokens"])
        self.prompt_cache.remember(message_id, request)
        self.message_ids.append(message_id)
        script.input_tokens = usage["input_tokens"]
        start = _step(script, script.start_step, "message_start")
        if start is not None and script.start_step is not None:
            message = start.payload["message"]
            message = {**message, "id": message_id, **fields, "usage": {**message["usage"], **usage}}
            script.steps[script.start_step] = Send(start.event, {**start.payload, "message": message})
        delta = _step(script, script.delta_step, "message_delta")
        if delta is not None and script.delta_step is not None:
            script.steps[script.delta_step] = Send(delta.event, {**delta.payload,
                                                                 "usage": {**delta.payload["usage"], **usage}})

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, steps: list) -> bool:
        from tui_app.demo.scripts import Drop, Hold, Raw, Send, Wait

        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            b"cache-control: no-cache\r\nrequest-id: %s\r\ntransfer-encoding: chunked\r\n\r\n"
            % new_id("req_011C", 20).encode("ascii")
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
        request_id = new_id("req_011C", 20)
        if body.get("type") == "error":
            body = {**body, "request_id": request_id}  # as the API's error bodies carry it
        await self._answer(writer, status, json.dumps(body).encode("utf-8"),
                           {"content-type": "application/json", "request-id": request_id, **(headers or {})})

    async def _answer(self, writer: asyncio.StreamWriter, status: int, body: bytes, headers: dict[str, str]) -> None:
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                  413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
                  529: "Overloaded"}.get(status, "Error")
        if not any(name.lower() == "request-id" for name in headers):
            headers = {"request-id": new_id("req_011C", 20), **headers}
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(f"HTTP/1.1 {status} {reason}\r\ncontent-length: {len(body)}\r\n{extra}\r\n".encode("latin-1")
                     + body)
        await writer.drain()


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def _step(script: Script, number: int | None, event: str) -> Any:
    """The script's `event` step at `number`, if that is where it still is."""
    from tui_app.demo.scripts import Send

    step = script.steps[number] if number is not None and 0 <= number < len(script.steps) else None
    return step if isinstance(step, Send) and step.event == event else None


def new_id(prefix: str, length: int) -> str:
    """An id shaped like the API's (`msg_01…`, `req_011C…`), never the same twice."""
    return prefix + "".join(ID_LETTERS[byte % len(ID_LETTERS)] for byte in os.urandom(length))


def _models(model_ids: list[object] | None) -> dict[str, Any]:
    from tui_app.demo.api_scripts import MODELS, model_info

    data = [model_info(model) for model in (MODELS if model_ids is None else model_ids)]
    return {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}


class PromptCache:
    """Automatic prompt caching (a top-level `cache_control`) as the API bills it: the first request with a
    prefix writes it, a later one whose messages extend it reads it and writes the rest; and, where a request
    names an earlier reply in `diagnostics.previous_message_id`, why the cache was missed."""

    def __init__(self) -> None:
        self._written: dict[str, int] = {}
        """Tokens of each cached prefix, by the digest of what it holds."""
        self._answered: dict[str, tuple[dict[str, Any], int]] = {}
        """The request each reply answered, and the tokens it made cacheable, by the reply's id."""

    def usage(self, request: dict[str, Any]) -> dict[str, Any]:
        """The reply's input usage: input, cache write (by its time to live) and cache read tokens."""
        from tui_app.demo.api_scripts import input_usage
        from tui_app.demo.scripts import estimate_tokens

        total = estimate_tokens(request)
        marker = request.get("cache_control")
        if not isinstance(marker, dict):
            return input_usage(total)
        cached = max(0, total - UNCACHED_TAIL)
        prefixes = _prefixes(request)
        read = next((self._written[key] for key in reversed(prefixes) if key in self._written), 0)
        read = min(read, cached)
        if prefixes:
            self._written[prefixes[-1]] = cached
        usage = input_usage(total - cached)
        ttl = "1h" if marker.get("ttl") == "1h" else "5m"
        usage.update(cache_creation_input_tokens=cached - read, cache_read_input_tokens=read)
        usage["cache_creation"][f"ephemeral_{ttl}_input_tokens"] = cached - read
        return usage

    def remember(self, message_id: str, request: dict[str, Any]) -> None:
        from tui_app.demo.scripts import estimate_tokens

        self._answered[message_id] = (request, max(0, estimate_tokens(request) - UNCACHED_TAIL))

    def diagnose(self, request: dict[str, Any], read: int) -> dict[str, Any]:
        """The message's `diagnostics` field where the request asks for it (null when nothing changed)."""
        asked = request.get("diagnostics")
        if not isinstance(asked, dict) or asked.get("previous_message_id") is None:
            return {"diagnostics": None} if isinstance(asked, dict) else {}
        earlier = self._answered.get(asked["previous_message_id"])
        if earlier is None:
            return {"diagnostics": {"cache_miss_reason": {"type": "previous_message_not_found"}}}
        before, cacheable = earlier
        messages, earlier_messages = request.get("messages") or [], before.get("messages") or []
        changed = next((name for name, field in (("model", "model"), ("system", "system"), ("tools", "tools"))
                        if request.get(field) != before.get(field)), None)
        if changed is None and messages[: len(earlier_messages)] != earlier_messages:
            changed = "messages"
        if changed is None:
            if request.get("thinking") != before.get("thinking"):
                return {"diagnostics": {"cache_miss_reason": {"type": "unavailable"}}}
            return {"diagnostics": None}
        reason = {"type": f"{changed}_changed", "cache_missed_input_tokens": max(0, cacheable - read)}
        return {"diagnostics": {"cache_miss_reason": reason}}


def _prefixes(request: dict[str, Any]) -> list[str]:
    """A digest of each prefix of the request's messages, with what comes before them (model, system, tools,
    thinking: a change to any of them starts a new cache)."""
    import hashlib

    head = [request.get(name) for name in ("model", "system", "tools", "thinking")]
    digest = hashlib.sha256(json.dumps(head, sort_keys=True, default=str).encode())
    prefixes = []
    for message in request.get("messages") or []:
        digest.update(json.dumps(message, sort_keys=True, default=str).encode())
        prefixes.append(digest.hexdigest())
    return prefixes
