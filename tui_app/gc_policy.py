"""Garbage collection that never pauses a reply on screen.

CPython's full collection walks every live object. With Textual's widgets, styles and strips alive, one
is a long pause, and even a short reply set off several: they were the worst lags between the wire and
the screen. So while a reply streams only the young generations are collected (they hold the
short-lived cycles of each frame, and walking them is quick), and the full collection waits until the
reply has finished and the screen is idle. What is alive then is frozen out of later collections, so the
next ones only walk what is new.

Young collections alone are not enough for a long reply: each append to a Markdown widget builds and
drops block widgets, and those alive at a young collection move to the old generation, where they wait:
a long reply piled up a great deal of memory that way. So every `RECENT_SECONDS` of a reply what is old
but new since the last look is collected too, and what survives is frozen: each look walks, and frees,
only a short while's worth of objects. Looking less often made longer pauses (freeing the widgets of
thousands of dropped blocks at once is itself a pause on screen); looking more often froze more of what
a frame holds only for a moment, and left it for the end, so memory grew faster.

Start-up is the same story in small: importing Textual and building the first screen made many young
collections and a full one just before the first frame. Nearly everything made then lives as long as the
app. So the command holds collections off until the first frame is out, then collects once and freezes
what is alive.
"""

from __future__ import annotations

import gc

YOUNG, YOUNGER = 10_000, 10
"""Thresholds of the two young generations while a reply streams. At CPython's default the young
generation was collected very often, and each one moved the survivors of a frame in
progress to the next generation, to be walked again: at this threshold most of a frame's objects are
gone by the time they are looked at, and collecting them costs less in all."""
NEVER = 1 << 30
"""A threshold for the old generation that is never reached."""
RECENT_SECONDS = 0.25
"""How often, while a reply streams, the garbage made since the last look is collected."""


_held_for_start_up = False


def hold_collections_for_start_up() -> None:
    """Collect nothing until `release_collections_after_start_up`: call it before the app is imported."""
    global _held_for_start_up
    if gc.isenabled():
        gc.disable()
        _held_for_start_up = True


def release_collections_after_start_up() -> None:
    """Once the first frame is out: collect the garbage of start-up, freeze the rest (modules, classes,
    styles, the screen's widgets) out of later collections, and collect as usual from now on. Does
    nothing unless collections were held."""
    global _held_for_start_up
    if _held_for_start_up:
        _held_for_start_up = False
        gc.collect()
        gc.freeze()
        gc.enable()


class CollectionPolicy:
    """Holds full collections off while any reply streams."""

    def __init__(self) -> None:
        self._streaming = 0
        self._thresholds = gc.get_threshold()
        self._looked = 0.0

    def reply_started(self) -> None:
        if not self._streaming and gc.get_threshold()[2] != NEVER:
            self._thresholds = gc.get_threshold()
        self._streaming += 1
        gc.set_threshold(YOUNG, YOUNGER, NEVER)
        gc.enable()
        gc.freeze()  # what is alive now is left to the idle collection
        self._looked = 0.0

    def collect_recent(self, now: float) -> None:
        """While a reply streams, `now` seconds into it: at most every `RECENT_SECONDS`, collect what has
        become garbage since the last look and freeze what survived. Call it between frames."""
        if self._streaming and now - self._looked >= RECENT_SECONDS:
            self._looked = now
            gc.collect()
            gc.freeze()

    def reply_finished(self) -> None:
        self._streaming = max(0, self._streaming - 1)

    def collect_if_idle(self) -> None:
        """Collect everything, then freeze the survivors; call it when nothing is being drawn."""
        if self._streaming:
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*self._thresholds)
