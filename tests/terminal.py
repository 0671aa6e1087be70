"""The real `claude-tui` command in a pseudo-terminal: real key bytes in, its drawing read back through a
terminal emulator (pyte), as a user would see it. For what Pilot cannot show: bytes the terminal sends
(ESC CR, bursts of keys), resizes, what is drawn where."""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyte

READ_LIMIT = 30.0
"""Seconds the app may draw nothing while a test waits for something: past it, the test fails."""
WAIT_LIMIT = 60.0
"""Seconds a test waits for something the app draws (it may draw other things meanwhile)."""


def claude_tui() -> str:
    return str(Path(sys.executable).parent / "claude-tui")


def app_environment(home: Path) -> dict[str, str]:
    """No key (the demo backend), and the test's own home, config and data folders."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANTHROPIC_", "TEXTUAL"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               TERM="xterm-256color")
    return env


class Terminal:
    """The real `claude-tui` in a pseudo-terminal, its output read as it comes and drawn on a screen."""

    def __init__(self, command: list[str], env: dict[str, str], *, columns: int = 120, rows: int = 40) -> None:
        import pty
        import termios

        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execve(command[0], command, env)
            finally:
                os._exit(127)
        termios.tcsetwinsize(self.fd, (rows, columns))
        self.output = b""
        self.screen = pyte.Screen(columns, rows)
        self._stream = pyte.ByteStream(self.screen)

    def _read(self, what: str, limit: float = READ_LIMIT) -> bytes:
        """The next output; b"" once the app has closed the terminal. Fails if it draws nothing for `limit` s."""
        ready, _, _ = select.select([self.fd], [], [], limit)
        if not ready:
            raise AssertionError(f"nothing drawn for {limit} s while waiting for {what}:\n{self.text()}")
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: no process holds the terminal any more
            return b""
        self.output += chunk
        self._stream.feed(chunk)
        return chunk

    def read_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_LIMIT
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen within {WAIT_LIMIT} s:\n{self.text()}")
            if not self._read(what):
                raise AssertionError(f"the app exited while waiting for {what}")

    def lines(self) -> list[str]:
        """The screen as drawn so far, a string per row."""
        return list(self.screen.display)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines())

    def shows(self, text: str) -> bool:
        return any(text in line for line in self.lines())

    def read_until_shown(self, text: str) -> None:
        self.read_until(lambda: self.shows(text), repr(text))

    def start(self) -> None:
        """Wait for the first frame, with bracketed paste on (the app reads keys from then on)."""
        self.read_until(lambda: b"\x1b[?2004h" in self.output and self.shows("Prompt"), "the first frame")

    def resize(self, columns: int, rows: int) -> None:
        """Resize the terminal as a window manager does: the app gets SIGWINCH and draws again."""
        import termios

        self.screen.resize(rows, columns)
        termios.tcsetwinsize(self.fd, (rows, columns))

    def wait(self) -> int:
        """Read to the end of the output, then the app's exit status."""
        while self._read("the app to exit"):
            pass
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return os.waitstatus_to_exitcode(status)

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def quit(self) -> None:
        self.write(b"\x11")  # Ctrl+Q
        assert self.wait() == 0

    def close(self) -> None:
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)
