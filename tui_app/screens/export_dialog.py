"""Export a conversation: ask where, read its events when the format keeps them, write the file (private)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_app.model.conversation import Conversation
from tui_app.private_files import write_private_text
from tui_app.screens.text_prompt_screen import TextPromptScreen
from tui_app.store.export import export, export_file_name

if TYPE_CHECKING:
    from textual.app import App

    from tui_app.store.writer import StoreWriter


async def export_conversation(app: App, conversation: Conversation, writer: StoreWriter | None, fmt: str,
                              prices: Mapping[str, Any] | None = None) -> None:
    """Write `conversation` to a file the user names, as Markdown (`md`) or JSON (`json`); costs use the
    config's `prices` over the shipped ones."""
    if not conversation.turns:
        app.notify("There is nothing to export yet.", title="Export", severity="warning")
        return
    if app.is_web:  # the person is at a browser: the file is theirs to download, not this machine's to keep
        await _offer_download(app, conversation, writer, fmt, prices)
        return
    suggested = Path.cwd() / export_file_name(conversation, fmt)
    answer = await app.push_screen_wait(TextPromptScreen(f"Export as {fmt.upper()} to", str(suggested)))
    if answer is None:
        return
    events = await _events(conversation, writer, fmt)
    target = Path(answer).expanduser()
    try:
        await asyncio.to_thread(write_private_text, target, export(conversation, fmt, events, prices))
    except OSError as error:
        app.notify(f"Not exported to {target}: {error.strerror or error}", title="Export", severity="error")
        return
    app.notify(f"Exported {len(conversation.turns)} turns to {target}", title="Export")


async def _events(conversation: Conversation, writer: StoreWriter | None, fmt: str) -> dict[int, Any]:
    """Each saved reply's events, for a JSON export."""
    events = {}
    if fmt == "json" and writer is not None:
        for turn in conversation.replies:
            if turn.id is not None:
                events[turn.id] = await writer.call(writer.store.events, turn.id)
    return events


async def _offer_download(app: App, conversation: Conversation, writer: StoreWriter | None, fmt: str,
                          prices: Mapping[str, Any] | None) -> None:
    text = export(conversation, fmt, await _events(conversation, writer, fmt), prices)
    name = offer_download(app, text, export_file_name(conversation, fmt))
    app.notify(f"Offered {len(conversation.turns)} turns as a download: {name}", title="Export")


def offer_download(app: App, text: str, file_name: str) -> str:
    """Offer `text` to the person at the browser (`--serve`) as a file to download; the name it is offered
    under: ASCII only, as it goes into a Content-Disposition header as it is. The type follows the name."""
    name = file_name.encode("ascii", "replace").decode().replace("?", "-")
    app.deliver_text(io.StringIO(text), save_filename=name, encoding="utf-8")
    return name
