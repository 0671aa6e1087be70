"""claude-tui in a browser: textual-serve runs one app process per browser session, behind a secret token.

textual-serve itself lets in whoever reaches the port. Here the printed address carries the token
(`/?token=…`); opening it sets an HTTP-only, same-site cookie holding a session secret of its own (never
the token) and sends the browser on to the bare address, so the token leaves the address bar. Every other
request needs that cookie, compared in constant time; anything else gets 403. A websocket must come from
the page's own origin (scheme, host and port): cookies ignore ports, so a page served from another port of
the same host would otherwise carry the cookie along. The token is never logged: the access log (which
would record addresses) is off, and what is logged is one line, without tracebacks, the token masked.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server

PAGE_FOLDER = Path(__file__).parent / "web_page"
"""The page around the terminal: textual-serve's own loads a font from Google, which the page should not."""
COOKIE = "claude_tui_session"
"""The cookie's name, followed by the port: two servers on one host keep their cookies apart."""
TOKEN_BYTES = 24
TITLE = "claude-tui"
SHUTDOWN_SECONDS = 3.0
"""How long open sessions get to end when the server stops."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def page_address(host: str, port: int, token: str | None = None) -> str:
    """The address to open: an IPv6 host in brackets, and the token when given."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


class TokenServer(Server):
    """textual-serve's server with the token check in front of every route, and page addresses taken
    from the request (so that a server listening on 0.0.0.0 hands out the address the browser used)."""

    def __init__(self, command: str, host: str, port: int, token: str, *,
                 listening: Callable[[], None] = lambda: None) -> None:
        super().__init__(command, host=host, port=port, title=TITLE, templates_path=PAGE_FOLDER)
        self._token = token
        self._session = new_token()
        self._cookie = f"{COOKIE}_{port}"
        self._listening = listening
        self._sessions: set[asyncio.Task[Any]] = set()

    def _allowed(self, given: str | None, secret: str) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), secret.encode())

    @web.middleware
    async def _check(self, request: web.Request, handler: Any) -> web.StreamResponse:
        given = request.query.get("token")
        if given is not None:
            if not self._allowed(given, self._token):
                return web.Response(status=403, text="claude-tui: this address's token is wrong\n")
            if request.path == "/":
                kept = request.rel_url.with_query({k: v for k, v in request.query.items() if k != "token"})
                response = web.Response(status=303, headers={"Location": str(kept)})
                response.set_cookie(self._cookie, self._session, httponly=True, samesite="Strict", path="/",
                                    secure=_scheme(request) == "https")
                return response
        elif not self._allowed(request.cookies.get(self._cookie), self._session):
            return web.Response(status=403, text="claude-tui: open the address the server printed, with its token\n")
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin is not None and origin.lower() != _origin(request):
            return web.Response(status=403, text="claude-tui: only the app's own page can open a session\n")
        response = await handler(request)
        if not response.prepared:
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._check)
        return app

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        origin = request.url.origin().with_scheme(_scheme(request))
        websocket = origin.with_scheme("wss" if origin.scheme == "https" else "ws")
        return {
            "font_size": _font_size(request.query.get("fontsize", "16")),
            "app_websocket_url": str(websocket.with_path("/ws")),
            "config": {"static": {"url": str(origin.with_path("/static/"))}},
            "application": {"name": TITLE},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        session = asyncio.current_task()
        assert session is not None
        self._sessions.add(session)
        try:
            return await super().handle_websocket(request)
        finally:
            self._sessions.discard(session)

    async def on_shutdown(self, app: web.Application) -> None:
        """Tell every session's app to quit now, rather than after the server's grace period."""
        for session in list(self._sessions):
            session.cancel()

    async def on_startup(self, app: web.Application) -> None:
        """Say nothing: the command prints the address itself, with the token, once."""

    def initialize_logging(self) -> None:
        """Warnings and errors, a line each, the token masked; never the access log: its lines hold addresses.
        A malformed request is logged with its request line, which may hold the token."""
        handler = logging.StreamHandler()
        handler.setFormatter(_OneLine(self._token))
        logging.basicConfig(level="WARNING", handlers=[handler], force=True)
        logging.getLogger("aiohttp.access").disabled = True

    def serve(self, debug: bool = False) -> None:
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        # A closed terminal (SIGHUP) stops the server and its sessions, as Ctrl+C and SIGTERM do.
        loop.add_signal_handler(signal.SIGHUP, self.request_exit)
        web.run_app(self._make_app(), host=self.host, port=self.port, access_log=None, loop=loop,
                    shutdown_timeout=SHUTDOWN_SECONDS,
                    print=lambda _banner: self._listening())  # aiohttp prints once the port is open


def _font_size(text: str) -> int:
    try:
        return min(max(int(text), 6), 64)
    except ValueError:
        return 16


class _OneLine(logging.Formatter):
    def __init__(self, token: str) -> None:
        super().__init__("claude-tui serve: %(message)s")
        self._token = token

    def format(self, record: logging.LogRecord) -> str:
        record.exc_info = record.exc_text = record.stack_info = None
        return (super().format(record).replace(self._token, "[token]").splitlines() or [""])[0]


def _origin(request: web.Request) -> str:
    """The page's own origin, as a browser writes it in an Origin header."""
    return f"{_scheme(request)}://{request.host}".lower()


def _scheme(request: web.Request) -> str:
    """The scheme the browser used: an HTTPS proxy in front says so in X-Forwarded-Proto."""
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return forwarded if forwarded in ("http", "https") else request.scheme
