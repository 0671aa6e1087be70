"""A reply of 100,000 events: the memory it costs, and whether the event log still answers at once.

Streams it unpaced through the real app (headless) and the real SDK from `bench_server.py` in its own
process, then times event-log actions a user would take: jump to the end, page up, switch to the raw
view. Memory is the growth of the process's resident set from before the request to after the reply has
finished, measured after one short reply (and, second, from before that one).

    python benchmarks/long_reply.py [--events 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot

# After the installed packages: the app measured is the one installed (its themes are a package only
# there), the benchmarks come from here.
sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_server import serve  # noqa: E402
from benchmarks.streaming import claude_tui  # noqa: E402
from tui_app.demo.scripts import DELTA_CHARS  # noqa: E402
from tui_app.widgets.event_lines import EventLines  # noqa: E402
from tui_app.widgets.prompt_input import PromptInput  # noqa: E402


def resident_mb() -> float:
    """The resident set size now (not the peak), from /proc."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 1e6


async def stream_reply(app: App, pilot: Pilot, prompt: str) -> None:
    """Send `prompt` and wait until its reply has finished and been drawn."""
    replies = len(app.chat.conversation.replies)
    app.query_one(PromptInput).load_text(prompt)
    await pilot.press("enter")
    while len(app.chat.conversation.replies) == replies or app.chat.session is None \
            or not app.chat.session.reply.state.finished:
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def measure(url: str, events: int) -> dict[str, float]:
    # Deltas carry 4 characters; a ping follows every 20 of them, and 7 events frame the reply.
    size = int((events - 7) / (1 + 1 / 20)) * DELTA_CHARS
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        app = claude_tui(url, Path(folder))
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await app.sdk_client()
            await pilot.pause()
            cold = resident_mb()
            # A short reply first: the SDK's client, its request modules and the first reply's widgets are
            # a cost paid once per run, not per event. Both figures are printed.
            await stream_reply(app, pilot, "bench size=400 rate=0")
            before = resident_mb()
            started = time.perf_counter()
            await stream_reply(app, pilot, f"bench size={size} rate=0")
            figures["stream s"] = time.perf_counter() - started
            figures["events"] = len(app.chat.session.events)
            figures["memory growth MB"] = resident_mb() - before
            figures["with the first request MB"] = resident_mb() - cold
            app.query_one("#event-lines", EventLines).focus()
            for label, keys in (("event log End s", ["end"]), ("event log PgUp s", ["pageup"]),
                                ("raw view Ctrl+R s", ["ctrl+r"]), ("raw view Home s", ["home"])):
                started = time.perf_counter()
                await pilot.press(*keys)
                await pilot.pause()
                figures[label] = time.perf_counter() - started
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    options = parser.parse_args()
    url, server = serve()
    try:
        figures = asyncio.run(measure(url, options.events))
    finally:
        server.terminate()
    for name, value in figures.items():
        print(f"{name:<22}{value:>12.3f}" if isinstance(value, float) and value % 1 else f"{name:<22}{value:>12.0f}")


if __name__ == "__main__":
    main()
