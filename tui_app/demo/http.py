"""The demo backend over HTTP, served by aiohttp: requests in, `DemoServer.reply` out.

HTTP itself (`Expect: 100-continue`, chunked request bodies, HTTP/1.0 clients, keep-alive) is aiohttp's;
this module only reads a request and writes its reply: a whole answer, or a stream of script steps.
Imported by the server's own loop when it starts, never on the way to the app's first frame.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Callable
from http import HTTPStatus

from aiohttp import web

from tui_app.demo.reply import Reply, too_large

MAX_HOLD_SECONDS = 600.0
"""How long a held stream or a silent request waits for the client to give up."""
MAX_BODY_BYTES = 64 * 1024 * 1024
STOP_SECONDS = 0.02
"""How long stopping waits for a reply in progress before cutting it (a held stream would wait for minutes)."""
FRAMES_PER_WRITE = 64
"""Frames sent together at most: an unpaced stream still reaches the client, and notices it gone, as it goes."""
REASONS = {529: "Overloaded"}
"""Reason phrases for statuses the HTTP standard does not name."""

quiet = logging.getLogger(__name__)
quiet.addHandler(logging.NullHandler())
"""aiohttp's words about broken requests: passed on to logging where it is set up, never printed over the app."""

Answering = Callable[[str, str, dict[str, str], bytes], Reply]
"""The reply to a request's method, path (without its query), headers (by lower-case name) and body."""


async def serve(answer: Answering, listening: socket.socket) -> web.AppRunner:
    """Serve on the already listening socket, on the current loop; the runner stops it."""

    async def handle(request: web.Request) -> web.StreamResponse:
        return await respond(answer, request)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_route("*", "/{path:.*}", handle)
    # A client that hangs up cancels its handler: a stream, a hold or a pause stops at once.
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None, logger=quiet,
                           shutdown_timeout=STOP_SECONDS)
    await runner.setup()
    await web.SockSite(runner, listening).start()
    return runner


async def respond(answer: Answering, request: web.Request) -> web.StreamResponse:
    try:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return _closing(_whole(too_large()))  # the body is left unread: the connection cannot go on
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _closing(_whole(too_large()))
        headers = {name.lower(): value for name, value in request.headers.items()}
        reply = answer(request.method, request.path, headers, body)
        if reply.silent:
            await _hold(request)
            return web.Response()
        if reply.steps is not None:
            return await _stream(request, reply)
        if reply.delay > 0:
            await asyncio.sleep(reply.delay)
        return _whole(reply)
    except ConnectionError:
        return web.Response()  # the client is gone; aiohttp finds nobody to send this to


def _whole(reply: Reply) -> web.Response:
    return web.Response(status=reply.status, reason=_reason(reply.status), body=reply.body, headers=reply.headers)


def _closing(response: web.Response) -> web.Response:
    response.force_close()
    return response


def _reason(status: int) -> str | None:
    """aiohttp's phrase where HTTP names the status; ours, or a plain one, where it does not."""
    try:
        HTTPStatus(status)
    except ValueError:
        return REASONS.get(status, "Error")
    return None


async def _stream(request: web.Request, reply: Reply) -> web.StreamResponse:
    """Send the steps as server-sent events: chunked for HTTP/1.1, ended by closing for HTTP/1.0."""
    from tui_app.demo.scripts import Drop, Hold, Raw, Send, Wait

    response = web.StreamResponse(status=reply.status, headers=reply.headers)
    await response.prepare(request)
    transport = request.transport
    loop = asyncio.get_running_loop()
    due = loop.time()
    frames: list[bytes] = []
    for step in reply.steps or ():
        if isinstance(step, Send):
            # Frames with no pause between them go out together: one write, not one per frame.
            frames.append(f"event: {step.event}\ndata: {json.dumps(step.payload, ensure_ascii=False)}\n\n"
                          .encode())
            if len(frames) < FRAMES_PER_WRITE:
                continue
        if frames:
            await response.write(b"".join(frames))
            frames.clear()
        if transport is None or transport.is_closing():
            return response  # the client hung up: stop talking to nobody
        if isinstance(step, Wait):
            # Paced against a fixed schedule, not step by step, so a busy process catches up
            # instead of slowing the model down, as a remote server would.
            due += step.seconds
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        elif isinstance(step, Raw):
            await response.write(step.data)
        elif isinstance(step, Drop):
            await request.writer.drain()
            transport.abort()  # no last chunk: the client sees its body cut
            return response
        elif isinstance(step, Hold):
            await _hold(request)
            return response
    if frames:
        await response.write(b"".join(frames))
    await response.write_eof()
    return response


async def _hold(request: web.Request) -> None:
    """Silent until the client hangs up (which cancels this) or a generous limit passes; then hang up."""
    await asyncio.sleep(MAX_HOLD_SECONDS)
    if request.transport is not None:
        request.transport.close()
