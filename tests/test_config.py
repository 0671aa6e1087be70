"""The TOML config: precedence, every kind of mistake, --print-config, and remembering a theme."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Clipboards, until
from tui_app.cli import build_parser, settings_from_args
from tui_app.config import ConfigError, default_config_path, load_settings, remember_theme
from tui_app.screens.help_screen import HelpScreen
from tui_app.settings import DEFAULT_MODEL, KeyBindings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def settings_for(argv: list[str], environ: dict[str, str]):
    return settings_from_args(build_parser().parse_args(argv), environ)


def test_the_config_location_follows_the_platform() -> None:
    assert default_config_path({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "linux") == Path("/x/claude-tui/config.toml")
    assert default_config_path({"HOME": "/h"}, "linux") == Path("/h/.config/claude-tui/config.toml")
    assert default_config_path({"HOME": "/h"}, "darwin") == Path(
        "/h/Library/Application Support/claude-tui/config.toml")
    assert default_config_path({"APPDATA": "C:/AppData", "HOME": "/h"}, "win32") == Path(
        "C:/AppData/claude-tui/config.toml")


def test_command_line_beats_environment_beats_config_file_beats_defaults(tmp_path) -> None:
    config = write(tmp_path / "config.toml", """
model = "from-config"
max_tokens = 1000
base_url = "http://config.example:1"
theme = "paper"

[demo]
tokens_per_second = 5
""")
    environ = {"ANTHROPIC_BASE_URL": "http://env.example:2"}
    settings = settings_for(["--config", str(config), "--max-tokens", "7"], environ)
    assert settings.model == "from-config"
    assert settings.source("model") == "config file, line 2"
    assert settings.max_tokens == 7
    assert settings.source("max_tokens") == "command line (--max-tokens)"
    assert settings.base_url == "http://env.example:2"
    assert settings.source("base_url") == "environment (ANTHROPIC_BASE_URL)"
    assert settings.demo_pacing.tokens_per_second == 5
    assert settings.theme == "paper"
    assert settings.temperature is None and settings.source("temperature") == "default"
    assert settings_for(["--config", str(config), "--base-url", "http://cli:3"], environ).base_url == "http://cli:3"
    assert settings_for(["--config", str(config), "--theme", "tide"], environ).theme == "tide"


def test_the_platform_file_is_read_when_present_and_optional_when_absent(tmp_path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    assert load_settings(environ).model == DEFAULT_MODEL
    (tmp_path / "claude-tui").mkdir()
    write(tmp_path / "claude-tui" / "config.toml", 'model = "m-from-xdg"\n')
    assert load_settings(environ).model == "m-from-xdg"


def test_a_syntax_error_names_file_line_and_column_and_shows_the_line(tmp_path) -> None:
    config = write(tmp_path / "config.toml", 'model = "ok"\ntheme "ember"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings({}, config)
    message = str(caught.value)
    assert str(config) in message
    assert "line 2, column 7" in message
    assert '2 | theme "ember"' in message
    assert message.splitlines()[3] == "       | " + " " * 6 + "^"


def test_a_missing_explicit_config_file_is_an_error_not_silence(tmp_path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings({}, tmp_path / "typo.toml")


@pytest.mark.parametrize(("text", "expected"), [
    ('modle = "x"\n', 'line 1: unknown key "modle" in the top level (did you mean "model"?)'),
    ("max_tokens = \"lots\"\n", "line 1: max_tokens must be a whole number, not a string; the default is used"),
    ("temperature = 3\n", "line 1: temperature must be 0 or more and at most 1"),
    ('base_url = "localhost:4000"\n', "line 1: base_url must start with http:// or https://"),
    ("[panels]\nevents = \"no\"\n", "line 2: panels.events must be true or false"),
    ("[keys]\nquit = \"ctrl+qq\"\n", 'line 2: keys.quit "ctrl+qq": unknown key "qq"'),
    ("[keys]\ncopy_reply = \"ctrl+r\"\n", 'line 2: keys.copy_reply: "ctrl+r" is already bound to raw_events'),
    ('api_key = "sk-ant-secret"\n', "line 1: api_key is ignored: the API key is never read from a file"),
    ("[demo]\nping_every = 0\n", "line 2: demo.ping_every must be 1 or more"),
    ('panels = "all"\n', "line 1: panels must be a table ([panels]); ignored"),
    ('theme = "my theme"\n', 'line 1: theme "my theme" is not a theme name: theme names are letters, digits'),
])
def test_each_kind_of_bad_value_is_reported_with_its_line_and_the_default_kept(tmp_path, text, expected) -> None:
    config = write(tmp_path / "config.toml", text)
    settings = load_settings({}, config)
    [problem] = settings.problems
    assert problem.startswith(f"{config}, ") and expected in problem
    assert settings.model == DEFAULT_MODEL and settings.max_tokens == 4096 and settings.temperature is None
    assert settings.keys == KeyBindings()
    assert settings.panels.events is True


def test_good_values_next_to_bad_ones_are_still_used(tmp_path) -> None:
    config = write(tmp_path / "config.toml", """
model = "keep-me"
modle = "typo"
[keys]
copy_reply = "f8"
help = ["f1", "?"]
[panels]
events = false
""")
    settings = load_settings({}, config)
    assert settings.model == "keep-me"
    assert settings.keys.copy_reply == "f8" and settings.keys.help == "f1,?"
    assert settings.panels.events is False
    assert len(settings.problems) == 1


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui_app", *args], capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ.get("PATH", ""), **env})


def test_print_config_shows_each_setting_with_its_source_and_never_the_key(tmp_path) -> None:
    config = write(tmp_path / "config.toml", 'model = "claude-from-file"\nmodle = 1\n[keys]\nquit = "ctrl+w"\n')
    secret = "sk-ant-api03-very-secret-value"
    result = run_cli("--config", str(config), "--print-config", "--max-tokens", "99",
                     env={"ANTHROPIC_API_KEY": secret, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert secret not in out and secret not in result.stderr
    assert "# API key: set in ANTHROPIC_API_KEY (not shown)" in out
    assert f"# config file: {config} (read)" in out
    lines = {line.split("=")[0].strip(): line for line in out.splitlines() if "=" in line and not line.startswith("#")}
    assert lines["model"].startswith('model = "claude-from-file"') and lines["model"].endswith("# config file, line 1")
    assert lines["max_tokens"].endswith("# command line (--max-tokens)")
    assert lines["quit"].endswith("# config file, line 4")
    assert lines["theme"].endswith("# default")
    assert 'unknown key "modle"' in result.stderr
    # What it prints is itself a valid config that gives the same settings.
    again = write(tmp_path / "again.toml", out)
    reread = run_cli("--config", str(again), "--print-config", env={"HOME": str(tmp_path)})
    assert reread.returncode == 0 and reread.stderr == ""
    assert 'model = "claude-from-file"' in reread.stdout and "max_tokens = 99 " in reread.stdout


def test_a_broken_config_stops_the_app_with_a_message_not_a_traceback(tmp_path) -> None:
    config = write(tmp_path / "config.toml", "[keys\nquit = 1\n")
    for args in (["--print-config"], ["-p", "hello"], []):
        result = run_cli("--config", str(config), *args, env={"HOME": str(tmp_path)})
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert f"the config file {config} is not valid TOML" in result.stderr
        assert "line 1, column" in result.stderr


NESTED = "a = " + "[" * 5000 + "]" * 5000 + "\n"


def test_a_config_nested_too_deeply_to_read_is_reported_like_a_syntax_error(tmp_path) -> None:
    config = write(tmp_path / "config.toml", 'model = "m"\n' + NESTED)
    with pytest.raises(ConfigError, match="nested too deeply") as caught:
        load_settings({}, config)
    assert str(config) in str(caught.value)
    for args in (["--print-config"], ["-p", "hello"]):
        result = run_cli("--config", str(config), *args, env={"HOME": str(tmp_path)})
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"the config file {config} cannot be read: its arrays or tables are nested too deeply" in result.stderr


def test_a_broken_line_quoted_from_the_config_cannot_drive_the_terminal(tmp_path) -> None:
    config = write(tmp_path / "config.toml", 'model = "\x1b]52;c;cHduZWQ=\x07\n')
    result = run_cli("--config", str(config), "--print-config", env={"HOME": str(tmp_path)})
    assert result.returncode == 2 and "line 1" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "␛]52" in result.stderr


def test_print_mode_reports_config_problems_and_still_answers(tmp_path) -> None:
    config = write(tmp_path / "config.toml", 'max_tokens = -1\n[demo]\nfirst_token_delay = 0\ntokens_per_second = 0\n')
    result = run_cli("--config", str(config), "-p", "echo still works", env={"HOME": str(tmp_path)})
    assert result.returncode == 0
    assert "still works" in result.stdout
    assert "line 1: max_tokens must be 1 or more" in result.stderr


def test_remembering_a_theme_keeps_everything_else_as_written(tmp_path) -> None:
    config = write(tmp_path / "config.toml", '# my settings\nmodel = "m"  # favourite\n\n[keys]\nquit = "ctrl+w"\n')
    remember_theme(config, "paper")
    assert config.read_text() == ('# my settings\nmodel = "m"  # favourite\n\ntheme = "paper"\n'
                                  '[keys]\nquit = "ctrl+w"\n')
    remember_theme(config, "tide")
    assert config.read_text().count("theme =") == 1 and 'theme = "tide"' in config.read_text()
    assert load_settings({}, config).theme == "tide"


def test_remembering_a_theme_creates_the_file_and_never_replaces_a_device(tmp_path) -> None:
    fresh = tmp_path / "new" / "claude-tui" / "config.toml"
    remember_theme(fresh, "contrast")
    assert fresh.read_text() == 'theme = "contrast"\n'
    with pytest.raises(OSError, match="not a regular file"):
        remember_theme(Path("/dev/null"), "paper")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("file_mode", [0o600, 0o640, 0o644])
def test_remembering_a_theme_keeps_the_file_s_mode_and_leaves_nothing_beside_it(tmp_path, file_mode) -> None:
    config = write(tmp_path / "config.toml", 'base_url = "https://user:secret@proxy.example/"\n')
    config.chmod(file_mode)
    remember_theme(config, "paper")
    assert mode(config) == file_mode
    assert config.read_text() == 'base_url = "https://user:secret@proxy.example/"\ntheme = "paper"\n'
    assert [path.name for path in tmp_path.iterdir()] == ["config.toml"]


def test_a_config_file_made_to_remember_a_theme_is_its_owner_s_only(tmp_path) -> None:
    fresh = tmp_path / "claude-tui" / "config.toml"
    old = os.umask(0)
    try:
        remember_theme(fresh, "tide")
    finally:
        os.umask(old)
    assert mode(fresh) == 0o600


def test_remembering_a_theme_through_a_symlink_updates_the_file_it_names(tmp_path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = write(dotfiles / "claude-tui.toml", 'model = "m"\n')
    real.chmod(0o600)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    remember_theme(link, "contrast")
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text() == 'model = "m"\ntheme = "contrast"\n' and mode(real) == 0o600
    assert sorted(path.name for path in dotfiles.iterdir()) == ["claude-tui.toml"]


async def test_configured_keys_drive_the_app_and_the_help_screen_lists_them(make_app, tmp_path) -> None:
    config = write(tmp_path / "config.toml", '[keys]\ncopy_reply = "f8"\nhelp = "f9"\nsend = "ctrl+s"\n')
    settings = load_settings({}, config)
    app = make_app(keys=settings.keys, config_path=config)
    clipboards = Clipboards()
    async with app.run_test(size=(140, 45)) as pilot:
        clipboards.install(app)
        await pilot.press("h", "i", "enter")  # Enter no longer sends: it is a newline now
        assert app.query_one("#prompt").text == "hi\n" and not app.sessions
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(app.sessions), "ctrl+s to send")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+y")  # the default copy key is free again, and does nothing
        await pilot.press("f8")
        await until(pilot, lambda: bool(clipboards.native), "f8 to copy")
        assert clipboards.native == [app.sessions[0].reply.text]
        await pilot.press("f1")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f9")
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(str(widget.render()) for widget in app.screen.query(".help-key"))
        assert "F8" in shown and "F9" in shown and "Ctrl+S" in shown and "Ctrl+Y" not in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        copy_keys = [binding.key for (_, binding, _, _) in app.active_bindings.values()
                     if binding.action == "copy_reply"]
        assert copy_keys == ["f8"]


async def test_config_problems_are_shown_on_screen_and_panels_follow_the_config(make_app, tmp_path) -> None:
    config = write(tmp_path / "config.toml", 'modle = "x"\n[panels]\nevents = false\nfooter = false\n')
    settings = load_settings({}, config)
    app = make_app(config_path=config, panels=settings.panels, problems=settings.problems)
    async with app.run_test(size=(140, 45)) as pilot:
        notice = str(app.query(".notice").first().render())
        assert 'unknown key "modle"' in notice and "line 1" in notice
        assert app.query_one("#events").display is False
        assert app.query_one("#footer").display is False
        assert app.query_one("#status").display is True
        await pilot.press("f2")
        assert app.query_one("#events").display is True


def test_conversations_are_kept_at_the_platform_data_location() -> None:
    from tui_app.config import default_data_path

    assert default_data_path({"HOME": "/h"}, "linux") == Path("/h/.local/share/claude-tui/conversations.db")
    assert default_data_path({"HOME": "/h", "XDG_DATA_HOME": "/d"}, "linux") == Path(
        "/d/claude-tui/conversations.db")
    assert default_data_path({"HOME": "/h"}, "darwin") == Path(
        "/h/Library/Application Support/claude-tui/conversations.db")
    assert default_data_path({"LOCALAPPDATA": "C:/L"}, "win32") == Path("C:/L/claude-tui/conversations.db")
    assert load_settings({"HOME": "/h"}).history_path == Path("/h/.local/share/claude-tui/conversations.db")
