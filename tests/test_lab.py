"""The TTFT lab: its arithmetic, and `claude-tui --lab` against the demo backend, whose non-streamed answer
comes only once the whole reply has been generated at its pace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_app.stream.lab import LabPlan, LabResults, LabRun, Variant, percentile, spread

CLAUDE_TUI = Path(sys.executable).with_name("claude-tui")


def test_percentiles_interpolate_between_the_nearest_ranks() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.5) == 3.0
    # (4 - 1) × 0.95 = 2.85: 85% of the way from the third value (30) to the fourth (40).
    assert percentile([10.0, 20.0, 30.0, 40.0], 0.95) == pytest.approx(38.5)
    assert percentile([10.0, 20.0, 30.0, 40.0], 0.5) == pytest.approx(25.0)
    assert percentile([7.0], 0.95) == 7.0


def test_a_spread_leaves_out_runs_without_the_measure() -> None:
    found = spread([400.0, None, 100.0, 300.0, 200.0])
    assert (found.runs, found.p50, found.min, found.max) == (4, 250.0, 100.0, 400.0)
    assert found.p95 == pytest.approx(385.0)
    assert spread([None]).as_dict() == {"p50": None, "p95": None, "min": None, "max": None}


def test_failed_runs_are_counted_and_left_out_of_the_percentiles() -> None:
    variant = Variant("claude-sonnet-5")
    results = LabResults(LabPlan("hi", [variant], 2, 100))
    results.runs = [LabRun(variant, "streaming", 1, ttft_ms=100.0, total_ms=900.0, output_tokens=90),
                    LabRun(variant, "streaming", 2, error="APIConnectionError: Connection error.")]
    summary = results.summary(variant)["streaming"]
    assert (summary["runs"], summary["failed"]) == (2, 1)
    assert summary["ttft_ms"] == {"p50": 100.0, "p95": 100.0, "min": 100.0, "max": 100.0}
    assert summary["tokens_per_second"]["p50"] == pytest.approx(100.0)


def run_lab(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    return subprocess.run([str(CLAUDE_TUI), "--lab", *arguments], capture_output=True, text=True, env=env,
                          timeout=120)


def test_the_lab_on_the_demo_shows_streaming_s_first_token_long_before_the_whole_answer(tmp_path) -> None:
    # First token after 0.05 s; the reply's tokens at 100 a second: the whole answer takes over two seconds.
    result = run_lab(tmp_path, "--json", "--runs", "2", "--demo-ttft", "0.05", "--demo-tps", "100", "-p", "hello")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert (found["prompt"], found["model"]) == ("hello", "claude-sonnet-5")
    streamed, whole = found["streaming"], found["non_streaming"]
    assert streamed["runs"] == whole["runs"] == 2
    for summary in (streamed, whole):
        for measure in ("headers_ms", "ttft_ms", "total_ms", "output_tokens"):
            spread_found = summary[measure]
            assert spread_found["min"] <= spread_found["p50"] <= spread_found["p95"] <= spread_found["max"]
    assert streamed["output_tokens"] == whole["output_tokens"]
    # Not streamed, the first token is the whole answer; streamed, it comes before the end.
    assert whole["ttft_ms"] == whole["total_ms"]
    assert streamed["ttft_ms"]["max"] < streamed["total_ms"]["min"]
    assert streamed["ttft_ms"]["p50"] < whole["ttft_ms"]["p50"]
    progress = [line for line in result.stderr.splitlines() if "/4 claude-sonnet-5" in line]
    assert [line.split()[3] for line in progress] == ["streamed", "not", "streamed", "not"]  # in turns


def test_the_lab_table_and_its_plan(tmp_path) -> None:
    result = run_lab(tmp_path, "--runs", "1", "--demo-ttft", "0", "--demo-tps", "0", "--model", "claude-haiku-4-5",
                     "claude-sonnet-5")
    assert result.returncode == 0, result.stderr
    assert "4 requests (1 streamed and 1 not streamed for each of 2 settings)" in result.stderr
    for heading in ("claude-haiku-4-5 · streamed · 1 run", "claude-sonnet-5 · not streamed · 1 run"):
        assert heading in result.stdout
    assert "first token (ms)" in result.stdout and "p95" in result.stdout


def test_the_lab_compares_efforts_and_thinking_settings_too(tmp_path) -> None:
    result = run_lab(tmp_path, "--json", "--runs", "1", "--demo-ttft", "0", "--demo-tps", "0", "--effort", "low",
                     "high", "--thinking", "1024", "off", "--max-tokens", "4096")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [(item["effort"], item["thinking"]["type"]) for item in found] == [
        ("low", "enabled"), ("low", "disabled"), ("high", "enabled"), ("high", "disabled")]
    assert all(item["streaming"]["failed"] == 0 for item in found)
    refused = run_lab(tmp_path, "--runs", "1", "--thinking", "1024", "8192", "--max-tokens", "4096")
    assert refused.returncode == 2 and "--thinking 8192" in refused.stderr


def test_an_empty_prompt_for_the_lab_is_a_usage_error(tmp_path) -> None:
    result = run_lab(tmp_path, "-p", "   ")
    assert result.returncode == 2 and "the lab's prompt is empty" in result.stderr


def test_options_of_the_lab_alone_are_refused_elsewhere(tmp_path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    for arguments in (["-p", "hi", "--runs", "3"], ["-p", "hi", "--model", "a", "b"], ["-p", "hi", "--effort", "low",
                                                                                        "high"]):
        result = subprocess.run([str(CLAUDE_TUI), *arguments], capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 2 and "--lab" in result.stderr
