"""The screen the app opens on."""

from __future__ import annotations

from textual import events
from textual.screen import Screen

from tui_app.textual_compat.screen import NotDrawnInBatches


class MainScreen(NotDrawnInBatches, Screen):
    """The default screen, styled once as it opens, and drawn only when the drawing can be shown.

    Textual styles each widget as it is mounted, then styles every one again when the screen is first
    shown (its resume event asks for a refresh), for styles that cannot have changed in between. Later
    resumes (back from a dialog, say) refresh as usual.

    The app mounts in a batch update, and while it waits there for a conversation being resumed the
    screen would be laid out and drawn empty for nothing (see `NotDrawnInBatches`): it is drawn whole
    once the batch ends instead.
    """

    def __init__(self) -> None:
        super().__init__(id="_default")
        self._shown = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler, which reads `refresh_styles`.
        if not self._shown:
            self._shown = True
            event.refresh_styles = False
