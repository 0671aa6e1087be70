"""The inspecting proxy's own process: it starts at once, ends with the app however the app ends, and the app
is told if it stops on its own."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx2

from tests.test_inspect_proxy import GUARD, Recorder, messages_request
from tui_app.demo.server import DemoServer
from tui_app.proxy.process import ProxyProcess

ROOT = Path(__file__).resolve().parents[1]


def gone(pid: int) -> bool:
    """Whether the process has ended (a zombie, not yet reaped by its parent, counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return status.rpartition(")")[2].split()[0] == "Z"


def wait_until_gone(pid: int) -> None:
    """Wait for a process that is not this one's child to end (its pidfd becomes readable when it does)."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        readable, _, _ = select.select([pidfd], [], [], GUARD)
        assert readable, f"process {pid} still running after {GUARD} s"
    finally:
        os.close(pidfd)


def test_a_child_that_dies_is_reported_and_stop_still_returns() -> None:
    told: list[str] = []
    reported = threading.Event()
    proxy = ProxyProcess("http://127.0.0.1:9", Recorder())
    proxy.on_failure = lambda problem: (told.append(problem), reported.set())
    proxy.start()
    assert proxy.pid is not None
    os.kill(proxy.pid, signal.SIGKILL)
    assert reported.wait(GUARD)
    assert told == ["The inspecting proxy stopped: it ended. Clients using it get no answer now."]
    proxy.stop()


def test_stopping_is_not_reported_and_every_call_reaches_the_tap_first(demo: DemoServer) -> None:
    tap, told = Recorder(), []
    proxy = ProxyProcess(demo.url, tap)
    proxy.on_failure = told.append
    url = proxy.start()
    try:
        with httpx2.Client(timeout=GUARD) as client:
            response = client.post(f"{url}/v1/messages", json=messages_request("essay"))
        assert response.status_code == 200
    finally:
        proxy.stop()
    assert tap.order(1) == ["request", "response", "chunk", "ended"]
    assert tap.body(1) == response.content
    assert tap.exchanges[1].finished is not None and tap.exchanges[1].failure is None
    assert told == []
    assert proxy.pid is not None and gone(proxy.pid)


def test_the_child_ends_when_the_app_ends_without_stopping_it() -> None:
    program = ("from tests.test_inspect_proxy import Recorder\n"
               "from tui_app.proxy.process import ProxyProcess\n"
               "proxy = ProxyProcess('http://127.0.0.1:9', Recorder())\n"
               "proxy.start()\n"
               "print(proxy.pid, flush=True)\n"
               "import os; os._exit(0)\n")  # no stop(), no clean-up: as if the app were killed
    finished = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True,
                              timeout=GUARD, check=True)
    wait_until_gone(int(finished.stdout))


def test_a_client_that_connects_at_once_is_served(demo: DemoServer) -> None:
    proxy = ProxyProcess(demo.url, Recorder())
    url = proxy.start()  # the child may still be loading: the request waits in the socket's queue
    try:
        with httpx2.Client(timeout=GUARD) as client:
            assert client.get(f"{url}/v1/models").status_code == 200
    finally:
        proxy.stop()
