"""`claude-tui --serve`: the real command serving the app over HTTP, checked with a real HTTP client and a
websocket that plays the browser's part (its output drawn through a terminal emulator). The browser itself
is in test_serve_browser.py."""

from __future__ import annotations

import json
import re
import select
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pyte
import pytest

from tests.terminal import app_environment, claude_tui
from tui_app.serve_cli import without_serve
from tui_app.web_server import COOKIE

GUARD = 60.0
# (`CookieJar(unsafe=True)`: aiohttp keeps no cookie of an IP address otherwise; browsers do.)
"""Seconds a test waits for the server or the app before it fails."""
ADDRESS = re.compile(r"open (http://\S+/\?token=([A-Za-z0-9_-]+))")


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    base: str
    token: str

    def stop(self) -> str:
        """Stop the server; everything it wrote, stdout and stderr."""
        self.process.terminate()
        try:
            out, _ = self.process.communicate(timeout=GUARD)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        return out


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def start_serving(home: Path, *arguments: str, key: str | None = None) -> tuple[Served, str]:
    """`claude-tui --serve 127.0.0.1:PORT ARGUMENTS` (with `key` as the API key), once it says where to go; and
    what it said until then."""
    env = app_environment(home) | ({"ANTHROPIC_API_KEY": key} if key else {})
    process = subprocess.Popen([claude_tui(), "--serve", f"127.0.0.1:{free_port()}", *arguments],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, text=True)
    said, deadline = "", time.monotonic() + GUARD
    while (found := ADDRESS.search(said)) is None:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        line = process.stdout.readline() if ready else ""
        if not line:
            process.kill()
            raise AssertionError(f"no address printed; it said:\n{said}{process.communicate()[0]}")
        said += line
    url = found.group(1)
    return Served(process, url, url.split("?")[0].rstrip("/"), found.group(2)), said


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server, _said = start_serving(tmp_path)
    yield server
    server.stop()


async def test_without_the_token_every_route_is_refused(served: Served) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        for path in ("/", "/?token=wrong-token-wrong-token", "/static/js/textual.js", "/ws", "/download/any"):
            async with session.get(served.base + path, allow_redirects=False) as response:
                assert response.status == 403, path
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(served.base + "/ws")
        assert refused.value.status == 403


async def test_the_token_becomes_a_private_cookie_and_leaves_the_address(served: Served) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(served.url, allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/"
            cookie = response.headers["Set-Cookie"]
            assert cookie.startswith(f"{COOKIE}={served.token};")
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        async with session.get(served.base + "/") as page:
            assert page.status == 200
            html = await page.text()
            assert f'"ws://{served.base.removeprefix("http://")}/ws"' in html
            assert served.token not in html
        async with session.get(served.base + "/static/js/textual.js") as script:
            assert script.status == 200
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:  # a page elsewhere, with the cookie
            await session.ws_connect(served.base + "/ws", headers={"Origin": "http://elsewhere.example"})
        assert refused.value.status == 403


SECRET_KEY = "sk-ant-api03-kept-on-the-server-0123456789"


async def test_a_browser_session_runs_the_app_a_reply_streams_in_and_an_export_downloads(tmp_path: Path) -> None:
    served, said = start_serving(tmp_path, "--demo", key=SECRET_KEY)
    try:
        traffic = await browser_session(served)
    finally:
        said += served.stop()
    assert SECRET_KEY not in traffic  # the key stays in the server's environment
    assert served.token in said  # the address printed at the start, and nowhere else
    assert said.count(served.token) == 1, said


async def browser_session(served: Served) -> str:
    """Play the browser's part: open the page, type a prompt, watch the reply, export the conversation.
    Everything the server sent, as text."""
    screen = pyte.Screen(100, 30)
    stream = pyte.ByteStream(screen)
    traffic: list[bytes] = []

    def shown() -> str:
        return "\n".join(screen.display)

    told: list[list] = []
    """What the server told the page besides the screen (a download ready, a link to open)."""

    async def until(websocket: aiohttp.ClientWebSocketResponse, condition, what: str) -> None:  # noqa: ANN001
        deadline = time.monotonic() + GUARD
        while not condition():
            message = await websocket.receive(timeout=max(0.1, deadline - time.monotonic()))
            if message.type == aiohttp.WSMsgType.BINARY:
                traffic.append(message.data)
                stream.feed(message.data)
            elif message.type == aiohttp.WSMsgType.TEXT:
                traffic.append(message.data.encode())
                told.append(json.loads(message.data))
            else:
                raise AssertionError(f"the app's session ended while waiting for {what}:\n{shown()}")

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(served.url) as page:
            traffic.append(await page.read())
        async with session.ws_connect(served.base + "/ws?width=100&height=30",
                                      headers={"Origin": served.base}) as websocket:
            await until(websocket, lambda: "Prompt" in shown(), "the first screen")
            await websocket.send_str(json.dumps(["stdin", "echo served to a browser"]))
            await until(websocket, lambda: "served to a browser" in shown(), "the prompt typed")
            await websocket.send_str(json.dumps(["stdin", "\r"]))
            await until(websocket, lambda: shown().count("served to a browser") >= 2 and " done" in shown(),
                        "the reply")
            # An export is offered to the browser as a download, not written on the server's disk.
            await websocket.send_str(json.dumps(["stdin", "\x10"]))  # Ctrl+P: the command palette
            await until(websocket, lambda: "Search for commands" in shown(), "the command palette")
            await websocket.send_str(json.dumps(["stdin", "Export conversation as Markdown"]))
            await until(websocket, lambda: "Export conversation as Markdown" in shown(), "the export command")
            await websocket.send_str(json.dumps(["stdin", "\r"]))
            await until(websocket, lambda: any(message[0] == "deliver_file_start" for message in told),
                        "the download offered")
            key = next(message[1] for message in told if message[0] == "deliver_file_start")
            async with session.get(f"{served.base}/download/{key}") as download:
                assert download.status == 200
                assert "attachment" in download.headers["Content-Disposition"]
                exported = await download.read()
                traffic.append(exported)
                assert b"served to a browser" in exported
            await until(websocket, lambda: "as a download" in shown(), "the export's notice")
    return b"".join(traffic).decode("utf-8", "replace")


def test_serving_beyond_this_machine_warns(tmp_path: Path) -> None:
    process = subprocess.Popen([claude_tui(), "--serve", f"0.0.0.0:{free_port()}"], env=app_environment(tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    try:
        first = process.stdout.readline()
    finally:
        process.terminate()
        process.communicate(timeout=GUARD)
    assert "serving on 0.0.0.0, beyond this machine" in first


def test_a_configured_token_is_used_and_never_shown_by_print_config(tmp_path: Path) -> None:
    config = tmp_path / "config" / "claude-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[serve]\ntoken = "configured-token-0123456789"\n')
    server, _said = start_serving(tmp_path)
    server.stop()
    assert server.token == "configured-token-0123456789"
    shown = subprocess.run([claude_tui(), "--print-config"], env=app_environment(tmp_path), capture_output=True,
                           text=True, timeout=GUARD)
    assert "token is set (not shown)" in shown.stdout
    assert "configured-token" not in shown.stdout + shown.stderr


def test_what_serve_cannot_take_is_refused(tmp_path: Path) -> None:
    for arguments, said in ((["--serve", "eighty"], "--serve takes [HOST:]PORT"),
                            (["--serve", "8000", "-p", "hi"], "it does not go with -p"),
                            (["--serve", "8000", "--replay", "x.sse"], "it does not go with --replay")):
        result = subprocess.run([claude_tui(), *arguments], env=app_environment(tmp_path), capture_output=True,
                                text=True, timeout=GUARD, stdin=subprocess.DEVNULL)
        assert result.returncode == 2, result
        assert said in result.stderr
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run([claude_tui(), "--serve", f"127.0.0.1:{port}"], env=app_environment(tmp_path),
                                capture_output=True, text=True, timeout=GUARD, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_each_browser_session_gets_the_command_line_without_serve() -> None:
    assert without_serve(["--serve", "8000", "--model", "m"]) == ["--model", "m"]
    assert without_serve(["--theme", "nord", "--serve=0.0.0.0:80"]) == ["--theme", "nord"]
    assert without_serve(["--serv", "1", "--system", "s"]) == ["--system", "s"]
