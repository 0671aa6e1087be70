"""Themes as data: the shipped files, broken user files, and switching at runtime."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color

from tests.conftest import send_and_finish, until
from tui_app.theme_loader import EVENT_VARIABLES, load_themes, theme_from_mapping
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


async def test_switching_theme_restyles_the_event_log_and_is_remembered(make_app, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('model = "kept"\n', encoding="utf-8")
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


async def test_every_available_theme_including_textuals_own_draws_the_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_finish(pilot, "echo colours")
        for name in sorted(app.available_themes):
            app.theme = name
            await pilot.pause()
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
