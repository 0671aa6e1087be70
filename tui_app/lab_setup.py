"""The TTFT lab's plan from what the user asks (the settings, or a conversation's), and what it will send
and may cost, in a line: for the command line and the Lab screen alike. Loaded only when the lab runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui_app.model.asking import thinking_param
from tui_app.model.conversation import ChatSettings
from tui_app.model.pricing import cost, format_cost, price_for
from tui_app.settings import Settings
from tui_app.stream.lab import MODES, LabPlan, Variant

DEFAULT_LAB_PROMPT = "Explain in three short paragraphs how a reply streams as server-sent events."
DEFAULT_LAB_RUNS = 5


@dataclass(frozen=True)
class LabChoices:
    """What the TTFT lab compares: models, efforts and thinking settings (each empty: the one asked)."""

    models: list[str] = field(default_factory=list)
    efforts: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)


def lab_plan(asking: Settings | ChatSettings, prompt: str, choices: LabChoices, runs: int) -> LabPlan:
    """The TTFT lab's requests: every model, effort and thinking setting chosen, each with the others (or the
    one asked), with the max tokens asked."""
    variants = [Variant(model, effort, thinking_param(thinking, asking.thinking_display))
                for model in choices.models or [asking.model]
                for effort in choices.efforts or [asking.effort]
                for thinking in choices.thinking or [asking.thinking]]
    return LabPlan(prompt, variants, runs, asking.max_tokens)


def describe_lab_plan(plan: LabPlan, prices: dict | None = None) -> str:
    """The requests the lab will send and the most their output may cost, in a line."""
    costs = []
    prompt_tokens = len(plan.prompt) // 4 + 8  # a rough count: the cost said is an upper bound in any case
    for variant in plan.variants:
        price = price_for(variant.model, prices)
        if price is not None:
            costs.append(cost(price, prompt_tokens, plan.max_tokens) * plan.runs * len(MODES))
    cost_said = f", at most about {format_cost(sum(costs))}" if len(costs) == len(plan.variants) else ""
    each = f" for each of {len(plan.variants)} settings" if len(plan.variants) > 1 else ""
    return (f"{plan.requests} requests ({plan.runs} streamed and {plan.runs} not streamed{each}), "
            f"up to {plan.most_output_tokens:,} output tokens{cost_said}")
