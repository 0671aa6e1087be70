"""`claude-tui --inspect` as a user runs it: the real command in a pseudo-terminal with a client pointed at
the address it shows; quitting ends the proxy's process too. Arguments it cannot use are refused before the
screen opens."""

from __future__ import annotations

import re
import socket
import subprocess
from pathlib import Path

import httpx2

from tests.terminal import Terminal, app_environment, claude_tui
from tests.test_inspect_proxy import GUARD, messages_request
from tests.test_proxy_process import gone, wait_until_gone
from tui_app.demo.server import DemoServer


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_client_pointed_at_the_shown_address_is_answered_and_shown(demo: DemoServer, tmp_path: Path) -> None:
    password = "pw-upstream-0123456789"
    upstream = demo.url.replace("http://", f"http://someone:{password}@")
    terminal = Terminal([claude_tui(), "--inspect", "0", "--base-url", upstream], app_environment(tmp_path),
                        columns=160, rows=50)
    try:
        terminal.read_until(lambda: re.search(r"ANTHROPIC_BASE_URL=(http://127\.0\.0\.1:\d+)", terminal.text())
                            is not None, "the address to point a client at")
        match = re.search(r"ANTHROPIC_BASE_URL=(http://127\.0\.0\.1:\d+)", terminal.text())
        assert match is not None
        proxy = match.group(1)
        [child] = children_of(terminal.pid)  # the proxy's own process
        assert password.encode() not in Path(f"/proc/{child}/cmdline").read_bytes()  # anyone may read that
        with httpx2.Client(timeout=GUARD) as client:
            answer = client.post(f"{proxy}/v1/messages", json=messages_request("echo from another client"),
                                 headers={"x-api-key": "sk-ant-cli-test-secret-0123456789"})
        assert answer.status_code == 200 and answer.content.endswith(b'data: {"type": "message_stop"}\n\n')
        terminal.read_until_shown("You said: echo from another client")
        assert not terminal.shows("sk-ant-cli-test-secret") and not terminal.shows(password)
        terminal.quit()
        wait_until_gone(child)
        assert gone(child)
    finally:
        terminal.close()


def refused(*arguments: str, home: Path) -> str:
    """What the command says on stderr when it refuses `arguments` (exit status 2)."""
    result = subprocess.run([claude_tui(), *arguments], env=app_environment(home), capture_output=True, text=True,
                            timeout=GUARD, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result
    return result.stderr


def test_arguments_it_cannot_use_are_refused_before_the_screen_opens(tmp_path: Path) -> None:
    assert "--inspect takes [HOST:]PORT" in refused("--inspect", "eighty", home=tmp_path)
    assert "not an http:// or https:// URL" in refused("--inspect", "0", "--base-url", "ftp://x", home=tmp_path)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert f"cannot listen on 127.0.0.1:{port}" in refused("--inspect", f"127.0.0.1:{port}", home=tmp_path)
    free = socket.create_server(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    said = refused("--inspect", str(port), "--base-url", f"http://127.0.0.1:{port}", home=tmp_path)
    assert "the upstream is the proxy itself" in said
