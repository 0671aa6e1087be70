"""claude-tui in a browser: textual-serve runs one app process per browser session, behind a secret token.

textual-serve itself lets in whoever reaches the port. Here every request must carry the token: once in
the address the server printed (`/?token=…`), which sets an HTTP-only, same-site cookie and sends the
browser on to the bare address, so the token leaves the address bar and the history; after that, the
cookie. Anything else gets 403. The token is compared in constant time and never logged: the access log
(which would record addresses) is off. A websocket from another origin is refused too, so a page
elsewhere cannot drive the app with the user's cookie.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server
from yarl import URL

PAGE_FOLDER = Path(__file__).parent / "web_page"
"""The page around the terminal: textual-serve's own loads a font from Google, which the page should not."""
COOKIE = "claude_tui_token"
TOKEN_BYTES = 24
TITLE = "claude-tui"


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
        self._listening = listening

    def _allowed(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self._token.encode())

    @web.middleware
    async def _check(self, request: web.Request, handler: Any) -> web.StreamResponse:
        given = request.query.get("token")
        if given is not None:
            if not self._allowed(given):
                return web.Response(status=403, text="claude-tui: this address's token is wrong\n")
            if request.path == "/":
                kept = request.rel_url.with_query({k: v for k, v in request.query.items() if k != "token"})
                response = web.Response(status=303, headers={"Location": str(kept)})
                response.set_cookie(COOKIE, self._token, httponly=True, samesite="Strict", path="/",
                                    secure=_scheme(request) == "https")
                return response
        elif not self._allowed(request.cookies.get(COOKIE)):
            return web.Response(status=403, text="claude-tui: open the address the server printed, with its token\n")
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin is not None and URL(origin).host != request.url.host:
            return web.Response(status=403, text="claude-tui: a page from another site cannot open the app\n")
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

    async def on_startup(self, app: web.Application) -> None:
        """Say nothing: the command prints the address itself, with the token, once."""

    def initialize_logging(self) -> None:
        """Warnings and errors only, and never the access log: its lines hold addresses."""
        logging.basicConfig(level="WARNING", format="claude-tui serve: %(message)s")
        logging.getLogger("aiohttp.access").disabled = True

    def serve(self, debug: bool = False) -> None:
        self.debug = debug
        self.initialize_logging()
        web.run_app(self._make_app(), host=self.host, port=self.port, access_log=None,
                    print=lambda _banner: self._listening())  # aiohttp prints once the port is open


def _font_size(text: str) -> int:
    try:
        return min(max(int(text), 6), 64)
    except ValueError:
        return 16


def _scheme(request: web.Request) -> str:
    """The scheme the browser used: an HTTPS proxy in front says so in X-Forwarded-Proto."""
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return forwarded if forwarded in ("http", "https") else request.scheme
