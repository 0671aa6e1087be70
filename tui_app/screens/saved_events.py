"""The event log of a saved reply: its events read back from the store, under a heading of their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui_app.store.errors import StoreError

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
    event_log.note(f"{len(events)} events · {turn.reply_state.value}", number)
    event_log.refresh_view()
