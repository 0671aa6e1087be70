"""The multi-line prompt: Enter sends, Shift+Enter, Alt+Enter and Ctrl+J add a newline."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea


class PromptInput(TextArea):
    """Where the user writes. It posts `Submitted` and leaves clearing to whoever accepts the prompt,
    so a prompt that cannot be sent yet is never lost."""

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 12;
        border: round $primary 50%;
        &:focus { border: round $primary; }
    }
    """

    BINDINGS = [
        # Listed for the footer and help; the keys themselves are handled in `_on_key`.
        Binding("enter", "submit", "Send"),
        Binding("shift+enter,alt+enter,ctrl+j", "newline", "Newline", key_display="⇧⏎"),
    ]
    NEWLINE_KEYS = frozenset({"shift+enter", "alt+enter", "ctrl+j"})

    @dataclass
    class Submitted(Message):
        prompt_input: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.prompt_input

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        self.border_title = "Prompt"
        self.border_subtitle = "⏎ send · ⇧⏎/Ctrl+J newline"

    async def _on_key(self, event: events.Key) -> None:
        # Handled here, in the widget's own queue, not with priority bindings: a priority binding runs
        # before keys still queued for the widget, so a fast "hello⏎" would send "hel" and drop "lo".
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_submit()
        elif event.key in self.NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.action_newline()
        else:
            await super()._on_key(event)

    def action_submit(self) -> None:
        if self.text.strip():
            self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        self.insert("\n")
