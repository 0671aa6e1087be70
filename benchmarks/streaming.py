"""Streaming speed: render under load, overhead over the bare SDK, time to first token, CPU in a terminal.

Every measurement runs through the real SDK over HTTP, against `bench_server.py` running in its own process
(so the server's work is not counted as the client's). All but `cpu` drive a real Textual app headless
(`run_test`), which writes nothing to a terminal.

- **render**: Markdown (paragraphs, lists, tables, one 400-line code block) of each size, streamed in
  4-character deltas at `--rate` (1,000 characters/s), shown three ways: by claude-tui, by a reference app
  calling `Markdown.update` with the whole text per delta, and by one calling `MarkdownStream.write` per
  delta.
  Reports wall time / ideal time, the lag of the text on screen behind the wire (p50, p99, max), and CPU
  seconds. A reference that falls too far behind is stopped at `--limit` seconds and says how much it
  had shown.
- **overhead**: an unpaced 20,000-delta reply: claude-tui's time from request to the last character on
  screen, divided by the time the bare SDK takes to read the same stream.
- **ttft**: how long claude-tui takes to put the first content delta on screen after it arrived.
- **cpu**: the real `claude-tui` command (installed beside this Python; default settings, a temporary home,
  no ANTHROPIC_* variables, `--base-url` the bench server) in a 120×40 pseudo-terminal: the prompt is typed,
  and from Enter until the reply is shown whole (its last section on screen, the status bar saying "done"),
  the CPU seconds of its process (all threads, from /proc), wall time / ideal time, and its resident memory
  at the end. The reference, interleaved with it: a script in the same kind of terminal writing the official
  SDK's `text_stream` as it comes, measured the same way; and the Textual floor (`TEXTUAL_FLOOR`): the
  same stream's last lines in one `Static`, redrawn at the app's tick, what Textual itself costs. Each
  size (default 20 and 60 KB) at `--rate`, the first size again at 4× the rate, and for the largest a
  second reply in the same conversation with the memory it added. Start-up, imports and typing are not
  counted (each process is idle when Enter is pressed). Not in the default run, which it would lengthen
  by several minutes: `--only cpu`.

    python benchmarks/streaming.py [--sizes 4,20,60,200] [--only render,overhead,ttft,cpu] [--limit 60]
                                   [--rate 1000] [--runs 5]

(`--sizes` defaults to 20,60 and `--runs` to 2 for `cpu`.)
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# After the installed packages: the app measured is the one installed (its themes are a package only
# there), the benchmarks come from here.
sys.path.append(str(Path(__file__).resolve().parents[1]))

from textual.app import App, ComposeResult  # noqa: E402
from textual.containers import VerticalScroll  # noqa: E402
from textual.widgets import Markdown  # noqa: E402

from benchmarks.bench_server import markdown_corpus, serve  # noqa: E402
from benchmarks.terminal_run import (  # noqa: E402
    COLUMNS,
    ROWS,
    ClaudeTUIInTerminal,
    Reply,
    SDKInTerminal,
    TextualFloorInTerminal,
)
from tui_app.app import ClaudeTUI  # noqa: E402
from tui_app.demo.scripts import DELTA_CHARS  # noqa: E402
from tui_app.reply_runner import FLUSH_SECONDS  # noqa: E402
from tui_app.settings import Settings  # noqa: E402
from tui_app.widgets.prompt_input import PromptInput  # noqa: E402
from tui_app.widgets.text_block_view import TextBlockView  # noqa: E402

RATE = 1000
"""Characters per second of the paced streams, unless `--rate` says otherwise."""
SIZE = (120, 40)


@dataclass
class Display:
    """When text reached the screen: (time, characters shown so far), and when each delta arrived."""

    marks: list[tuple[float, int]] = field(default_factory=list)
    shown: int = 0
    first_arrival: float | None = None

    def record(self, shown: int) -> None:
        self.shown = shown
        self.marks.append((time.perf_counter(), shown))

    def wrap(self, markdown: Markdown, *, whole: bool) -> None:
        """Record every `append` (and, if `whole`, every `update`) of this widget once it has been applied.
        `whole`: the widget shows the whole text; else it is one of several segments, each adding to what
        is shown by its appends (a segment set aside and drawn again is not new text)."""
        append, update = markdown.append, markdown.update

        async def appended(fragment: str) -> None:
            await append(fragment)
            if whole:
                self.record(self.shown + len(fragment))
            else:  # the text up to the end of this segment is in place (earlier ones may be set aside)
                self.record(max(self.shown, markdown.parent.segment_offset(markdown.number) + len(markdown.source)))

        async def updated(text: str = "") -> None:
            await update(text)
            self.record(len(text))

        markdown.append = appended  # type: ignore[method-assign]
        if whole:
            markdown.update = updated  # type: ignore[method-assign]

    def shown_at(self, characters: int) -> float | None:
        counts = [shown for _, shown in self.marks]
        position = bisect.bisect_left(counts, characters)
        return self.marks[position][0] if position < len(self.marks) else None


@dataclass
class Result:
    strategy: str
    size: int
    wall: float
    ideal: float
    lags: list[float]
    cpu: float
    complete: bool
    shown: int

    def row(self) -> str:
        lags = sorted(self.lags) or [0.0]
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
        done = "" if self.complete else f"  stopped at {self.shown / self.size:.0%}"
        ratio = f"{self.wall / self.ideal:>7.2f}" if self.complete else f"{'–':>7}"
        return (f"{self.size // 1000:>5} KB  {self.strategy:<26}{ratio}"
                f"{statistics.median(lags) * 1000:>9.0f}{p99 * 1000:>9.0f}{lags[-1] * 1000:>9.0f}"
                f"{self.cpu:>8.1f}{self.cpu / (self.size / 1000):>9.3f}{done}")


def lags_behind_wire(display: Display, size: int, rate: int) -> list[float]:
    """For each delta, the time from when the server sent it (on its fixed schedule from the first
    delta's arrival) to when the text up to it was on screen; unshown deltas count until now."""
    assert display.first_arrival is not None
    interval = DELTA_CHARS / rate
    now = time.perf_counter()
    lags = []
    for index in range((size + DELTA_CHARS - 1) // DELTA_CHARS):
        sent = display.first_arrival + index * interval
        shown = display.shown_at(min(size, (index + 1) * DELTA_CHARS))
        if shown is None and sent > now:
            break  # the stream was stopped before the server sent it
        lags.append((shown if shown is not None else now) - sent)
    return lags


# claude-tui itself


def claude_tui(url: str, folder: Path) -> ClaudeTUI:
    settings = Settings(base_url=url)
    settings.history.file = str(folder / "conversations.db")
    settings.panels.events = True
    return ClaudeTUI(settings, environ={})


async def run_claude_tui(url: str, prompt: str, size: int, display: Display) -> tuple[float, float, float]:
    """Stream one reply in the real app: (seconds from Enter to the whole text on screen, CPU seconds,
    when the first content delta arrived)."""
    watch_text_blocks(display)
    with tempfile.TemporaryDirectory() as folder:
        app = claude_tui(url, Path(folder))
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()  # start-up work is not the stream's
            await app.sdk_client()  # (nor is loading the SDK, which starts once the first screen is drawn)
            app.query_one(PromptInput).load_text(prompt)
            cpu, started = time.process_time(), time.perf_counter()
            await pilot.press("enter")
            while display.shown < size:
                await asyncio.sleep(0.005)
            finished = display.marks[-1][0]
            cpu = time.process_time() - cpu
            await app.workers.wait_for_complete()
            session = app.chat.session
            assert session.reply.text == markdown_corpus(size), "the reply differs from what was sent"
            assert session.timings.first_token is not None
            first = session._started + session.timings.first_token
    return finished - started, cpu, first


def watch_text_blocks(display: Display) -> None:
    """Record, from now on, the text the app's text blocks hold once each has taken in new text (the
    benchmark's one reply has one text block)."""
    global _watching
    _watching = display
    if hasattr(TextBlockView, "_unwatched"):
        return
    TextBlockView._unwatched = (TextBlockView.sync, TextBlockView.settle)  # type: ignore[attr-defined]

    def watched(name: str, original):  # noqa: ANN001, ANN202
        async def method(self: TextBlockView, block) -> None:  # noqa: ANN001
            await original(self, block)
            _watching.record(max(_watching.shown, len(self.source)))

        setattr(TextBlockView, name, method)

    for name, original in zip(("sync", "settle"), TextBlockView._unwatched, strict=True):  # type: ignore[attr-defined]
        watched(name, original)


_watching = Display()


# the two reference strategies


class ReferenceApp(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown()


async def run_reference(url: str, prompt: str, size: int, strategy: str, limit: float,
                        display: Display) -> tuple[float, float, bool]:
    import anthropic

    app = ReferenceApp()
    async with app.run_test(size=SIZE):
        markdown = app.query_one(Markdown)
        display.wrap(markdown, whole=True)
        client = anthropic.AsyncAnthropic(api_key="bench", base_url=url)
        cpu, started = time.process_time(), time.perf_counter()
        stream = Markdown.get_stream(markdown) if strategy == "stream" else None
        text = ""
        complete = True
        events = await client.messages.create(model="bench", max_tokens=64000, stream=True,
                                              messages=[{"role": "user", "content": prompt}])
        async for event in events:
            if event.type != "content_block_delta" or event.delta.type != "text_delta":
                continue
            if display.first_arrival is None:
                display.first_arrival = time.perf_counter()
            if time.perf_counter() - started > limit:
                complete = False
                break
            if stream is None:
                text += event.delta.text
                await markdown.update(text)
            else:
                await stream.write(event.delta.text)
        if stream is not None:
            await stream.stop()
        await events.close()
        finished = display.marks[-1][0] if display.marks else time.perf_counter()
        cpu = time.process_time() - cpu
    return finished - started, cpu, complete


async def render(url: str, sizes: list[int], limit: float, rate: int) -> list[Result]:
    results = []
    for size in sizes:
        prompt = f"bench size={size} rate={rate}"
        ideal = size / rate
        display = Display()
        wall, cpu, first = await run_claude_tui(url, prompt, size, display)
        display.first_arrival = first
        results.append(Result("claude-tui", size, wall, ideal, lags_behind_wire(display, size, rate), cpu,
                              True, size))
        print(results[-1].row(), flush=True)
        for strategy, name in (("update", "Markdown.update per delta"), ("stream", "MarkdownStream per delta")):
            display = Display()
            wall, cpu, complete = await run_reference(url, prompt, size, strategy, limit, display)
            lags = lags_behind_wire(display, size, rate)
            results.append(Result(name, size, wall, ideal, lags, cpu, complete, display.shown))
            print(results[-1].row(), flush=True)
    return results


# overhead over the bare SDK, and time to first token


async def bare_sdk_seconds(url: str, prompt: str) -> float:
    import anthropic

    client = anthropic.AsyncAnthropic(api_key="bench", base_url=url)
    started = time.perf_counter()
    text = []
    events = await client.messages.create(model="bench", max_tokens=64000, stream=True,
                                          messages=[{"role": "user", "content": prompt}])
    async for event in events:
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            text.append(event.delta.text)
    return time.perf_counter() - started


async def overhead(url: str, runs: int) -> tuple[float, float]:
    size = 20_000 * DELTA_CHARS
    prompt = f"bench size={size} rate=0"
    app_times, sdk_times = [], []
    for _ in range(runs):
        sdk_times.append(await bare_sdk_seconds(url, prompt))
        display = Display()
        wall, _cpu, _first = await run_claude_tui(url, prompt, size, display)
        app_times.append(wall)
    return statistics.median(app_times), statistics.median(sdk_times)


async def ttft(url: str, runs: int) -> list[float]:
    """Per run: seconds from the first content delta's arrival to its text on screen."""
    added = []
    for _ in range(runs):
        display = Display()
        _wall, _cpu, first = await run_claude_tui(url, "bench size=400 rate=1000 ttft_ms=300", 400, display)
        shown = next(moment for moment, characters in display.marks if characters > 0)
        added.append(shown - first)
    return added


# CPU in a terminal: the real command against the bare SDK


@dataclass
class TerminalRun:
    size: int
    rate: int
    run: int
    app: Reply
    reference: Reply
    floor: Reply
    again: Reply | None = None
    """The same prompt a second time in the same conversation."""

    def rows(self) -> list[str]:
        rows = [self._row(self.app, str(self.run))]
        if self.again:
            rows.append(self._row(self.again, f"{self.run} again")
                        + f"{self.again.rss - self.again.rss_before:>+11.1f}")
        return rows

    def _row(self, app: Reply, run: str) -> str:
        ideal = self.size / self.rate
        return (f"{self.size // 1000:>5} KB{self.rate:>7}  {run:<9}{app.cpu:>9.2f}{self.reference.cpu:>9.2f}"
                f"{app.cpu / max(self.reference.cpu, 0.01):>9.1f}{self.floor.cpu:>10.2f}"
                f"{self.floor.cpu / max(self.reference.cpu, 0.01):>9.1f}{app.wall / ideal:>11.2f}{app.rss:>9.0f}"
                f"{self.floor.rss:>9.0f}")


def cpu_in_terminal(url: str, sizes: list[int], rate: int, runs: int) -> list[TerminalRun]:
    """Each case `runs` times, the app, the reference and the Textual floor in turn (their order reversed
    from run to run, so that all see the machine alike)."""
    cases = [(size, rate) for size in sizes] + [(sizes[0], rate * 4)]
    cases.sort()
    results = []
    for run in range(1, runs + 1):
        for size, pace in cases:
            prompt = f"bench size={size} rate={pace}"
            replies: dict[str, list[Reply]] = {}
            for side in ("app", "reference", "floor")[:: 1 if run % 2 else -1]:
                if side == "app":
                    with ClaudeTUIInTerminal(url, markdown_corpus) as app:
                        replies[side] = [app.ask(prompt, size, pace)]
                        if size == max(sizes) and pace == rate:
                            replies[side].append(app.ask(prompt, size, pace))
                elif side == "reference":
                    with SDKInTerminal(url) as reference:
                        replies[side] = [reference.ask(prompt, size, pace)]
                else:
                    with TextualFloorInTerminal(url, FLUSH_SECONDS) as floor:
                        replies[side] = [floor.ask(prompt, size, pace)]
            again = replies["app"][1] if len(replies["app"]) > 1 else None
            results.append(TerminalRun(size, pace, run, replies["app"][0], replies["reference"][0],
                                       replies["floor"][0], again))
            print("\n".join(results[-1].rows()), flush=True)
    return results


def report_cpu_in_terminal(results: list[TerminalRun]) -> None:
    if len({result.run for result in results}) < 2:
        return
    for name, reply in (("app/ref", lambda result: result.app), ("floor/ref", lambda result: result.floor)):
        print(f"  {name}, min–max over the runs: " + "; ".join(
            f"{size // 1000} KB at {rate}: {min(ratios):.1f}–{max(ratios):.1f}"
            for (size, rate), ratios in _ratios(results, reply).items()), flush=True)


def _ratios(results: list[TerminalRun], reply: Callable[[TerminalRun], Reply]) -> dict[tuple[int, int], list[float]]:
    ratios: dict[tuple[int, int], list[float]] = {}
    for result in results:
        ratios.setdefault((result.size, result.rate), []).append(reply(result).cpu / max(result.reference.cpu, 0.01))
    return ratios


def timed(label: str, action: Callable[[], object]) -> object:
    started = time.perf_counter()
    result = action()
    print(f"({label}: {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="KB, comma-separated (render: 4,20,60,200; cpu: 20,60)")
    parser.add_argument("--only", default="render,overhead,ttft", help="any of render,overhead,ttft,cpu")
    parser.add_argument("--limit", type=float, default=60.0,
                        help="seconds after which a reference strategy is stopped")
    parser.add_argument("--rate", type=int, default=RATE, help="characters per second of render and cpu")
    parser.add_argument("--runs", type=int, help="runs of the overhead and ttft measures (5), of cpu (2)")
    options = parser.parse_args()
    only = set(options.only.split(","))

    def sizes(default: str) -> list[int]:
        return [int(size) * 1000 for size in (options.sizes or default).split(",")]

    url, server = serve()
    try:
        print(f"claude-tui streaming benchmark · {os.cpu_count()} cores · Python {sys.version.split()[0]}")
        if "render" in only:
            print(f"\nRender under load: {DELTA_CHARS}-character deltas at {options.rate} characters/s")
            print(f"{'size':>8}  {'strategy':<26}{'wall/ideal':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
                  f"{'CPU s':>8}{'CPU s/KB':>9}")
            timed("render", lambda: asyncio.run(render(url, sizes("4,20,60,200"), options.limit, options.rate)))
        runs = options.runs or 5
        if "overhead" in only:
            app_time, sdk_time = timed("overhead", lambda: asyncio.run(overhead(url, runs)))
            print(f"\nOverhead, unpaced 20,000 deltas (median of {runs}): claude-tui {app_time:.2f} s "
                  f"to the last character on screen; bare SDK {sdk_time:.2f} s to read it; "
                  f"ratio {app_time / sdk_time:.2f}")
        if "ttft" in only:
            added = timed("ttft", lambda: asyncio.run(ttft(url, runs)))
            print(f"\nTime to first token added by the app (first delta arrived → on screen), {runs} runs: "
                  f"median {statistics.median(added) * 1000:.1f} ms, max {max(added) * 1000:.1f} ms")
        if "cpu" in only:
            print(f"\nCPU in a {COLUMNS}×{ROWS} terminal, {DELTA_CHARS}-character deltas: CPU s of claude-tui and of "
                  f"the bare SDK writing the text (ref), from Enter to the reply shown whole")
            print(f"{'size':>8}{'rate':>7}  {'run':<9}{'app CPU':>9}{'ref CPU':>9}{'app/ref':>9}{'floor CPU':>10}"
                  f"{'fl/ref':>9}{'wall/ideal':>11}{'RSS MB':>9}{'floor MB':>9}{'RSS +MB':>11}")
            results = timed("cpu", lambda: cpu_in_terminal(url, sizes("20,60"), options.rate, options.runs or 2))
            report_cpu_in_terminal(results)
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
