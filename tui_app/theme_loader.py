"""Themes are data: TOML files that map onto `textual.theme.Theme` fields.

The shipped ones live in the package's `themes/`; a user's live in the config directory's `themes/`
and may replace a shipped one by name. A broken file is reported with its name and the problem and
skipped: a theme must never stop the app from starting.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rich.errors import StyleSyntaxError
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.css.tokenize import tokenize_values
from textual.css.tokenizer import TokenError
from textual.dom import BadIdentifier, check_identifiers
from textual.theme import Theme

from tui_app.config import TOO_DEEP, locate_syntax_error
from tui_app.theme_files import shipped_theme_files, user_theme_files

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
    _check_name(values["name"], named="name" in data)
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
    for name, value in variables.items():
        _check_variable(name, value)
    theme = Theme(**values)
    if not all(_plain_colour(value) for value in variables.values()):
        _check_colour_system(theme)
    return theme


def _check_name(name: str, *, named: bool) -> None:
    """Textual makes the name part of a CSS class (`-theme-NAME`), and stops on one it cannot use."""
    try:
        check_identifiers("theme name", f"-theme-{name}")
    except BadIdentifier:
        quoted = json.dumps(name, ensure_ascii=False)
        where = f"name = {quoted}" if named else f"the file name {quoted}"
        raise ValueError(f'{where} cannot name a theme: theme names are letters, digits, "-" and "_"'
                         + ("" if named else '; set one with name = "…"')) from None


def _check_variable(name: str, value: str) -> None:
    """Every CSS variable is read as CSS when the app starts, and each of Textual's own and the event log's
    is used as a colour or a text style: a value that is neither stops the app, so the theme is refused."""
    shown = f"variables.{name} = {json.dumps(value, ensure_ascii=False)}"
    try:
        tokenize_values({name: value})
    except TokenError:
        raise ValueError(f"{shown} cannot be read as a CSS value") from None
    if STYLE_MARK not in name and _plain_colour(value):
        return  # fits every variable but the text styles, without working out Textual's list (before the first frame)
    kind = _variable_kinds().get(name)
    if kind == "style":
        if not _is_text_style(value):
            raise ValueError(f'{shown} is not a text style (words such as "bold", "italic", "underline", '
                             '"not", "none")')
    elif kind is not None and not (kind == "auto" and AUTO_COLOUR.fullmatch(value)):
        colour, _, opacity = value.strip().rpartition(" ")
        if not PERCENTAGE.fullmatch(opacity):
            colour = value
        if not _plain_colour(colour.strip()):
            raise ValueError(f'{shown} is not a colour (use "#RRGGBB", "rgb(…)" or a colour name, and a '
                             'percentage after it for an opacity: "#E07A4F 40%")')


def _is_text_style(value: str) -> bool:
    """Textual takes only its style words, then hands them to Rich, which refuses "not" with nothing after it."""
    words = value.split()
    if not words or not set(words) <= VALID_STYLE_FLAGS:
        return False
    try:
        Style.parse(value)
    except StyleSyntaxError:
        return False
    return True


STYLE_MARK = "style"
"""In the name of each of Textual's text style variables (`link-style`, `block-cursor-text-style` …)."""
PERCENTAGE = re.compile(r"\d+(\.\d+)?%")
AUTO_COLOUR = re.compile(r"auto( \d+(\.\d+)?%)?")
"""The contrasting text colour Textual's own text variables use ("auto 87%")."""


def _plain_colour(value: str) -> bool:
    try:
        Color.parse(value)
    except ColorParseError:
        return False
    return True


def _check_colour_system(theme: Theme) -> None:
    """Textual works out some colours from others, reading a few variables as plain colours to do so
    ("#E07A4F 40%" is not one): work them out now, as the app would."""
    try:
        theme.to_color_system().generate()
    except ColorParseError as error:
        name, value = next(((name, value) for name, value in theme.variables.items() if repr(value) in str(error)),
                           ("a variable", ""))
        raise ValueError(f"variables.{name} = {json.dumps(value, ensure_ascii=False)} must be a plain colour, "
                         'with no percentage or "auto": Textual works out other colours from it') from None


@cache
def _variable_kinds() -> dict[str, str]:
    """The CSS variables Textual and the app read, and how: "colour", "auto" (a colour, or "auto N%" as
    Textual's default is) or "style". Others are read by nothing but must still be CSS."""
    generated = Theme(name="any", primary="#000000").to_color_system().generate()

    def kind(default: str) -> str:
        if set(default.split()) <= VALID_STYLE_FLAGS:
            return "style"
        return "auto" if default.startswith("auto") else "colour"

    return {**{name: kind(default) for name, default in generated.items()},
            **dict.fromkeys(EVENT_VARIABLES, "colour")}


def _check_colour(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a colour string such as \"#E07A4F\"")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ValueError(f'{name} = {json.dumps(value, ensure_ascii=False)} is not a colour '
                         '(use "#RRGGBB", "rgb(…)" or a colour name)') from None


def _load_file(name: str, text: str) -> Theme:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError("\n".join(locate_syntax_error(text, error)).strip()) from None
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
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


def _user_theme_files(user_dir: Path | None, problems: list[ThemeProblem]) -> Iterable[tuple[str, str, Path]]:
    for path in user_theme_files(user_dir):
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
