"""Themes are data: TOML files that map onto `textual.theme.Theme` fields.

The shipped ones live in the package's `themes/`; a user's live in the config directory's `themes/`
and may replace a shipped one by name. A broken file is reported with its name and the problem and
skipped: a theme must never stop the app from starting.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from tui_app.config import locate_syntax_error

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

COLOUR_FIELDS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost",
                 "warning", "error", "success")
THEME_FIELDS = ("name", *COLOUR_FIELDS, "dark", "variables")

EVENT_VARIABLES = ("event-time", "event-heading", "event-note", "event-message", "event-block", "event-delta",
                   "event-ping", "event-error", "event-unknown", "event-problem", "event-cursor")
"""Colours of the event log, overridable in a theme's [variables]."""


@dataclass(frozen=True, slots=True)
class ThemeProblem:
    file: str
    text: str

    def __str__(self) -> str:
        return f"theme file {self.file} was skipped: {self.text}"


def theme_from_mapping(data: dict[str, Any], default_name: str | None = None) -> Theme:
    """Build a theme from a parsed TOML table. Raises ValueError naming the first thing wrong."""
    unknown = sorted(set(data) - set(THEME_FIELDS))
    if unknown:
        hint = difflib.get_close_matches(unknown[0], THEME_FIELDS, n=1)
        raise ValueError(f'unknown key "{unknown[0]}"' + (f' (did you mean "{hint[0]}"?)' if hint else
                                                          f"; theme keys are {', '.join(THEME_FIELDS)}"))
    values = dict(data)
    values.setdefault("name", default_name)
    if not isinstance(values["name"], str) or not values["name"].strip():
        raise ValueError("name must be a non-empty string")
    if "primary" not in values:
        raise ValueError("primary is required: the theme's main colour")
    for name in COLOUR_FIELDS:
        if name in values:
            _check_colour(name, values[name])
    if not isinstance(values.get("dark", True), bool):
        raise ValueError("dark must be true or false")
    variables = values.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(value, str) for value in variables.values()):
        raise ValueError("variables must be a table of strings")
    for name in EVENT_VARIABLES:
        if name in variables:
            _check_colour(f"variables.{name}", variables[name])
    return Theme(**values)


def _check_colour(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a colour string such as \"#E07A4F\"")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ValueError(f'{name} = "{value}" is not a colour (use "#RRGGBB", "rgb(…)" or a colour name)') from None


def _load_file(name: str, text: str) -> Theme:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError("\n".join(locate_syntax_error(text, error)).strip()) from None
    return theme_from_mapping(data, default_name=Path(name).stem)


def load_themes(user_dir: Path | None) -> tuple[list[Theme], list[ThemeProblem]]:
    """The shipped themes, then the user's (a user theme replaces a shipped one of the same name)."""
    themes: dict[str, Theme] = {}
    problems: list[ThemeProblem] = []
    shipped = [(path.name, path.read_text(encoding="utf-8"), Path(path.name)) for path in shipped_theme_files()]
    for name, text, path in sorted(shipped) + list(_user_theme_files(user_dir, problems)):
        try:
            theme = _load_file(name, text)
        except ValueError as error:
            problems.append(ThemeProblem(str(path), str(error)))
            continue
        themes[theme.name] = theme
    return list(themes.values()), problems


def shipped_theme_files() -> list[Path]:
    """The theme files installed with the app. Read from the package's folder: `importlib.resources` would
    load `zipfile` for it, which costs more than reading the four files (3 ms before the first frame)."""
    from tui_app import themes

    return [path for folder in themes.__path__ for path in Path(folder).glob("*.toml")]


def _user_theme_files(user_dir: Path | None, problems: list[ThemeProblem]) -> Iterable[tuple[str, str, Path]]:
    if user_dir is None or not user_dir.is_dir():
        return
    for path in sorted(user_dir.glob("*.toml")):
        try:
            yield path.name, path.read_bytes().decode("utf-8"), path
        except (OSError, UnicodeDecodeError) as error:
            problems.append(ThemeProblem(str(path), getattr(error, "strerror", None) or "not UTF-8 text"))


def event_colour_defaults(colours: dict[str, str]) -> dict[str, str]:
    """Event log colours for a theme that does not set them, picked from its colours: the variables of its
    generated colour system, with its own `[variables]` over them.

    ANSI themes generate fewer shades, so each colour falls back to a base one.
    """

    def pick(*names: str) -> str:
        return next((colours[name] for name in names if name in colours), "ansi_default")

    return {
        "event-time": pick("foreground-muted", "foreground"),
        "event-heading": pick("text-primary", "primary"),
        "event-note": pick("text-secondary", "secondary"),
        "event-message": pick("text-accent", "accent"),
        "event-block": pick("text-primary", "primary"),
        "event-delta": pick("foreground"),
        "event-ping": pick("foreground-disabled", "foreground-muted", "foreground"),
        "event-error": pick("text-error", "error"),
        "event-unknown": pick("text-warning", "warning"),
        "event-problem": pick("text-warning", "warning"),
        "event-cursor": pick("primary-muted", "boost", "surface"),
    }
