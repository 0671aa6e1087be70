"""The effective settings of a run, and the choice of backend they imply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tui_app.demo.scripts import DemoPacing
from tui_app.stream.backend import Backend

DEFAULT_MODEL = "claude-sonnet-5-5"
DEFAULT_BASE_URL = "https://api.anthropic.com"


@dataclass(slots=True)
class Settings:
    """What the command line (and later the config file) decided."""

    model: str = DEFAULT_MODEL
    max_tokens: int = 4096
    temperature: float | None = None
    system: str | None = None
    base_url: str | None = None
    """An explicit server; None means ANTHROPIC_BASE_URL or the Anthropic API."""
    demo: bool = False
    """Force the built-in demo backend even when a key is set."""
    demo_pacing: DemoPacing = field(default_factory=DemoPacing)
    connect_timeout: float = 10.0
    idle_timeout: float = 60.0
    events_file: Path | None = None
    """Where to write every wire event as JSON lines, if anywhere."""
    show_events: bool = True


def real_backend(settings: Settings, environ: Mapping[str, str]) -> Backend | None:
    """The configured server, or None when the demo backend should be used.

    The demo backend is used when asked for, or when neither a key nor a server is configured: the
    app must do its main job on a machine with no key at all.
    """
    key = environ.get("ANTHROPIC_API_KEY") or environ.get("ANTHROPIC_AUTH_TOKEN") or None
    base_url = settings.base_url or environ.get("ANTHROPIC_BASE_URL") or None
    if settings.demo or (key is None and base_url is None):
        return None
    return Backend(
        base_url=(base_url or DEFAULT_BASE_URL).rstrip("/"),
        api_key=key,
        connect_timeout=settings.connect_timeout,
        idle_timeout=settings.idle_timeout,
    )


def demo_backend(settings: Settings, url: str) -> Backend:
    return Backend(
        base_url=url,
        is_demo=True,
        connect_timeout=settings.connect_timeout,
        idle_timeout=settings.idle_timeout,
    )
