"""A screen that is not drawn while the app is in a batch update."""

from __future__ import annotations

from textual.app import App


class NotDrawnInBatches:
    """Mixed in before `Screen`: while the app is in a batch update the screen is not drawn; it is drawn
    whole once the batch ends.

    Relies on the private `Screen._compositor_refresh()` (draws the screen's changed widgets to the
    terminal), `App._batch_count` (how deep in `batch_update` the app is) and `Screen._repaint_required`
    (the screen's idle handler draws it whole when set and no batch is open). Why: Textual draws a
    frame laid out during a batch, then throws it away, since nothing is shown until the batch ends.
    """

    app: App

    def _compositor_refresh(self) -> None:
        if self.app._batch_count:
            self._repaint_required = True
            return
        super()._compositor_refresh()  # type: ignore[misc]
