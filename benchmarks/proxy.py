"""The inspecting proxy's cost to the client it stands before: throughput and the delay it adds to each frame.

The proxy runs here, in this process, on its own thread as in the app, with a tap that hands every call to
this process's event loop (as the app's does). The upstream and the client each run in a process of their
own, so neither's work is counted as the proxy's. Direct and proxied runs are interleaved.

- **throughput**: an unpaced 20,000-delta reply from `bench_server.py` (the demo backend), read as raw bytes
  by an httpx client directly and through the proxy: MB/s from the first byte to the last (the time the
  server takes to write its script before the first byte is given apart), and the ratio proxy/direct.
- **latency**: a stream of one frame a millisecond from a small upstream of its own that stamps each frame
  with `time.perf_counter()` as it sends it; the client takes arrival minus sent for each frame (the clock
  is the machine's, shared by processes). p50 and p99 directly and through the proxy, and their difference.
- **busy**: both again while another thread of this process burns CPU in Python, as a busy screen would;
  the direct runs are made under the same load, so only the proxy's share of the interpreter differs.

  `--switch-interval` sets how long a thread may hold the interpreter while another waits for it.

    python benchmarks/proxy.py [--runs 9] [--frames 2000] [--only throughput,latency,busy] [--switch-interval MS]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_server import serve  # noqa: E402
from tui_app.demo.scripts import DELTA_CHARS  # noqa: E402
from tui_app.proxy.server import InspectProxy  # noqa: E402

DELTAS = 20_000
FRAME_INTERVAL = 0.001
STAMP = re.compile(rb'"sent": ([0-9.]+)')


# The client, in a process of its own: one request, its figures printed as JSON


def read(url: str, mode: str, frames: int) -> dict[str, object]:
    import httpx2

    if mode == "throughput":
        prompt = f"bench size={DELTAS * DELTA_CHARS} rate=0"
    else:
        prompt = f"stamped frames={frames}"
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
    return {"bytes": size, "first_byte": first - started, "streaming": finished - first, "delays": delays}


# The stamping upstream, in a process of its own


async def stamped_upstream() -> None:
    from aiohttp import web

    async def stream(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        frames = int(re.search(r"frames=(\d+)", body["messages"][-1]["content"]).group(1))
        response = web.StreamResponse(headers={"content-type": "text/event-stream; charset=utf-8"})
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        due = loop.time()
        for number in range(frames):
            # A fixed schedule, so a late frame does not push the others back.
            due += FRAME_INTERVAL
            await asyncio.sleep(max(0.0, due - loop.time()))
            delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "four"},
                     "n": number, "sent": round(time.perf_counter(), 7)}
            await response.write(b"event: content_block_delta\ndata: %s\n\n" % json.dumps(delta).encode())
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


def start_stamped_upstream() -> tuple[str, subprocess.Popen[str]]:
    process = subprocess.Popen([sys.executable, __file__, "--stamped-upstream"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process.stdout.readline().strip(), process


# The proxy's side


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


async def client_run(url: str, mode: str, frames: int) -> dict[str, object]:
    process = await asyncio.create_subprocess_exec(sys.executable, __file__, "--read", url, "--mode", mode,
                                                   "--frames", str(frames), stdout=subprocess.PIPE)
    out, _ = await process.communicate()
    assert process.returncode == 0, "the client failed"
    return json.loads(out)


async def interleaved(direct_url: str, proxy_url: str, mode: str, runs: int,
                      frames: int) -> tuple[list[dict], list[dict], float]:
    """`runs` client runs each way, alternating; and this process's CPU seconds over the proxied ones."""
    direct, proxied, cpu = [], [], 0.0
    for _ in range(runs):
        direct.append(await client_run(direct_url, mode, frames))
        before = time.process_time()
        proxied.append(await client_run(proxy_url, mode, frames))
        cpu += time.process_time() - before
    return direct, proxied, cpu


def process_cpu(seconds: float, loaded: bool) -> str:
    return f"proxy process CPU {seconds:.2f} s a run" + (" (the burning thread's included)" if loaded else "")


def runs(count: int) -> str:
    return f"{count} run{'s' * (count != 1)}"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def report_throughput(direct: list[dict], proxied: list[dict], cpu: float, unloaded: float | None) -> float:
    """Print the figures; return the proxy's median rate."""

    def rates(runs: list[dict]) -> list[float]:
        return [run["bytes"] / run["streaming"] / 1e6 for run in runs]

    def first_byte(runs: list[dict]) -> float:
        return statistics.median(run["first_byte"] for run in runs) * 1000

    size = direct[0]["bytes"] / 1e6
    assert all(run["bytes"] == direct[0]["bytes"] for run in direct + proxied), "the bodies differ in size"
    d, p = statistics.median(rates(direct)), statistics.median(rates(proxied))
    print(f"  {DELTAS:,} deltas, {size:.2f} MB, {runs(len(direct))} each; MB/s from the first byte to the last"
          f" (median; min–max), and ms to the first byte (median)")
    print(f"  direct  {d:7.1f} MB/s  ({min(rates(direct)):.1f}–{max(rates(direct)):.1f})"
          f"  first byte {first_byte(direct):6.1f} ms")
    print(f"  proxy   {p:7.1f} MB/s  ({min(rates(proxied)):.1f}–{max(rates(proxied)):.1f})"
          f"  first byte {first_byte(proxied):6.1f} ms")
    print(f"  ratio proxy/direct {p / d:.2f}; {process_cpu(cpu / len(proxied), unloaded is not None)}")
    if unloaded is not None:
        print(f"  the proxy at {p / unloaded:.2f} of its rate without the load")
    return p


def report_latency(direct: list[dict], proxied: list[dict], cpu: float, loaded: bool) -> None:
    d = [delay * 1000 for run in direct for delay in run["delays"]]
    p = [delay * 1000 for run in proxied for delay in run["delays"]]
    print(f"  {len(d) // len(direct):,} frames, one a millisecond, {runs(len(direct))} each; ms from sent to read")
    print(f"  {'':8}{'p50':>8}{'p99':>8}{'max':>8}")
    print(f"  {'direct':8}{percentile(d, 0.5):8.2f}{percentile(d, 0.99):8.2f}{max(d):8.2f}")
    print(f"  {'proxy':8}{percentile(p, 0.5):8.2f}{percentile(p, 0.99):8.2f}{max(p):8.2f}")
    print(f"  {'added':8}{percentile(p, 0.5) - percentile(d, 0.5):8.2f}"
          f"{percentile(p, 0.99) - percentile(d, 0.99):8.2f}")
    print(f"  {process_cpu(cpu / len(proxied), loaded)}")


async def measure(options: argparse.Namespace) -> None:
    only = set(options.only.split(","))
    tap = HandingOver(asyncio.get_running_loop())
    bench_url, bench = serve()
    stamped_url, stamped = start_stamped_upstream()
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
                    measured = await interleaved(bench_url, bench_proxy.url, "throughput", options.runs, 0)
                    rate = report_throughput(*measured, unloaded)
                    unloaded = unloaded or rate
                if "latency" in only:
                    print(f"\nDelay added per frame {words}".rstrip(), flush=True)
                    measured = await interleaved(stamped_url, stamped_proxy.url, "latency", options.runs,
                                                 options.frames)
                    report_latency(*measured, load is not None)
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
    parser.add_argument("--only", default="throughput,latency,busy")
    parser.add_argument("--switch-interval", type=float, help="ms: this process's sys.setswitchinterval")
    parser.add_argument("--read", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="throughput", help=argparse.SUPPRESS)
    parser.add_argument("--stamped-upstream", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.read:
        print(json.dumps(read(options.read, options.mode, options.frames)))
        return
    if options.stamped_upstream:
        asyncio.run(stamped_upstream())
        return
    if options.switch_interval:
        sys.setswitchinterval(options.switch_interval / 1000)
    print(f"claude-tui inspecting proxy benchmark · {os.cpu_count()} cores · Python {sys.version.split()[0]} · "
          f"switch interval {sys.getswitchinterval() * 1000:.0f} ms")
    asyncio.run(measure(options))


if __name__ == "__main__":
    main()
