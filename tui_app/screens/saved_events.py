"""The event log of a saved reply: its events read back from the store, under a heading of their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui_app.store.errors import StoreError

REOPENED_EVENT_REPLIES = 5
"""Replies whose events the event log shows when a conversation is opened; `e` on a reply shows any other."""

if TYPE_CHECKING:
    from tui_app.model.conversation import Turn
    from tui_app.store.writer import StoreWriter
    from tui_app.widgets.event_log import EventLog


async def show_saved_events(event_log: EventLog, writer: StoreWriter | None, number: int, turn: Turn,
                            on_problem: Callable[[str], None]) -> None:
    """Put reply `number`'s saved events in the log, unless they are there already or were never saved."""
    if turn.id is None or writer is None or event_log.has_reply(number):
        return
    try:
        events = await writer.call(writer.store.events, turn.id)
    except StoreError as error:
        on_problem(str(error))
        return
    event_log.begin_reply(number, f"reply {number} · {turn.model} · saved")
    event_log.add_events(events, number)
    event_log.reply_ended(number, turn.total)
    event_log.note(f"{len(events)} events · {turn.reply_state.value}", number)
    event_log.refresh_view()


async def show_reply_events(event_log: EventLog, writer: StoreWriter | None, replies: list[Turn], turn: Turn,
                            on_problem: Callable[[str], None]) -> None:
    """`e` on a reply: its events in the log, read back from the store when needed."""
    if turn not in replies:
        return
    number = replies.index(turn) + 1
    await show_saved_events(event_log, writer, number, turn, on_problem)
    event_log.show_reply(number)


async def show_recent_events(event_log: EventLog, writer: StoreWriter | None, replies: list[Turn],
                             on_problem: Callable[[str], None]) -> None:
    """The event log of a reopened conversation: the events of its last few replies."""
    first = max(0, len(replies) - REOPENED_EVENT_REPLIES)
    for number, turn in enumerate(replies[first:], start=first + 1):
        await show_saved_events(event_log, writer, number, turn, on_problem)
