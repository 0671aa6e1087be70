"""Themes as data: the shipped files, broken user files, and switching at runtime."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.color import Color
from textual.css.constants import VALID_STYLE_FLAGS
from textual.theme import BUILTIN_THEMES, Theme

from tests.conftest import WAIT_LIMIT, send_and_finish, until
from tui_app.config import THEME_NAME, load_settings
from tui_app.theme_loader import EVENT_VARIABLES, STYLE_MARK, THEME_FIELDS, load_themes, theme_from_mapping
from tui_app.widgets.event_lines import EventLines


def test_at_least_four_deliberate_themes_ship_a_light_one_and_a_high_contrast_one() -> None:
    themes, problems = load_themes(None)
    assert problems == []
    by_name = {theme.name: theme for theme in themes}
    assert {"ember", "paper", "contrast", "tide"} <= set(by_name)
    assert by_name["paper"].dark is False
    standard_16 = {"#000000", "#800000", "#008000", "#808000", "#000080", "#800080", "#008080", "#C0C0C0",
                   "#808080", "#FF0000", "#00FF00", "#FFFF00", "#0000FF", "#FF00FF", "#00FFFF", "#FFFFFF"}
    contrast = by_name["contrast"]
    colours = [contrast.primary, contrast.secondary, contrast.accent, contrast.foreground, contrast.background,
               contrast.surface, contrast.panel, contrast.warning, contrast.error, contrast.success,
               *(contrast.variables[name] for name in EVENT_VARIABLES)]
    assert {Color.parse(colour).hex.upper() for colour in colours} <= standard_16


def user_themes(tmp_path: Path, files: dict[str, str]) -> Path:
    directory = tmp_path / "themes"
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.mark.parametrize(("text", "problem"), [
    ('name = "x"\nprimary = "#fff\n', "line 2, column"),
    ('name = "x"\nprimary = "#ffffff"\nprimry = "#000000"\n', 'unknown key "primry" (did you mean "primary"?)'),
    ('name = "x"\nprimary = "nope"\n', 'primary = "nope" is not a colour'),
    ('name = "x"\nprimary = "#ffffff"\n[variables]\nevent-ping = "grey-ish"\n', "variables.event-ping"),
    ('name = "x"\nbackground = "#000000"\n', "primary is required"),
    ('name = "x"\nprimary = "#ffffff"\ndark = "yes"\n', "dark must be true or false"),
    ('name = "my theme"\nprimary = "#ffffff"\n', 'name = "my theme" cannot name a theme: theme names are letters'),
    ('name = "x"\nprimary = "#ffffff"\n[variables]\nborder = "notacolour"\n',
     'variables.border = "notacolour" is not a colour'),
    ('name = "x"\nprimary = "#ffffff"\n[variables]\nfooter-key-foreground = 3\n',
     "variables must be a table of strings"),
    ('name = "x"\nprimary = "#ffffff"\n[variables]\nmy-own = "{"\n',
     'variables.my-own = "{" cannot be read as a CSS value'),
    ('name = "x"\nprimary = "#ffffff"\n[variables]\nlink-style = "bold red"\n', "is not a text style"),
    ('name = "x"\nprimary = "#ffffff"\n[variables]\nprimary-lighten-1 = "#ff0000 50%"\n',
     'variables.primary-lighten-1 = "#ff0000 50%" must be a plain colour'),
    ('name = "x"\nprimary = "#ffffff"\nnested = ' + "[" * 5000 + "]" * 5000 + "\n",
     "arrays or tables are nested too deeply to be read"),
])
def test_a_broken_theme_file_is_named_with_its_problem_and_skipped(tmp_path, text, problem) -> None:
    directory = user_themes(tmp_path, {"broken.toml": text, "fine.toml": 'primary = "#336699"\n'})
    themes, problems = load_themes(directory)
    [reported] = problems
    assert reported.file.endswith("broken.toml") and problem in reported.text
    assert "--config" not in str(reported), "advice for the config file does not fit a theme file"
    names = {theme.name for theme in themes}
    assert "fine" in names and "x" not in names  # a theme without a name takes its file's


def test_a_user_theme_replaces_a_shipped_one_of_the_same_name(tmp_path) -> None:
    directory = user_themes(tmp_path, {"mine.toml": 'name = "ember"\nprimary = "#123456"\n'})
    themes, _ = load_themes(directory)
    [ember] = [theme for theme in themes if theme.name == "ember"]
    assert ember.primary == "#123456"


def test_theme_from_mapping_accepts_the_theme_fields() -> None:
    theme = theme_from_mapping({"name": "t", "primary": "#010203", "dark": False, "variables": {"event-ping": "red"}})
    assert theme.name == "t" and theme.dark is False and theme.variables == {"event-ping": "red"}


async def test_the_app_starts_despite_a_broken_theme_and_says_which_file(make_app, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "nosuch"\n', encoding="utf-8")
    user_themes(tmp_path, {"bad.toml": 'primary = "#12"\n', "sea.toml": 'primary = "#2288AA"\n'})
    app = make_app(config_path=config, theme="nosuch")
    async with app.run_test(size=(140, 45)) as pilot:
        notice = str(app.query(".notice").first().render())
        assert "bad.toml" in notice and "is not a colour" in notice
        assert 'theme "nosuch"' in notice and "does not exist" in notice
        assert app.theme == "ember"
        assert "sea" in app.available_themes
        await pilot.pause()


def test_a_theme_named_after_a_file_whose_name_has_a_space_is_refused(tmp_path) -> None:
    directory = user_themes(tmp_path, {"my theme.toml": 'primary = "#336699"\n'})
    themes, [problem] = load_themes(directory)
    assert problem.file.endswith("my theme.toml") and 'the file name "my theme" cannot name a theme' in problem.text
    assert "my theme" not in {theme.name for theme in themes}


async def test_a_theme_textual_cannot_use_is_a_reported_problem_at_start_not_a_crash(make_app, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "my theme"\n', encoding="utf-8")  # as a palette choice was once saved
    user_themes(tmp_path, {"my theme.toml": 'primary = "#336699"\n',
                           "loud.toml": 'primary = "#336699"\n[variables]\nborder = "notacolour"\n'})
    settings = load_settings({}, config)
    for theme in (settings.theme, "my theme"):  # from the config file, then as --theme would give it
        app = make_app(config_path=config, theme=theme, problems=settings.problems)
        async with app.run_test(size=(140, 45)) as pilot:
            await pilot.pause()
            notice = str(app.query(".notice").first().render())
            assert f"{config}, line 1: theme \"my theme\" is not a theme name" in notice
            assert "my theme.toml was skipped" in notice and 'the file name "my theme" cannot name a theme' in notice
            assert 'loud.toml was skipped: variables.border = "notacolour" is not a colour' in notice
            assert app.theme == "ember" and "loud" not in app.available_themes
            assert app.export_screenshot()
        if theme == "my theme":
            assert 'theme "my theme" (default) does not exist' in notice


async def test_every_variable_value_the_loader_accepts_draws_the_screen(make_app, tmp_path) -> None:
    """Values of each form the checks let through, against the app's real style sheet."""
    user_themes(tmp_path, {"forms.toml": """
primary = "#336699"
[variables]
border = "red 50%"
input-selection-background = "rgb(1, 2, 3) 35%"
footer-key-foreground = "#FFFF00 80%"
text = "auto 87%"
text-muted = "auto"
link-style = "bold not underline"
block-cursor-text-style = "none"
event-ping = "ansi_bright_black"
event-cursor = "#808080 40%"
my-own = "anything $at all 1fr"
"""})
    app = make_app(config_path=tmp_path / "config.toml", theme="forms")
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme == "forms"
        assert not [notice for notice in app.query(".notice") if "theme" in str(notice.render())]
        await send_and_finish(pilot, "echo")
        assert app.export_screenshot()


def test_textual_s_own_themes_pass_the_loader_s_checks() -> None:
    """The checks refuse what stops the app, not what Textual's own themes do."""
    for theme in BUILTIN_THEMES.values():
        fields = {name: getattr(theme, name) for name in THEME_FIELDS if getattr(theme, name) is not None}
        assert theme_from_mapping(fields).name == theme.name


def test_textual_s_text_style_variables_are_named_so_a_colour_is_never_taken_for_one() -> None:
    """The loader takes a plain colour as fine for any variable without "style" in its name."""
    variables = Theme(name="any", primary="#336699").to_color_system().generate()
    styles = {name for name, value in variables.items() if set(value.split()) <= VALID_STYLE_FLAGS}
    assert {"link-style", "link-style-hover", "block-cursor-text-style"} <= styles
    assert all(STYLE_MARK in name for name in styles)
    with pytest.raises(ValueError, match="is not a text style"):
        theme_from_mapping({"name": "t", "primary": "#336699", "variables": {"link-style-hover": "red"}})


@pytest.mark.parametrize("name", ["ember", "my theme", "9lives", "café", "a_b-c", "x.y", "-x", "_", "tab\tname"])
def test_the_config_file_accepts_the_theme_names_textual_does(name) -> None:
    try:
        theme_from_mapping({"name": name, "primary": "#336699"})
    except ValueError:
        accepted = False
    else:
        accepted = True
    assert (THEME_NAME.fullmatch(name) is not None) == accepted


@given(st.sampled_from(["border", "text", "link-style", "event-ping", "primary-lighten-1", "my-own"]), st.text())
@settings(max_examples=300, deadline=None)
def test_any_variable_value_gives_a_theme_or_a_reason(name, value) -> None:
    try:
        theme_from_mapping({"name": "t", "primary": "#336699", "variables": {name: value}})
    except ValueError as error:
        assert f"variables.{name}" in str(error)


async def test_switching_theme_restyles_the_event_log_and_is_remembered(make_app, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('model = "kept"\n', encoding="utf-8")
    config.chmod(0o600)
    app = make_app(config_path=config)
    async with app.run_test(size=(140, 45)) as pilot:
        lines = app.query_one("#event-lines", EventLines)
        before = lines.get_component_rich_style("event-lines--ping").color
        app.theme = "contrast"
        await until(pilot, lambda: 'theme = "contrast"' in config.read_text(), "the theme to be saved")
        await pilot.pause()
        after = lines.get_component_rich_style("event-lines--ping").color
        assert before != after and after.triplet.hex.upper() == "#808080"
    assert config.read_text() == 'model = "kept"\ntheme = "contrast"\n'
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


async def test_every_available_theme_including_textuals_own_draws_the_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_finish(pilot, "echo")
        restyled = asyncio.Event()
        # Told once the style sheet is refreshed in the new theme: all the screenshot needs, sooner than idle.
        app.theme_changed_signal.subscribe(app, lambda _: restyled.set(), immediate=True)
        for name in sorted(app.available_themes):
            if name != app.theme:
                restyled.clear()
                app.theme = name
                await asyncio.wait_for(restyled.wait(), WAIT_LIMIT)
            assert app.export_screenshot(), name  # renders every widget, event log lines included


async def test_the_event_log_s_colours_follow_a_theme_s_own_text_colours(make_app, tmp_path) -> None:
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "ink.toml").write_text(
        'name = "ink"\nprimary = "#224488"\n[variables]\ntext-primary = "#13579B"\n', encoding="utf-8"
    )
    app = make_app(config_path=tmp_path / "config.toml", theme="ink")
    async with app.run_test(size=(140, 45)):
        lines = app.query_one("#event-lines", EventLines)
        assert lines.get_component_rich_style("event-lines--heading").color.triplet.hex.upper() == "#13579B"
        assert app.theme_variables["event-heading"] == "#13579B"
