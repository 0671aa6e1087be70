"""Where theme files are and what they are named, without Textual: print mode checks a theme's name with
these, and the theme loader reads the files they find."""

from __future__ import annotations

from pathlib import Path

from tui_app.config import tomllib


def shipped_theme_files() -> list[Path]:
    """The theme files installed with the app, read from the package's folder before the first frame:
    `importlib.resources` would load `zipfile` for it, which costs more than reading the four files."""
    from tui_app import themes

    return [path for folder in themes.__path__ for path in Path(folder).glob("*.toml")]


def user_themes_dir(config_path: Path | None) -> Path | None:
    """The user's themes: `themes/` beside the config file."""
    return config_path.parent / "themes" if config_path else None


def user_theme_files(user_dir: Path | None) -> list[Path]:
    if user_dir is None or not user_dir.is_dir():
        return []
    return sorted(user_dir.glob("*.toml"))


def theme_file_names(user_dir: Path | None) -> set[str]:
    """The names of the shipped themes and the user's (a file's `name`, or its file name), as the loader names
    them. A file that does not read as TOML is skipped, as the loader skips it."""
    names = set()
    for path in shipped_theme_files() + user_theme_files(user_dir):
        try:
            name = tomllib.loads(path.read_bytes().decode("utf-8")).get("name", path.stem)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
            continue
        if isinstance(name, str):
            names.add(name)
    return names
