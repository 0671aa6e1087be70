"""`--replay FILE -p`: a recorded stream printed byte for byte as the live run printed it, whatever kind of
file recorded it; and the pace of a replay (`Playback`): at once, paused, stepped one piece at a time."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.sdk_fixtures import sdk_fixtures
from tui_app.demo.pacing import UNPACED
from tui_app.demo.scripts import SHOWCASE
from tui_app.demo.server import DemoServer
from tui_app.printmode import run_replay_print
from tui_app.stream.failures import FailureKind
from tui_app.stream.replay import (
    Playback,
    RecordedReply,
    RecordingProblem,
    ReplaySource,
    read_recording,
    recorded_from_events,
)
from tui_app.stream.session import ReplySession

FAST = ["--demo-ttft", "0", "--demo-tps", "0"]
USAGE = 2
INCOMPLETE = FailureKind.INCOMPLETE.exit_code
STOPPED_SHORT = {"refusal": 9, "pause_turn": 10}
"""Exit codes of replies the server ended without a whole answer (any other stop reason exits 0)."""
GUARD = 10.0
"""Seconds a step may take before the test fails: a guard against hanging, never a measure."""


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    return subprocess.run([sys.executable, "-m", "tui_app", *args], capture_output=True, env=env, timeout=60)


def replay(path: Path) -> subprocess.CompletedProcess[bytes]:
    return run("--replay", str(path), "-p", "--speed", "0")


def test_an_events_file_replays_to_the_live_runs_stdout(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    live = run("-p", "show me the tour", *FAST, "--events", str(events))
    assert live.returncode == 0 and live.stdout == SHOWCASE.encode(), live.stderr
    again = replay(events)
    assert (again.returncode, again.stdout, again.stderr) == (0, live.stdout, b"")


def test_a_file_two_runs_appended_to_replays_both_replies(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    first = run("-p", "echo one", *FAST, "--events", str(events))
    second = run("-p", "show me the tour", *FAST, "--events", str(events))
    assert first.returncode == second.returncode == 0
    again = replay(events)
    assert again.returncode == 0, again.stderr
    between = b"" if first.stdout.endswith(b"\n") else b"\n"  # each reply starts on a line of its own
    assert again.stdout == first.stdout + between + second.stdout


def test_text_with_unicode_line_separators_survives_the_events_file(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    live = run("-p", "echo one\u2028two\u0085three\u2029four", *FAST, "--events", str(events))
    assert live.returncode == 0 and "\u2028".encode() in live.stdout
    again = replay(events)
    assert (again.returncode, again.stdout) == (0, live.stdout), again.stderr


def streamed_answer(prompt: str) -> tuple[bytes, bytes]:
    """A demo server's streamed answer as `curl -i` saves it: its HTTP head, and its body's raw bytes."""
    server = DemoServer(pacing=UNPACED)
    url = server.start()
    try:
        body = {"model": "claude-sonnet-5", "max_tokens": 4096, "stream": True,
                "messages": [{"role": "user", "content": prompt}]}
        request = urllib.request.Request(f"{url}/v1/messages", data=json.dumps(body).encode(), method="POST",
                                         headers={"content-type": "application/json", "x-api-key": "unused",
                                                  "anthropic-version": "2023-06-01"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            head = f"HTTP/1.1 {answer.status} {answer.reason}\r\n" + "".join(
                f"{name}: {value}\r\n" for name, value in answer.headers.items())
            return head.encode("latin-1") + b"\r\n", answer.read()
    finally:
        server.stop()


def test_a_raw_capture_replays_with_any_line_ends_and_with_its_head(tmp_path: Path) -> None:
    head, body = streamed_answer("show me the tour")
    assert body.startswith(b"event: message_start\n") and b"\r" not in body
    variants = {f"{name}-{ends}": (front + body).replace(b"\n", line_end)
                for name, front in (("body", b""), ("head", head.replace(b"\r\n", b"\n")))
                for ends, line_end in (("lf", b"\n"), ("crlf", b"\r\n"), ("cr", b"\r"))}
    variants["curl-i"] = head + body  # as curl -i saves it: the head's lines end in CRLF, the body's as sent
    variants["continued"] = b"HTTP/1.1 100 Continue\r\n\r\n" + head + body  # with curl's interim answer
    variants["marked"] = b"\xef\xbb\xbf" + body  # a byte-order mark first, as an event stream may have
    for name, data in variants.items():
        path = tmp_path / f"{name}.txt"
        path.write_bytes(data)
        again = replay(path)
        assert (again.returncode, again.stderr) == (0, b""), name
        assert again.stdout == SHOWCASE.encode(), name
    # One piece per event, whatever the line ends, so that a paused replay steps one event at a time.
    frames = body.count(b"\n\n")
    for name in variants:
        [recorded] = read_recording(tmp_path / f"{name}.txt").replies
        assert recorded.events == frames, name


def printed(path: Path) -> tuple[int, bytes, str]:
    """`path` replayed in print mode in this process: exit code, stdout, stderr."""
    stdout, stderr = io.BytesIO(), io.StringIO()
    code = run_replay_print(read_recording(path), 0, stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def expected_of(data: bytes) -> tuple[bytes, int]:
    """What a stream should print and exit with, read from its `data:` lines alone."""
    texts, stop_reason, stopped = [], None, False
    for frame in data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n\n"):
        lines = frame.split(b"\n")
        data_lines = [line[5:].removeprefix(b" ") for line in lines if line.startswith(b"data:")]
        if not data_lines:
            continue
        payload = json.loads(b"\n".join(data_lines))
        kind = payload.get("type")
        if kind == "content_block_delta" and payload["delta"].get("type") == "text_delta":
            texts.append(payload["delta"]["text"])
        elif kind == "message_delta":
            stop_reason = payload["delta"].get("stop_reason") or stop_reason
        stopped = stopped or kind == "message_stop"
    code = STOPPED_SHORT.get(stop_reason or "", 0) if stopped else INCOMPLETE
    return "".join(texts).encode("utf-8"), code


def test_every_sdk_streaming_fixture_replays_to_its_text_and_exit_code_with_any_line_ends(tmp_path: Path) -> None:
    fixtures = sdk_fixtures()
    mismatches, ran = [], 0
    for fixture in fixtures:
        data = fixture.read_bytes()
        stop = data.find(b"event: message_stop")
        cut = tmp_path / f"cut-{fixture.name}"  # the same stream, ended before its message_stop
        cut.write_bytes(data[:stop] if stop > 0 else data)
        lf = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        crlf, cr = tmp_path / f"crlf-{fixture.name}", tmp_path / f"cr-{fixture.name}"
        crlf.write_bytes(lf.replace(b"\n", b"\r\n"))
        cr.write_bytes(lf.replace(b"\n", b"\r"))
        for path in (fixture, cut, crlf, cr):
            expected = expected_of(path.read_bytes())
            code, stdout, stderr = printed(path)
            ran += 1
            if (stdout, code) != expected:
                mismatches.append(f"{path.name}: exit {code}, expected {expected[1]}; printed {stdout[:80]!r}, "
                                  f"expected {expected[0][:80]!r}; stderr {stderr[-200:]!r}")
    assert mismatches == []
    assert len(fixtures) >= 15 and ran == 4 * len(fixtures)


@pytest.mark.parametrize(("content", "line"), [
    (b"Hello,\nthis is a note, not a recording.\n", "line 1"),
    (b'{"reply": 1, "seq": 0, "t_ms": 0, "event": "ping", "data": "{}"}\n'
     b'{"reply": 1, "seq": 1, "t_ms": 1, "event": "ping", "data": "{}"}\n'
     b'{"reply": 1, "seq": 2, "t_ms": 2, "event": "ping", "data": \n', "line 3"),
    (b"", None),
    (None, None),
], ids=["plain-text", "broken-json-line", "empty", "missing"])
def test_a_file_that_is_not_a_recording_is_one_line_on_stderr(tmp_path: Path, content: bytes | None,
                                                               line: str | None) -> None:
    path = tmp_path / "recording.txt"
    if content is not None:
        path.write_bytes(content)
    result = replay(path)
    assert (result.returncode, result.stdout) == (USAGE, b"")
    stderr = result.stderr.decode()
    assert stderr.count("\n") == 1 and str(path) in stderr and "Traceback" not in stderr
    if line is not None:
        assert f", {line} " in stderr


def test_an_events_file_written_by_hand_needs_no_seq_but_finite_times(tmp_path: Path) -> None:
    path = tmp_path / "by-hand.jsonl"
    path.write_text("".join(json.dumps({"t_ms": n, "event": "ping", "data": '{"type": "ping"}'}) + "\n"
                            for n in range(3)))
    assert [reply.events for reply in read_recording(path).replies] == [3]
    path.write_text(path.read_text() + '{"t_ms": NaN, "event": "ping", "data": ""}\n')
    with pytest.raises(RecordingProblem, match="line 4: `t_ms` is not a number"):
        read_recording(path)


# The pace of a replay.

def pieces(count: int) -> RecordedReply:
    return RecordedReply([f"piece {n}".encode() for n in range(count)], [0.5 + n * 100.0 for n in range(count)])


async def settle() -> None:
    """Let every task that can run, run: a replay held back stays held however often it is woken."""
    for _ in range(20):
        await asyncio.sleep(0)


async def taken(chunks: AsyncIterator[bytes]) -> bytes:
    return await asyncio.wait_for(anext(chunks), GUARD)


async def test_at_speed_0_every_piece_is_let_through_at_once_at_its_recorded_time() -> None:
    recorded, playback = pieces(4), Playback(0)

    async def play() -> list[tuple[bytes, float]]:
        async with ReplaySource(recorded, playback).open() as body:
            return [(chunk, playback.clock()) async for chunk in body.chunks]

    assert await asyncio.wait_for(play(), GUARD) == list(zip(recorded.chunks, recorded.times))


async def test_paused_each_step_lets_exactly_one_piece_through_and_resume_lets_the_rest() -> None:
    recorded, playback = pieces(5), Playback(0)
    playback.pause()
    async with ReplaySource(recorded, playback).open() as body:
        chunks = body.chunks
        waiting = asyncio.ensure_future(anext(chunks))
        await settle()
        assert not waiting.done()  # paused before the first piece
        for number in range(3):
            playback.step()
            assert await asyncio.wait_for(waiting, GUARD) == recorded.chunks[number]
            assert playback.clock() == recorded.times[number]  # the recorded time of the piece let through
            waiting = asyncio.ensure_future(anext(chunks))
            await settle()
            assert not waiting.done() and playback.paused
        playback.resume()
        assert await asyncio.wait_for(waiting, GUARD) == recorded.chunks[3]
        assert await taken(chunks) == recorded.chunks[4]
    assert playback.clock() == recorded.times[-1]


async def test_a_pause_holds_a_playing_replay_between_two_pieces() -> None:
    recorded = RecordedReply([b"first", b"an hour later"], [0.0, 3600.0])
    playback = Playback(1)
    async with ReplaySource(recorded, playback).open() as body:
        assert await taken(body.chunks) == b"first"
        waiting = asyncio.ensure_future(anext(body.chunks))
        await settle()
        playback.pause()
        await settle()
        assert not waiting.done()
        playback.step()
        assert await asyncio.wait_for(waiting, GUARD) == b"an hour later"
        assert playback.clock() == 3600.0


async def test_a_late_piece_is_made_up_for_not_carried_into_the_next(monkeypatch) -> None:
    now = [100.0]
    monkeypatch.setattr("tui_app.stream.replay.time.perf_counter", lambda: now[0])
    playback = Playback(1)
    playback.start()
    await playback.reach(0.0)
    now[0] = 100.5  # the piece due at 0.3 s is let through 0.2 s late
    await playback.reach(0.3)
    assert playback.clock() == 0.5  # so the one due at 0.6 s waits 0.1 s, not 0.3 s: the schedule holds


async def replayed(recorded: RecordedReply) -> ReplySession:
    playback = Playback(0)
    session = ReplySession(ReplaySource(recorded, playback), clock=playback.clock)
    async for _ in session.stream():
        pass
    return session


async def test_a_sessions_events_round_trip_through_recorded_from_events(tmp_path: Path) -> None:
    odd = (b"event: message_start\ndata: " + json.dumps({"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-odd", "content": [],
        "stop_reason": None, "usage": {"input_tokens": 3, "output_tokens": 0}}}).encode() + b"\n\n"
        b": a comment\n\n"
        b"event: comment\ndata: {\"type\": \"comment\"}\n\n"
        b"event: content_block_start\ndata: {\"type\": \"content_block_start\", \"index\": 0, "
        b"\"content_block\": {\"type\": \"text\", \"text\": \"\"}}\n\n"
        b"event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, "
        b"\"delta\": {\"type\": \"text_delta\", \"text\": \"Hello \\u2028 there\"}}\n\n"
        b"event: future_thing\ndata: {\"type\": \"future_thing\"}\n\n"
        b"event: content_block_delta\ndata: {not json\n\n"
        b"data: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_delta\", "
        b"\"text\": \" and more\"}}\n\n"
        b"event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": ")
    path = tmp_path / "odd.txt"
    path.write_bytes(odd)
    [recorded] = read_recording(path).replies
    recorded.times = [0.25 * n for n in range(recorded.events)]
    first = await replayed(recorded)
    assert sum(bool(event.problem) for event in first.events) >= 3  # odd events were found, and are kept
    again = await replayed(recorded_from_events(first.events, first.reply.model))
    assert again.reply.text == first.reply.text == "Hello \u2028 there and more"
    assert [(event.name, event.data, event.problem) for event in again.events] == \
        [(event.name, event.data, event.problem) for event in first.events]
    assert [event.arrived for event in again.events] == [event.arrived for event in first.events]
    assert (again.reply.state, again.reply.model) == (first.reply.state, first.reply.model)
