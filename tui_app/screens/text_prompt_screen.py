"""Ask for one line of text (a new title, a file to export to), with a sensible value filled in."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui_app.text_safety import neutralize


class TextPromptScreen(ModalScreen[str | None]):
    """Enter gives the text (stripped; empty counts as no answer), Escape gives None."""

    AUTO_FOCUS = "#text-prompt-input"

    DEFAULT_CSS = """
    TextPromptScreen { align: center middle; background: $background 60%; }
    #text-prompt {
        width: 80; max-width: 100%; height: auto; padding: 0 1;
        border: round $primary; border-title-color: $primary; background: $surface;
    }
    #text-prompt-hint { color: $foreground 70%; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, value: str = "", hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="text-prompt") as box:
            box.border_title = neutralize(self.title_text)
            yield Input(self.value, id="text-prompt-input")
            yield Static(Content(neutralize(self.hint or "Enter to accept · Escape to cancel")), id="text-prompt-hint")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)
