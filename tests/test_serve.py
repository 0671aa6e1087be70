"""`claude-tui --serve`: the real command serving the app over HTTP, checked with a real HTTP client and a
websocket that plays the browser's part (its output drawn through a terminal emulator). The browser itself
is in test_serve_browser.py."""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import signal
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
from tui_app.demo.server import DemoServer
from tui_app.serve_cli import without_serve
from tui_app.web_server import COOKIE

GUARD = 60.0
# (`CookieJar(unsafe=True)`: aiohttp keeps no cookie of an IP address otherwise; browsers do.)
"""Seconds a test waits for the server or the app before it fails."""
ADDRESS = re.compile(r"open (http://\S+/\?token=([A-Za-z0-9_-]+))")


@dataclass
class Served:
    process: subprocess.Popen[bytes]
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
        return out.decode("utf-8", "replace")


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def read_until(process: subprocess.Popen[bytes], pattern: re.Pattern[str], what: str) -> tuple[re.Match[str], str]:
    """Read the process's output as it comes until `pattern` is found in it; fails after `GUARD` seconds or
    when the process ends first."""
    said, deadline = "", time.monotonic() + GUARD
    fd = process.stdout.fileno()
    while (found := pattern.search(said)) is None:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            process.kill()
            raise AssertionError(f"{what} was not printed; it said:\n{said}{process.communicate()[0].decode()}")
        said += chunk.decode("utf-8", "replace")
    return found, said


def start_serving(home: Path, *arguments: str, key: str | None = None) -> tuple[Served, str]:
    """`claude-tui --serve 127.0.0.1:PORT ARGUMENTS` (with `key` as the API key), started in `home`, once it
    says where to go; and what it said until then."""
    env = app_environment(home) | ({"ANTHROPIC_API_KEY": key} if key else {})
    process = subprocess.Popen([claude_tui(), "--serve", f"127.0.0.1:{free_port()}", *arguments], cwd=home,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    found, said = read_until(process, ADDRESS, "the address")
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
            assert cookie.startswith(f"{COOKIE}_{served.base.rsplit(':', 1)[1]}=")
            assert served.token not in cookie  # a session secret of its own
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        async with session.get(served.base + "/") as page:
            assert page.status == 200
            html = await page.text()
            assert f'"ws://{served.base.removeprefix("http://")}/ws"' in html
            assert served.token not in html
        async with session.get(served.base + "/static/js/textual.js") as script:
            assert script.status == 200
        # A page elsewhere, or on another port of this host (which the browser sends the cookie from too)
        port = int(served.base.rsplit(":", 1)[1])
        for origin in ("http://elsewhere.example", f"http://127.0.0.1:{port + 1}", "null"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(served.base + "/ws", headers={"Origin": origin})
            assert refused.value.status == 403, origin


SECRET_KEY = "sk-ant-api03-kept-on-the-server-0123456789"


async def test_a_browser_session_runs_the_app_a_reply_streams_in_and_an_export_downloads(
        tmp_path: Path, demo: DemoServer) -> None:
    # Started where a source tree lies (as in a clone): the sessions must run the installed app, not that.
    (tmp_path / "tui_app").mkdir()
    (tmp_path / "tui_app" / "__init__.py").write_text('raise SystemExit("the app came from the current folder")')
    served, said = start_serving(tmp_path, "--base-url", demo.url, key=SECRET_KEY)
    try:
        traffic = await browser_session(served)
    finally:
        said += served.stop()
    assert SECRET_KEY in " ".join(demo.request_headers[-1].values())  # the session's app used the key...
    assert SECRET_KEY not in traffic  # ...which stayed on the server
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
            try:  # a deadline over the whole wait: the server's pings would restart a receive's own timeout
                message = await asyncio.wait_for(websocket.receive(), max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                raise AssertionError(f"{what} was not shown within {GUARD} s:\n{shown()}") from None
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
    # An address no interface here has (TEST-NET-1): the warning comes first, then the address is refused.
    result = subprocess.run([claude_tui(), "--serve", "192.0.2.1:8080"], env=app_environment(tmp_path),
                            capture_output=True, text=True, timeout=GUARD, stdin=subprocess.DEVNULL)
    assert "serving on 192.0.2.1, beyond this machine" in result.stderr
    assert "cannot listen on 192.0.2.1:8080" in result.stderr
    assert result.returncode == 2


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
    config.write_text('[serve]\ntoken = "short"\n')
    server, said = start_serving(tmp_path)
    server.stop()
    assert "serve.token must be at least 16 letters" in said and "short" not in said.replace("[serve]", "")
    assert server.token != "short"


def test_what_serve_cannot_take_is_refused(tmp_path: Path) -> None:
    for arguments, said in ((["--serve", "eighty"], "--serve takes [HOST:]PORT"),
                            (["--serve", "8000", "-p", "hi"], "it does not go with -p"),
                            (["--serve", "8000", "--replay", "x.sse"], "it does not go with --replay"),
                            (["--serve", "8000", "--speed", "2"], "it does not go with --speed"),
                            (["--serve", "0"], "--serve needs a port other than 0"),
                            (["--serve", "8_0"], "--serve takes [HOST:]PORT")):
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
    assert without_serve(["--se", "1", "--speed", "2"]) == ["--speed", "2"]


def session_apps(server: Served) -> list[int]:
    """The app processes the server has started: its children."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


def wait_until_ended(pids: list[int], what: str) -> None:
    deadline = time.monotonic() + GUARD
    while not all(ended(pid) for pid in pids):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: app processes {pids} still running")
        time.sleep(0.05)  # a process's end cannot be waited on from outside its parent


reading: set[asyncio.Task[None]] = set()
"""The tasks reading open sessions (kept, or they could be collected while they read)."""


async def open_session(served: Served) -> tuple[aiohttp.ClientSession, aiohttp.ClientWebSocketResponse]:
    """A session whose app has started, read from then on as a browser would (which also answers the
    server's closing handshake)."""
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    (await session.get(served.url)).release()
    websocket = await session.ws_connect(served.base + "/ws?width=80&height=24", headers={"Origin": served.base})
    await asyncio.wait_for(websocket.receive(), GUARD)  # the app's first output: its process is running

    async def read() -> None:
        async for _message in websocket:
            pass

    reading.add(asyncio.create_task(read()))
    return session, websocket



@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda how: how.name)
async def test_however_the_server_stops_its_sessions_end_with_it(tmp_path: Path, how: signal.Signals) -> None:
    served, _said = start_serving(tmp_path)
    session, websocket = await open_session(served)
    try:
        apps = session_apps(served)
        assert apps, "no app process was started for the session"
        served.process.send_signal(how)
        await asyncio.to_thread(served.process.wait, GUARD)  # the session is read meanwhile
        wait_until_ended(apps, f"the server stopped by {how.name}")
    finally:
        await websocket.close()
        await session.close()
        served.stop()
