"""The built-in demo backend: a loopback HTTP server that speaks the Messages API.

It runs on its own event loop in a thread (inside the app, the print mode or a test) or alone with
`claude-tui --demo-server`. This module decides what to answer (`DemoServer.reply`); `demo.http` carries it
over HTTP with aiohttp, streams in chunked transfer encoding like the real API, so a dropped connection looks
to the client exactly as it would in the wild. It refuses what the real API refuses (`demo.rules`), so what
passes here passes there.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui_app.demo.pacing import DemoPacing
from tui_app.demo.reply import Reply, answer_reply, error_body, json_reply, new_id, stream_reply

if TYPE_CHECKING:
    from aiohttp import web

    from tui_app.demo.scripts import Script

UNCACHED_TAIL = 3
"""Input tokens after automatic caching's marker (which sits on the last block): the turn's closing markup."""


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
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._stopping = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        """Serve from a background thread; return the base URL at once. The socket listens before this
        returns (a client that comes early waits in its backlog), so only aiohttp's import is left to the
        thread. Raises OSError when the address cannot be bound."""
        listening = self._bind()
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve_in_thread(listening),),
                                        name="demo-backend", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            loop, stopped = self._loop, self._stopped
        if loop is not None and stopped is not None:
            try:
                loop.call_soon_threadsafe(stopped.set)
            except RuntimeError:
                pass  # the thread's loop has already ended
        if self._thread is not None:
            self._thread.join(timeout=5)

    async def listen(self) -> None:
        """Listen on the current event loop; `port` is then the real one. Raises OSError when it cannot."""
        self._runner = await self._open(self._bind())

    async def serve_forever(self) -> None:
        """Serve on the current event loop until cancelled; call `listen` first."""
        assert self._runner is not None, "listen() first"
        try:
            await asyncio.get_running_loop().create_future()
        finally:
            await self._runner.cleanup()

    def _bind(self) -> socket.socket:
        family = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0][0]
        listening = socket.create_server((self.host, self.port), family=family, backlog=128)
        self.port = listening.getsockname()[1]
        return listening

    async def _open(self, listening: socket.socket) -> web.AppRunner:
        from tui_app.demo import http  # aiohttp: loaded off the app's path to its first frame

        try:
            return await http.serve(self.reply, listening)
        except BaseException:
            listening.close()  # a client waiting in the backlog is refused rather than left hanging
            raise

    async def _serve_in_thread(self, listening: socket.socket) -> None:
        with self._lock:
            if self._stopping:
                listening.close()
                return
            stopped = self._stopped = asyncio.Event()
            self._loop = asyncio.get_running_loop()
        runner = await self._open(listening)
        try:
            await stopped.wait()
        finally:
            await runner.cleanup()

    def reply(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        """The answer to one request (`headers` by lower-case name, `path` without its query)."""
        from tui_app.demo import scripts  # loaded at the first request, once (see `__init__`)
        from tui_app.demo.rules import problems

        route = path.rstrip("/") or "/"  # `/v1/messages/` is `/v1/messages`, as it is to the API
        if method == "GET" and (route == "/v1/models" or route.startswith("/v1/models/")):
            if not self.lists_models:
                return json_reply(500, error_body("api_error", "This server does not list its models"))
            models = _models(self.model_ids)
            if route == "/v1/models":
                return json_reply(200, models)
            wanted = route.removeprefix("/v1/models/")
            found = [model for model in models["data"] if model["id"] == wanted]
            if found:
                return json_reply(200, found[0])
            return json_reply(404, error_body("not_found_error", f"model: {wanted}"))
        if method != "POST" or route not in ("/v1/messages", "/v1/messages/count_tokens"):
            return json_reply(404, error_body("not_found_error", f"{method} {path} is not served here"))
        try:
            request = json.loads(body)
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            return json_reply(400, error_body("invalid_request_error", "The body is not a JSON object"))
        if route.endswith("count_tokens"):
            problem = problems(request, counting=True) if self.strict else None
            if problem:
                return json_reply(400, error_body("invalid_request_error", problem))
            return json_reply(200, {"input_tokens": scripts.estimate_tokens(request)})
        self.requests.append(request)
        self.request_headers.append(headers)
        problem = problems(request) if self.strict else None
        if problem:
            self.refused.append((request, problem))
            return json_reply(400, error_body("invalid_request_error", problem))
        fault = scripts.choose_http_fault(request)
        if fault is not None:
            key = json.dumps(request.get("messages"), sort_keys=True)
            attempts = self._fault_attempts[key] = self._fault_attempts.get(key, 0) + 1
            if fault.times is None or attempts <= fault.times:
                retry_after = {"retry-after": "1"} if fault.status == 429 else {}
                return json_reply(fault.status, fault.body(), retry_after)
        script = (self.script_for or scripts.choose_script)(request, self.pacing)
        first = script.steps[0] if script.steps else None
        if isinstance(first, scripts.Answer):
            return answer_reply(first.status, first.body, first.headers)
        if isinstance(first, scripts.Silence):
            return Reply(silent=True)
        if script.start_step is not None:
            self._bill(script, request)
        if not request.get("stream"):
            if not script.complete:
                return json_reply(529, error_body("overloaded_error", "Overloaded"))
            # As a model would: the whole answer, only once all of it has been generated at this pace.
            answer = json_reply(200, scripts.message_json(script))
            answer.delay = sum(step.seconds for step in script.steps if isinstance(step, scripts.Wait))
            return answer
        return stream_reply(script.steps)

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


def _step(script: Script, number: int | None, event: str) -> Any:
    """The script's `event` step at `number`, if that is where it still is."""
    from tui_app.demo.scripts import Send

    step = script.steps[number] if number is not None and 0 <= number < len(script.steps) else None
    return step if isinstance(step, Send) and step.event == event else None


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
