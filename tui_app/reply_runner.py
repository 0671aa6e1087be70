"""One reply's lifecycle, from its first byte to its last save: streaming it, pacing how often it is drawn,
saving it as it grows, and telling a display what to show. Knows nothing of Textual: the chat screen is
one display, and a test or a headless tool can be another."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from tui_app.frame_pacing import FramePacer, Interval
from tui_app.stream.reply import ReplyState

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
        self._streaming: asyncio.Task[object] | None = None
        self._drawing_failed: BaseException | None = None

    async def run(self) -> None:
        """Stream the reply to its end (or until cancelled); the display is told how it ended either way."""
        session = self.session
        self._save()
        self._last_save = asyncio.get_running_loop().time()
        await self._display.begin(session, self.turn)
        ticker = asyncio.create_task(self._keep_drawing())
        ticker.add_done_callback(self._ticker_stopped)
        self._streaming = asyncio.current_task()
        try:
            try:
                waiting_for_first = True
                async for _event in session.stream():
                    if waiting_for_first and session.timings.first_token is not None:
                        waiting_for_first = False
                        await self._draw()  # the first token is shown at once, not at the next tick
            except asyncio.CancelledError:
                if self._drawing_failed is None:
                    raise
        finally:
            # Saved first, before anything that waits: when the app is quitting, the screen may be gone, or
            # this task cancelled again, before the display is told.
            self._save()
            try:
                async with self._drawing:
                    ticker.cancel()  # never in the middle of drawing, which would lose text
            finally:
                ticker.cancel()
                async with self._drawing:
                    await self._display.end(session, self.turn)
        if self._drawing_failed is not None:
            raise self._drawing_failed

    def _ticker_stopped(self, ticker: asyncio.Task[None]) -> None:
        """A failure while drawing at a tick ends the reply at once, failed, and is raised from `run`."""
        if ticker.cancelled() or ticker.exception() is None:
            return
        error = ticker.exception()
        self._drawing_failed = error
        self.session.reply.finish(ReplyState.FAILED, f"internal error: {error}")
        if self._streaming is not None:
            self._streaming.cancel()

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
        now = asyncio.get_running_loop().time()  # real time: a replay's own clock stands still while paused
        if not self._pacer.due(len(session.events), now):
            return  # a burst: the display catches up at the next frame due, or when the reply ends
        async with self._drawing:
            await self._display.draw(session, events_due=self._event_log_pacer.due(now))
        if now - self._last_save >= SAVE_SECONDS:
            self._last_save = now
            self._save()

    def _save(self) -> None:
        """Bring the turn up to date with the reply, and save it and the events that arrived since the last
        save (when there is a store)."""
        session, turn = self.session, self.turn
        if session.events or session.reply.state.finished:
            turn.update_from(session)
        if self._saver is None:
            return
        self._saver.save_turn(turn)
        new = session.events[self._events_saved :]
        if new:
            self._events_saved += len(new)
            self._saver.save_events(turn, new)
