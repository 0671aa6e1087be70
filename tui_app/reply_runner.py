"""One reply's lifecycle, from its first byte to its last save: streaming it, pacing how often it is drawn,
saving it as it grows, and telling a display what to show. Knows nothing of Textual: the chat screen is
one display, and a test or a headless tool can be another."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Protocol

from tui_app.frame_pacing import FramePacer, Interval

if TYPE_CHECKING:
    from tui_app.model.conversation import Turn
    from tui_app.stream.events import WireEvent
    from tui_app.stream.session import ReplySession

FLUSH_SECONDS = 1 / 25
"""How often streamed text reaches the screen (the first token is shown as soon as it arrives). Per-token
writes would make Markdown re-parsing quadratic; faster ticks queue frames behind each other on slow cores."""
EVENT_LOG_SECONDS = 1 / 10
"""How often the event log catches up while a reply streams: following the newest events redraws its whole
view. Each event still shows the time it arrived."""
SAVE_SECONDS = 0.5
"""How often a streaming reply and its new events are saved."""


class ReplyDisplay(Protocol):
    """What shows a reply: told when it begins, each time it should be brought up to date, and how it ended."""

    async def begin(self, session: ReplySession, turn: Turn) -> None: ...

    async def draw(self, session: ReplySession, *, events_due: bool) -> None:
        """Show what has arrived; `events_due`: the event log should catch up too."""

    async def end(self, session: ReplySession, turn: Turn) -> None: ...


class TurnSaver(Protocol):
    def save_turn(self, turn: Turn) -> None: ...

    def save_events(self, turn: Turn, events: list[WireEvent]) -> None: ...


class ReplyRunner:
    """Streams `session` into `turn`, drawing it on `display` and saving it with `saver` (if any)."""

    def __init__(self, session: ReplySession, turn: Turn, display: ReplyDisplay, saver: TurnSaver | None,
                 *, tick: float = FLUSH_SECONDS) -> None:
        self.session = session
        self.turn = turn
        self._display = display
        self._saver = saver
        self._tick = tick
        self._pacer = FramePacer()
        self._event_log_pacer = Interval(EVENT_LOG_SECONDS)
        self._drawing = asyncio.Lock()
        """Held while the display is brought up to date: the tick's draw, the first token's and the final one
        must not interleave, or two of them could draw into a block view not yet mounted."""
        self._events_saved = 0
        self._last_save = 0.0

    async def run(self) -> None:
        """Stream the reply to its end (or until cancelled); the display is told how it ended either way."""
        session = self.session
        self._save()
        await self._display.begin(session, self.turn)
        ticker = asyncio.create_task(self._keep_drawing())
        try:
            waiting_for_first = True
            async for _event in session.stream():
                if waiting_for_first and session.timings.first_token is not None:
                    waiting_for_first = False
                    await self._draw()  # the first token is shown at once, not at the next tick
        finally:
            async with self._drawing:
                ticker.cancel()  # never in the middle of drawing, which would lose text
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            # Saved first: when the app is quitting, the screen may be gone before the display returns.
            self._save()
            async with self._drawing:
                await self._display.end(session, self.turn)

    async def _keep_drawing(self) -> None:
        """Draw at every tick, skipping ticks missed while a frame took longer than one."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due += self._tick
            now = loop.time()
            if due < now:
                due = now + self._tick - (now - due) % self._tick
            await asyncio.sleep(due - now)
            await self._draw()

    async def _draw(self) -> None:
        """Bring the display up to date with the stream: one batch per tick, whatever arrived."""
        session = self.session
        elapsed = session.elapsed()
        if not self._pacer.due(len(session.events), elapsed):
            return  # a burst: the display catches up at the next frame due, or when the reply ends
        async with self._drawing:
            await self._display.draw(session, events_due=self._event_log_pacer.due(elapsed))
        if elapsed - self._last_save >= SAVE_SECONDS:
            self._last_save = elapsed
            self._save()

    def _save(self) -> None:
        """Save the reply as it stands and the events that arrived since the last save."""
        if self._saver is None:
            return
        session, turn = self.session, self.turn
        if session.events or session.reply.state.finished:
            turn.update_from(session)
        self._saver.save_turn(turn)
        new = session.events[self._events_saved :]
        if new:
            self._events_saved += len(new)
            self._saver.save_events(turn, new)
