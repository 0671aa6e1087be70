"""F1: every key, as configured, in one place."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_app.settings import KEY_ACTIONS, KeyBindings

NAVIGATION: list[tuple[str, list[tuple[str, str]]]] = [
    ("Prompt", [
        ("↑ ↓", "On the first or last line: earlier prompts, this conversation's first, then those of other "
                "conversations and earlier runs, newest first (↓ past the newest: your draft)"),
    ]),
    ("Transcript — Shift+Tab from the prompt, or click a message", [
        ("↑ ↓", "Select the previous or next message or code block (older turns load at the top)"),
        ("c, Enter", "Copy the selected message, reply or code block (code without its fences)"),
        ("e", "Show the selected reply's events in the event log (saved replies too)"),
        ("r", "Play the selected reply again from its saved events, at their pace"),
        ("Escape", "Back to the prompt"),
        ("other letters", "Typed into the prompt"),
    ]),
    ("Event log — Tab from the prompt, or click an event", [
        ("↑ ↓ PgUp PgDn Home End", "Select an event"),
        ("c, Enter", "Copy the selected event's payload"),
        ("a", "Copy every event of the selected reply as JSON lines"),
        ("Escape", "Back to the prompt"),
        ("other letters", "Typed into the prompt"),
    ]),
    ("Mouse", [
        ("drag", "Select text anywhere; Ctrl+C copies it"),
        ("wheel", "Scroll; the transcript follows new text again once you scroll back to the end"),
    ]),
]


class HelpScreen(ModalScreen[None]):
    """The app's keys come from the settings it was given, so this shows what is really bound."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
    }
    #help {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        padding: 0 2;
        border: round $primary;
        scrollbar-size-vertical: 1;
        border-title-color: $primary;
        border-subtitle-color: $foreground 70%;
        background: $surface;
    }
    .help-section {
        margin: 1 0 0 0;
        color: $secondary;
        text-style: bold;
    }
    .help-row {
        height: auto;
    }
    .help-key {
        width: 28;
        color: $accent;
        text-style: bold;
    }
    .help-text {
        width: 1fr;
    }
    """
    BINDINGS = [
        Binding("escape,f1,q", "app.pop_screen", "Close help"),
    ]

    def __init__(self, keys: KeyBindings) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help") as help_box:
            help_box.border_title = "Keys"
            help_box.border_subtitle = Content("Escape closes · change keys in [keys] of the config file")
            sections = [("Anywhere", [(self.keys.label(action), text) for action, text in KEY_ACTIONS.items()])]
            for title, rows in [*sections, *NAVIGATION]:
                yield Static(title, classes="help-section")
                for keys, text in rows:
                    with Horizontal(classes="help-row"):
                        yield Static(Content(keys), classes="help-key")
                        yield Static(Content(text), classes="help-text")
