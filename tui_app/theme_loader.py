"""Themes are data: TOML files that map onto `textual.theme.Theme` fields."""

from __future__ import annotations

import sys
from importlib.resources import files
from typing import Any

from textual.theme import Theme

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_THEME = "ember"
THEME_FIELDS = ("name", "primary", "secondary", "accent", "foreground", "background", "surface", "panel",
                "warning", "error", "success", "dark", "variables")


def theme_from_mapping(data: dict[str, Any]) -> Theme:
    """Build a theme from a parsed TOML table; unknown keys are an error, not silently dropped."""
    unknown = sorted(set(data) - set(THEME_FIELDS))
    if unknown:
        raise ValueError(f"unknown key(s): {', '.join(unknown)}")
    if not isinstance(data.get("name"), str):
        raise ValueError("a theme needs a name")
    return Theme(**data)


def shipped_themes() -> list[Theme]:
    """The themes inside the package, in name order."""
    themes = []
    for entry in sorted(files("tui_app.themes").iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".toml"):
            themes.append(theme_from_mapping(tomllib.loads(entry.read_text(encoding="utf-8"))))
    return themes
