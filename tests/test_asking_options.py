"""Thinking, effort and prompt caching from the command line and the config file: values, mistakes, clashes
with max tokens and temperature, and --print-config."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_app.cli import UsageError, build_parser, main, settings_from_args
from tui_app.config import load_settings

DEFAULTS = {"thinking": None, "thinking_display": "summarized", "effort": None, "cache": None}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def settings_for(*argv: str):
    return settings_from_args(build_parser().parse_args(list(argv)), {})


def asking(settings) -> dict[str, str | None]:
    return {name: getattr(settings, name) for name in DEFAULTS}


def test_the_command_line_sets_each_and_says_so() -> None:
    settings = settings_for("--config", "/dev/null", "--thinking", "2,048", "--thinking-display", "omitted",
                            "--effort", "XHIGH", "--cache", "1h", "--max-tokens", "8000")
    assert asking(settings) == {"thinking": "2048", "thinking_display": "omitted", "effort": "xhigh", "cache": "1h"}
    assert settings.source("thinking") == "command line (--thinking)"
    assert settings.source("thinking_display") == "command line (--thinking-display)"
    assert settings.source("effort") == "command line (--effort)"
    assert settings.source("cache") == "command line (--cache)"
    assert settings_for("--config", "/dev/null", "--thinking", "adaptive").thinking == "adaptive"
    assert settings_for("--config", "/dev/null", "--thinking", "off").thinking == "off"
    assert asking(settings_for("--config", "/dev/null")) == DEFAULTS


def test_the_command_line_beats_the_config_file_and_cache_off_turns_caching_off(tmp_path) -> None:
    config = write(tmp_path / "config.toml", 'cache = "5m"\neffort = "low"\nthinking = "adaptive"\n')
    settings = settings_for("--config", str(config), "--cache", "off", "--thinking", "off")
    assert settings.cache is None and settings.source("cache") == "command line (--cache)"
    assert settings.thinking == "off"
    assert settings.effort == "low" and settings.source("effort") == "config file, line 2"


@pytest.mark.parametrize(("argv", "words"), [
    (["--thinking", "500"], "argument --thinking: a thinking budget must be at least 1,024 tokens, not 500"),
    (["--thinking", "lots"], 'argument --thinking: thinking must be a budget in tokens (at least 1,024), '
                             '"adaptive" or "off", not "lots"'),
    (["--effort", "huge"], 'argument --effort: effort must be one of low, medium, high, xhigh, max, not "huge"'),
    (["--cache", "2h"], 'argument --cache: cache must be one of 5m, 1h, off, not "2h"'),
    (["--thinking-display", "full"], "argument --thinking-display: thinking display must be one of summarized, "
                                     'omitted, not "full"'),
])
def test_a_wrong_value_on_the_command_line_is_a_usage_error_in_the_shared_words(argv, words, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(argv)
    assert caught.value.code == 2
    assert words in capsys.readouterr().err


def test_a_budget_not_below_max_tokens_on_the_command_line_says_to_raise_max_tokens(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--config", "/dev/null", "--thinking", "8000", "--print-config"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: claude-tui")
    assert ("claude-tui: error: the thinking budget (8,000) must be below max tokens (4,096): raise max tokens or "
            "lower the budget (--max-tokens, --thinking)") in err
    assert settings_for("--config", "/dev/null", "--thinking", "8000", "--max-tokens", "8001").thinking == "8000"


def test_temperature_with_thinking_on_the_command_line_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"temperature cannot be set while thinking is on: clear one of them "
                                         r"\(--temperature, --thinking off\)"):
        settings_for("--config", "/dev/null", "--thinking", "adaptive", "--temperature", "0.5")
    assert settings_for("--config", "/dev/null", "--thinking", "off", "--temperature", "0.5").temperature == 0.5


def test_a_clash_the_command_line_makes_with_the_config_file_names_the_line(tmp_path) -> None:
    config = write(tmp_path / "config.toml", "thinking = 4096\n")
    with pytest.raises(UsageError) as caught:
        settings_for("--config", str(config), "--temperature", "0.2")
    assert "(--temperature, --thinking off; thinking is set in the config file, line 1)" in str(caught.value)
    with pytest.raises(UsageError, match="raise max tokens"):
        settings_for("--config", str(config), "--max-tokens", "4096")


def test_the_config_file_sets_each_with_its_line(tmp_path) -> None:
    config = write(tmp_path / "config.toml", """max_tokens = 16000
thinking = 2048
thinking_display = "omitted"
effort = "max"
cache = "1h"
""")
    settings = load_settings({}, config)
    assert settings.problems == []
    assert asking(settings) == {"thinking": "2048", "thinking_display": "omitted", "effort": "max", "cache": "1h"}
    assert [settings.source(name) for name in DEFAULTS] == [f"config file, line {n}" for n in (2, 3, 4, 5)]
    for text, thinking in (('thinking = "adaptive"', "adaptive"), ('thinking = "off"', "off"),
                           ('thinking = "4096"', "4096")):
        assert load_settings({}, write(config, text + "\n")).thinking == thinking
    settings = load_settings({}, write(config, 'cache = "off"\n'))
    assert settings.cache is None and settings.source("cache") == "config file, line 1"


@pytest.mark.parametrize(("text", "expected"), [
    ("thinking = 500\n", "line 1: a thinking budget must be at least 1,024 tokens, not 500; the default is used"),
    ('thinking = "on"\n', 'line 1: thinking must be a budget in tokens (at least 1,024), "adaptive" or "off", '
                          'not "on"; the default is used'),
    ("thinking = 2048.5\n", 'line 1: thinking must be a budget in tokens (at least 1,024), "adaptive" or "off", '
                            'not "2048.5"'),
    ("thinking = true\n", 'not "true"; the default is used'),
    ('\neffort = "extreme"\n', 'line 2: effort must be one of low, medium, high, xhigh, max, not "extreme"'),
    ("effort = 3\n", 'line 1: effort must be one of low, medium, high, xhigh, max, not "3"'),
    ('cache = "1d"\n', 'line 1: cache must be one of 5m, 1h, off, not "1d"; the default is used'),
    ('thinking_display = "full"\n', 'line 1: thinking_display must be one of summarized, omitted, not "full"'),
    ('efort = "low"\n', 'line 1: unknown key "efort" in the top level (did you mean "effort"?)'),
])
def test_a_wrong_value_in_the_config_file_is_reported_with_its_line_and_the_default_kept(tmp_path, text,
                                                                                         expected) -> None:
    config = write(tmp_path / "config.toml", text)
    settings = settings_for("--config", str(config))
    [problem] = settings.problems
    assert problem.startswith(f"{config}, ") and expected in problem
    assert asking(settings) == DEFAULTS


def test_a_clash_within_the_config_file_is_reported_and_thinking_left_unset(tmp_path) -> None:
    config = write(tmp_path / "config.toml", 'effort = "high"\nthinking = 8000\n')
    settings = settings_for("--config", str(config))
    assert settings.problems == [
        f"{config}, line 2: the thinking budget (8,000) must be below max tokens (4,096): raise max tokens or lower "
        "the budget; thinking is left unset"]
    assert settings.thinking is None and settings.source("thinking") == "default"
    assert settings.effort == "high"
    write(config, "thinking = 2048\ntemperature = 0.5\n")
    [problem] = settings_for("--config", str(config)).problems
    assert problem == (f"{config}, line 1: temperature cannot be set while thinking is on: clear one of them; "
                       "thinking is left unset")


def test_the_command_line_can_settle_a_clash_in_the_config_file(tmp_path) -> None:
    config = write(tmp_path / "config.toml", "thinking = 8000\n")
    settings = settings_for("--config", str(config), "--max-tokens", "16000")
    assert settings.problems == [] and settings.thinking == "8000"
    assert settings.source("thinking") == "config file, line 1"


def test_print_config_shows_the_new_keys_with_their_sources_and_reads_back_the_same(tmp_path, capsys) -> None:
    config = write(tmp_path / "config.toml", 'max_tokens = 9000\nthinking = 4096\neffort = "medium"\n')
    assert main(["--config", str(config), "--print-config", "--cache", "5m", "--thinking-display", "omitted"]) == 0
    out = capsys.readouterr().out
    lines = {line.split("=")[0].strip(): line for line in out.splitlines() if "=" in line and not line.startswith("#")}
    assert lines["thinking"].startswith("thinking = 4096 ") and lines["thinking"].endswith("# config file, line 2")
    assert lines["effort"].startswith('effort = "medium" ') and lines["effort"].endswith("# config file, line 3")
    assert lines["cache"].startswith('cache = "5m" ') and lines["cache"].endswith("# command line (--cache)")
    assert lines["thinking_display"].endswith("# command line (--thinking-display)")
    again = load_settings({}, write(tmp_path / "again.toml", out))
    assert again.problems == []
    assert asking(again) == {"thinking": "4096", "thinking_display": "omitted", "effort": "medium", "cache": "5m"}


def test_print_config_of_the_defaults_leaves_thinking_and_effort_to_the_model(tmp_path, capsys) -> None:
    assert main(["--config", "/dev/null", "--print-config"]) == 0
    out = capsys.readouterr().out
    assert "# thinking is not set" in out and "# effort is not set" in out
    assert 'cache = "off"' in out and 'thinking_display = "summarized"' in out
    assert asking(load_settings({}, write(tmp_path / "again.toml", out))) == DEFAULTS
