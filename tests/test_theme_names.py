"""A theme that does not exist, named to `-p` or `--print-config`: one line on stderr, and the run goes on
as it would have."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLAUDE_TUI = Path(sys.executable).with_name("claude-tui")
FAST = ["--demo-ttft", "0", "--demo-tps", "0"]
UNKNOWN = 'claude-tui: theme "nosuch" ({source}) does not exist; these do: '


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local"))
    return subprocess.run([str(CLAUDE_TUI), *args], capture_output=True, text=True, timeout=60, env=env)


def config_with(home: Path, text: str) -> Path:
    folder = home / ".config" / "claude-tui"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return folder


def the_one_line(stderr: str, source: str) -> list[str]:
    """The themes the warning names; it must be the only thing on stderr."""
    [line] = stderr.splitlines()
    assert line.startswith(UNKNOWN.format(source=source)), line
    return line.removeprefix(UNKNOWN.format(source=source)).split(", ")


def test_print_mode_warns_of_an_unknown_theme_and_answers_as_it_would_have(tmp_path) -> None:
    plain = run(tmp_path, "-p", "show me the tour", *FAST)
    warned = run(tmp_path, "-p", "show me the tour", "--theme", "nosuch", *FAST)
    assert plain.returncode == 0 and plain.stderr == ""
    assert (warned.stdout, warned.returncode) == (plain.stdout, plain.returncode)
    names = the_one_line(warned.stderr, "command line (--theme)")
    assert {"ember", "paper", "tide", "contrast", "nord", "textual-dark"} <= set(names) and names == sorted(names)


def test_a_failing_reply_keeps_its_exit_code_beside_the_warning(tmp_path) -> None:
    plain = run(tmp_path, "-p", "refuse this", *FAST)
    warned = run(tmp_path, "-p", "refuse this", "--theme", "nosuch", *FAST)
    assert plain.returncode != 0
    assert (warned.stdout, warned.returncode) == (plain.stdout, plain.returncode)
    assert warned.stderr.splitlines()[1:] == plain.stderr.splitlines()
    assert warned.stderr.startswith(UNKNOWN.format(source="command line (--theme)"))


def test_an_unknown_theme_in_the_config_file_is_named_with_its_line(tmp_path) -> None:
    config_with(tmp_path, '# my settings\ntheme = "nosuch"\n')
    result = run(tmp_path, "-p", "hi", *FAST)
    assert result.returncode == 0 and result.stdout
    the_one_line(result.stderr, "config file, line 2")


def test_print_config_reports_an_unknown_theme_as_a_problem_and_still_prints_the_settings(tmp_path) -> None:
    known = run(tmp_path, "--print-config", "--theme", "nord")
    unknown = run(tmp_path, "--print-config", "--theme", "nosuch")
    assert known.returncode == unknown.returncode == 0 and known.stderr == ""
    assert unknown.stdout == known.stdout.replace('theme = "nord"  ', 'theme = "nosuch"')
    the_one_line(unknown.stderr, "command line (--theme)")


def test_known_themes_shipped_textual_s_and_the_user_s_give_no_warning(tmp_path) -> None:
    themes = config_with(tmp_path, "") / "themes"
    themes.mkdir()
    (themes / "midnight.toml").write_text('primary = "#7AA2F7"\n', encoding="utf-8")
    (themes / "file-name.toml").write_text('name = "named-inside"\nprimary = "#7AA2F7"\n', encoding="utf-8")
    for theme in ("ember", "tide", "nord", "textual-light", "midnight", "named-inside"):
        printed = run(tmp_path, "-p", "hi", "--theme", theme, *FAST)
        assert printed.returncode == 0 and printed.stderr == "", (theme, printed.stderr)
        described = run(tmp_path, "--print-config", "--theme", theme)
        assert described.returncode == 0 and described.stderr == "", (theme, described.stderr)
    names = the_one_line(run(tmp_path, "-p", "hi", "--theme", "nosuch", *FAST).stderr, "command line (--theme)")
    assert {"midnight", "named-inside"} <= set(names) and "file-name" not in names


def test_a_shipped_theme_is_found_without_loading_textual_in_print_mode(tmp_path) -> None:
    code = ("import sys; from tui_app.cli import main; "
            "main(['-p', 'hi', '--theme', 'paper', '--demo-ttft', '0', '--demo-tps', '0']); "
            "assert 'textual' not in sys.modules, 'textual imported'")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**env, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "theme" not in result.stderr
