"""`claude-tui -p` as a user runs it: a real process, the demo backend, stdout and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tui_app import __version__
from tui_app.demo.pacing import UNPACED
from tui_app.demo.scripts import SHOWCASE, choose_script, essay_text
from tui_app.stream.failures import FailureKind

FAST = ["--demo-ttft", "0", "--demo-tps", "0"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "tui_app", *args],
        input=stdin.encode() if stdin is not None else None,
        capture_output=True, env=env, timeout=60,
    )


def test_stdout_is_the_reply_text_byte_for_byte() -> None:
    result = run("-p", "show me the tour", *FAST)
    assert result.returncode == 0, result.stderr
    assert result.stdout == SHOWCASE.encode("utf-8")
    assert result.stderr == b""


def test_a_long_paced_reply_arrives_whole() -> None:
    result = run("-p", "an essay", "--demo-ttft", "0", "--demo-tps", "3000")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == essay_text()


def test_the_prompt_can_come_on_standard_input() -> None:
    result = run("-p", *FAST, stdin="echo from stdin")
    assert result.returncode == 0
    assert result.stdout.decode().startswith("You said: echo from stdin")


def test_the_events_file_holds_every_wire_event_in_order(tmp_path: Path) -> None:
    events_file = tmp_path / "events.jsonl"
    result = run("-p", "show me the tour", *FAST, "--events", str(events_file))
    assert result.returncode == 0
    records = [json.loads(line) for line in events_file.read_text().splitlines()]
    script = choose_script({"messages": [{"role": "user", "content": "show me the tour"}],
                            "model": "claude-sonnet-5"}, UNPACED)
    sent = [step.event for step in script.steps if hasattr(step, "event")]
    assert [record["event"] for record in records] == sent
    assert [record["seq"] for record in records] == list(range(len(sent)))
    assert all(record["reply"] == 1 for record in records)
    times = [record["t_ms"] for record in records]
    assert times == sorted(times)


def test_a_dropped_connection_exits_non_zero_with_one_clear_line() -> None:
    result = run("-p", "drop it", *FAST)
    assert result.returncode == FailureKind.INCOMPLETE.exit_code
    stderr = result.stderr.decode()
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert "connection dropped" in stderr and "partial" in stderr
    assert result.stdout.decode().startswith("This reply starts normally")


def test_an_error_event_exits_with_the_overloaded_code(tmp_path: Path) -> None:
    events_file = tmp_path / "events.jsonl"
    result = run("-p", "overload", *FAST, "--events", str(events_file))
    assert result.returncode == FailureKind.OVERLOADED.exit_code
    assert "overloaded_error" in result.stderr.decode()
    assert json.loads(events_file.read_text().splitlines()[-1])["event"] == "error"


def test_an_unreachable_server_is_a_network_failure_naming_the_url() -> None:
    result = run("-p", "hello", "--base-url", "http://127.0.0.1:9")
    assert result.returncode == FailureKind.NETWORK.exit_code
    assert "http://127.0.0.1:9" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_an_empty_prompt_is_a_usage_error() -> None:
    result = run("-p", "   ")
    assert result.returncode == FailureKind.USAGE.exit_code
    assert "empty" in result.stderr.decode()


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.decode().strip() == f"claude-tui {__version__}"


def test_a_reply_cut_off_mid_line_keeps_stdout_exact_and_the_note_on_a_line_of_its_own() -> None:
    alone = run("-p", "refuse this", *FAST)
    assert alone.returncode == 9 and not alone.stdout.endswith(b"\n")
    env = {key: value for key, value in os.environ.items()
           if key not in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL")}
    together = subprocess.run([sys.executable, "-m", "tui_app", "-p", "refuse this", *FAST],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=60)
    assert together.stdout.startswith(alone.stdout + b"\nclaude-tui: the model refused (cyber)")
