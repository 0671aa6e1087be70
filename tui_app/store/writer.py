"""Saving a conversation as it happens, off the UI thread and in order.

Calls queue on one thread of their own, so a slow disk or another window's lock never stalls the screen,
and a turn is always inserted before its events. After the first failure, whatever raised it, nothing
more is written (a half-saved conversation would mislead); `on_failure` is told once, with what was not
saved and why.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from tui_app.model.conversation import REPLAY, Conversation, Turn
from tui_app.store.database import Store, StoreError
from tui_app.store.errors import reason
from tui_app.stream.events import WireEvent

T = TypeVar("T")


class StoreWriter:
    """The app's one way to the store while it runs."""

    def __init__(self, store: Store, on_failure: Callable[[StoreError], None]) -> None:
        self.store = store
        self.failure: StoreError | None = None
        self._on_failure = on_failure
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    def _submit(self, what: str, call: Callable[..., object], *args: object) -> None:
        """Queue a write; `what` names what it saves, for the message if it fails."""
        if self.failure is None:
            self._thread.submit(self._guarded, what, call, *args)

    def _guarded(self, what: str, call: Callable[..., object], *args: object) -> None:
        if self.failure is not None:
            return
        try:
            call(*args)
        except Exception as error:  # any error at all: a save never vanishes without a word
            self.failure = StoreError(f"{what} was not saved: {reason(error)}")
            self._on_failure(self.failure)

    async def call(self, call: Callable[..., T], *args: object) -> T:
        """Run a read (or a one-off write) in turn with the queued writes, and wait for its answer."""
        future: Future[T] = self._thread.submit(call, *args)
        return await asyncio.wrap_future(future)

    def save_turn(self, conversation: Conversation, turn: Turn) -> None:
        """Insert or update a turn as it stands now (the conversation is created with its first turn)."""
        if conversation.kind == REPLAY:
            return
        position = conversation.turns.index(turn)
        what = f"{'the reply' if turn.is_reply else 'your prompt'} (turn {position + 1})"
        self._submit(what, self._save_turn, conversation, position, turn, copy.copy(turn))

    def _save_turn(self, conversation: Conversation, position: int, turn: Turn, snapshot: Turn) -> None:
        if conversation.id is None:
            self.store.save_conversation(conversation)
        assert conversation.id is not None
        snapshot.id = turn.id
        turn.id = self.store.save_turn(conversation.id, position, snapshot)

    def save_all(self, conversation: Conversation) -> None:
        """Save every turn not yet saved (those sent before the store was open)."""
        for turn in conversation.turns:
            if turn.id is None:
                self.save_turn(conversation, turn)

    def save_conversation(self, conversation: Conversation) -> None:
        """Save its title and settings; a conversation with no turns yet is not worth a row."""
        if conversation.id is not None and conversation.kind != REPLAY:
            self._submit("the conversation's title and settings", self.store.save_conversation, conversation)

    def save_events(self, turn: Turn, events: list[WireEvent]) -> None:
        if events:
            self._submit("the reply's wire events", self._save_events, turn, events)

    def _save_events(self, turn: Turn, events: list[WireEvent]) -> None:
        assert turn.id is not None
        self.store.add_events(turn.id, events)

    def close(self) -> None:
        """Finish every queued write, then close the database."""
        self._thread.shutdown(wait=True)
        self.store.close()
