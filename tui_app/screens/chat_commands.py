"""The chat's entries in the command palette."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from textual.app import SystemCommand


class ChatActions(Protocol):
    """The chat's actions the palette offers."""

    def action_toggle_raw(self) -> None: ...
    def action_toggle_timeline(self) -> object: ...
    def action_toggle_events(self) -> None: ...
    def action_copy_reply(self) -> None: ...
    def action_conversations(self) -> None: ...
    def action_new_conversation(self) -> None: ...
    def action_chat_settings(self) -> object: ...
    def action_retry(self) -> None: ...
    def action_continue_reply(self) -> None: ...
    def action_lab(self) -> None: ...
    def action_edit_prompt(self) -> None: ...
    def export_conversation(self, fmt: str) -> object: ...


def chat_commands(chat: ChatActions) -> Iterable[SystemCommand]:
    yield SystemCommand("Raw events", "Switch the event log between summaries and raw payloads",
                        chat.action_toggle_raw)
    yield SystemCommand("Reply timeline", "The event log's reply drawn against time: pace, first token, pings, stalls",
                        chat.action_toggle_timeline)
    yield SystemCommand("Events panel", "Show or hide the event log", chat.action_toggle_events)
    yield SystemCommand("Copy last reply", "Copy the last reply's Markdown source", chat.action_copy_reply)
    yield SystemCommand("Conversations", "Search, open, rename or delete saved conversations",
                        chat.action_conversations)
    yield SystemCommand("New conversation", "Start afresh; this one stays saved", chat.action_new_conversation)
    yield SystemCommand("Model and settings", "Model, system prompt, thinking, effort, caching, max tokens …",
                        chat.action_chat_settings)
    yield SystemCommand("Retry last reply", "Ask again; the old reply is kept, set aside", chat.action_retry)
    yield SystemCommand("Continue paused reply", "Ask the server to carry on a reply it paused (pause_turn)",
                        chat.action_continue_reply)
    yield SystemCommand("TTFT lab", "Time to first token, streamed against not streamed, over many runs",
                        chat.action_lab)
    yield SystemCommand("Edit last prompt", "Change the last prompt and send it in its place",
                        chat.action_edit_prompt)
    yield SystemCommand("Export conversation as Markdown", "A readable file with a metadata header",
                        lambda: chat.export_conversation("md"))
    yield SystemCommand("Export conversation as JSON", "Everything: turns, settings, usage, timings, events",
                        lambda: chat.export_conversation("json"))
