"""The inspecting proxy's cost to the client it stands before: throughput and the delay it adds to each frame.

The bare proxy runs here, in this process, on its own thread (the app runs the same server in a process of
its own), with a tap that hands every call to this process's event loop (as the app's does). The upstreams
and the client each run in a process of their own, so neither's work is counted as the proxy's. Direct and
proxied runs are interleaved.

- **throughput**: an unpaced 20,000-delta reply from the demo backend with the benchmarks' Markdown (as
  `bench_server.py` sends it), read as raw bytes by an httpx client directly and through the proxy: MB/s
  from the first byte to the last (the time the server takes to write its script before the first byte is
  given apart), and the ratio proxy/direct.
- **latency**: a Messages stream of one text delta a millisecond from a small upstream of its own that
  stamps each delta's event with `time.perf_counter()` as it sends it; the client takes arrival minus sent
  for each (the clock is the machine's, shared by processes). p50 and p99 directly and through the proxy,
  and their difference.
- **busy**: both again while another thread of this process burns CPU in Python, as a busy screen would;
  the direct runs are made under the same load, so only the proxy's share of the interpreter differs.
- **app**: both again through the proxy inside the real app, `python -m tui_app --inspect PORT --base-url
  UPSTREAM` on a 160×50 pseudo-terminal (HOME a temporary directory, no ANTHROPIC_* variables), which draws
  every reply as it streams; interleaved with direct runs and the bare proxy's. Each reply ends with a line
  naming its run, and the app's output is read for it: how long after its client the app showed each end.
  Not in the default run, which it would lengthen by over a minute: `--only app`.

  `--switch-interval` sets how long a thread of this process may hold the interpreter while another waits
  for it.

    python benchmarks/proxy.py [--runs 9] [--frames 2000] [--only throughput,latency,busy,app] \
                               [--switch-interval MS]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import re
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_server import markdown_corpus  # noqa: E402
from tui_app.demo.pacing import DemoPacing  # noqa: E402
from tui_app.demo.scripts import DELTA_CHARS, Script, ScriptWriter, _last_user_text  # noqa: E402
from tui_app.proxy.server import InspectProxy  # noqa: E402

DELTAS = 20_000
FRAME_INTERVAL = 0.001
STAMP = re.compile(rb'"sent": ([0-9.]+)')
COLUMNS, ROWS = 160, 50
STARTING, SHOWING, QUITTING = 30.0, 60.0, 10.0
"""Seconds the app may take to show its screen, to show a reply's end after its client read it, to quit."""


# The client, in a process of its own: one request, its figures printed as JSON


def read(url: str, mode: str, frames: int, tag: str) -> dict[str, object]:
    import httpx2

    if mode == "throughput":
        prompt = f"bench size={DELTAS * DELTA_CHARS} rate=0"
    else:
        prompt = f"stamped frames={frames}"
    if tag:
        prompt += f" tag={tag}"
    request = {"model": "bench", "max_tokens": 64000, "stream": True,
               "messages": [{"role": "user", "content": prompt}]}
    delays: list[float] = []
    size = 0
    pending = b""
    first = None
    with httpx2.Client(timeout=60) as client:
        started = time.perf_counter()
        with client.stream("POST", f"{url}/v1/messages", json=request) as response:
            for data in response.iter_raw():
                arrived = time.perf_counter()
                first = first or arrived
                size += len(data)
                if mode == "latency":
                    *whole, pending = (pending + data).split(b"\n\n")
                    delays.extend(arrived - float(stamp.group(1)) for frame in whole
                                  if (stamp := STAMP.search(frame)))
        finished = time.perf_counter()
    return {"bytes": size, "first_byte": first - started, "streaming": finished - first, "ended": finished,
            "delays": delays}


# The upstreams, each in a process of its own


def ending(prompt: str) -> str:
    """The reply's last line, naming the run when the prompt has a tag, for the app's screen to show."""
    tag = re.search(r"tag=(\w+)", prompt)
    return f"\n\nEnd of reply {tag.group(1)}." if tag else ""


def bench_script(request: dict[str, Any], pacing: DemoPacing) -> Script:
    """`bench_server.py`'s reply, unpaced, with its ending."""
    prompt = _last_user_text(request)
    size = int(re.search(r"size=(\d+)", prompt).group(1))
    writer = ScriptWriter("bench", str(request.get("model") or "bench"), 10,
                          DemoPacing(first_token_delay=0, tokens_per_second=0))
    writer.start()
    writer.text(markdown_corpus(size) + ending(prompt))
    return writer.finish()


async def bench_upstream() -> None:
    from tui_app.demo.server import DemoServer

    server = DemoServer(script_for=bench_script)
    await server.listen()
    print(server.url, flush=True)
    await server.serve_forever()


async def stamped_upstream() -> None:
    from aiohttp import web

    async def stream(request: web.Request) -> web.StreamResponse:
        prompt = (await request.json())["messages"][-1]["content"]
        frames = int(re.search(r"frames=(\d+)", prompt).group(1))
        response = web.StreamResponse(headers={"content-type": "text/event-stream; charset=utf-8"})
        await response.prepare(request)

        async def send(event: str, data: dict[str, Any]) -> None:
            data = {"type": event, **data}
            if event == "content_block_delta" and "sent" in data:
                data["sent"] = round(time.perf_counter(), 7)  # as late as can be
            await response.write(b"event: %s\ndata: %s\n\n" % (event.encode(), json.dumps(data).encode()))

        def text(words: str, stamped: bool = False) -> dict[str, Any]:
            return {"index": 0, "delta": {"type": "text_delta", "text": words}, **({"sent": 0} if stamped else {})}

        await send("message_start", {"message": {
            "id": "msg_stamped", "type": "message", "role": "assistant", "model": "stamped", "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}}})
        await send("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
        loop = asyncio.get_running_loop()
        due = loop.time()
        for number in range(frames):
            # A fixed schedule, so a late frame does not push the others back.
            due += FRAME_INTERVAL
            await asyncio.sleep(max(0.0, due - loop.time()))
            # Words in paragraphs, so the app renders Markdown as it would a reply.
            await send("content_block_delta", text(f"w{number} " + "\n\n" * (number % 50 == 49), stamped=True))
        last = ending(prompt)
        for start in range(0, len(last), DELTA_CHARS):  # in pieces: only the reply, not the event log, shows it whole
            await send("content_block_delta", text(last[start:start + DELTA_CHARS]))
        await send("content_block_stop", {"index": 0})
        await send("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                     "usage": {"output_tokens": frames}})
        await send("message_stop", {})
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_route("POST", "/v1/messages", stream)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    listening = socket.create_server(("127.0.0.1", 0))
    await web.SockSite(runner, listening).start()
    print(f"http://127.0.0.1:{listening.getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


def start_upstream(which: str) -> tuple[str, subprocess.Popen[str]]:
    process = subprocess.Popen([sys.executable, __file__, f"--{which}-upstream"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process.stdout.readline().strip(), process


# The bare proxy's side


class HandingOver:
    """A tap that hands each call to the main thread's event loop and counts what arrives there."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.seen = 0

    def request(self, exchange) -> None:
        self.loop.call_soon_threadsafe(self._count, 0)

    def response(self, exchange) -> None:
        self.loop.call_soon_threadsafe(self._count, 0)

    def chunk(self, exchange, at: float, data: bytes) -> None:
        self.loop.call_soon_threadsafe(self._count, len(data))

    def ended(self, exchange) -> None:
        self.loop.call_soon_threadsafe(self._count, 0)

    def _count(self, size: int) -> None:
        self.seen += size


class Burner:
    """Another thread of this process that keeps the interpreter busy in pure Python."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._burn, daemon=True)
        self.rounds = 0

    def _burn(self) -> None:
        while not self._stop.is_set():
            sum(number * number for number in range(2000))
            self.rounds += 1

    def __enter__(self) -> Burner:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


# The real app, in a pseudo-terminal


class Shown:
    """Set when the app draws `text`."""

    def __init__(self, text: str) -> None:
        self.text = text.encode()
        self.event = threading.Event()
        self.at = 0.0

    def look(self, window: bytes) -> bool:
        if self.text in window:
            self.at = time.perf_counter()
            self.event.set()
        return self.event.is_set()


class AppInTerminal:
    """`python -m tui_app --inspect` as a user runs it, on a pseudo-terminal of its own whose output a thread
    keeps reading (so the app never waits on a full terminal), counting it and looking for what is awaited."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.drawn = 0
        self._awaited: list[Shown] = []
        self._lock = threading.Lock()
        self._tail = b""

    def __enter__(self) -> AppInTerminal:
        self._home = tempfile.TemporaryDirectory(prefix="claude-tui-bench-")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        environ = {name: value for name, value in os.environ.items()
                   if not name.startswith(("ANTHROPIC_", "XDG_", "CLAUDE_TUI"))}
        environ.update(HOME=self._home.name, TERM="xterm-256color")
        self._terminal, screen = os.openpty()
        fcntl.ioctl(screen, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui_app", "--inspect", f"127.0.0.1:{port}", "--base-url", self.upstream],
            stdin=screen, stdout=screen, stderr=screen, env=environ, cwd=self._home.name, start_new_session=True)
        os.close(screen)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            ready = self.awaiting("every exchange shows here")
            deadline = time.monotonic() + STARTING
            while not (ready.event.wait(0.05) and self._accepts(port)):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app did not start; its last output: {self.last_words()!r}")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            try:
                os.write(self._terminal, b"\x11")  # Ctrl+Q
                self.process.wait(QUITTING)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
                print(f"(the app did not quit on Ctrl+Q within {QUITTING:.0f} s: killed)", file=sys.stderr)
        if self.process.returncode:
            print(f"(the app exited with status {self.process.returncode})", file=sys.stderr)
        self._reader.join(QUITTING)
        os.close(self._terminal)
        self._home.cleanup()

    @staticmethod
    def _accepts(port: int) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        return False

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._terminal, 65536)
            except OSError:  # the app has quit and its side of the terminal is closed
                return
            if not data:
                return
            self.drawn += len(data)
            window = self._tail + data
            with self._lock:
                self._awaited = [shown for shown in self._awaited if not shown.look(window)]
            self._tail = window[-2000:]

    def awaiting(self, text: str) -> Shown:
        shown = Shown(text)
        with self._lock:
            self._awaited.append(shown)
        return shown

    def end_of(self, tag: str) -> Shown:
        """What the app draws once it shows the end of the reply to the prompt tagged `tag`."""
        return self.awaiting(ending(f"tag={tag}").strip())

    def cpu(self) -> float:
        """The CPU seconds so far of the app's process and the proxy's (its child)."""
        spent = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat.parent.name == str(self.process.pid) or fields[1] == str(self.process.pid):
                spent += int(fields[11]) + int(fields[12])
        return spent / os.sysconf("SC_CLK_TCK")

    def last_words(self) -> str:
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", self._tail.decode(errors="replace"))[-300:]


# Runs and figures


@dataclass
class Way:
    """One way from the client to the upstream: directly, through the bare proxy, or through the app's."""

    name: str
    url: str
    cpu: Callable[[], float] | None = None
    """CPU seconds so far of the process the proxy runs in."""
    cpu_note: str = ""
    app: AppInTerminal | None = None
    runs: list[dict] = field(default_factory=list)
    cpu_spent: float = 0.0


async def client_run(url: str, mode: str, frames: int, tag: str = "") -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(sys.executable, __file__, "--read", url, "--mode", mode,
                                                   "--frames", str(frames), "--tag", tag, stdout=subprocess.PIPE)
    out, _ = await process.communicate()
    assert process.returncode == 0, "the client failed"
    return json.loads(out)


async def interleaved(ways: list[Way], mode: str, count: int, frames: int) -> list[Way]:
    """`count` client runs each way, in turn; the CPU each proxy's process spent over its runs; for the app,
    what it drew while each reply streamed and when it showed the reply's end."""
    for number in range(count):
        for index, way in enumerate(ways):
            # Every reply ends with a line naming its run (so all are the same size), for the app to show.
            tag = f"run{number * len(ways) + index + 1:03d}"
            shown = way.app.end_of(tag) if way.app else None
            cpu, drawn = way.cpu() if way.cpu else 0.0, way.app.drawn if way.app else 0
            run = await client_run(way.url, mode, frames, tag)
            way.cpu_spent += way.cpu() - cpu if way.cpu else 0.0
            if way.app:
                run.update(shown=shown, drawn=way.app.drawn - drawn)
            way.runs.append(run)
    return ways


def bare(direct_url: str, proxy_url: str, loaded: bool) -> list[Way]:
    note = " (the burning thread's included)" if loaded else ""
    return [Way("direct", direct_url), Way("proxy", proxy_url, time.process_time, note)]


def runs(count: int) -> str:
    return f"{count} run{'s' * (count != 1)}"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def report_cpu(ways: list[Way]) -> None:
    spent = [f"{way.name} {way.cpu_spent / len(way.runs):.2f} s{way.cpu_note}" for way in ways if way.cpu]
    print(f"  CPU of the proxy's process a run: {'; '.join(spent)}")


def report_throughput(ways: list[Way], unloaded: float | None) -> float:
    """Print the figures; return the bare proxy's median rate."""

    def rates(way: Way) -> list[float]:
        return [run["bytes"] / run["streaming"] / 1e6 for run in way.runs]

    direct = ways[0].runs
    size = direct[0]["bytes"] / 1e6
    assert all(run["bytes"] == direct[0]["bytes"] for way in ways for run in way.runs), "the bodies differ in size"
    medians = {way.name: statistics.median(rates(way)) for way in ways}
    print(f"  {DELTAS:,} deltas, {size:.2f} MB, {runs(len(direct))} each; MB/s from the first byte to the last"
          f" (median; min–max), and ms to the first byte (median)")
    for way in ways:
        first_byte = statistics.median(run["first_byte"] for run in way.runs) * 1000
        print(f"  {way.name:8}{medians[way.name]:7.1f} MB/s  ({min(rates(way)):.1f}–{max(rates(way)):.1f})"
              f"  first byte {first_byte:6.1f} ms")
    print("  ratio to direct: " + ", ".join(f"{way.name} {medians[way.name] / medians['direct']:.2f}"
                                            for way in ways[1:]))
    report_cpu(ways)
    if unloaded is not None:
        print(f"  the proxy at {medians['proxy'] / unloaded:.2f} of its rate without the load")
    return medians["proxy"]


def report_latency(ways: list[Way]) -> None:
    delays = {way.name: [delay * 1000 for run in way.runs for delay in run["delays"]] for way in ways}
    direct = delays["direct"]
    print(f"  {len(direct) // len(ways[0].runs):,} frames, one a millisecond, {runs(len(ways[0].runs))} each;"
          f" ms from sent to read")
    print(f"  {'':8}{'p50':>8}{'p99':>8}{'max':>8}{'added p50':>11}{'p99':>8}")
    for way in ways:
        d = delays[way.name]
        added = (f"{percentile(d, 0.5) - percentile(direct, 0.5):11.2f}"
                 f"{percentile(d, 0.99) - percentile(direct, 0.99):8.2f}") if d is not direct else ""
        print(f"  {way.name:8}{percentile(d, 0.5):8.2f}{percentile(d, 0.99):8.2f}{max(d):8.2f}{added}")
    report_cpu(ways)


async def report_showing(way: Way) -> None:
    """Wait for the app to show the last reply's end; say how long after their clients it showed each."""
    shown = [run["shown"] for run in way.runs]
    await asyncio.to_thread(shown[-1].event.wait, SHOWING)
    assert shown[-1].event.is_set(), f"the app did not show the last reply's end; it drew: {way.app.last_words()!r}"
    lags = [(run["shown"].at - run["ended"]) * 1000 for run in way.runs if run["shown"].event.is_set()]
    drawn = statistics.median(run["drawn"] for run in way.runs) / 1000
    print(f"  the app showed the end of {len(lags)} of {len(shown)} replies, {statistics.median(lags):.0f} ms"
          f" (median; max {max(lags):.0f}) after their client had read them; it drew {drawn:.0f} KB (median)"
          f" while each streamed")


async def measure_app(options: argparse.Namespace, upstreams: dict[str, tuple[str, InspectProxy]]) -> None:
    """Both measures through the proxy of the app itself, with the bare proxy's beside them."""
    for mode, title in (("throughput", "Throughput"), ("latency", "Delay added per frame")):
        upstream, proxy = upstreams[mode]
        with AppInTerminal(upstream) as app:
            print(f"\n{title} through the proxy in the app ({COLUMNS}×{ROWS} terminal)", flush=True)
            shown = app.end_of("warm")  # warm up, and wait for the first reply to be shown whole
            await client_run(app.url, mode, 10, "warm")
            await asyncio.to_thread(shown.event.wait, SHOWING)
            assert shown.event.is_set(), f"the app did not show its first reply; it drew: {app.last_words()!r}"
            counted = " (the app's and its proxy's processes)"
            ways = bare(upstream, proxy.url, False) + [Way("in app", app.url, app.cpu, counted, app)]
            await interleaved(ways, mode, options.runs, options.frames)
            if mode == "throughput":
                report_throughput(ways, None)
            else:
                report_latency(ways)
            await report_showing(ways[-1])


async def measure(options: argparse.Namespace) -> None:
    only = set(options.only.split(","))
    tap = HandingOver(asyncio.get_running_loop())
    bench_url, bench = start_upstream("bench")
    stamped_url, stamped = start_upstream("stamped")
    bench_proxy, stamped_proxy = InspectProxy(bench_url, tap), InspectProxy(stamped_url, tap)
    try:
        bench_proxy.start()
        stamped_proxy.start()
        await client_run(bench_proxy.url, "throughput", 0)  # warm both ways up: imports, first connections
        await client_run(stamped_proxy.url, "latency", 10)
        unloaded = None
        loads = [("", None)] + ([("while another thread burns CPU in Python", Burner)] if "busy" in only else [])
        for words, load in loads:
            with load() if load else contextlib.nullcontext():
                if "throughput" in only:
                    print(f"\nThroughput {words}".rstrip(), flush=True)
                    ways = await interleaved(bare(bench_url, bench_proxy.url, bool(load)), "throughput",
                                             options.runs, 0)
                    rate = report_throughput(ways, unloaded)
                    unloaded = unloaded or rate
                if "latency" in only:
                    print(f"\nDelay added per frame {words}".rstrip(), flush=True)
                    ways = await interleaved(bare(stamped_url, stamped_proxy.url, bool(load)), "latency",
                                             options.runs, options.frames)
                    report_latency(ways)
        if "app" in only:
            await measure_app(options, {"throughput": (bench_url, bench_proxy),
                                        "latency": (stamped_url, stamped_proxy)})
        await asyncio.sleep(0)  # let the last handed-over calls run
        print(f"\n(the tap saw {tap.seen / 1e6:.1f} MB)", file=sys.stderr)
    finally:
        bench_proxy.stop()
        stamped_proxy.stop()
        bench.terminate()
        stamped.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="client runs each way, per measure")
    parser.add_argument("--frames", type=int, default=2000, help="frames of each latency run")
    parser.add_argument("--only", default="throughput,latency,busy", help="any of throughput,latency,busy,app")
    parser.add_argument("--switch-interval", type=float, help="ms: this process's sys.setswitchinterval")
    parser.add_argument("--read", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="throughput", help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    parser.add_argument("--bench-upstream", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stamped-upstream", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.read:
        print(json.dumps(read(options.read, options.mode, options.frames, options.tag)))
        return
    if options.bench_upstream or options.stamped_upstream:
        asyncio.run(bench_upstream() if options.bench_upstream else stamped_upstream())
        return
    if options.switch_interval:
        sys.setswitchinterval(options.switch_interval / 1000)
    print(f"claude-tui inspecting proxy benchmark · {os.cpu_count()} cores · Python {sys.version.split()[0]} · "
          f"switch interval {sys.getswitchinterval() * 1000:.0f} ms")
    asyncio.run(measure(options))


if __name__ == "__main__":
    main()
