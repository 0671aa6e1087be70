"""`--list` and `--export`: the saved conversations from the command line, no UI."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TextIO

from tui_app.private_files import write_private_text
from tui_app.settings import Settings
from tui_app.store.database import Store, StoreError
from tui_app.store.export import export
from tui_app.text_safety import neutralize, one_line, say


def _open(settings: Settings, stderr: TextIO) -> Store | None:
    path = settings.history_path
    if path is None:
        print("claude-tui: conversations are not kept ([history] enabled = false, or --no-history)", file=stderr)
        return None
    if not path.exists():
        print(f"claude-tui: no conversations have been saved yet ({path} does not exist)", file=stderr)
        return None
    try:
        store = Store.open(path)
    except StoreError as error:
        say(stderr, str(error))
        return None
    if store.notice is not None:
        say(stderr, store.notice)
    return store


def list_conversations(settings: Settings, search: str, stdout: TextIO, stderr: TextIO) -> int:
    """One line per conversation, newest first: id, last change, turns, model, title."""
    store = _open(settings, stderr)
    if store is None:
        return 1
    try:
        summaries = store.conversations(search or None)
    except StoreError as error:
        say(stderr, str(error))
        return 1
    finally:
        store.close()
    for summary in summaries:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(summary.updated))
        model, title = one_line(summary.model, 60), one_line(summary.title)  # saved from a server, a prompt
        stdout.write(f"{summary.id:>6}  {when}  {summary.turns:>4} turns  {model:<20} {title}\n")
    if not summaries:
        print("claude-tui: no conversations" + (f" contain “{one_line(search)}”" if search else " yet"), file=stderr)
    return 0


def export_conversation(settings: Settings, conversation_id: int, fmt: str, output: Path | None,
                        stdout: TextIO, stderr: TextIO) -> int:
    store = _open(settings, stderr)
    if store is None:
        return 1
    try:
        conversation = store.load(conversation_id)
        events = {turn.id: store.events(turn.id) for turn in conversation.replies if turn.id is not None}
    except StoreError as error:
        say(stderr, str(error))
        return 1
    finally:
        store.close()
    text = export(conversation, fmt, events if fmt == "json" else None, settings.prices)
    if output is None:
        stdout.write(neutralize(text) if stdout.isatty() else text)
        return 0
    try:
        write_private_text(output, text)
    except OSError as error:
        print(f"claude-tui: cannot write {output}: {error.strerror or error}", file=stderr)
        return 1
    print(f"claude-tui: wrote conversation {conversation_id} ({len(conversation.turns)} turns) to {output}",
          file=stderr)
    return 0
