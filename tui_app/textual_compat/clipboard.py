"""What Textual remembers of the last text copied."""

from __future__ import annotations

from textual.app import App


def remember_copied_text(app: App, text: str) -> None:
    """Have `app.clipboard` give `text`, as `App.copy_to_clipboard` does before writing it to the terminal.

    Relies on the private `App._clipboard`, which the public `App.clipboard` returns (a TextArea pastes it
    on Ctrl+V). Why: an app that copies another way than Textual's still has Textual's widgets paste what
    was copied.
    """
    app._clipboard = text
