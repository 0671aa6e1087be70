"""A demo backend for benchmarks, run in its own process so its work is not counted as the client's.

It streams realistic Markdown of a size, at a rate, asked for in the prompt:

    bench size=60000 rate=1000

(`rate=0` sends as fast as the socket takes it). Started by the benchmarks with `serve()`, which
returns the URL and the process.

    python benchmarks/bench_server.py   # serves on a free port and prints its URL
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

# After the installed packages: the app measured is the one installed (its themes are a package only
# there), the benchmarks come from here.
sys.path.append(str(Path(__file__).resolve().parents[1]))

from tui_app.demo.pacing import DemoPacing  # noqa: E402
from tui_app.demo.scripts import DELTA_CHARS, Script, ScriptWriter, _last_user_text  # noqa: E402
from tui_app.demo.server import DemoServer  # noqa: E402

PARAGRAPH = ("Streaming shows how a reply is made: the model's pace, its pauses, and the moment it stops. "
             "Each `content_block_delta` carries a few characters, and **Markdown** is rendered as it comes. ")
CODE_LINES = 400


def markdown_corpus(size: int) -> str:
    """`size` characters of Markdown: sections of paragraphs, lists and tables, and one code block of 400
    lines in the middle (about a third of the text; at 4 KB, which cannot hold 400 lines beside the rest,
    160 short ones). It ends wherever `size` falls in its last section, as a reply cut short would."""
    lines = min(CODE_LINES, size // 25)
    width = max(6, min(70, size // 3 // lines))
    code = ["```python"] + [_code_line(n, width) for n in range(lines)] + ["```", ""]
    code_text = "\n".join(code) + "\n"
    parts: list[str] = []
    section = 0
    placed = False
    while sum(map(len, parts)) + (0 if placed else len(code_text)) < size:
        section += 1
        parts.append(
            f"## Section {section}\n\n{PARAGRAPH * 2}\n\n"
            f"- a point about **streaming** ({section})\n- another about `ping` events\n  - a nested detail\n\n"
            f"| event | carries |\n|---|---|\n| `message_start` | model, input tokens |\n"
            f"| `content_block_delta` | text, part {section} |\n\n"
        )
        if not placed and sum(map(len, parts)) >= (size - len(code_text)) / 2:
            parts.append(code_text)
            placed = True
    return "".join(parts)[:size]


def _code_line(number: int, width: int) -> str:
    line = f"x{number} = {number}"
    if width > len(line) + 4:
        line += "  # " + ("note " * width)[: width - len(line) - 4]
    return line


def bench_script(request: dict[str, Any], pacing: DemoPacing) -> Script:
    prompt = _last_user_text(request)
    fields = dict(re.findall(r"(\w+)=(\d+)", prompt))
    size, rate = int(fields.get("size", 4000)), int(fields.get("rate", 1000))
    ttft = int(fields.get("ttft_ms", 0)) / 1000
    pacing = DemoPacing(first_token_delay=ttft, tokens_per_second=rate / DELTA_CHARS if rate else 0)
    writer = ScriptWriter("bench", str(request.get("model") or "bench"), 10, pacing)
    writer.start()
    writer.text(markdown_corpus(size))
    return writer.finish()


def serve() -> tuple[str, subprocess.Popen[str]]:
    """Start this server in a child process; its URL and the process (terminate it when done)."""
    process = subprocess.Popen([sys.executable, __file__], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process.stdout.readline().strip(), process


async def _main() -> None:
    server = DemoServer(script_for=bench_script)
    await server.listen()
    print(server.url, flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_main())
