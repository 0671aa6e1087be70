"""How a conversation asks for thinking, effort and prompt caching: the values a person writes, the checks
the Messages API makes on them, and the request fields they become. The command line, the config file and
F4 all read and check them here, so each says the same thing about the same mistake."""

from __future__ import annotations

from typing import Any

THINKING_OFF = "off"
THINKING_ADAPTIVE = "adaptive"
SMALLEST_BUDGET = 1024
"""The API refuses a thinking budget under this many tokens."""
DISPLAYS = ("summarized", "omitted")
"""How thinking comes back: its text summarised, or only its signature."""
EFFORTS = ("low", "medium", "high", "xhigh", "max")
CACHE_TTLS = ("5m", "1h")
"""Automatic prompt caching: how long the cache entry lives."""
CACHE_CHOICES = (*CACHE_TTLS, THINKING_OFF)


def parse_thinking(text: str) -> str:
    """`off`, `adaptive` or a budget in tokens (`2048`), as written; raises ValueError saying what is wrong."""
    value = text.strip().lower().replace("_", "").replace(",", "")
    if value in (THINKING_OFF, THINKING_ADAPTIVE):
        return value
    if value.isdigit():
        budget = int(value)
        if budget < SMALLEST_BUDGET:
            raise ValueError(f"a thinking budget must be at least {SMALLEST_BUDGET:,} tokens, not {budget:,}")
        return str(budget)
    raise ValueError(f"thinking must be a budget in tokens (at least {SMALLEST_BUDGET:,}), "
                     f'"adaptive" or "off", not "{text.strip()}"')


def parse_choice(name: str, text: str, choices: tuple[str, ...]) -> str:
    """One of `choices`; raises ValueError naming them."""
    value = text.strip().lower()
    if value not in choices:
        raise ValueError(f'{name} must be one of {", ".join(choices)}, not "{text.strip()}"')
    return value


def parse_cache(text: str) -> str | None:
    """`5m` or `1h`; `off` caches nothing, the same as leaving it out (None)."""
    ttl = parse_choice("cache", text, CACHE_CHOICES)
    return None if ttl == THINKING_OFF else ttl


def thinking_budget(thinking: str | None) -> int | None:
    return int(thinking) if thinking and thinking.isdigit() else None


def thinks(thinking: str | None) -> bool:
    """Whether thinking is asked for (a budget or adaptive); None leaves it to the model."""
    return thinking is not None and thinking != THINKING_OFF


def asking_problems(*, max_tokens: int, temperature: float | None, thinking: str | None) -> list[str]:
    """What the API would refuse in this combination, in words a person can act on."""
    problems = []
    budget = thinking_budget(thinking)
    if budget is not None and budget >= max_tokens:
        problems.append(f"the thinking budget ({budget:,}) must be below max tokens ({max_tokens:,}): "
                        "raise max tokens or lower the budget")
    if temperature is not None and thinks(thinking):
        problems.append("temperature cannot be set while thinking is on: clear one of them")
    return problems


def thinking_param(thinking: str | None, display: str) -> dict[str, Any] | None:
    """The request's `thinking` field; None sends none (the model's default)."""
    if thinking is None:
        return None
    if thinking == THINKING_OFF:
        return {"type": "disabled"}
    if thinking == THINKING_ADAPTIVE:
        return {"type": "adaptive", "display": display}
    return {"type": "enabled", "budget_tokens": int(thinking), "display": display}


def describe_thinking(thinking: str | None) -> str:
    """For the status bar and exports: `thinking 2,048`, `thinking adaptive`, `thinking off`, or empty."""
    if thinking is None:
        return ""
    budget = thinking_budget(thinking)
    return f"thinking {budget:,}" if budget is not None else f"thinking {thinking}"
