"""The multi-line prompt: Enter sends; Shift+Enter, Alt+Enter and Ctrl+J add a newline (all configurable)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from tui_app.settings import KeyBindings


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
        # Listed for the footer (the app's keymap rewrites them by id); the keys themselves are
        # handled in `_on_key`.
        Binding("enter", "submit", "Send", id="send"),
        Binding("shift+enter,alt+enter,ctrl+j", "newline", "Newline", id="newline"),
    ]

    @dataclass
    class Submitted(Message):
        prompt_input: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.prompt_input

    def __init__(self, keys: KeyBindings | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        keys = keys or KeyBindings()
        self.send_keys = frozenset(keys.keys("send"))
        self.newline_keys = frozenset(keys.keys("newline"))
        self.border_title = "Prompt"
        newline = ", ".join(keys.label("newline").split(", ")[:2])
        self.border_subtitle = f"{keys.label('send')} send · {newline} newline · {keys.label('help')} help"

    async def _on_key(self, event: events.Key) -> None:
        # Handled here, in the widget's own queue, not with priority bindings: a priority binding runs
        # before keys still queued for the widget, so a fast "hello⏎" would send "hel" and drop "lo".
        if event.key in self.send_keys:
            event.stop()
            event.prevent_default()
            self.action_submit()
        elif event.key in self.newline_keys:
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
