"""Garbage collection that never pauses a reply on screen.

CPython's full collection walks every live object. With Textual's widgets, styles and strips alive, one
took up to 160 ms on a 2-core machine, and a 4 KB reply set off eleven of them: they were the worst
lags between the wire and the screen. So cyclic collection waits while a reply streams (memory freed by
reference counting, which is nearly all of it, is still freed at once), and runs once the reply has
finished and the screen is idle. What is alive then is frozen out of later collections, so the next
ones only walk what is new.
"""

from __future__ import annotations

import gc


class CollectionPolicy:
    """Holds cyclic garbage collection off while any reply streams."""

    def __init__(self) -> None:
        self._streaming = 0

    def reply_started(self) -> None:
        self._streaming += 1
        gc.disable()

    def reply_finished(self) -> None:
        self._streaming = max(0, self._streaming - 1)

    def collect_if_idle(self) -> None:
        """Collect everything, then freeze the survivors; call it when nothing is being drawn."""
        if self._streaming:
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        gc.enable()
