"""The inspecting proxy in a process of its own, so that nothing the app does (drawing a long reply, a busy
interpreter) can hold up the streams it passes on.

The app binds the socket and hands it to the child (`python -m tui_app.proxy.child`), which serves it with
`InspectProxy` and sends back every call of its tap, pickled, on its stdout. A thread here reads them and
calls the app's tap with the same exchanges. The child ends when its stdin closes: when `stop()` closes it,
or when the app ends any other way.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from tui_app.proxy.exchange import Exchange, Tap
from tui_app.proxy.server import listen, url_of

STOP_SECONDS = 5.0
"""How long stopping waits for the child to end before killing it."""


class ProxyProcess:
    """`InspectProxy` on `host:port` (0 picks a free port) to `upstream`, run by a child process; `tap` is
    called on a thread of this process, as `InspectProxy` would call it on its own."""

    def __init__(self, upstream: str, tap: Tap, host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = upstream.rstrip("/")
        self.tap = tap
        self.host = host
        self.port = port
        self.on_failure: Callable[[str], None] | None = None
        """Told, from the reading thread, if the child ends before it was stopped."""
        self._child: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._stopping = False

    @property
    def pid(self) -> int | None:
        """The child's process id, once started."""
        return self._child.pid if self._child is not None else None

    @property
    def url(self) -> str:
        return url_of(self.host, self.port)

    def start(self) -> str:
        """Listen, start the child, and return the URL at once (a client that connects before the child
        serves waits in the socket's queue). OSError if the port cannot be had or the child cannot start."""
        listening = listen(self.host, self.port)
        self.port = listening.getsockname()[1]
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "tui_app.proxy.child", str(listening.fileno())],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                pass_fds=(listening.fileno(),), env=_child_environment(), close_fds=True,
                start_new_session=True)  # the terminal's signals are the app's to handle
        finally:
            listening.close()  # the child has its own copy
        assert self._child.stdin is not None
        # On its stdin, not its command line, which anyone on the machine can read: the URL may hold a password.
        self._child.stdin.write(self.upstream.encode("utf-8") + b"\n")
        self._child.stdin.flush()
        self._reader = threading.Thread(target=self._read, args=(self._child.stdout,), name="inspect-proxy-reader",
                                        daemon=True)
        self._reader.start()
        return self.url

    def stop(self) -> None:
        """Stop the child: exchanges under way end (their clients are cut off); every call it made has reached
        the tap by the time this returns."""
        child = self._child
        if child is None or self._stopping:
            return
        self._stopping = True
        if child.stdin is not None:
            try:
                child.stdin.close()
            except OSError:
                pass
        try:
            child.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if self._reader is not None:
            self._reader.join(STOP_SECONDS)

    def _read(self, stream: IO[bytes] | None) -> None:
        assert stream is not None
        exchanges: dict[int, Exchange] = {}
        problem = "it ended"
        try:
            while True:
                problem = self._take(pickle.load(stream), exchanges) or problem
        except EOFError:
            pass
        except Exception as error:  # a record that cannot be read: the child is not what it should be
            problem = f"its messages could not be read ({type(error).__name__}: {error})"
        finally:
            stream.close()
        if not self._stopping and self.on_failure is not None:
            self.on_failure(f"The inspecting proxy stopped: {problem}. Clients using it get no answer now.")

    def _take(self, record: tuple[Any, ...], exchanges: dict[int, Exchange]) -> str | None:
        """Call the tap as the child's was called; a problem the child reported is returned."""
        what = record[0]
        if what == "request":
            exchange: Exchange = record[1]
            exchanges[exchange.number] = exchange
            self.tap.request(exchange)
        elif what == "chunk":
            _, number, at, data = record
            self.tap.chunk(exchanges[number], at, data)
        elif what in ("response", "ended"):
            _, number, fields = record
            exchange = exchanges[number]
            for name, value in fields.items():
                setattr(exchange, name, value)
            if what == "response":
                self.tap.response(exchange)
            else:
                del exchanges[number]
                self.tap.ended(exchange)
        elif what == "problem":
            return str(record[1])
        return None


def _child_environment() -> dict[str, str]:
    """This environment, with this package findable however it was found here (installed or not)."""
    environment = dict(os.environ)
    here = str(Path(__file__).resolve().parents[2])
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, (here, environment.get("PYTHONPATH"))))
    return environment
