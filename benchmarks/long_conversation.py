"""A 500-turn conversation: how long it takes to open, and what scrolling back through it costs.

Saves a realistic conversation (250 prompts, 250 Markdown replies with lists and code, 300 wire events
each) in a fresh database, then:
- runs `claude-tui --resume ID` in a pseudo-terminal: process start until the last reply is on screen,
  beside a plain start (a new conversation) for comparison;
- reads the conversation back from SQLite alone;
- drives the real app headless, scrolling back `--pages` times past the top: seconds per page, the
  most turn widgets ever mounted, and the process's memory before and after.

    python benchmarks/long_conversation.py [--turns 500] [--runs 5] [--pages 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

# After the installed packages: the app measured is the one installed (see startup.py), the benchmarks
# come from here.
sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.startup import app_command, first_frame_seconds  # noqa: E402
from tui_app.app import ClaudeTUI  # noqa: E402
from tui_app.demo.pacing import UNPACED  # noqa: E402
from tui_app.model.conversation import ChatSettings, Conversation  # noqa: E402
from tui_app.settings import Settings  # noqa: E402
from tui_app.store.database import Store  # noqa: E402
from tui_app.stream.events import wire_event_from_record  # noqa: E402
from tui_app.stream.reply import ReplyState  # noqa: E402
from tui_app.widgets.transcript_view import TranscriptView  # noqa: E402

REPLY = """Here is answer {n}.

- a point about **streaming**
- another about `content_block_delta`
  - with a nested detail

```python
async for event in session.stream():
    print(event.name, event.arrived)  # reply {n}
```

A closing paragraph that runs long enough to wrap on a normal terminal, as real replies do, and says
something about turn {n} so that searching the text finds it.
"""


def build(path: Path, turns: int) -> int:
    store = Store.open(path)
    conversation = Conversation(ChatSettings("claude-sonnet-5", 4096), title="A long conversation")
    for n in range(turns // 2):
        conversation.add_user(f"Question {n}: tell me about streaming, part {n}.")
        reply = conversation.add_reply("claude-sonnet-5")
        reply.text, reply.state, reply.stop_reason = REPLY.format(n=n), ReplyState.DONE, "end_turn"
        reply.content = [{"type": "text", "text": reply.text}]
        reply.input_tokens, reply.output_tokens, reply.first_token, reply.total = 20 * n, 150, 0.6, 3.1
    store.save_conversation(conversation)
    for position, turn in enumerate(conversation.turns):
        store.save_turn(conversation.id, position, turn)
        if turn.is_reply:
            store.add_events(turn.id, [
                wire_event_from_record(seq, "content_block_delta",
                                       '{"type":"content_block_delta","index":0,'
                                       '"delta":{"type":"text_delta","text":"abcd"}}', seq / 60, None)
                for seq in range(300)])
    store.close()
    assert conversation.id is not None
    return conversation.id


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def scroll_back(path: Path, conversation_id: int, pages: int) -> dict[str, float]:
    settings = Settings(demo_pacing=UNPACED)
    settings.history.file = str(path)
    app = ClaudeTUI(settings, environ={}, resume=conversation_id)
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        transcript = app.query_one(TranscriptView)
        while transcript.mounted_range[1] == 0:
            await pilot.pause()
        await app.workers.wait_for_complete()  # the SDK loads in the background: count it before, not during
        await pilot.pause()
        figures["turn widgets at open"] = len(transcript.turn_views)
        figures["memory at open (MB)"] = rss_mb()
        most, started = 0, time.perf_counter()
        for _ in range(pages):
            if transcript.mounted_range[0] == 0:
                break
            transcript.scroll_home(animate=False, immediate=True)
            await pilot.pause()
            while transcript.paging:
                await pilot.pause()
            most = max(most, len(transcript.turn_views))
        figures["seconds per page back"] = (time.perf_counter() - started) / pages
        figures["most turn widgets"] = most
        figures["turns drawn back"] = len(app.chat.conversation.turns) - transcript.mounted_range[0]
        figures["memory after (MB)"] = rss_mb()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claude-tui" / "conversations.db"
        conversation_id = build(path, args.turns)
        size = path.stat().st_size / 1e6
        started = time.perf_counter()
        Store.open(path).load(conversation_id)
        read = time.perf_counter() - started
        command = app_command()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
        env.update(TERM="xterm-256color", COLUMNS="120", LINES="40", XDG_DATA_HOME=folder,
                   XDG_CONFIG_HOME=str(Path(folder) / "config"))
        last = f"reply {args.turns // 2 - 1}".encode()
        plain = [first_frame_seconds(command, env) for _ in range(args.runs)]
        resumed = [first_frame_seconds([*command, "--resume", str(conversation_id)], env, last)
                   for _ in range(args.runs)]
        scrolled = asyncio.run(scroll_back(path, conversation_id, args.pages))
    print(f"{args.turns} turns, {args.turns // 2 * 300} events, database {size:.1f} MB; {args.runs} runs, "
          f"{os.cpu_count()} cores")
    print(f"  read from SQLite                      {read * 1000:7.0f} ms")
    for name, values in (("first frame, new conversation", plain), ("last screen shown, --resume", resumed)):
        print(f"  {name:<36}{statistics.median(values) * 1000:7.0f} ms median "
              f"({min(values) * 1000:.0f} to {max(values) * 1000:.0f})")
    for name, value in scrolled.items():
        print(f"  {name:<36}{value:9.2f}" if "seconds" in name else f"  {name:<36}{value:7.0f}")

if __name__ == "__main__":
    main()
