"""The TOML config file: where it lives, reading it into `Settings`, and remembering a chosen theme.

Precedence, lowest first: defaults, the config file, the environment (`ANTHROPIC_BASE_URL`; the key
only ever comes from the environment), the command line. A syntax error stops the run, because a
half-read file would silently drop the user's settings; a wrong key or value is reported and its
default kept. `--print-config` writes the settings back out as a config file (`tui_app.print_config`).
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from tui_app.model.asking import (
    DISPLAYS,
    EFFORTS,
    parse_cache,
    parse_choice,
    parse_thinking,
)
from tui_app.model.pricing import PriceError, read_price
from tui_app.private_files import replace_keeping_mode
from tui_app.settings import KEY_SIGNS, KeyBindings, Panels, Settings, key_action_names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

APP_DIR = "claude-tui"


def default_config_path(environ: Mapping[str, str], platform: str = sys.platform) -> Path:
    """The platform's config location: XDG on Linux and the BSDs, Application Support on macOS,
    %APPDATA% on Windows."""
    return _app_dir(environ, platform, data=False) / "config.toml"


def default_data_path(environ: Mapping[str, str], platform: str = sys.platform) -> Path:
    """Where conversations are kept: $XDG_DATA_HOME on Linux and the BSDs, Application Support on
    macOS, %LOCALAPPDATA% on Windows."""
    return _app_dir(environ, platform, data=True) / "conversations.db"


def _app_dir(environ: Mapping[str, str], platform: str, *, data: bool) -> Path:
    home = Path(environ.get("HOME") or Path.home())
    if platform == "darwin":
        base = home / "Library" / "Application Support"
    elif platform.startswith("win"):
        variable, fallback = ("LOCALAPPDATA", "Local") if data else ("APPDATA", "Roaming")
        base = Path(environ.get(variable) or home / "AppData" / fallback)
    else:
        variable, default = ("XDG_DATA_HOME", ".local/share") if data else ("XDG_CONFIG_HOME", ".config")
        base = Path(environ.get(variable) or home / default)
    return base / APP_DIR


class ConfigError(Exception):
    """The config file cannot be used at all: the run stops with this message, never a traceback."""


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    path: Path
    line: int | None
    text: str

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else str(self.path)
        return f"{where}: {self.text}"


Check = Callable[[Any], Any]
"""Returns the value to use, or raises ValueError saying what is wrong with it."""


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_kind(value)}")
    return value


def _name(value: Any) -> str:
    if not _string(value).strip():
        raise ValueError("must not be empty")
    return value


TOKEN = re.compile(r"[A-Za-z0-9_-]{16,}")
"""A browser mode token: long enough not to be guessed, and safe in a URL and a cookie as it is."""


def _token(value: Any) -> str:
    if not TOKEN.fullmatch(_string(value)):
        raise ValueError("must be at least 16 letters, digits, - or _")
    return value


THEME_NAME = re.compile(r"[A-Za-z0-9_-]+")
"""What Textual accepts as a theme's name: it becomes part of a CSS class name (`-theme-NAME`)."""


def _theme_name(value: Any) -> str:
    if not THEME_NAME.fullmatch(_name(value)):
        raise ValueError(f"{json.dumps(value, ensure_ascii=False)} is not a theme name: "
                         'theme names are letters, digits, "-" and "_"')
    return value


def _url(value: Any) -> str:
    if not re.match(r"https?://[^\s/]+", _string(value)):
        raise ValueError('must start with http:// or https://, like "http://localhost:4000"')
    return value


def _number(low: float, *, strict: bool, high: float | None = None) -> Check:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"must be a number, not {_kind(value)}")
        if value < low or (strict and value == low) or (high is not None and value > high):
            bound = f"greater than {low:g}" if strict else f"{low:g} or more"
            raise ValueError(f"must be {bound}" + (f" and at most {high:g}" if high is not None else ""))
        return float(value)

    return check


def _whole(low: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number, not {_kind(value)}")
        if value < low:
            raise ValueError(f"must be {low} or more")
        return value

    return check


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {_kind(value)}")
    return value


class Worded(ValueError):
    """A mistake whose words already name the setting: `tui_app.model.asking`'s, as the command line says it."""


def _asking(parse: Callable[[str], str | None]) -> Check:
    def check(value: Any) -> str | None:
        try:  # a number or anything else is read as TOML would write it, for the message to quote
            return parse(value if isinstance(value, str) else json.dumps(value, default=str))
        except ValueError as error:
            raise Worded(str(error)) from None

    return check


NAMED_KEYS = frozenset(
    "enter escape tab space backspace delete insert home end pageup pagedown up down left right".split()
    + [f"f{number}" for number in range(1, 25)]
    + list(KEY_SIGNS)
)
MODIFIERS = frozenset({"ctrl", "alt", "shift", "super", "meta", "hyper"})


def parse_keys(value: Any) -> str:
    """A key list as Textual writes it ("ctrl+y,f5"); a TOML array of keys is accepted too."""
    if isinstance(value, list):
        if not all(isinstance(item, str) for item in value):
            raise ValueError("must be a key or a list of keys, as strings")
        value = ",".join(value)
    keys = [key.strip().lower() for key in _string(value).split(",") if key.strip()]
    if not keys:
        raise ValueError("must name at least one key")
    for key in keys:
        *modifiers, name = key.split("+")
        bad = [modifier for modifier in modifiers if modifier not in MODIFIERS]
        if bad or not name:
            raise ValueError(f'"{key}" is not a key: modifiers are {", ".join(sorted(MODIFIERS))}')
        if name not in NAMED_KEYS and len(name) != 1:
            hint = difflib.get_close_matches(name, NAMED_KEYS, n=1)
            raise ValueError(f'"{key}": unknown key "{name}"' + (f' (did you mean "{hint[0]}"?)' if hint else ""))
    return ",".join(keys)


TOP_LEVEL: dict[str, Check] = {
    "model": _name,
    "max_tokens": _whole(1),
    "temperature": _number(0, strict=False, high=1),
    "system": _string,
    "thinking": _asking(parse_thinking),
    "thinking_display": _asking(lambda text: parse_choice("thinking_display", text, DISPLAYS)),
    "effort": _asking(lambda text: parse_choice("effort", text, EFFORTS)),
    "cache": _asking(parse_cache),
    "theme": _theme_name,
    "base_url": _url,
    "connect_timeout": _number(0, strict=True),
    "idle_timeout": _number(0, strict=True),
}
TABLES: dict[str, dict[str, Check]] = {
    "demo": {"first_token_delay": _number(0, strict=False), "tokens_per_second": _number(0, strict=False),
             "ping_every": _whole(1)},
    "panels": {item.name: _flag for item in fields(Panels)},
    "keys": {name: parse_keys for name in key_action_names()},
    "history": {"enabled": _flag, "file": _name},
    "serve": {"token": _token},
}
MISPLACED = {"api_key": "the API key is never read from a file: set ANTHROPIC_API_KEY in the environment"}


TOO_DEEP = "its arrays or tables are nested too deeply to be read"
"""Why a TOML file nested deeper than the parser can follow (Python's recursion limit) was refused."""


def read_config(path: Path, *, required: bool) -> tuple[dict[str, Any], str] | None:
    """Parse the file, or None when an optional file does not exist. Raises ConfigError."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"config file not found: {path}") from None
        return None
    except IsADirectoryError:
        raise ConfigError(f"the config path is a directory, not a file: {path}") from None
    except OSError as error:
        raise ConfigError(f"cannot read the config file {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"the config file {path} is not UTF-8 text (byte {error.start})") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(describe_syntax_error(path, text, error)) from None
    except RecursionError:
        raise ConfigError(f"the config file {path} cannot be read: {TOO_DEEP}; "
                          "fix the file, or point --config at another one.") from None


def describe_syntax_error(path: Path, text: str, error: ValueError) -> str:
    """The file, line and column, the offending line with a caret, and what to do."""
    return "\n".join([
        f"the config file {path} is not valid TOML",
        *locate_syntax_error(text, error),
        '  Strings need quotes (model = "claude-sonnet-5") and tables go in [brackets]; '
        "fix the file, or point --config at another one.",
    ])


def locate_syntax_error(text: str, error: ValueError) -> list[str]:
    """Where a TOML syntax error is, for any TOML file: line and column with the parser's words,
    then the line itself with a caret under the column."""
    message = str(error)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    what = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    if not found:
        return [f"  {what} (at the end of the file)"]
    line, column = int(found.group(1)), int(found.group(2))
    source = text.splitlines()[line - 1] if line <= len(text.splitlines()) else ""
    return [f"  line {line}, column {column}: {what}", f"  {line:>4} | {source}", f"       | {' ' * (column - 1)}^"]


QUOTES = re.compile(r"""[\s"']""")
"""Left out of a table's name when looking for its line: `[prices."claude-sonnet-5"]` is `prices.claude-sonnet-5`."""


def find_line(text: str, table: str | None, key: str | None) -> int | None:
    """Where `key` is set, or with no key where `table` starts, for messages: good enough for hand-written
    files. Tables are named without quotes or spaces (`prices.claude-sonnet-5`)."""
    current: str | None = None
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""") if key else None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = QUOTES.sub("", header.group(1))
            if pattern is None and current == table:
                return number
        elif pattern is not None and current == table and pattern.match(line):
            return number
    return None


def load_settings(environ: Mapping[str, str], config_path: Path | None = None) -> Settings:
    """Defaults, then the config file (the given one, or the platform's if it exists), then the
    environment. Raises ConfigError when the file cannot be used at all."""
    path = config_path if config_path is not None else default_config_path(environ)
    settings = Settings(config_path=path)
    parsed = read_config(path, required=config_path is not None)
    if parsed is not None:
        data, text = parsed
        settings.problems.extend(str(problem) for problem in apply_config(settings, data, text, path))
    if not settings.history.file:
        settings.history.file = str(default_data_path(environ))
    base_url = environ.get("ANTHROPIC_BASE_URL")
    if base_url:
        settings.base_url = base_url
        settings.sources["base_url"] = "environment (ANTHROPIC_BASE_URL)"
    return settings


def apply_config(settings: Settings, data: dict[str, Any], text: str, path: Path) -> list[ConfigProblem]:
    """Copy every valid value into `settings`; return what was wrong with the rest."""
    problems: list[ConfigProblem] = []

    def problem(table: str | None, key: str, message: str) -> None:
        problems.append(ConfigProblem(path, find_line(text, table, key), message))

    def source(table: str | None, key: str | None) -> str:
        line = find_line(text, table, key)
        return f"config file, line {line}" if line else "config file"

    for key, value in data.items():
        if key == "prices" and isinstance(value, dict):  # [prices."MODEL"]: all five figures or none
            for model, entry in value.items():
                table = f"prices.{QUOTES.sub('', model)}"
                try:
                    settings.prices[model] = asdict(read_price(entry))
                except PriceError as error:
                    line = find_line(text, table, error.key) or find_line(text, "prices", model)
                    problems.append(ConfigProblem(path, line, f'prices."{model}": {error}; this price is ignored'))
                else:
                    settings.sources[f"prices.{model}"] = source(table, None)
        elif key in TABLES or key == "prices":
            if not isinstance(value, dict):
                problem(None, key, f"{key} must be a table ([{key}]); ignored")
                continue
            for inner, inner_value in value.items():
                check = TABLES[key].get(inner)
                if check is None:
                    problem(key, inner, _unknown(inner, TABLES[key], f"[{key}]"))
                    continue
                try:
                    _set(settings, key, inner, check(inner_value))
                except ValueError as error:
                    problem(key, inner, f"{key}.{inner} {error}; the default is used")
                else:
                    settings.sources[f"{key}.{inner}"] = source(key, inner)
        elif key in TOP_LEVEL:
            try:
                setattr(settings, key, TOP_LEVEL[key](value))
            except ValueError as error:
                problem(None, key, f"{'' if isinstance(error, Worded) else key + ' '}{error}; the default is used")
            else:
                settings.sources[key] = source(None, key)
        elif key in MISPLACED:
            problem(None, key, f"{key} is ignored: {MISPLACED[key]}{_exposure(path)}")
        else:
            problem(None, key, _unknown(key, {**TOP_LEVEL, **TABLES, "prices": None}, "the top level"))
    problems.extend(_key_clashes(settings, text, path))
    return problems


def _set(settings: Settings, table: str, key: str, value: Any) -> None:
    if table == "demo":
        settings.demo_pacing = replace(settings.demo_pacing, **{key: value})
    else:
        setattr(getattr(settings, table), key, value)


def _key_clashes(settings: Settings, text: str, path: Path) -> list[ConfigProblem]:
    """A key bound to two actions would silently lose one. Defaults claim their keys first, so the
    configured binding that clashes is the one set back to its default and reported."""
    problems = []
    owner: dict[str, str] = {}
    defaults = KeyBindings()
    actions = sorted(key_action_names(), key=lambda action: f"keys.{action}" in settings.sources)
    for action in actions:
        keys = settings.keys.keys(action)
        taken = [key for key in keys if key in owner]
        if taken:
            problems.append(ConfigProblem(
                path, find_line(text, "keys", action),
                f'keys.{action}: "{taken[0]}" is already bound to {owner[taken[0]]}; the default is used',
            ))
            setattr(settings.keys, action, getattr(defaults, action))
            settings.sources.pop(f"keys.{action}", None)
            keys = settings.keys.keys(action)
        for key in keys:
            owner.setdefault(key, action)
    return problems


def _exposure(path: Path) -> str:
    """A warning when a file holding a secret can be read by other users."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return ""
    if mode & 0o077:
        return (f"; this file holds a key and other users can read it (mode {mode:o}): remove the key, "
                f"then chmod 600 {path}")
    return ""


def _unknown(key: str, known: Mapping[str, object], where: str) -> str:
    hint = difflib.get_close_matches(key, list(known), n=1)
    suggestion = f' (did you mean "{hint[0]}"?)' if hint else f"; known: {', '.join(known)}"
    return f'unknown key "{key}" in {where}{suggestion}; ignored'


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def remember_theme(path: Path, theme: str) -> None:
    """Set the top-level `theme` in the config file, keeping everything else as the user wrote it.

    The file is replaced whole (a crash leaves the old file or the new one, never half of one) and keeps
    its mode; a new one is made readable by its owner only. A symlink keeps pointing at the file it names,
    which is the one replaced. Raises OSError when the file cannot be written; refuses anything that is
    not a regular file (`--config /dev/null` must stay harmless).
    """
    path = path.resolve()
    if path.exists() and not path.is_file():
        raise OSError(f"{path} is not a regular file")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = text.splitlines(keepends=True)
    assignment = f"theme = {json.dumps(theme, ensure_ascii=False)}\n"
    first_table = next((i for i, line in enumerate(lines) if re.match(r"^\s*\[", line)), len(lines))
    existing = next((i for i in range(first_table) if re.match(r"""^\s*(theme|"theme"|'theme')\s*=""", lines[i])),
                    None)
    if existing is not None:
        lines[existing] = assignment
    else:
        if first_table and not lines[first_table - 1].endswith("\n"):
            lines[first_table - 1] += "\n"
        lines.insert(first_table, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_keeping_mode(path, "".join(lines))
