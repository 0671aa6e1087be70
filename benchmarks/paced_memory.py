"""Memory while a long reply streams at a model's pace: does it level off, or grow for as long as the reply?

Streams Markdown at 1,000 characters/s in 4-character deltas (as `streaming.py` does) through the real
app and the real SDK, and samples the process's resident memory every few seconds. Prints the samples,
and the growth per second over the second half of the reply, when the screen holds as many widgets as
it ever will and only what the reply itself keeps (its events) should still be adding up.

    python benchmarks/paced_memory.py [--size 60] [--every 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_server import serve  # noqa: E402
from benchmarks.streaming import Display, run_claude_tui  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=60, help="KB of Markdown (seconds of streaming)")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    args = parser.parse_args()
    size = args.size * 1000
    samples: list[tuple[float, float]] = []
    done = threading.Event()

    def sample() -> None:
        started = time.perf_counter()
        while not done.wait(args.every):
            samples.append((time.perf_counter() - started, rss_mb()))

    url, server = serve()
    try:
        before = rss_mb()
        threading.Thread(target=sample, daemon=True).start()
        asyncio.run(run_claude_tui(url, f"bench size={size} rate=1000", size, Display()))
    finally:
        done.set()
        server.terminate()
    print(f"{args.size} KB at 1000 characters/s · {os.cpu_count()} cores · Python {sys.version.split()[0]}")
    print(f"  before the app started {before:7.0f} MB")
    for at, mb in samples:
        print(f"  {at:5.0f} s {mb:20.0f} MB")
    half = [(at, mb) for at, mb in samples if at >= samples[-1][0] / 2]
    if len(half) > 1:
        rate = (half[-1][1] - half[0][1]) / (half[-1][0] - half[0][0])
        print(f"  growth over the second half: {rate:.2f} MB/s")


if __name__ == "__main__":
    main()
