"""`--print-config`: the effective settings written as a config file, each with where it came from.

The output is itself a valid config file, so it lists the same keys, in the same order, that
`tui_app.config` reads. The API key is never printed, nor a password or key in the base URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tui_app.config import TABLES, TOP_LEVEL
from tui_app.model.pricing import PRICE_FIELDS
from tui_app.settings import Settings
from tui_app.stream.backend import shown_url
from tui_app.text_safety import neutralize


def describe_settings(settings: Settings, environ: Mapping[str, str]) -> str:
    """The effective settings as TOML, each with where it came from. The key is never printed."""
    path = settings.config_path
    read = path is not None and path.is_file()
    key_name = next((name for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN") if environ.get(name)), None)
    out = [
        "# claude-tui: effective settings (this output is itself a valid config file)",
        f"# config file: {path} ({'read' if read else 'not found: defaults used'})",
        f"# API key: {f'set in {key_name} (not shown)' if key_name else 'not set'}",
        f"# backend: {_backend_summary(settings, key_name is not None)}",
        "",
    ]

    def line(name: str, value: Any, dotted: str | None = None) -> None:
        source = settings.source(dotted or name)
        if value is None:
            out.append(f"{'# ' + name + ' is not set':<40} # {source}")
            return
        if name == "base_url" and shown_url(value) != value:
            value, source = shown_url(value), f"{source}; credentials not shown"
        if dotted == "serve.token":
            out.append(f"{'# token is set (not shown)':<40} # {source}")
            return
        assignment = f"{name} = {_toml_value(value)}"
        out.append(f"{assignment:<40} # {source}")

    for name in TOP_LEVEL:
        line(name, _shown(name, getattr(settings, name)))
    for table in TABLES:
        out.append("")
        out.append(f"[{table}]")
        section = settings.demo_pacing if table == "demo" else getattr(settings, table)
        for name in TABLES[table]:
            line(name, getattr(section, name), f"{table}.{name}")
    out += ["", '# [prices."MODEL"] adds a price or replaces a shipped one, in US dollars per million tokens:',
            f"# all five of {', '.join(PRICE_FIELDS)}"]
    for model, figures in settings.prices.items():
        out.append(f"{'[prices.' + _toml_value(model) + ']':<40} # {settings.source(f'prices.{model}')}")
        out.extend(f"{name} = {_toml_value(figures[name])}" for name in PRICE_FIELDS)
    return "\n".join(out) + "\n"


def _shown(name: str, value: Any) -> Any:
    """As the config file writes it: a thinking budget is a number, and no prompt caching is `cache = "off"`."""
    if name == "thinking" and isinstance(value, str) and value.isdigit():
        return int(value)
    return "off" if name == "cache" and value is None else value


def _backend_summary(settings: Settings, has_key: bool) -> str:
    if settings.demo:
        return "built-in demo (--demo)"
    if settings.base_url:
        return shown_url(settings.base_url) + ("" if has_key else " (no key sent)")
    if has_key:
        return "the Anthropic API"
    return "built-in demo (no ANTHROPIC_API_KEY and no base URL)"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    # JSON's escapes are TOML's; what JSON leaves as it is but could drive a terminal is escaped too.
    return "".join(character if neutralize(character) == character else f"\\u{ord(character):04x}"
                   for character in json.dumps(value, ensure_ascii=False))
