"""The multi-line prompt: Enter sends; Alt+Enter, Ctrl+J and, where the terminal tells it from Enter,
Shift+Enter add a newline (all configurable). Up on the first line and Down on the last walk through the
prompts sent before, as in a shell."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from tui_app.settings import KeyBindings
from tui_app.text_safety import has_controls, size_label
from tui_app.textual_compat.linux_driver import use_exact_paste_parser
from tui_app.textual_compat.xterm_parser import exact_text

# Textual's own parser breaks a paste holding an ESC into key presses; the prompt promises it whole.
use_exact_paste_parser()

LARGE_PASTE_CHARS = 10_000
"""A paste this long is held aside and shown as one line: the editor stays quick however big it is.
So is a paste with control characters: they are sent as they are, never drawn."""
_PLACEHOLDER = re.compile(r"\[pasted #(\d+): [^\]\n]*\]")


def _held_aside(text: str) -> bool:
    return len(text) >= LARGE_PASTE_CHARS or has_controls(text)


class PromptInput(TextArea):
    """Where the user writes. Sending empties it at once, so keys typed straight after Enter start the next
    prompt; whoever cannot accept a prompt yet puts it back (`put_back`), so none is lost."""

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
        # handled in `on_key`.
        Binding("enter", "submit", "Send", id="send"),
        Binding("alt+enter,ctrl+j,shift+enter", "newline", "Newline", id="newline"),
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
        self.keys_hint = f"{keys.label('send')} send · {newline} newline · {keys.label('help')} help"
        self.border_subtitle = self.keys_hint
        self.sent_prompts: list[str] = []
        """Prompts sent in this conversation, oldest first."""
        self.earlier_prompts: list[str] = []
        """Prompts of other conversations, this run's and earlier runs', newest first."""
        self._walk: list[str] = []
        """The history being walked through, oldest first."""
        self._recalled: int | None = None
        """Which entry of `_walk` is shown, while walking through it."""
        self._draft = ""
        self._pastes: dict[int, str] = {}
        """Large pastes held aside, by the number their placeholder shows."""

    def hint(self, text: str, seconds: float) -> None:
        """Say `text` under the prompt, where the user is looking, for `seconds`."""
        self.border_subtitle = text
        self.set_timer(seconds, self._hint_over, name="hint")

    def _hint_over(self) -> None:
        self.border_subtitle = self.keys_hint

    def remember(self, prompt: str) -> None:
        if not self.sent_prompts or self.sent_prompts[-1] != prompt:
            self.sent_prompts.append(prompt)
        self._recalled = None

    def show_history(self, sent: list[str]) -> None:
        """The prompts Up walks back through: `sent` in this conversation (oldest first); those of other
        conversations come later, into `earlier_prompts`."""
        self.sent_prompts, self.earlier_prompts = list(sent), []
        self._recalled = None

    def recall(self, step: int) -> bool:
        """Show the previous (-1) or next (+1) prompt of the history; past the newest, the draft again."""
        if self._recalled is None:
            if step > 0:
                return False
            sent = set(self.sent_prompts)
            self._walk = [text for text in reversed(self.earlier_prompts) if text not in sent] + self.sent_prompts
            if not self._walk:
                return False
            self._draft = self.prompt_text
            position = len(self._walk) - 1
        else:
            position = self._recalled + step
        if position < 0:
            return True
        if position >= len(self._walk):
            self._recalled = None
            self.show_text(self._draft)
            return True
        self._recalled = position
        self.show_text(self._walk[position])
        return True

    @property
    def prompt_text(self) -> str:
        """What sending would send: the text with each large paste's placeholder replaced by the paste."""
        if not self._pastes:
            return self.text
        return _PLACEHOLDER.sub(lambda found: self._pastes.get(int(found.group(1)), found.group(0)), self.text)

    def show_text(self, text: str) -> None:
        """Replace the prompt's text (held aside like a paste, if it would be) and put the cursor at its end."""
        self._pastes.clear()
        self.load_text(self._hold_aside(text) if _held_aside(text) else text)
        self.move_cursor(self.document.end)

    def clear(self):  # noqa: ANN201 - TextArea's own signature
        self._pastes.clear()
        return super().clear()

    def _hold_aside(self, text: str) -> str:
        number = max(self._pastes, default=0) + 1
        self._pastes[number] = text
        controls = ", with control characters" if has_controls(text) else ""
        return f"[pasted #{number}: {size_label(text)}{controls}]"

    def on_paste(self, event: events.Paste) -> None:
        # Textual calls this class's handler, then TextArea's unless the default is prevented: an ordinary
        # paste is left to TextArea's.
        text = exact_text(event)
        if not _held_aside(text) or self.read_only:
            return
        event.stop()
        event.prevent_default()
        # Terminals paste line breaks as CR; the editor would have made them LF, so the held text does too.
        self.insert(self._hold_aside(text.replace("\r\n", "\n").replace("\r", "\n")))
        self.focus()

    def on_key(self, event: events.Key) -> None:
        # Handled here, in the widget's own queue, not with priority bindings: a priority binding runs
        # before keys still queued for the widget, so a fast "hello⏎" would send "hel" and drop "lo".
        # Keys not handled here go on to TextArea's own handler, as for any handler of a subclass.
        if event.key in self.send_keys:
            event.stop()
            event.prevent_default()
            self.action_submit()
        elif event.key in self.newline_keys:
            event.stop()
            event.prevent_default()
            self.action_newline()
        elif (event.key == "up" and self.cursor_location[0] == 0 and self.recall(-1)) or (
            event.key == "down" and self.cursor_location[0] == self.document.line_count - 1 and self.recall(1)
        ):
            event.stop()
            event.prevent_default()

    def action_submit(self) -> None:
        text = self.prompt_text
        if text.strip():
            # Posted before the clearing's own Changed message, so its handlers see the prompt as it was sent.
            self.post_message(self.Submitted(self, text))
            self.clear()

    def put_back(self, text: str) -> None:
        """Show a prompt that could not be sent again, followed by whatever was typed since."""
        typed = self.text
        self.show_text(text)
        if typed:
            self.insert(typed)

    def action_newline(self) -> None:
        self.insert("\n")
