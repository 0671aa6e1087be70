"""What a reply cost, estimated from a price table: the one shipped in `prices.toml`, with the config file's
`[prices."MODEL"]` tables over it. A model with no price has no cost, never a guessed one."""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from tui_app.stream.usage import TokenUsage

PRICE_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
"""A price's figures, each in US dollars per million tokens."""
PER = 1_000_000
DATE_SUFFIX = re.compile(r"-\d{8}$")
"""A dated model id is its name and a release date: `claude-sonnet-4-5-20250929`."""
SMALLEST_SHOWN = 0.0001


@dataclass(frozen=True, slots=True)
class Price:
    """US dollars per million tokens."""

    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float


class PriceError(ValueError):
    """What is wrong with a price table entry; `key` is the figure at fault, if one is."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def read_price(entry: Any) -> Price:
    """A price from a table of the five figures (all of them, each a number >= 0); raises PriceError."""
    if not isinstance(entry, Mapping):
        raise PriceError(f"must be a table of {', '.join(PRICE_FIELDS)}")
    for key, value in entry.items():
        if key not in PRICE_FIELDS:
            hint = difflib.get_close_matches(key, PRICE_FIELDS, n=1)
            known = f' (did you mean "{hint[0]}"?)' if hint else f"; known: {', '.join(PRICE_FIELDS)}"
            raise PriceError(f'unknown key "{key}"{known}', key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise PriceError(f"{key} must be a number of US dollars per million tokens, 0 or more", key)
    missing = [key for key in PRICE_FIELDS if key not in entry]
    if missing:
        raise PriceError(f"lacks {', '.join(missing)}: a price needs all five of {', '.join(PRICE_FIELDS)}")
    return Price(**{key: float(entry[key]) for key in PRICE_FIELDS})


@functools.cache
def shipped_prices() -> dict[str, Price]:
    """The table shipped with the app, read the first time a price is asked for (not at start-up)."""
    import sys
    from importlib import resources

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    text = resources.files("tui_app.model").joinpath("prices.toml").read_text(encoding="utf-8")
    return {model: read_price(entry) for model, entry in tomllib.loads(text).items()}


def price_for(model: str | None, overrides: Mapping[str, Mapping[str, float]] | None = None) -> Price | None:
    """The model's price: the config's override, else the shipped one; each matched by the exact id, or by
    the id without its date suffix. None when neither table has the model."""
    if not model:
        return None
    names = (model, DATE_SUFFIX.sub("", model))
    for name in names:
        if overrides and name in overrides:
            return read_price(overrides[name])
    table = shipped_prices()
    return next((table[name] for name in names if name in table), None)


def cost(price: Price, input_tokens: int | None, output_tokens: int | None, usage: TokenUsage | None = None) -> float:
    """US dollars for one reply. `input_tokens` is the uncached input, as the API counts it; thinking is in
    `output_tokens`. Cache writes are priced by their time to live where the reply split them into 5-minute
    and 1-hour writes; a write without that split (or the part the split leaves out) is priced at the
    5-minute rate, the API's default time to live. Server tool requests (web search) are not counted."""
    usage = usage or TokenUsage()
    split_5m, split_1h = usage.cache_write_5m or 0, usage.cache_write_1h or 0
    unsplit = max(0, (usage.cache_write or 0) - split_5m - split_1h)
    return ((input_tokens or 0) * price.input
            + (output_tokens or 0) * price.output
            + (split_5m + unsplit) * price.cache_write_5m
            + split_1h * price.cache_write_1h
            + (usage.cache_read or 0) * price.cache_read) / PER


def format_cost(dollars: float) -> str:
    """`$1.23` from a dollar up, `$0.0042` below (at least two decimals: `$0.50`), `<$0.0001` for less."""
    if 0 < dollars < SMALLEST_SHOWN:
        return "<$0.0001"
    if round(dollars, 4) >= 1:
        return f"${dollars:,.2f}"
    digits = f"{dollars:.4f}".rstrip("0")
    return "$" + digits + "0" * (2 - len(digits.partition(".")[2]))


class Counted(Protocol):
    """A reply's counts: a streamed `Reply` (usage as TokenUsage) or a saved `Turn` (usage as its record)."""

    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    usage: Any


def reply_cost(reply: Counted, overrides: Mapping[str, Mapping[str, float]] | None = None) -> float | None:
    """What the reply cost, or None when its model has no price."""
    price = price_for(reply.model, overrides)
    return None if price is None else cost(price, reply.input_tokens, reply.output_tokens, _usage(reply))


def conversation_cost(replies: Iterable[Counted],
                      overrides: Mapping[str, Mapping[str, float]] | None = None) -> tuple[float, bool]:
    """The replies' cost summed, and whether every reply had a price (False: the sum leaves some out).
    A reply that counted no tokens at all (refused before it began) costs nothing, priced or not."""
    total, complete = 0.0, True
    for reply in replies:
        if reply.input_tokens is None and reply.output_tokens is None and not _usage(reply).cached:
            continue
        dollars = reply_cost(reply, overrides)
        if dollars is None:
            complete = False
        else:
            total += dollars
    return total, complete


def _usage(reply: Counted) -> TokenUsage:
    usage = reply.usage
    return usage if isinstance(usage, TokenUsage) else TokenUsage.from_record(usage or {})
