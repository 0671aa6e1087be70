"""A 1 MB paste into the prompt: how long the UI is busy taking it, typing after it, and sending it.

Drives the real app headless on the demo backend (unpaced) and times, each to the next idle frame:
- the paste itself (a bracketed paste, as a terminal delivers it);
- one keystroke typed after it;
- Enter, until the prompt is in the transcript and the reply has finished.

    python benchmarks/large_paste.py [--megabytes 1] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

# After the installed packages: the app measured is the one installed (its themes are a package only
# there), the benchmarks come from here.
sys.path.append(str(Path(__file__).resolve().parents[1]))

from textual import events  # noqa: E402

from tui_app.app import ClaudeTUI  # noqa: E402
from tui_app.demo.pacing import UNPACED  # noqa: E402
from tui_app.settings import Settings  # noqa: E402
from tui_app.stream.reply import ReplyState  # noqa: E402
from tui_app.widgets.user_turn import UserTurn  # noqa: E402


def paste_text(megabytes: float) -> str:
    line = "A line of a long log file, pasted whole: 2026-11-24 12:00:00 level=info msg=\"ok\"\n"
    return line * int(megabytes * 1_000_000 / len(line))


async def measure(text: str, folder: Path) -> dict[str, float]:
    settings = Settings(demo_pacing=UNPACED)
    settings.history.file = str(folder / "conversations.db")
    app = ClaudeTUI(settings, environ={})
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()  # start-up work is not the paste's cost
        await app.sdk_client()  # (nor is loading the SDK)
        await pilot.pause()
        started = time.perf_counter()
        app.post_message(events.Paste(text))
        await pilot.pause()
        figures["paste"] = time.perf_counter() - started
        started = time.perf_counter()
        await pilot.press("x")
        figures["keystroke"] = time.perf_counter() - started
        started = time.perf_counter()
        await pilot.press("enter")
        while not (app.chat.session and app.chat.session.reply.state is ReplyState.DONE and app.query(UserTurn)):
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        figures["send"] = time.perf_counter() - started
        sent = app.demo_server.requests[-1]["messages"][-1]["content"]
        assert sent == text + "x", "the prompt sent is not the paste"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    text = paste_text(options.megabytes)
    runs = []
    for _ in range(options.runs):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(asyncio.run(measure(text, Path(folder))))
    print(f"paste of {len(text) / 1e6:.2f} MB ({text.count(chr(10))} lines), {options.runs} runs, median (max):")
    for name in ("paste", "keystroke", "send"):
        values = [run[name] for run in runs]
        print(f"  {name:<10} {statistics.median(values):7.3f} s  ({max(values):.3f} s)")


if __name__ == "__main__":
    main()
