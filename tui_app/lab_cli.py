"""`claude-tui --lab`: the TTFT lab from the command line. Progress on stderr; the results on stdout as a
table, or as JSON with `--json`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import TextIO

from tui_app.lab_setup import DEFAULT_LAB_PROMPT, LabChoices, describe_lab_plan, lab_plan
from tui_app.runtime import open_runtime
from tui_app.settings import Settings
from tui_app.stream.backend import make_client
from tui_app.stream.lab import MODE_NAMES, MODES, LabPlan, LabResults, LabRun, Spread, format_ms, run_lab
from tui_app.text_safety import neutralize, say

CANCELLED_EXIT = 130
TABLE_MEASURES = (("headers_ms", "headers (ms)"), ("ttft_ms", "first token (ms)"),
                  ("first_text_ms", "first text (ms)"), ("total_ms", "total (ms)"),
                  ("output_tokens", "output tokens"), ("tokens_per_second", "tokens/s"))


def run_lab_command(settings: Settings, prompt: str | None, choices: LabChoices, runs: int, as_json: bool,
                    stdout: TextIO, stderr: TextIO, stdin: TextIO) -> int:
    """Run the lab and print its results; 0 when every request was measured."""
    for problem in settings.problems:
        say(stderr, problem)
    plan = lab_plan(settings, prompt or DEFAULT_LAB_PROMPT, choices, runs)
    runtime = open_runtime(settings, os.environ)
    try:
        say(stderr, f"{'demo backend: ' if runtime.is_demo else ''}{describe_lab_plan(plan, settings.prices)}")
        if not runtime.is_demo and stdin.isatty() and not _confirmed(stderr, stdin):
            say(stderr, "nothing sent")
            return 1
        results = LabResults(plan)
        try:
            asyncio.run(_measure(runtime.backend, plan, results, stderr))
        except KeyboardInterrupt:
            say(stderr, f"cancelled after {len(results.runs)} of {plan.requests} requests; their results follow")
        stdout.write(_as_json(results) if as_json else results_table(results))
        if len(results.runs) < plan.requests:
            return CANCELLED_EXIT
        return 0 if all(run.error is None for run in results.runs) else 1
    finally:
        runtime.close()


def _confirmed(stderr: TextIO, stdin: TextIO) -> bool:
    stderr.write("claude-tui: send them? [y/N] ")
    stderr.flush()
    return stdin.readline().strip().lower() in ("y", "yes")


async def _measure(backend, plan: LabPlan, results: LabResults, stderr: TextIO) -> None:
    client = make_client(backend).with_options(max_retries=0)  # a retried request would time two
    async for run in run_lab(client, plan):
        results.runs.append(run)
        say(stderr, f"{len(results.runs)}/{plan.requests} {run_line(run)}")


def run_line(run: LabRun) -> str:
    """One run, as progress says it."""
    what = f"{run.variant.label} {MODE_NAMES[run.mode]} #{run.number}"
    if run.error is not None:
        return f"{what}: {neutralize(run.error)}"
    timings = f"first token {format_ms(run.ttft_ms)}, total {format_ms(run.total_ms)}"
    return f"{what}: {timings}, {run.output_tokens} tokens"



def _number(value: float | None, measure: str) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}" if measure == "tokens_per_second" else f"{value:,.0f}"


def results_table(results: LabResults) -> str:
    """The percentiles of each measure, per model and mode, as a plain-text table."""
    lines = [f"prompt: {neutralize(results.plan.prompt)}", ""]
    for variant in results.plan.variants:
        for mode in MODES:
            runs = results.of(variant, mode)
            failed = sum(run.error is not None for run in runs)
            lines.append(f"{neutralize(variant.label)} · {MODE_NAMES[mode]} · {len(runs)} run{'s' * (len(runs) != 1)}"
                         + (f" ({failed} failed)" if failed else ""))
            lines.append(f"  {'':18}{'p50':>10}{'p95':>10}{'min':>10}{'max':>10}")
            for measure, name in TABLE_MEASURES:
                found: Spread = results.spread(variant, mode, measure)
                cells = "".join(f"{_number(value, measure):>10}" for value in found.as_dict().values())
                lines.append(f"  {name:18}{cells}")
            lines.append("")
    return "\n".join(lines)


def _as_json(results: LabResults) -> str:
    return json.dumps(results.summaries(), ensure_ascii=False, indent=2) + "\n"


def main_lab(settings: Settings, prompt: str | None, choices: LabChoices, runs: int, as_json: bool) -> int:
    return run_lab_command(settings, prompt, choices, runs, as_json, sys.stdout, sys.stderr, sys.stdin)
