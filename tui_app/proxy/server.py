"""The inspecting proxy: another client's requests go to the upstream untouched, and its answers come back
byte for byte as they arrive, while a tap watches each exchange.

It runs on its own event loop in a thread, like the demo backend. Its socket is bound before the thread
starts, so `start()` returns at once (and fails at once if the port is taken) while aiohttp, slow to
import, loads in the thread; a client that connects meanwhile waits in the socket's queue.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from tui_app.proxy.exchange import BodyDecoder, Exchange, Tap
from tui_app.stream.redaction import shown_url

if TYPE_CHECKING:
    from aiohttp import ClientSession, web

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())
"""The proxy's and aiohttp's words about broken requests: for logging where it is set up, never printed over
the app."""

HOP_BY_HOP = frozenset({"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"})
"""Headers about one connection, not the message (with every `proxy-*` one): never passed on."""
NOT_FORWARDED = frozenset({"host", "expect", "content-length"})
"""Request headers the proxy sets itself for the upstream (or, for `expect`, has already answered)."""
NOT_ADDED = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")
"""Headers aiohttp would add to a request of its own: the upstream gets only the client's."""
CONNECT_TIMEOUT = 30.0
MAX_BODY_BYTES = 512 * 1024 * 1024
"""The largest request taken (the Files API accepts uploads of up to 500 MB)."""
STOP_SECONDS = 0.1
"""How long stopping waits for exchanges under way before cutting them off (0 would mean for ever)."""


class InspectProxy:
    """A pass-through proxy on `host:port` (0 picks a free port) to `upstream`, watched through `tap`."""

    def __init__(self, upstream: str, tap: Tap, host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = upstream.rstrip("/")
        self.tap = tap
        self.host = host
        self.port = port
        self._numbers = itertools.count(1)
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stopping = False
        self._session: ClientSession | None = None

    @property
    def url(self) -> str:
        return url_of(self.host, self.port)

    def start(self, listening: socket.socket | None = None) -> str:
        """Listen (on `listening`, a socket already bound and listening, if given), and serve from a thread of
        its own; return the URL. OSError if the port cannot be had."""
        self._socket = listening or listen(self.host, self.port)
        self.port = self._socket.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="inspect-proxy", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving: exchanges under way end (their clients are cut off) and the thread finishes."""
        if self._loop is None or self._stop is None or self._thread is None:
            return
        self._stopping = True
        try:
            self._loop.call_soon_threadsafe(self._stop.set)
        except RuntimeError:
            pass  # the loop has already finished
        self._thread.join(timeout=5)

    def _run(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        import aiohttp
        from aiohttp import web

        assert self._socket is not None and self._stop is not None
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_route("*", "/{path:.*}", self._handle)
        # No access log: paths and queries may carry what the user would not want written anywhere.
        runner = web.AppRunner(app, handler_cancellation=True, access_log=None, logger=log,
                               shutdown_timeout=STOP_SECONDS)
        self._session = aiohttp.ClientSession(
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            skip_auto_headers=NOT_ADDED,
            timeout=aiohttp.ClientTimeout(total=None, connect=CONNECT_TIMEOUT),
            connector=aiohttp.TCPConnector(limit=0),  # each client's streams are as many as it likes
        )
        try:
            await runner.setup()
            await web.SockSite(runner, self._socket).start()
            await self._stop.wait()
        finally:
            await runner.cleanup()
            await self._session.close()
            self._socket.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        body = await request.read()
        exchange = Exchange.arrived(next(self._numbers), _client(request), request.method, request.raw_path,
                                    request.headers.items(), body, started)
        self._tell("request", exchange)
        try:
            return await self._forward(request, exchange)
        except asyncio.CancelledError:
            exchange.failure = exchange.failure or ("claude-tui stopped" if self._stopping else "the client hung up")
            raise
        except Exception as error:  # a fault of the proxy's own: aiohttp logs it and cuts the client off
            exchange.failure = f"claude-tui failed to pass the exchange on ({type(error).__name__})"
            raise
        finally:
            exchange.finished = time.perf_counter()
            self._tell("ended", exchange)

    async def _forward(self, request: web.Request, exchange: Exchange) -> web.StreamResponse:
        import aiohttp
        from aiohttp import web
        from yarl import URL

        assert self._session is not None
        try:
            upstream = await self._session.request(
                request.method, URL(self.upstream + exchange.path, encoded=True), headers=_forwarded(request),
                data=exchange.request_body or None, allow_redirects=False)
        except aiohttp.ServerDisconnectedError:
            exchange.failure = "the upstream dropped the connection"
            return _cut_off(request)  # before any answer: the client sees the same
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError) as error:
            why = _why(error)
            exchange.failure = f"cannot reach {shown_url(self.upstream)}: {why}"
            message = f"claude-tui could not reach {shown_url(self.upstream)}: {why}"
            answer = web.Response(status=502, content_type="application/json", text=json.dumps(
                {"type": "error", "error": {"type": "api_error", "message": message}}))
            await answer.prepare(request)  # written here, so the client has it before the tap hears
            await answer.write_eof()
            return answer
        try:
            exchange.status, exchange.reason = upstream.status, upstream.reason or ""
            exchange.response_headers = _lower_case(upstream.headers.items())
            decoder = BodyDecoder(upstream.headers.get("content-encoding", ""))
            exchange.note = decoder.note
            response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
            for name, value in _end_to_end(upstream.headers.items(), upstream.headers):
                response.headers.add(name, value)
            await response.prepare(request)
            self._tell("response", exchange)
            while True:
                try:
                    data = await upstream.content.readany()
                except (aiohttp.ClientError, OSError):
                    exchange.failure = "the upstream dropped the connection"
                    return _cut_off(request, response)
                if not data:
                    break
                await response.write(data)
                self._watched(exchange, decoder, data)
            self._watched(exchange, decoder, b"")
            await response.write_eof()
            return response
        except ConnectionError:  # writing to a client that has gone
            exchange.failure = "the client hung up"
            return _cut_off(request)
        finally:
            upstream.close()  # a body read to its end has already released the connection for reuse

    def _watched(self, exchange: Exchange, decoder: BodyDecoder, data: bytes) -> None:
        """Tell the tap of a piece of body the client has been given (`b""`: the end, for what is left)."""
        at = time.perf_counter() - exchange.started
        seen = decoder.feed(data) if data else decoder.flush()
        exchange.note = decoder.note
        if data or seen:
            self._tell("chunk", exchange, at, seen)

    def _tell(self, what: str, *arguments: Any) -> None:
        # A failing tap must not cost the client its answer.
        try:
            getattr(self.tap, what)(*arguments)
        except Exception:
            log.exception("the inspecting proxy's tap failed on %s", what)


def url_of(host: str, port: int) -> str:
    """The proxy's URL, for its clients' ANTHROPIC_BASE_URL (an IPv6 host in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on `host:port` (0: a free port). OSError if it cannot be had."""
    return socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET,
                                backlog=128)


def _client(request: web.BaseRequest) -> str:
    peer = request.transport.get_extra_info("peername") if request.transport is not None else None
    if not peer:
        return "unknown"
    host, port = peer[0], peer[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _hop_by_hop(name: str, listed: set[str]) -> bool:
    name = name.lower()
    return name in HOP_BY_HOP or name.startswith("proxy-") or name in listed


def _connection_listed(headers: Any) -> set[str]:
    """Headers named in `Connection`, which are about this connection only."""
    return {part.strip().lower() for value in headers.getall("connection", ()) for part in value.split(",")}


def _end_to_end(items: Any, headers: Any) -> list[tuple[str, str]]:
    listed = _connection_listed(headers)
    return [(name, value) for name, value in items if not _hop_by_hop(name, listed)]


def _forwarded(request: web.BaseRequest) -> list[tuple[str, str]]:
    return [(name, value) for name, value in _end_to_end(request.headers.items(), request.headers)
            if name.lower() not in NOT_FORWARDED]


def _lower_case(items: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in items:
        name = name.lower()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _cut_off(request: web.BaseRequest, response: web.StreamResponse | None = None) -> web.StreamResponse:
    """Abort the client's connection, as the upstream's was: it sees a cut answer, or none."""
    from aiohttp import web

    if request.transport is not None:
        request.transport.abort()
    return response if response is not None else web.Response(status=502)


def _why(error: BaseException) -> str:
    """Why the upstream could not be reached, in words that carry nothing from the request."""
    import aiohttp

    if isinstance(error, asyncio.TimeoutError):
        return f"no connection within {CONNECT_TIMEOUT:.0f} s"
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return f"its certificate was refused ({error.certificate_error})"
    if isinstance(error, aiohttp.ClientConnectorError):
        return str(error.os_error.strerror or error.os_error or type(error.os_error).__name__)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return type(error).__name__
