"""A yes/no question that must be answered before something is lost or spent (deleting a conversation, a lab's
requests to a real server)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui_app.text_safety import neutralize


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True only for an explicit yes: y, or the button. Escape and n say no."""

    AUTO_FOCUS = "#confirm-no"

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; background: $background 60%; }
    #confirm {
        width: 64; max-width: 100%; height: auto; padding: 1 2;
        border: round $error; background: $surface;
    }
    #confirm-buttons { height: auto; margin: 1 0 0 0; align-horizontal: right; }
    #confirm-buttons Button { margin: 0 0 0 2; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Delete", no: str = "Keep it") -> None:
        super().__init__()
        self.question = question
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(Content(neutralize(self.question)))
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.no} (n)", id="confirm-no")
                yield Button(f"{self.yes} (y)", id="confirm-yes", variant="error")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")
