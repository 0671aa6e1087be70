"""The clipboard's choices, with real helper programs standing in for xclip."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tui_app.browser import WEB_DRIVER
from tui_app.clipboard import Clipboard, ClipboardFailed, CopyOutcome, run_copy_command, terminal_clipboard_problem


def script(tmp_path: Path, name: str, body: str) -> list[str]:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)
    return [str(path)]


def test_a_clipboard_program_gets_the_exact_text(tmp_path) -> None:
    received = tmp_path / "received"
    command = script(tmp_path, "fake-xclip", f'cat > "{received}"\n')
    text = "héllo\n```\ncode\n```\n🚀"
    run_copy_command(command, text)
    assert received.read_text(encoding="utf-8") == text


def test_a_failing_clipboard_program_is_reported_with_its_own_words(tmp_path) -> None:
    command = script(tmp_path, "fake-xclip", 'cat > /dev/null\necho "Error: Can\'t open display: :0" >&2\nexit 1\n')
    with pytest.raises(ClipboardFailed, match="Can't open display"):
        run_copy_command(command, "text")


def test_a_program_that_forks_and_keeps_its_pipes_open_does_not_hang_the_copy(tmp_path) -> None:
    # xclip and wl-copy stay behind to serve the selection, holding inherited descriptors.
    pid_file = tmp_path / "pid"
    command = script(tmp_path, "fake-wl-copy", f'cat > /dev/null\nsleep 60 &\necho $! > "{pid_file}"\nexit 0\n')
    run_copy_command(command, "text")
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, 0)  # the copy returned while the helper's child still holds the descriptors
    finally:
        os.kill(pid, signal.SIGKILL)


def test_a_missing_program_is_a_failure_not_a_crash(tmp_path) -> None:
    with pytest.raises(ClipboardFailed, match="could not start"):
        run_copy_command([str(tmp_path / "absent")], "text")


def completed(stdout: str, code: int = 0):
    def run(*args, **kwargs):
        return subprocess.CompletedProcess(args, code, stdout=stdout, stderr="")
    return run


@pytest.mark.parametrize(("environ", "run", "problem"), [
    ({"TERM": "linux"}, None, "TERM=linux"),
    ({"TERM": "xterm", "STY": "123.pts"}, None, "GNU screen"),
    ({"TERM": "tmux-256color", "TMUX": "/tmp/tmux"}, completed("external\n"), "set-clipboard is external"),
    ({"TERM": "tmux-256color", "TMUX": "/tmp/tmux"}, completed("off\n"), "set -g set-clipboard on"),
    ({"TERM": "tmux-256color", "TMUX": "/tmp/tmux"}, completed("on\n"), None),
    ({"TERM": "xterm-256color"}, None, None),
])
def test_where_osc52_cannot_arrive_it_is_not_claimed(environ, run, problem) -> None:
    found = terminal_clipboard_problem(environ, run or completed(""))
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_the_notification_tells_the_path_and_the_size() -> None:
    assert CopyOutcome(1234, "xclip").describe("the last reply") == (
        "Copied the last reply (1,234 characters) to the clipboard with xclip.", "information")
    text, severity = CopyOutcome(1, "OSC 52", ["xclip failed: no display"]).describe("your message")
    assert text.startswith("Sent your message (1 character) to the terminal's clipboard with OSC 52")
    assert text.endswith("Xclip failed: no display.") and severity == "warning"
    assert CopyOutcome(5, None, ["a", "b"]).describe("x") == ("Nothing was copied: a; b.", "error")


def test_a_very_long_osc52_copy_warns_that_terminals_may_cut_it() -> None:
    sent: list[str] = []
    clipboard = Clipboard({}, find_native=lambda: None, send_to_terminal=sent.append, terminal_problem=lambda: None)
    outcome = clipboard.copy("x" * 200_000)
    assert outcome.via == "OSC 52" and len(sent[0]) == 200_000
    assert any("cut" in note for note in outcome.notes)


def test_in_a_browser_only_the_browsers_clipboard_is_used() -> None:
    """Served to a browser (`--serve`), this machine's clipboard belongs to someone else, and a tmux the
    server was started in says nothing about the page: the text goes to the page, and the notice says so."""
    sent: list[str] = []

    def no_native() -> None:
        raise AssertionError("the machine's clipboard was looked for")

    environ = {"TEXTUAL_DRIVER": WEB_DRIVER, "TMUX": "/tmp/tmux-0/default,1,0", "SSH_TTY": "/dev/pts/1"}
    clipboard = Clipboard(environ, find_native=no_native, send_to_terminal=sent.append,
                          terminal_problem=lambda: "tmux keeps OSC 52")
    outcome = clipboard.copy("the reply")
    assert sent == ["the reply"]
    text, severity = outcome.describe("the last reply")
    assert text.startswith("Sent the last reply (9 characters) to this browser's clipboard")
    assert severity == "information"
