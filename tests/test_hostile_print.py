"""`claude-tui -p` against a server that misbehaves: the real command, over real HTTP, to a demo backend
answering with the test's own script."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from tests.test_hostile import HOSTILE, answering, finish, start, text_block
from tui_app.demo.scripts import Answer
from tui_app.demo.server import DemoServer

KEY = "sk-ant-test-0123456789abcdef"



def command(server: DemoServer, *args: str) -> tuple[list[str], dict[str, str]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    env["ANTHROPIC_API_KEY"] = KEY
    return [sys.executable, "-m", "tui_app", "--base-url", server.url, "--no-history", *args], env


def run(server: DemoServer, *args: str) -> subprocess.CompletedProcess[bytes]:
    argv, env = command(server, *args)
    return subprocess.run(argv, capture_output=True, env=env, timeout=60)


def test_a_json_message_answered_to_a_stream_is_printed_and_exits_0(server, tmp_path) -> None:
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "mock",
               "content": [{"type": "text", "text": "not streamed, still whole"}],
               "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 5}}
    server.script_for = answering(Answer(200, json.dumps(message).encode(), {"content-type": "application/json"}))
    events = tmp_path / "events.jsonl"
    result = run(server, "-p", "hi", "--events", str(events))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"not streamed, still whole"
    assert b"the server did not stream" in result.stderr
    assert json.loads(json.loads(events.read_text())["data"]) == message


def test_text_after_a_second_message_start_is_printed_and_the_oddity_said(server) -> None:
    server.script_for = answering(start(), *text_block(0, "one, "), start(), *text_block(0, "two."), *finish())
    result = run(server, "-p", "hi")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"one, two."
    assert b"a second message_start" in result.stderr


def test_a_multi_line_error_page_is_one_line_on_stderr_with_nothing_a_terminal_would_obey(server) -> None:
    page = f"<html>\n<body>\n<h1>Bad gateway</h1>\n<p>{HOSTILE}</p>\n</body>\n</html>\n".encode()
    server.script_for = answering(Answer(400, page, {"content-type": "text/html"}))
    result = run(server, "-p", "hi")
    assert result.returncode == 4
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 2 and all(line.startswith("claude-tui: ") for line in lines)  # the attempt, the failure
    assert "Bad gateway" in lines[-1] and "␛]52;c;aGVsbG8=␇" in lines[-1] and "\x1b" not in result.stderr.decode()


def test_a_key_the_server_echoes_is_never_printed(server) -> None:
    body = json.dumps({"type": "error", "error": {"type": "authentication_error",
                                                  "message": f"invalid x-api-key: {KEY}"}}).encode()
    server.script_for = answering(Answer(401, body, {"content-type": "application/json"}))
    result = run(server, "-p", "hi")
    assert result.returncode == 3
    assert KEY.encode() not in result.stderr and b"[redacted]" in result.stderr


def test_a_long_wait_the_server_asks_for_is_capped_and_said_on_stderr(server) -> None:
    body = json.dumps({"type": "error", "error": {"type": "rate_limit_error", "message": "later"}}).encode()
    server.script_for = answering(Answer(429, body, {"content-type": "application/json", "retry-after": "999999"}))
    argv, env = command(server, "-p", "hi")
    with subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env) as process:
        try:
            line = process.stderr.readline().decode()
        finally:
            process.kill()
    assert "retrying in 60 s: the server asked for 999,999 s" in line


def test_print_mode_shows_control_characters_as_symbols_on_a_terminal_and_keeps_them_in_a_pipe(server) -> None:
    server.script_for = answering(start(), *text_block(0, f"look: {HOSTILE}"), *finish(), then_echo=False)
    piped = run(server, "-p", "hi")
    assert piped.returncode == 0 and piped.stdout == f"look: {HOSTILE}".encode()

    argv, env = command(server, "-p", "hi")
    leader, follower = pty.openpty()
    with subprocess.Popen(argv, stdout=follower, stderr=subprocess.PIPE, env=env) as process:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the command
                break
            if not chunk:
                break
            shown += chunk
        process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    text = shown.decode()
    assert "\x1b" not in text and "\x07" not in text
    assert "look: [/b][@click=app.quit]X[/]␛]52;c;aGVsbG8=␇␛]2;pwned␇<U+202E>evil␛[2J" in text
    assert text.endswith("\r\n")  # the shell's prompt starts on a line of its own


def test_a_full_disk_under_events_is_said_once_and_the_reply_goes_on(server) -> None:
    server.script_for = answering(start(), *text_block(0, "every ", "word ", "arrives"), *finish())
    result = run(server, "-p", "hi", "--events", "/dev/full")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"every word arrives"
    [line] = result.stderr.decode().splitlines()
    assert "/dev/full" in line and "the reply goes on" in line


def test_an_export_is_readable_by_its_owner_only(tmp_path) -> None:
    from tests.test_print_mode import run as run_demo
    from tests.test_store_faults import saved_database

    history = tmp_path / "conversations.db"
    saved_database(history, replies=1)
    config = tmp_path / "config.toml"
    config.write_text(f'[history]\nfile = "{history}"\n')
    target = tmp_path / "out.md"
    result = run_demo("--config", str(config), "--export", "1", "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert "question 0" in target.read_text() and target.stat().st_mode & 0o777 == 0o600


def test_a_short_key_for_a_local_server_does_not_blank_out_the_text_it_matches(server) -> None:
    server.script_for = answering(start(), *text_block(0, "text_delta x marks the spot"), *finish())
    argv, env = command(server, "-p", "hi")
    env["ANTHROPIC_API_KEY"] = "x"
    result = subprocess.run(argv, capture_output=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"text_delta x marks the spot"
