"""Files the app writes: created readable by their owner only, and a disk that fails never stops a reply."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import send_and_finish
from tui_app.private_files import open_private_append, write_private_text
from tui_app.stream.events import WireEvent
from tui_app.stream.recorder import EventsFile
from tui_app.stream.reply import ReplyState

FULL_DISK = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not FULL_DISK.exists(), reason="needs /dev/full (Linux)")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextmanager
def open_umask() -> Iterator[None]:
    """With no umask, a file created the ordinary way would be readable and writable by everyone."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def event(seq: int) -> WireEvent:
    return WireEvent(seq=seq, name="ping", data='{"type": "ping"}', arrived=0.5)


def test_new_files_are_created_for_their_owner_only_and_existing_ones_keep_their_mode(tmp_path) -> None:
    events, export = tmp_path / "events.jsonl", tmp_path / "export.md"
    with open_umask():
        recorder = EventsFile(events)
        recorder.write(event(1))
        recorder.close()
        write_private_text(export, "# a conversation\n")
    assert mode(events) == 0o600 and mode(export) == 0o600
    assert export.read_text() == "# a conversation\n"
    events.chmod(0o640)
    export.chmod(0o644)
    with open_umask():
        with open_private_append(events) as file:
            file.write("more\n")
        write_private_text(export, "replaced\n")
    assert mode(events) == 0o640 and mode(export) == 0o644
    assert events.read_text().endswith("more\n") and export.read_text() == "replaced\n"


def test_a_symlink_is_followed_and_the_file_it_names_is_created_private(tmp_path) -> None:
    link = tmp_path / "link.jsonl"
    link.symlink_to(tmp_path / "target.jsonl")
    with open_umask():
        write_private_text(link, "x\n")
    assert link.is_symlink() and mode(tmp_path / "target.jsonl") == 0o600


def test_characters_utf8_cannot_hold_are_escaped_not_raised(tmp_path) -> None:
    path = tmp_path / "export.json"
    write_private_text(path, '{"text": "lone \udc80"}')
    assert path.read_text() == '{"text": "lone \\udc80"}'


@needs_dev_full
def test_a_full_disk_is_reported_once_and_writing_stops_without_raising() -> None:
    reported: list[str] = []
    recorder = EventsFile(FULL_DISK, on_problem=reported.append)
    assert recorder.problem is None
    recorder.next_reply()
    for seq in range(5):
        recorder.write(event(seq))
    recorder.next_reply()
    recorder.close()
    recorder.close()
    assert reported == [recorder.problem]
    assert recorder.problem == (
        "cannot write the events file /dev/full: No space left on device; no more events are written to it"
    )


def test_writing_after_close_is_harmless(tmp_path) -> None:
    reported: list[str] = []
    recorder = EventsFile(tmp_path / "events.jsonl", on_problem=reported.append)
    recorder.close()
    recorder.write(event(1))
    assert reported == [] and recorder.problem is None


def test_opening_an_events_file_that_cannot_be_made_still_raises_for_the_caller_to_report(tmp_path) -> None:
    with pytest.raises(OSError):
        EventsFile(tmp_path / "no such folder" / "events.jsonl")


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    return subprocess.run([sys.executable, "-m", "tui_app", *args], capture_output=True, text=True, timeout=60,
                          env=env, umask=0)


@needs_dev_full
def test_print_mode_finishes_its_reply_when_the_events_file_fills_the_disk(tmp_path) -> None:
    result = run_cli(tmp_path, "-p", "echo the reply goes on", "--events", str(FULL_DISK))
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert "the reply goes on" in result.stdout


def test_print_mode_creates_its_events_file_for_its_owner_only(tmp_path) -> None:
    events = tmp_path / "events.jsonl"
    result = run_cli(tmp_path, "-p", "echo hi", "--events", str(events))
    assert result.returncode == 0, result.stderr
    assert mode(events) == 0o600 and '"event": "message_stop"' in events.read_text()


@needs_dev_full
async def test_the_app_finishes_the_reply_and_quits_cleanly_when_the_events_file_fills_the_disk(make_app) -> None:
    app = make_app(events_file=FULL_DISK)
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_finish(pilot, "echo still streaming")
        await send_and_finish(pilot, "echo and again")
        assert [session.reply.state for session in app.sessions] == [ReplyState.DONE, ReplyState.DONE]
        assert "and again" in app.sessions[-1].reply.text
        recorder = app.events_file
        assert recorder is not None and recorder.problem is not None and "/dev/full" in recorder.problem
    assert app.return_code in (None, 0)
