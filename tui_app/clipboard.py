"""Copying text, and an honest answer about where it went.

Two paths: the machine's own clipboard (found by `pyperclip`: pbcopy, wl-copy, xclip, xsel, Windows),
and the terminal's clipboard through the OSC 52 escape sequence. Over SSH the terminal's comes first,
since the machine's clipboard would be the remote one; in a browser (`--serve`) only OSC 52, which the
page hands to the browser's clipboard. A native copy is checked (exit status, a time
limit); an OSC 52 write cannot be confirmed, so the message says the terminal decides; where OSC 52
is known not to arrive (tmux without `set-clipboard on`, GNU screen, the Linux console) it is not
claimed. `Clipboard.copy` may block on a helper program: call it from a thread.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from tui_app.browser import in_browser

COPY_TIME_LIMIT = 5.0
OSC52_COMFORTABLE = 74_000
"""Characters whose base64 fits in 100 kB, a limit some terminals and tmux apply to OSC 52."""

BROWSER = "the browser"
"""The path when the app is served to a browser (`--serve`): OSC 52, which the page hands to the browser."""
NO_NATIVE_CLIPBOARD = "this machine has no clipboard tool (install wl-clipboard, xclip or xsel)"

COMMANDS = {
    "xclip": ["xclip", "-selection", "clipboard"],
    "xsel": ["xsel", "--clipboard", "--input"],
    "wl": ["wl-copy"],
    "osx_pbcopy": ["pbcopy"],
}
"""pyperclip mechanisms that are one command: run here, so a failure is seen and its stderr kept
off the screen."""


class ClipboardFailed(Exception):
    """The native clipboard was tried and did not take the text."""


@dataclass(frozen=True, slots=True)
class NativeClipboard:
    name: str
    copy: Callable[[str], None]
    """Raises ClipboardFailed with a reason a person can act on."""


def find_native_clipboard() -> NativeClipboard | None:
    """The machine's clipboard as pyperclip sees it, or None when this machine has none."""
    try:
        import pyperclip
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    copy, _paste = pyperclip.determine_clipboard()
    if not copy:
        return None
    qualified = getattr(copy, "__qualname__", "") or type(copy).__qualname__
    mechanism = qualified.split(".")[0].removeprefix("init_").removesuffix("_clipboard")
    if mechanism in COMMANDS:
        command = COMMANDS[mechanism]
        return NativeClipboard(command[0], partial(run_copy_command, command))
    return NativeClipboard(mechanism or "pyperclip", partial(_pyperclip_copy, copy))


def run_copy_command(command: list[str], text: str) -> None:
    """Feed `text` to a clipboard program. Its stderr goes to a file: these tools fork and keep
    inherited pipes open, and the terminal belongs to the app."""
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        except OSError as error:
            raise ClipboardFailed(f"{command[0]} could not start: {error.strerror}") from None
        try:
            process.communicate(text.encode("utf-8"), timeout=COPY_TIME_LIMIT)
        except subprocess.TimeoutExpired:
            process.kill()
            raise ClipboardFailed(f"{command[0]} did not finish within {COPY_TIME_LIMIT:g} s") from None
        if process.returncode != 0:
            errors.seek(0)
            reason = errors.read(300).decode("utf-8", "replace").strip().splitlines()
            raise ClipboardFailed(f"{command[0]} failed" + (f": {reason[0]}" if reason else
                                                               f" (exit {process.returncode})"))


def _pyperclip_copy(copy: Callable[[str], None], text: str) -> None:
    try:
        copy(text)
    except Exception as error:  # pyperclip raises its own and the platform's errors
        raise ClipboardFailed(str(error).splitlines()[0] if str(error) else type(error).__name__) from None


def terminal_clipboard_problem(
    environ: Mapping[str, str],
    run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
) -> str | None:
    """Why an OSC 52 write cannot reach the clipboard here, or None when it may."""
    term = environ.get("TERM", "")
    if term in ("dumb", "linux"):
        return f"this terminal (TERM={term}) has no clipboard escape sequence"
    if environ.get("STY"):
        return "GNU screen does not pass clipboard writes (OSC 52) on to the terminal"
    if environ.get("TMUX"):
        try:
            answer = run(["tmux", "show-options", "-gv", "set-clipboard"], capture_output=True, text=True,
                         timeout=COPY_TIME_LIMIT)
        except (OSError, subprocess.SubprocessError):
            return None
        setting = answer.stdout.strip()
        if answer.returncode == 0 and setting != "on":
            return (f"tmux's set-clipboard is {setting or 'unset'}, so tmux keeps OSC 52 from the terminal: "
                    "run `tmux set -g set-clipboard on`")
    return None


@dataclass(frozen=True, slots=True)
class CopyOutcome:
    """Which path took the text, if any, and what went wrong on the way."""

    characters: int
    via: str | None
    """The native clipboard's name, "OSC 52", or None when nothing was copied."""
    notes: list[str] = field(default_factory=list)

    @property
    def copied(self) -> bool:
        return self.via is not None

    def describe(self, what: str) -> tuple[str, str]:
        """The notification for copying `what`: its text and severity."""
        size = f"{self.characters:,} character{'s' if self.characters != 1 else ''}"
        if self.via is None:
            text = f"Nothing was copied: {'; '.join(self.notes)}."
            return text, "error"
        if self.via == BROWSER:
            text = f"Sent {what} ({size}) to this browser's clipboard; the browser may ask you to allow it."
        elif self.via == "OSC 52":
            text = (f"Sent {what} ({size}) to the terminal's clipboard with OSC 52; "
                    "the terminal decides whether to accept it.")
        else:
            text = f"Copied {what} ({size}) to the clipboard with {self.via}."
        if self.notes:
            text += " " + " ".join(f"{note[0].upper()}{note[1:]}." for note in self.notes)
        return text, "warning" if self.notes else "information"


class Clipboard:
    """Chooses the path for each copy. Every collaborator is passed in, so tests can stand in for
    the clipboard programs and the terminal at this boundary."""

    def __init__(
        self,
        environ: Mapping[str, str],
        *,
        find_native: Callable[[], NativeClipboard | None] = find_native_clipboard,
        send_to_terminal: Callable[[str], None],
        terminal_problem: Callable[[], str | None] | None = None,
    ) -> None:
        self._environ = environ
        self._find_native = find_native
        self._native: NativeClipboard | None = None
        self._looked = False
        self._send_to_terminal = send_to_terminal
        self._terminal_problem = terminal_problem or partial(terminal_clipboard_problem, environ)

    @property
    def remote(self) -> bool:
        return bool(self._environ.get("SSH_TTY") or self._environ.get("SSH_CONNECTION"))

    def native(self) -> NativeClipboard | None:
        if not self._looked:
            self._native = self._find_native()
            self._looked = True
        return self._native

    def copy(self, text: str) -> CopyOutcome:
        if in_browser(self._environ):  # the person is at the browser: this machine's clipboard is not theirs
            self._send_to_terminal(text)
            return CopyOutcome(len(text), BROWSER)
        notes: list[str] = []
        paths = [self._copy_to_terminal, self._copy_natively]
        if not self.remote:
            paths.reverse()
        for path in paths:
            via = path(text, notes)
            if via is not None:
                # Having no clipboard tool is only news when nothing else worked either.
                notes = [note for note in notes if note != NO_NATIVE_CLIPBOARD]
                if via != "OSC 52" and self.remote:
                    notes.append("that is the clipboard of the machine claude-tui runs on, over SSH")
                if via == "OSC 52" and len(text) > OSC52_COMFORTABLE:
                    notes.append("some terminals cut OSC 52 text this long short")
                return CopyOutcome(len(text), via, notes)
        return CopyOutcome(len(text), None, notes)

    def _copy_natively(self, text: str, notes: list[str]) -> str | None:
        native = self.native()
        if native is None:
            notes.append(NO_NATIVE_CLIPBOARD)
            return None
        try:
            native.copy(text)
        except ClipboardFailed as failure:
            notes.append(str(failure))
            return None
        return native.name

    def _copy_to_terminal(self, text: str, notes: list[str]) -> str | None:
        problem = self._terminal_problem()
        if problem is not None:
            notes.append(problem)
            return None
        self._send_to_terminal(text)
        return "OSC 52"
