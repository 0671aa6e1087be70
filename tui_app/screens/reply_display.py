"""A reply runner's display on the chat screen: the reply's view in the transcript, its events in the event
log, its figures in the status bar. Built with the three widgets it draws on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from tui_app.gc_policy import CollectionPolicy
from tui_app.model.ending import Ending

if TYPE_CHECKING:
    from tui_app.model.conversation import Turn
    from tui_app.stream.session import ReplySession
    from tui_app.widgets.event_log import EventLog
    from tui_app.widgets.reply_view import ReplyView
    from tui_app.widgets.status_bar import StatusBar
    from tui_app.widgets.transcript_view import TranscriptView

COLLECT_AFTER_SECONDS = 1.0
"""Garbage is collected this long after a reply has finished, once its last frame is drawn."""


@dataclass
class ReplyStarted(Message):
    """A reply has begun streaming into `turn`."""

    turn: Turn
    session: ReplySession


@dataclass
class ReplyEnded(Message):
    """A reply has ended (done, failed, cancelled …) and been drawn."""

    turn: Turn
    session: ReplySession


class ReplyPanes:
    """Draws one reply as it streams; tells its parent when it starts and ends (`ReplyStarted`, `ReplyEnded`)."""

    def __init__(self, transcript: TranscriptView, event_log: EventLog, status_bar: StatusBar, *, number: int,
                 collection: CollectionPolicy) -> None:
        self._transcript = transcript
        self._event_log = event_log
        self._status_bar = status_bar
        self._number = number
        self._collection = collection
        self._view: ReplyView | None = None
        self._attempts_noted = 0
        self._events_shown = 0

    async def begin(self, session: ReplySession, turn: Turn) -> None:
        self._view = await self._transcript.add_reply(turn)
        number = self._number
        self._event_log.begin_reply(number, f"reply {number} · {session.model}")
        self._collection.reply_started()
        self._transcript.post_message(ReplyStarted(turn, session))

    async def draw(self, session: ReplySession, *, events_due: bool) -> None:
        if self._view is None:
            return
        with self._transcript.app.batch_update():  # one frame for the whole draw, not one per widget
            await self._view.sync(session.reply)
            self._note_attempts(session)
            if events_due:
                self._show_new_events(session)
            self._status_bar.show_session(session)
        self._transcript.call_after_refresh(self._collection.collect_recent, session.elapsed())

    async def end(self, session: ReplySession, turn: Turn) -> None:
        try:
            if self._view is not None and self._transcript.is_attached:
                await self._show_end(session)
            self._transcript.post_message(ReplyEnded(turn, session))
        finally:
            self._collection.reply_finished()
            if self._transcript.is_attached:
                self._transcript.set_timer(COLLECT_AFTER_SECONDS, self._collection.collect_if_idle)

    async def _show_end(self, session: ReplySession) -> None:
        assert self._view is not None
        await self._view.finish(session.reply)
        self._note_attempts(session)
        self._show_new_events(session)
        self._event_log.reply_ended(self._number, session.timings.finished)
        self._event_log.note(f"stream ended · {Ending.of(session.reply).summary}", self._number)
        self._event_log.refresh_view()
        self._status_bar.show_session(session)

    def _show_new_events(self, session: ReplySession) -> None:
        events = session.events[self._events_shown :]
        self._events_shown += len(events)
        self._event_log.add_events(events, self._number)

    def _note_attempts(self, session: ReplySession) -> None:
        """The SDK's retries, in the event log where the reply's events go."""
        for attempt in session.attempts[self._attempts_noted :]:
            self._event_log.note(f"⟳ {attempt.describe()}", self._number)
        self._attempts_noted = len(session.attempts)
