"""The inspecting proxy's own process (see `process.py`): `python -m tui_app.proxy.child FD` serves
the listening socket FD, passing requests to the upstream URL read from the first line of its stdin, until
its stdin closes; it writes each call of its tap to stdout, pickled."""

from __future__ import annotations

import copy
import pickle
import queue
import socket
import sys
import threading
from typing import IO, Any

from tui_app.proxy.exchange import Exchange
from tui_app.proxy.server import InspectProxy

DONE = None
"""Put on the queue when the proxy has stopped: the writer ends."""


class RelayTap:
    """A tap that queues each call for the writer thread and returns at once, as a tap must."""

    def __init__(self) -> None:
        self.calls: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()

    def request(self, exchange: Exchange) -> None:
        self.calls.put(("request", copy.copy(exchange)))  # pickled later, while the proxy fills in the answer

    def response(self, exchange: Exchange) -> None:
        self.calls.put(("response", exchange.number, _answer(exchange)))

    def chunk(self, exchange: Exchange, at: float, data: bytes) -> None:
        self.calls.put(("chunk", exchange.number, at, data))

    def ended(self, exchange: Exchange) -> None:
        self.calls.put(("ended", exchange.number, {**_answer(exchange), "failure": exchange.failure,
                                                   "finished": exchange.finished}))

    def relay(self, out: IO[bytes]) -> None:
        """Write the calls to `out` as they come, in order, until `DONE`; several waiting go in one write."""
        while True:
            call = self.calls.get()
            while call is not DONE:
                pickle.dump(call, out, protocol=pickle.HIGHEST_PROTOCOL)
                try:
                    call = self.calls.get_nowait()
                except queue.Empty:
                    break
            out.flush()
            if call is DONE:
                return


def _answer(exchange: Exchange) -> dict[str, Any]:
    return {"status": exchange.status, "reason": exchange.reason, "response_headers": dict(exchange.response_headers),
            "note": exchange.note}


def main(argv: list[str]) -> int:
    fd = int(argv[0])
    out = sys.stdout.buffer
    tap = RelayTap()
    writer = threading.Thread(target=tap.relay, args=(out,), name="relay")
    writer.start()
    try:
        upstream = sys.stdin.buffer.readline().decode("utf-8").strip()
        listening = socket.socket(fileno=fd)
        host = listening.getsockname()[0]
        proxy = InspectProxy(upstream, tap, host, listening.getsockname()[1])
        proxy.start(listening)
        sys.stdin.buffer.read()  # until the app closes it, or ends
        proxy.stop()
    except Exception as error:  # told to the app, which shows it: this process has no screen
        tap.calls.put(("problem", f"{type(error).__name__}: {error}"))
    finally:
        tap.calls.put(DONE)
        writer.join()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(0)
