"""What the app does with whole conversations: open and resume, start afresh, retry, edit the last
prompt, change the model and settings, export. Mixed into `ClaudeTUI`, which owns the state it uses."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from tui_app.model.conversation import Conversation, Turn
from tui_app.private_files import write_private_text
from tui_app.store.errors import StoreError
from tui_app.store.export import export
from tui_app.stream.models import available_models
from tui_app.text_safety import neutralize
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.status_bar import StatusBar
from tui_app.widgets.transcript_view import TranscriptView

if TYPE_CHECKING:
    from tui_app.app import ClaudeTUI
    from tui_app.screens.conversations_screen import ConversationsChoice

    _Base = ClaudeTUI
else:
    _Base = object

REOPENED_EVENT_REPLIES = 5
"""Replies whose events the event log shows when a conversation is opened; `e` on a reply shows any other."""


class ConversationActions(_Base):
    """Actions on the conversation as a whole; the reply streaming itself lives in the app."""

    async def _resume_conversation(self, which: int | str) -> None:
        assert self.writer is not None
        store = self.writer.store
        if store.notice is not None:
            await self.query_one(TranscriptView).add_notice(f"Nothing to resume: {store.notice}.")
            return
        conversation_id = await self.writer.call(store.last_conversation_id) if which == "last" else which
        if conversation_id is None:
            await self.query_one(TranscriptView).add_notice("There is no saved conversation to continue yet.")
            return
        await self.open_conversation(int(conversation_id))
        # What was asked for on this command line wins over what the conversation was saved with.
        given = {name: getattr(self.settings, name) for name in ("model", "max_tokens", "system", "temperature")
                 if self.settings.source(name).startswith("command line")}
        if given and self.conversation.id == conversation_id:
            self.conversation.settings = replace(self.conversation.settings, **given)
            self.query_one(StatusBar).show_settings(self.conversation.settings)
            self.writer.save_conversation(self.conversation)

    async def open_conversation(self, conversation_id: int) -> None:
        """Show a saved conversation, ready to continue: its last screen at once, older turns on scrolling."""
        assert self.writer is not None
        try:
            conversation = await self.writer.call(self.writer.store.load, conversation_id)
        except StoreError as error:
            await self.query_one(TranscriptView).add_notice(f"Cannot open conversation {conversation_id}: {error}")
            return
        defaults = self.default_chat_settings()
        conversation.settings.max_tokens = conversation.settings.max_tokens or defaults.max_tokens
        await self._show_conversation(conversation)
        self._load_recent_events()

    async def _show_conversation(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.session = None
        self._reply_view = None
        self._stop_editing()
        self.sub_title = neutralize(conversation.title)
        await self.query_one(TranscriptView).show(conversation.turns)
        self.query_one(EventLog).reset()
        prompt = self.query_one(PromptInput)
        prompt.sent_prompts = [turn.text for turn in conversation.turns if turn.role == "user"]
        assert self.backend is not None
        self.query_one(StatusBar).show_idle(self.backend.label, conversation.settings)
        self.refresh_bindings()

    @work(group="store-read", exclusive=True, exit_on_error=False)
    async def _load_recent_events(self) -> None:
        """The event log of a reopened conversation: the events of its last few replies."""
        replies = self.conversation.replies
        first = max(0, len(replies) - REOPENED_EVENT_REPLIES)
        for number, turn in enumerate(replies[first:], start=first + 1):
            await self._show_saved_events(number, turn)

    async def _show_saved_events(self, number: int, turn: Turn) -> None:
        event_log = self.query_one(EventLog)
        if turn.id is None or self.writer is None or event_log.has_reply(number):
            return
        try:
            events = await self.writer.call(self.writer.store.events, turn.id)
        except StoreError as error:
            self.notify(str(error), title="Events not read", severity="error")
            return
        event_log.begin_reply(number, f"reply {number} · {turn.model} · saved", events)
        event_log.note(f"{len(events)} events · {turn.reply_state.value}")
        event_log.refresh_view()

    def action_new_conversation(self) -> None:
        if self._refuse_while_replying("start a new conversation"):
            return
        self.run_worker(self._show_conversation(Conversation(self.default_chat_settings())), group="show")
        self.notify("A new conversation: the last one is saved (F3 lists them).", title="Conversations")

    def action_conversations(self) -> None:
        if self.writer is None:
            self.notify(f"Conversations are not available: {self.store_problem or 'the store is opening'}.",
                        title="Conversations", severity="warning")
            return
        from tui_app.screens.conversations_screen import ConversationsScreen  # loaded when first needed

        if isinstance(self.screen, ConversationsScreen):
            return
        self.push_screen(ConversationsScreen(self.writer, self.conversation.id), self._conversations_closed)

    async def _conversations_closed(self, choice: ConversationsChoice | None) -> None:
        if choice is None:
            return
        current = self.conversation.id
        if current in choice.renamed:
            self.conversation.title = choice.renamed[current]
            self.sub_title = neutralize(self.conversation.title)
        if choice.open is not None and choice.open != current:
            if not self._refuse_while_replying("open another conversation"):
                await self.open_conversation(choice.open)
        elif current is not None and current in choice.deleted:
            if self.replying:
                self.workers.cancel_group(self, "reply")
                await self.workers.wait_for_complete()
            await self._show_conversation(Conversation(self.default_chat_settings()))

    def action_retry(self) -> None:
        if self._refuse_while_replying("retry"):
            return
        aside = self.conversation.supersede_last_reply()
        if aside is None:
            self.notify("There is no reply to retry yet.", title="Retry", severity="warning")
            return
        self.query_one(TranscriptView).mark_superseded([aside])
        self._save(aside)
        self.stream_reply()

    def action_edit_prompt(self) -> None:
        if self._refuse_while_replying("edit"):
            return
        if self.conversation.last("user") is None:
            self.notify("There is no prompt to edit yet.", title="Edit", severity="warning")
            return
        self.edit_last_prompt()

    def edit_last_prompt(self) -> None:
        """Put the last prompt back in the prompt; sending it sets the old one and its reply aside."""
        last = self.conversation.last("user")
        if last is None:
            return
        prompt = self.query_one(PromptInput)
        prompt.show_text(last.text)
        prompt.focus()
        self._editing = last
        prompt.border_title = "Prompt · editing your last prompt: sending replaces it and its reply"

    def _stop_editing(self) -> None:
        self._editing = None
        self.query_one(PromptInput).border_title = "Prompt"

    @work(group="chat-settings", exclusive=True, exit_on_error=False)
    async def action_chat_settings(self) -> None:
        """Pick the model from the backend's list and set this conversation's settings."""
        from tui_app.screens.chat_settings_screen import ChatSettingsScreen  # loaded when first needed

        if isinstance(self.screen, ChatSettingsScreen) or self.backend is None:
            return
        models, note = await available_models(await self.sdk_client(), self.backend.shown_url)
        chosen = await self.push_screen_wait(ChatSettingsScreen(self.conversation.settings, models, note))
        if chosen is None:
            return
        self.conversation.settings = chosen
        self.query_one(StatusBar).show_settings(chosen)
        if self.writer is not None:
            self.writer.save_conversation(self.conversation)
        self.notify(f"This conversation now asks {chosen.model}.", title="Settings")

    @work(group="export", exit_on_error=False)
    async def export_conversation(self, fmt: str) -> None:
        """Write the conversation on screen to a file the user names (Markdown or JSON)."""
        conversation = self.conversation
        if not conversation.turns:
            self.notify("There is nothing to export yet.", title="Export", severity="warning")
            return
        suggested = Path.cwd() / export_file_name(conversation, fmt)
        from tui_app.screens.text_prompt_screen import TextPromptScreen

        answer = await self.push_screen_wait(TextPromptScreen(f"Export as {fmt.upper()} to", str(suggested)))
        if answer is None:
            return
        events = {}
        if fmt == "json" and self.writer is not None:
            for turn in conversation.replies:
                if turn.id is not None:
                    events[turn.id] = await self.writer.call(self.writer.store.events, turn.id)
        target = Path(answer).expanduser()
        try:
            await asyncio.to_thread(write_private_text, target, export(conversation, fmt, events))
        except OSError as error:
            self.notify(f"Not exported to {target}: {error.strerror or error}", title="Export", severity="error")
            return
        self.notify(f"Exported {len(conversation.turns)} turns to {target}", title="Export")




def export_file_name(conversation: Conversation, fmt: str) -> str:
    """`claude-tui-12-how-do-i-parse-sse.md`: the id and a few words of the title."""
    words = "".join(ch if ch.isalnum() else "-" for ch in conversation.title.lower())
    slug = "-".join(part for part in words.split("-") if part)[:40].rstrip("-") or "conversation"
    number = f"{conversation.id}-" if conversation.id is not None else ""
    return f"claude-tui-{number}{slug}.{fmt}"
