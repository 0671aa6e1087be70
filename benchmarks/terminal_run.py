"""Programs run as a user runs them, in a pseudo-terminal: claude-tui, and a script that streams a reply with
the bare SDK. What their process spends (CPU seconds, resident memory) from Enter until the reply is shown
whole, read from /proc the same way for both, and what their screen shows, read through a terminal emulator.

Used by `streaming.py --only cpu`.
"""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyte

COLUMNS, ROWS = 120, 40
STARTING, QUITTING = 30.0, 10.0
"""Seconds a program may take to draw its first screen, and to quit."""
SETTLED = 0.02
"""CPU seconds per quarter of a second under which a process counts as idle (two clock ticks)."""
ENDED = "[the stream has ended]"

REFERENCE = f"""
import sys

import anthropic

client = anthropic.Anthropic(api_key="bench", base_url=sys.argv[1])
print("Reference ready", flush=True)
for line in sys.stdin:
    with client.messages.stream(model="bench", max_tokens=64000,
                                messages=[{{"role": "user", "content": line.strip()}}]) as stream:
        for text in stream.text_stream:
            sys.stdout.write(text)
            sys.stdout.flush()
    print("\\n{ENDED}", flush=True)
"""
"""The least a terminal client does: the official SDK's text stream, each piece written as it comes."""

TEXTUAL_FLOOR = f"""
import asyncio
import sys

import anthropic
from rich.text import Text
from textual.app import App
from textual.widgets import Input, Static

URL, TICK = sys.argv[1], float(sys.argv[2])


class Floor(App):
    CSS = "#reply {{ height: 1fr; }}"
    AUTO_FOCUS = "Input"

    def compose(self):
        yield Static(id="reply")
        yield Input(placeholder="Floor ready")

    def on_input_submitted(self, event):
        self.run_worker(self.stream(event.value), exclusive=True)

    async def stream(self, prompt):
        client = anthropic.AsyncAnthropic(api_key="bench", base_url=URL)
        reply, pieces, streaming = self.query_one("#reply"), [], True

        def last_lines(head=""):
            return Text(head + "\\n".join("".join(pieces).splitlines()[-reply.size.height:]))

        async def draw():
            while streaming:
                await asyncio.sleep(TICK)
                reply.update(last_lines())

        drawing = asyncio.create_task(draw())
        async with client.messages.stream(model="bench", max_tokens=64000,
                                          messages=[{{"role": "user", "content": prompt}}]) as stream:
            async for text in stream.text_stream:
                pieces.append(text)
        streaming = False
        await drawing
        reply.update(last_lines("{ENDED}\\n"))


Floor().run()
"""
"""The least a Textual client does: the same text stream, its last lines drawn as plain text in one widget
at claude-tui's tick (no Markdown, no event log, no status bar). What Textual itself costs at that pace."""

Rows = list[str]


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process so far, all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def settle(pid: int, limit: float = 15.0) -> None:
    """Wait until the process has been idle for half a second (start-up or typing is not the reply's work)."""
    deadline = time.monotonic() + limit
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.25)
        quiet = quiet + 1 if cpu_seconds(pid) - before <= SETTLED else 0


@dataclass
class Output:
    """What the program wrote in one read of its terminal; when it was read, and the program's CPU seconds and
    resident memory then."""

    at: float
    cpu: float
    rss: float
    data: bytes


class Watch:
    """Set once the screen has shown each of `steps` in turn, with the output that completed it. `hints`: bytes
    the program writes, in this order, when the last step is near (looked for in the raw output), so that the
    screen need not be followed until then."""

    def __init__(self, steps: list[Callable[[Rows], bool]], hints: tuple[bytes, ...] = ()) -> None:
        self.steps = steps
        self.hints = hints
        self.seen: Output | None = None

    def look(self, rows: Rows, output: Output | None) -> bool:
        while self.steps and self.steps[0](rows):
            self.steps.pop(0)
        if not self.steps and self.seen is None:
            self.seen = output or Output(time.perf_counter(), 0.0, 0.0, b"")
        return self.seen is not None


class Terminal:
    """A program on a pseudo-terminal of its own. A thread keeps reading its output (so the program never waits
    on a full terminal), noting when and what the program had spent then; the screen is followed from it only
    when asked, so that this process does not compete with the program for the CPU while it streams."""

    def __init__(self, command: list[str], home: str, quit_keys: bytes) -> None:
        self.quit_keys = quit_keys
        self.drawn = 0
        self._screen = pyte.Screen(COLUMNS, ROWS)
        self._stream = pyte.ByteStream(self._screen)
        self._rows = [""] * ROWS
        self._arrived = threading.Condition()
        self._pending: deque[Output] = deque()
        self._fd, other = os.openpty()
        fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.process = subprocess.Popen(command, stdin=other, stdout=other, stderr=other, env=environment(home),
                                        cwd=home, start_new_session=True)
        os.close(other)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        pid = self.process.pid
        while True:
            try:
                data = os.read(self._fd, 65536)
            except OSError:  # the program has quit and its side of the terminal is closed
                data = b""
            if not data:
                with self._arrived:
                    self._arrived.notify_all()
                return
            try:
                output = Output(time.perf_counter(), cpu_seconds(pid), rss_mb(pid), data)
            except (OSError, RuntimeError):  # the program is quitting
                output = Output(time.perf_counter(), 0.0, 0.0, data)
            with self._arrived:
                self.drawn += len(data)
                self._pending.append(output)
                self._arrived.notify_all()

    def _follow(self, watch: Watch | None = None) -> bool:
        """Bring the screen up to date, output by output; with a watch, stop as soon as it is set."""
        while True:
            with self._arrived:
                if not self._pending:
                    return False
                output = self._pending.popleft()
            self._feed(output.data)
            if watch is not None and watch.look(self._rows, output):
                return True

    def _feed(self, data: bytes) -> None:
        """Draw `data` on the screen and bring the text of the rows it changed up to date (the whole screen's
        text after every read would cost more than the program spends)."""
        self._stream.feed(data)
        for row in self._screen.dirty:
            cells = self._screen.buffer[row]
            self._rows[row] = "".join(cells[column].data for column in range(COLUMNS))
        self._screen.dirty.clear()

    def rows(self) -> Rows:
        self._follow()
        return list(self._rows)

    def watch(self, *steps: Callable[[Rows], bool], hints: tuple[bytes, ...] = ()) -> Watch:
        """Watch for `steps` on the screen as it is and in the output from now on."""
        watch = Watch(list(steps), hints)
        watch.look(self.rows(), None)
        return watch

    def wait(self, watch: Watch, timeout: float, what: str, patience: float = 0.0,
             failed: Callable[[Rows], bool] = lambda rows: False) -> Output:
        """The output that set `watch`. The screen is followed once the watch's hints were written, or after
        `patience` seconds without them; `failed` says from the screen that it never will be."""
        started = time.monotonic()
        hints, scanned, tail = list(watch.hints), 0, b""
        while watch.seen is None:
            with self._arrived:
                hinted = not hints or time.monotonic() - started > patience
                if not hinted:  # look for the hints in the output not yet looked at
                    for output in list(self._pending)[scanned:]:
                        data = tail + output.data
                        while hints and hints[0] in data:
                            data = data[data.index(hints[0]) + len(hints[0]):]
                            hints.pop(0)
                        tail = output.data[-64:]
                    scanned = len(self._pending)
                    hinted = not hints
                if not hinted or not self._pending:
                    self._arrived.wait(0.1)
            if hinted:
                self._follow(watch)
            if watch.seen is None and (self.process.poll() is not None or time.monotonic() - started > timeout
                                       or failed(self._rows)):
                shown = "\n".join(row.rstrip() for row in self.rows() if row.strip())
                raise RuntimeError(f"{what}: not shown ({time.monotonic() - started:.0f} s); the screen:\n{shown}")
        return watch.seen

    def type(self, keys: str) -> None:
        os.write(self._fd, keys.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                os.write(self._fd, self.quit_keys)
                self.process.wait(QUITTING)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
                print(f"({self.process.args[0]} did not quit within {QUITTING:.0f} s: killed)", file=sys.stderr)
        self._reader.join(QUITTING)
        os.close(self._fd)


def environment(home: str) -> dict[str, str]:
    """This environment without credentials, a base URL or the app's settings; home and XDG folders in `home`."""
    environ = {name: value for name, value in os.environ.items()
               if not name.startswith(("ANTHROPIC_", "XDG_", "CLAUDE_TUI"))}
    environ.update(HOME=home, TERM="xterm-256color")
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        environ[f"XDG_{name}_HOME"] = str(Path(home) / name.lower())
    return environ


def app_command() -> list[str]:
    """The `claude-tui` console script installed beside the Python running this."""
    beside = Path(sys.executable).parent / "claude-tui"
    if not beside.exists():
        raise RuntimeError(f"no claude-tui beside {sys.executable}: install the project there")
    return [str(beside)]


@dataclass
class Reply:
    """One reply as measured from Enter until it was shown whole."""

    cpu: float
    wall: float
    rss: float
    """MB resident when it was shown whole."""
    rss_before: float
    """MB resident when Enter was pressed."""


def letters(text: str) -> str:
    """Only the letters and digits: what Markdown's rendering keeps of its source, whatever the layout."""
    return re.sub(r"[\W_]+", "", text)


class InTerminal:
    """A program in a terminal of its own, with a home folder of its own; a context manager."""

    command: list[str]
    quit_keys = b""
    ready = ""
    """Drawn in the program's first screen."""
    hints: tuple[bytes, ...] = ()
    """Written, in this order, as a reply streams and ends (see `Watch`)."""

    def __enter__(self) -> InTerminal:
        self._home = tempfile.TemporaryDirectory(prefix="claude-tui-bench-")
        self.terminal = Terminal(self.command, self._home.name, self.quit_keys)
        try:
            ready = self.ready
            self.terminal.wait(self.terminal.watch(lambda rows: any(ready in row for row in rows)), STARTING,
                               "the first screen")
            settle(self.terminal.process.pid)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.terminal.close()
        self._home.cleanup()

    def ask(self, prompt: str, size: int, rate: int) -> Reply:
        """Type `prompt`, press Enter, and measure until the reply (`size` characters at `rate`) is shown."""
        terminal = self.terminal
        terminal.type(prompt)
        terminal.wait(terminal.watch(lambda rows: self.typed(rows, prompt)), STARTING, "the prompt typed")
        settle(terminal.process.pid)
        watch = terminal.watch(*self.reply_steps(size), hints=self.hints)
        rss, cpu = rss_mb(terminal.process.pid), cpu_seconds(terminal.process.pid)
        started = time.perf_counter()
        terminal.type("\r")
        end = terminal.wait(watch, size / rate * 3 + 60, "the reply's end", patience=size / rate + 10,
                            failed=self.failed)
        return Reply(end.cpu - cpu, end.at - started, end.rss, rss)

    def typed(self, rows: Rows, prompt: str) -> bool:
        return any(prompt in row for row in rows)

    def reply_steps(self, size: int) -> list[Callable[[Rows], bool]]:
        raise NotImplementedError

    def failed(self, rows: Rows) -> bool:
        """The screen says the reply ended without being whole."""
        return False


class ClaudeTUIInTerminal(InTerminal):
    """The real app, `claude-tui --base-url URL`, as a user starts it (the default settings, no key)."""

    quit_keys = b"\x11"  # Ctrl+Q
    ready = "Prompt"  # the prompt's border title
    # The reply's state in the status bar, which may show the last reply's "done" until the new one streams;
    # the style that ends it tells it from the event log's "done (end_turn)", redrawn as the log scrolls.
    hints = (b" streaming ", b" done \x1b")

    def __init__(self, url: str, corpus: Callable[[int], str]) -> None:
        self.command = [*app_command(), "--base-url", url]
        self.corpus = corpus

    def typed(self, rows: Rows, prompt: str) -> bool:
        prompt_row = _prompt_row(rows)
        return prompt_row is not None and any(prompt in row for row in rows[prompt_row:])

    def reply_steps(self, size: int) -> list[Callable[[Rows], bool]]:
        """The reply has started (a reply before it may have shown the same end), then its end is on screen and
        the status bar says it is done."""
        text = self.corpus(size)
        heading = text.rfind("\n## ")
        end = letters(text[heading:] if heading >= 0 else text[-200:])

        def started(rows: Rows) -> bool:
            return not _done(rows)

        def shown_whole(rows: Rows) -> bool:
            return _done(rows) and end in _chat_letters(rows)

        return [started, shown_whole]

    def failed(self, rows: Rows) -> bool:
        return re.search(r"\b(failed|incomplete|cancelled)\b", _status_bar(rows)) is not None


def _prompt_row(rows: Rows) -> int | None:
    return next((number for number, row in enumerate(rows) if "╭─ Prompt" in row), None)


def _done(rows: Rows) -> bool:
    """The status bar says the reply is done."""
    return re.search(r"\bdone\b", _status_bar(rows)) is not None


def _status_bar(rows: Rows) -> str:
    """The line under the prompt box."""
    prompt_row = _prompt_row(rows)
    if prompt_row is None:
        return ""
    bottom = next((number for number in range(prompt_row + 1, len(rows)) if rows[number].startswith("╰")), None)
    return rows[bottom + 1] if bottom is not None and bottom + 1 < len(rows) else ""


def _chat_letters(rows: Rows) -> str:
    """The letters of the chat, above the prompt box and as wide as it (the event log is beside them)."""
    prompt_row = _prompt_row(rows)
    if prompt_row is None:
        return ""
    width = rows[prompt_row].index("╮") + 1
    return letters("".join(row[:width] for row in rows[:prompt_row]))


class SDKInTerminal(InTerminal):
    """`REFERENCE`, run by this Python: the bare SDK's text stream written to the terminal."""

    quit_keys = b"\x04"  # Ctrl+D: the end of its input
    ready = "Reference ready"
    hints = (ENDED.encode(),)

    def __init__(self, url: str) -> None:
        self.command = [sys.executable, "-c", REFERENCE, url]

    def reply_steps(self, size: int) -> list[Callable[[Rows], bool]]:
        return [lambda rows: any(ENDED in row for row in rows)]


class TextualFloorInTerminal(InTerminal):
    """`TEXTUAL_FLOOR`, run by this Python."""

    quit_keys = b"\x11"  # Ctrl+Q
    ready = "Floor ready"
    hints = (ENDED.encode(),)

    def __init__(self, url: str, tick: float) -> None:
        self.command = [sys.executable, "-c", TEXTUAL_FLOOR, url, str(tick)]

    def reply_steps(self, size: int) -> list[Callable[[Rows], bool]]:
        return [lambda rows: any(ENDED in row for row in rows)]
