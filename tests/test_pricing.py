"""Cost estimates: the shipped price table, the config's overrides, and the figures worked out by hand."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tui_app.config import load_settings, tomllib
from tui_app.model.pricing import (
    PRICE_FIELDS,
    Price,
    PriceError,
    conversation_cost,
    cost,
    format_cost,
    price_for,
    read_price,
    reply_cost,
    shipped_prices,
)
from tui_app.stream.usage import TokenUsage

ROOT = Path(__file__).resolve().parent.parent
SONNET_5 = {"input": 2, "output": 10, "cache_write_5m": 2.5, "cache_write_1h": 4, "cache_read": 0.2}


@dataclass
class Counts:
    """What a reply or a saved turn carries for pricing."""

    model: str | None
    input_tokens: int | None = None
    output_tokens: int | None = None
    usage: Any = field(default_factory=TokenUsage)


def test_the_shipped_table_holds_the_published_prices() -> None:
    assert price_for("claude-opus-4-6") == Price(5, 25, 6.25, 10, 0.5)
    assert price_for("claude-opus-4-5") == Price(5, 25, 6.25, 10, 0.5)
    assert price_for("claude-sonnet-4-6") == Price(3, 15, 3.75, 6, 0.3)
    assert price_for("claude-sonnet-4-5") == Price(3, 15, 3.75, 6, 0.3)
    assert price_for("claude-haiku-4-5") == Price(1, 5, 1.25, 2, 0.1)
    assert price_for("claude-opus-4-1") == Price(15, 75, 18.75, 30, 1.5)


def test_every_shipped_price_keeps_the_cache_multipliers() -> None:
    for model, price in shipped_prices().items():
        assert price.cache_write_5m == pytest.approx(1.25 * price.input), model
        assert price.cache_write_1h == pytest.approx(2 * price.input), model
        assert price.cache_read == pytest.approx(0.1 * price.input), model


def test_a_model_matches_its_name_or_its_name_and_a_date() -> None:
    assert price_for("claude-sonnet-4-5-20250929") == price_for("claude-sonnet-4-5")
    assert price_for("claude-haiku-4-5-20251001") == price_for("claude-haiku-4-5")
    assert price_for("claude-opus-4-20250514") == price_for("claude-opus-4-0")
    for unknown in ("claude-sonnet-5", "claude-sonnet-4-5-latest", "claude-sonnet-4-5x", "claude-sonnet-4-5-2025",
                    "claude-sonnet-4-5-20250929-extra", "sonnet", "", None):
        assert price_for(unknown) is None, unknown


def test_an_override_adds_a_model_or_replaces_a_shipped_price_dated_ids_included() -> None:
    overrides = {"claude-sonnet-5": SONNET_5, "claude-haiku-4-5": {**SONNET_5, "input": 9}}
    assert price_for("claude-sonnet-5", overrides) == Price(2, 10, 2.5, 4, 0.2)
    assert price_for("claude-sonnet-5-20270101", overrides) == Price(2, 10, 2.5, 4, 0.2)
    assert price_for("claude-haiku-4-5-20251001", overrides).input == 9
    assert price_for("claude-opus-4-6", overrides) == Price(5, 25, 6.25, 10, 0.5)


def test_the_cost_of_input_and_output() -> None:
    # 1,000 in at $3 and 500 out at $15 per million: $0.003 + $0.0075.
    assert cost(price_for("claude-sonnet-4-5"), 1000, 500, TokenUsage()) == pytest.approx(0.0105)
    assert cost(price_for("claude-sonnet-4-5"), None, None, TokenUsage()) == 0


def test_cache_writes_are_priced_by_their_time_to_live_and_reads_at_a_tenth() -> None:
    usage = TokenUsage(cache_write=3000, cache_write_5m=1000, cache_write_1h=2000, cache_read=10_000)
    # Opus 4.6: 200 x $5 + 1,000 x $25 + 1,000 x $6.25 + 2,000 x $10 + 10,000 x $0.50, per million.
    assert cost(price_for("claude-opus-4-6"), 200, 1000, usage) == pytest.approx(0.05725)


def test_a_cache_write_without_its_split_is_priced_at_the_five_minute_rate() -> None:
    haiku = price_for("claude-haiku-4-5")
    # 100 x $1 + 100 x $5 + 4,000 x $1.25, per million.
    assert cost(haiku, 100, 100, TokenUsage(cache_write=4000)) == pytest.approx(0.0056)
    # 1,000 of 3,000 written for an hour: the other 2,000 at the 5-minute rate.
    assert cost(haiku, 0, 0, TokenUsage(cache_write=3000, cache_write_1h=1000)) == pytest.approx(0.0045)


def test_a_conversation_sums_its_replies_and_says_when_one_had_no_price() -> None:
    sonnet = Counts("claude-sonnet-4-5-20250929", 1000, 500)
    haiku_saved = Counts("claude-haiku-4-5", 100, 100, {"cache_write": 4000, "message_id": "msg_1"})
    assert reply_cost(haiku_saved) == pytest.approx(0.0056)
    assert conversation_cost([sonnet, haiku_saved]) == (pytest.approx(0.0161), True)
    assert conversation_cost([sonnet, Counts("claude-sonnet-5", 10, 10)]) == (pytest.approx(0.0105), False)
    assert conversation_cost([sonnet, Counts("claude-sonnet-5", 10, 10)], {"claude-sonnet-5": SONNET_5}) == (
        pytest.approx(0.0105 + 0.00012), True)
    # A reply refused before it counted a token cost nothing, whatever its model.
    assert conversation_cost([sonnet, Counts(None), Counts("claude-sonnet-5")]) == (pytest.approx(0.0105), True)
    assert conversation_cost([]) == (0, True)


@pytest.mark.parametrize(("dollars", "shown"), [
    (0.0042, "$0.0042"), (1.234, "$1.23"), (0.00004, "<$0.0001"), (0, "$0.00"), (0.5, "$0.50"),
    (0.05731, "$0.0573"), (0.0001, "$0.0001"), (0.99996, "$1.00"), (1234.5, "$1,234.50"), (12, "$12.00"),
])
def test_costs_are_shown_to_the_cent_from_a_dollar_and_to_four_places_below(dollars, shown) -> None:
    assert format_cost(dollars) == shown


@pytest.mark.parametrize(("entry", "key", "words"), [
    ({**SONNET_5, "input": "3"}, "input", "input must be a number of US dollars per million tokens, 0 or more"),
    ({**SONNET_5, "output": -1}, "output", "output must be a number"),
    ({**SONNET_5, "cache_read": float("nan")}, "cache_read", "cache_read must be a number"),
    ({**SONNET_5, "input": True}, "input", "input must be a number"),
    ({**SONNET_5, "inptu": 3}, "inptu", 'unknown key "inptu" (did you mean "input"?)'),
    ({"input": 3, "output": 15}, None, "lacks cache_write_5m, cache_write_1h, cache_read: a price needs all five"),
    (3, None, "must be a table of input, output, cache_write_5m, cache_write_1h, cache_read"),
])
def test_a_wrong_price_says_what_is_wrong_and_where(entry, key, words) -> None:
    with pytest.raises(PriceError) as caught:
        read_price(entry)
    assert words in str(caught.value) and caught.value.key == key


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_config_adds_and_replaces_prices_and_says_where(tmp_path) -> None:
    config = write(tmp_path / "config.toml", """model = "claude-sonnet-5"

[prices."claude-sonnet-5"]
input = 2
output = 10
cache_write_5m = 2.5
cache_write_1h = 4
cache_read = 0.2

[prices]
claude-haiku-4-5 = { input = 9, output = 5, cache_write_5m = 1.25, cache_write_1h = 2, cache_read = 0.1 }
""")
    settings = load_settings({}, config)
    assert settings.problems == []
    assert settings.prices["claude-sonnet-5"] == SONNET_5
    assert settings.source("prices.claude-sonnet-5") == "config file, line 3"
    assert price_for("claude-haiku-4-5-20251001", settings.prices).input == 9


@pytest.mark.parametrize(("text", "expected"), [
    ('[prices."m"]\ninput = 1\n', 'line 1: prices."m": lacks output, cache_write_5m, cache_write_1h, cache_read'),
    ('[prices."m"]\ninput = 1\noutput = "5"\n', 'line 3: prices."m": output must be a number'),
    ('[prices."m"]\ninptu = 1\n', 'line 2: prices."m": unknown key "inptu" (did you mean "input"?)'),
    ('[prices]\nm = 5\n', 'line 2: prices."m": must be a table of input, output'),
    ('prices = 5\n', "line 1: prices must be a table ([prices]); ignored"),
    ('price = 5\n', 'line 1: unknown key "price" in the top level (did you mean "prices"?)'),
])
def test_each_price_mistake_in_the_config_is_reported_with_its_line(tmp_path, text, expected) -> None:
    config = write(tmp_path / "config.toml", text)
    settings = load_settings({}, config)
    [problem] = settings.problems
    assert problem.startswith(f"{config}, ") and expected in problem
    assert settings.prices == {}


def test_print_config_writes_the_overrides_back_as_a_config_that_reads_the_same(tmp_path) -> None:
    config = write(tmp_path / "config.toml", '[prices."claude-sonnet-5"]\n' + "".join(
        f"{name} = {value}\n" for name, value in SONNET_5.items()))
    env = {"HOME": str(tmp_path), "PATH": ""}
    out = subprocess.run([sys.executable, "-m", "tui_app", "--config", str(config), "--print-config"],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert '[prices."claude-sonnet-5"]' in out and "# config file, line 1" in out
    again = write(tmp_path / "again.toml", out)
    reread = load_settings({}, again)
    assert reread.problems == [] and reread.prices == {"claude-sonnet-5": SONNET_5}


def test_the_shipped_table_is_package_data_and_read_only_when_a_price_is_asked_for() -> None:
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "prices.toml" in package_data["tui_app.model"]
    table = tomllib.loads((ROOT / "tui_app" / "model" / "prices.toml").read_text())
    assert all(set(entry) == set(PRICE_FIELDS) for entry in table.values())
    script = ("from tui_app.cli import build_parser, settings_from_args; "
              "settings_from_args(build_parser().parse_args(['--config', '/dev/null']), {}); "
              "from tui_app.model.pricing import shipped_prices; print(shipped_prices.cache_info().misses)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "0"
