"""The screen the app opens on."""

from __future__ import annotations

from textual import events
from textual.screen import Screen


class MainScreen(Screen):
    """The default screen, styled once as it opens, and drawn only when the drawing can be shown.

    Textual styles each widget as it is mounted, then styles every one again when the screen is first
    shown (its resume event asks for a refresh): 9 ms of the 80 from the app's start of running to its
    first frame, for styles that cannot have changed in between. Later resumes (back from a dialog,
    say) refresh as usual.
    """

    def __init__(self) -> None:
        super().__init__(id="_default")
        self._shown = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._shown:
            self._shown = True
            event.refresh_styles = False
        super()._on_screen_resume(event)

    def _compositor_refresh(self) -> None:
        """Draw the screen, unless the app is in a batch update: Textual draws a frame laid out during a
        batch, then throws it away (nothing is shown until the batch ends). The app mounts in a batch,
        and while it waits there for a conversation being resumed the screen was laid out and drawn
        empty for nothing, 25 ms of the time to the conversation. The whole screen is drawn once the
        batch ends instead."""
        if self.app._batch_count:
            self._repaint_required = True
            return
        super()._compositor_refresh()
