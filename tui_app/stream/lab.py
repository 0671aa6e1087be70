"""The TTFT lab: the same prompt sent streamed and not streamed, in turns, each timed from the request to the
response headers, the first token, the first visible text and the end; the runs summed up as percentiles.
Knows nothing of Textual: the command line and the Lab screen both drive it."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import anthropic

STREAMING, NOT_STREAMING = "streaming", "non_streaming"
MODES = (STREAMING, NOT_STREAMING)
"""The lab's two ways of asking, in the order each pair of runs is sent."""
MODE_NAMES = {STREAMING: "streamed", NOT_STREAMING: "not streamed"}
"""Each way of asking, as the lab's tables and progress say it."""
CONTENT_DELTAS = ("text_delta", "thinking_delta", "input_json_delta", "citations_delta")


@dataclass(frozen=True)
class Variant:
    """One setting the lab compares: a model, and what it is asked with."""

    model: str
    effort: str | None = None
    thinking: dict[str, Any] | None = None

    @property
    def thinking_label(self) -> str | None:
        """The thinking asked for, as the command line says it: a budget, or `adaptive`."""
        return str(self.thinking.get("budget_tokens", self.thinking.get("type"))) if self.thinking else None

    @property
    def label(self) -> str:
        extras = [f"effort {self.effort}"] if self.effort else []
        if self.thinking:
            extras.append(f"thinking {self.thinking_label}")
        return " · ".join([self.model, *extras])


@dataclass(frozen=True)
class LabPlan:
    """What the lab will send: `runs` pairs (streamed, then not) of `prompt` for each variant."""

    prompt: str
    variants: Sequence[Variant]
    runs: int
    max_tokens: int

    @property
    def requests(self) -> int:
        return self.runs * len(MODES) * len(self.variants)

    @property
    def most_output_tokens(self) -> int:
        return self.requests * self.max_tokens

    def params(self, variant: Variant) -> dict[str, Any]:
        params: dict[str, Any] = {"model": variant.model, "max_tokens": self.max_tokens,
                                  "messages": [{"role": "user", "content": self.prompt}]}
        if variant.effort:
            params["output_config"] = {"effort": variant.effort}
        if variant.thinking:
            params["thinking"] = variant.thinking
        return params


@dataclass
class LabRun:
    """One measured request; times in milliseconds from sending it."""

    variant: Variant
    mode: str
    number: int
    """Which run of its variant and mode, from 1."""
    headers_ms: float | None = None
    ttft_ms: float | None = None
    """The first content delta; not streamed, the whole answer."""
    first_text_ms: float | None = None
    """The first text the user could read (thinking excluded)."""
    total_ms: float | None = None
    output_tokens: int | None = None
    error: str | None = None

    @property
    def tokens_per_second(self) -> float | None:
        if not self.output_tokens or self.total_ms is None or self.total_ms <= 0:
            return None
        return self.output_tokens / (self.total_ms / 1000)

    def record(self) -> dict[str, Any]:
        """The run as a flat row (CSV, JSON)."""
        row = {key: value for key, value in asdict(self).items() if key != "variant"}
        return {"model": self.variant.model, "effort": self.variant.effort,
                "thinking": self.variant.thinking_label, **row, "tokens_per_second": self.tokens_per_second}


@dataclass(frozen=True)
class Spread:
    """Percentiles of one measure over the runs that have it."""

    runs: int
    p50: float | None
    p95: float | None
    min: float | None
    max: float | None

    def as_dict(self) -> dict[str, float | None]:
        """Rounded to a tenth: finer than a clock here measures."""
        return {name: None if value is None else round(value, 1)
                for name, value in (("p50", self.p50), ("p95", self.p95), ("min", self.min), ("max", self.max))}


def format_ms(value: float | None) -> str:
    """`1,234 ms`; `–` when not measured."""
    return "–" if value is None else f"{value:,.0f} ms"


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The value at `fraction` of sorted `ordered`, interpolated between the two nearest ranks (as numpy's
    default and `statistics.quantiles(method="inclusive")` do)."""
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: Sequence[float | None]) -> Spread:
    ordered = sorted(value for value in values if value is not None)
    if not ordered:
        return Spread(0, None, None, None, None)
    return Spread(len(ordered), percentile(ordered, 0.5), percentile(ordered, 0.95), ordered[0], ordered[-1])


MEASURES = ("headers_ms", "ttft_ms", "first_text_ms", "total_ms", "output_tokens", "tokens_per_second")


@dataclass
class LabResults:
    """Every run so far, and their percentiles per variant and mode."""

    plan: LabPlan
    runs: list[LabRun] = field(default_factory=list)

    def of(self, variant: Variant, mode: str) -> list[LabRun]:
        return [run for run in self.runs if run.variant == variant and run.mode == mode]

    def spread(self, variant: Variant, mode: str, measure: str) -> Spread:
        return spread([getattr(run, measure) for run in self.of(variant, mode) if run.error is None])

    def summaries(self) -> dict[str, Any] | list[dict[str, Any]]:
        """What `--json` prints: one variant's summary, or a list of them when several were compared."""
        found = [self.summary(variant) for variant in self.plan.variants]
        return found[0] if len(found) == 1 else found

    def as_json(self) -> str:
        """The summaries and every run, to save."""
        return json.dumps({"summary": self.summaries(), "runs": [run.record() for run in self.runs]},
                          ensure_ascii=False, indent=2) + "\n"

    def as_csv(self) -> str:
        """Every run, a row each, to save."""
        rows = [run.record() for run in self.runs]
        out = io.StringIO()
        columns = list(rows[0]) if rows else list(LabRun(Variant(""), STREAMING, 0).record())
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    def summary(self, variant: Variant) -> dict[str, Any]:
        """The variant's results as `--json` prints them."""
        summary: dict[str, Any] = {"prompt": self.plan.prompt, "model": variant.model}
        if variant.effort:
            summary["effort"] = variant.effort
        if variant.thinking:
            summary["thinking"] = variant.thinking
        for mode in MODES:
            runs = self.of(variant, mode)
            summary[mode] = {
                "runs": len(runs),
                "failed": sum(run.error is not None for run in runs),
                **{measure: self.spread(variant, mode, measure).as_dict() for measure in MEASURES},
            }
        return summary


async def measure(client: anthropic.AsyncAnthropic, params: dict[str, Any], run: LabRun,
                  clock: Callable[[], float] = time.perf_counter) -> LabRun:
    """Send one request and time it into `run`. A failure is kept in the run, never raised."""
    def since() -> float:
        return (clock() - start) * 1000

    streamed = run.mode == STREAMING
    start = clock()
    try:
        async with client.messages.with_streaming_response.create(**params, stream=streamed) as response:
            run.headers_ms = since()
            parsed = await response.parse()
            if streamed:
                async for event in parsed:
                    _note(run, event, since)
            else:
                run.ttft_ms = run.total_ms = since()
                if any(block.type == "text" and block.text for block in parsed.content):
                    run.first_text_ms = run.total_ms
                run.output_tokens = parsed.usage.output_tokens
        if streamed and run.total_ms is None:
            run.error = "the stream ended without message_stop"
    except Exception as error:  # the SDK's errors, and httpx's own that come through mid-stream
        run.error = f"{type(error).__name__}: {error}"
    return run


def _note(run: LabRun, event: Any, since: Callable[[], float]) -> None:
    if event.type == "content_block_delta" and event.delta.type in CONTENT_DELTAS:
        if run.ttft_ms is None:
            run.ttft_ms = since()
        if run.first_text_ms is None and event.delta.type == "text_delta" and event.delta.text:
            run.first_text_ms = since()
    elif event.type == "message_delta" and event.usage is not None:
        run.output_tokens = event.usage.output_tokens
    elif event.type == "message_stop":
        run.total_ms = since()


async def run_lab(client: anthropic.AsyncAnthropic, plan: LabPlan,
                  clock: Callable[[], float] = time.perf_counter) -> AsyncIterator[LabRun]:
    """Measure the plan's requests one at a time, streamed and not streamed in turns, so that drift in the
    machine or the network falls on both alike; each run as it is measured."""
    for number in range(1, plan.runs + 1):
        for variant in plan.variants:
            params = plan.params(variant)
            for mode in MODES:
                yield await measure(client, params, LabRun(variant, mode, number), clock)
