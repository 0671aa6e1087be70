"""The effective settings of a run, and the choice of backend they imply.

Defaults live here; `tui_app.config` fills them from the TOML file and the environment, and the command
line has the last word. Nothing here imports Textual or the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from tui_app.demo.pacing import DemoPacing
from tui_app.stream.backend import Backend

DEFAULT_MODEL = "claude-sonnet-5"
DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_THEME = "ember"


@dataclass(slots=True)
class KeyBindings:
    """Keys for the app's own actions, each a comma-separated list in Textual's key syntax."""

    send: str = "enter"
    newline: str = "alt+enter,ctrl+j,shift+enter"
    cancel_reply: str = "escape"
    copy_reply: str = "ctrl+y"
    raw_events: str = "ctrl+r"
    timeline: str = "ctrl+t"
    events_panel: str = "f2"
    conversations: str = "f3"
    chat_settings: str = "f4"
    retry: str = "f5"
    continue_reply: str = "f6"
    lab: str = "f7"
    edit_prompt: str = "ctrl+up"
    new_conversation: str = "ctrl+n"
    pause_replay: str = "space"
    step_replay: str = "full_stop"
    help: str = "f1"
    command_palette: str = "ctrl+p"
    quit: str = "ctrl+q"

    def keys(self, action: str) -> list[str]:
        return [key.strip() for key in getattr(self, action).split(",") if key.strip()]

    def label(self, action: str) -> str:
        return key_label(getattr(self, action))


KEY_SIGNS = {"full_stop": ".", "comma": ",", "minus": "-", "plus": "+", "slash": "/", "question_mark": "?",
             "colon": ":", "semicolon": ";", "space": "Space"}
"""Keys Textual names by word that a person writes as a sign."""


def key_label(keys: str) -> str:
    """How a person writes keys: 'ctrl+y,shift+enter' -> 'Ctrl+Y, Shift+Enter'."""

    def one(key: str) -> str:
        return "+".join(part.upper() if len(part) == 1 else KEY_SIGNS.get(part, part.capitalize())
                        for part in key.split("+"))

    return ", ".join(one(key.strip()) for key in keys.split(",") if key.strip())


KEY_ACTIONS: dict[str, str] = {
    "send": "Send the prompt",
    "newline": "Insert a newline in the prompt",
    "cancel_reply": "Cancel the streaming reply: press it twice (the partial text is kept)",
    "copy_reply": "Copy the last reply's Markdown source",
    "raw_events": "Event log: summaries ⇄ raw payloads",
    "timeline": "Event log: the selected (or latest) reply's timeline: its pace, first token, pings, stalls",
    "events_panel": "Show or hide the event log",
    "conversations": "Saved conversations: search, open, rename, delete",
    "chat_settings": "This conversation's model, system prompt, thinking, effort, caching, temperature, max tokens",
    "retry": "Retry the last reply (the old one is kept, set aside)",
    "continue_reply": "Continue a reply the server paused (stop reason pause_turn)",
    "lab": "TTFT lab: time to first token, streamed against not streamed",
    "edit_prompt": "Edit the last prompt and send it again in its place",
    "new_conversation": "Start a new conversation",
    "pause_replay": "Replay: pause and play on",
    "step_replay": "Replay: one more event, paused",
    "help": "This help",
    "command_palette": "Command palette (themes, copy, panels …)",
    "quit": "Quit",
}
"""Every configurable action and what it does, in the order help and the README list them."""


@dataclass(slots=True)
class Panels:
    """Which parts of the screen are shown."""

    events: bool = True
    status: bool = True
    footer: bool = True


@dataclass(slots=True)
class History:
    """Where conversations are kept."""

    enabled: bool = True
    file: str | None = None
    """The SQLite file; None until the platform's data location is filled in, or when nothing is saved."""


@dataclass(slots=True)
class Serve:
    """The browser mode (`--serve`)."""

    token: str | None = None
    """The secret in the page's address; None: a new one each run."""


@dataclass(slots=True)
class Settings:
    """Everything a run needs to know, with where each value came from."""

    model: str = DEFAULT_MODEL
    max_tokens: int = 4096
    temperature: float | None = None
    system: str | None = None
    thinking: str | None = None
    """`off`, `adaptive` or a budget in tokens; None sends no `thinking` field (the model's default)."""
    thinking_display: str = "summarized"
    effort: str | None = None
    cache: str | None = None
    """Automatic prompt caching (`5m` or `1h`); None caches nothing."""
    theme: str = DEFAULT_THEME
    base_url: str | None = None
    """An explicit server; None means the Anthropic API (or the demo backend when there is no key)."""
    demo: bool = False
    """Force the built-in demo backend even when a key is set."""
    demo_pacing: DemoPacing = field(default_factory=DemoPacing)
    connect_timeout: float = 10.0
    idle_timeout: float = 60.0
    events_file: Path | None = None
    debug_log: Path | None = None
    """The file the debug log goes to, when one was asked for (with print mode it may go to stderr)."""
    """Where to write every wire event as JSON lines, if anywhere."""
    panels: Panels = field(default_factory=Panels)
    keys: KeyBindings = field(default_factory=KeyBindings)
    history: History = field(default_factory=History)
    serve: Serve = field(default_factory=Serve)
    prices: dict[str, dict[str, float]] = field(default_factory=dict)
    """The config's `[prices."MODEL"]` tables: a model's price, US dollars per million tokens by figure (see
    `tui_app.model.pricing`), added to the shipped price table or in place of its entry."""
    config_path: Path | None = None
    """The config file this run reads and where a theme chosen in the app is remembered; None: nowhere."""
    sources: dict[str, str] = field(default_factory=dict)
    """Where a setting came from when not the default, by dotted name ("keys.quit")."""
    problems: list[str] = field(default_factory=list)
    """Config mistakes that did not stop the run (their defaults were used), to show on screen."""

    def source(self, name: str) -> str:
        return self.sources.get(name, "default")

    @property
    def history_path(self) -> Path | None:
        """The conversations database, or None when conversations are not kept."""
        if not self.history.enabled or not self.history.file:
            return None
        return Path(self.history.file).expanduser()


def key_action_names() -> list[str]:
    return [item.name for item in fields(KeyBindings)]


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
