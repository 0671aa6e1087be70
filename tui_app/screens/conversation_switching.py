"""Which conversation the chat shows: a new one, one opened from the list (F3) or the command line, and the
prompts Up brings back from it and from earlier ones."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen

from tui_app.model.conversation import Conversation
from tui_app.runtime import chat_settings
from tui_app.screens.saved_events import show_recent_events
from tui_app.store.errors import StoreError
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.status_bar import StatusBar
from tui_app.widgets.transcript_view import TranscriptView

if TYPE_CHECKING:
    from tui_app.screens.chat_services import ChatServices
    from tui_app.screens.conversations_screen import ConversationsChoice
    from tui_app.settings import Settings

COMMAND_LINE_ASKING = ("model", "max_tokens", "system", "temperature", "thinking", "thinking_display", "effort",
                       "cache")
"""What the command line may set for a conversation it reopens."""

EARLIER_PROMPTS = 1000
"""Prompts of other conversations that Up reaches, at most."""


class ConversationSwitching(Screen):
    """The chat screen's part that changes the conversation on screen (the rest is `ChatScreen`'s)."""

    services: ChatServices
    settings: Settings
    conversation: Conversation

    def wake_prompt(self) -> None:
        """The prompt takes prompts again (see `Watching`)."""

    async def show_conversation(self, conversation: Conversation) -> None:
        """Show `conversation` in place of the one on screen."""
        self.wake_prompt()
        self.conversation = conversation
        self.session = self._reply_turn = None
        if self.editing is not None:  # a prompt put back to be fixed belongs to the conversation left
            self.query_one(PromptInput).clear()
        self.stop_editing()
        self.show_title()
        await self.query_one(TranscriptView).show(conversation.turns)
        self.query_one(EventLog).reset()
        self.query_one(PromptInput).show_history([turn.text for turn in conversation.turns if turn.role == "user"])
        self.load_prompt_history()
        assert self.services.backend is not None
        self.query_one(StatusBar).show_idle(self.services.backend.label, conversation.settings)
        self.show_figures()
        self.refresh_bindings()

    @work(group="prompt-history", exclusive=True, exit_on_error=False)
    async def load_prompt_history(self) -> None:
        """Let Up reach the prompts of other conversations, this run's and earlier runs', newest first."""
        writer, conversation = self.services.writer, self.conversation
        if writer is None:
            return
        try:
            earlier = await writer.call(writer.store.recent_prompts, conversation.id, EARLIER_PROMPTS)
        except StoreError as error:
            self.notify(f"Earlier prompts were not read: {error}", title="Prompt history", severity="warning")
            return
        if conversation is self.conversation:
            self.query_one(PromptInput).earlier_prompts = earlier

    async def resume(self, which: int | str) -> None:
        """Open the conversation asked for on the command line (an id, or `last`)."""
        writer = self.services.writer
        assert writer is not None
        store = writer.store
        if store.notice is not None:
            await self.add_notice(f"Nothing to resume: {store.notice}.")
            return
        conversation_id = await writer.call(store.last_conversation_id) if which == "last" else which
        if conversation_id is None:
            await self.add_notice("There is no saved conversation to continue yet.")
            return
        await self.open_conversation(int(conversation_id))
        # What was asked for on this command line wins over what the conversation was saved with.
        given = {name: getattr(self.settings, name) for name in COMMAND_LINE_ASKING
                 if self.settings.source(name).startswith("command line")}
        if given and self.conversation.id == conversation_id:
            self.conversation.settings = replace(self.conversation.settings, **given)
            self.query_one(StatusBar).show_settings(self.conversation.settings)
            writer.save_conversation(self.conversation)

    async def open_conversation(self, conversation_id: int) -> None:
        """Show a saved conversation, ready to continue: its last screen at once, older turns on scrolling."""
        writer = self.services.writer
        assert writer is not None
        try:
            conversation = await writer.call(writer.store.load, conversation_id)
        except StoreError as error:
            await self.add_notice(f"Cannot open conversation {conversation_id}: {error}")
            return
        conversation.settings.max_tokens = conversation.settings.max_tokens or self.settings.max_tokens
        await self.show_conversation(conversation)
        self._load_recent_events()

    @work(group="store-read", exclusive=True, exit_on_error=False)
    async def _load_recent_events(self) -> None:
        await show_recent_events(self.query_one(EventLog), self.services.writer, self.conversation.replies,
                                 self._events_not_read)

    def action_new_conversation(self) -> None:
        if self.refuse_while_replying("start a new conversation"):
            return
        self.run_worker(self.show_conversation(Conversation(chat_settings(self.settings))), group="show")
        kept = "the last one is saved (F3 lists them)" if self.services.store_problem is None else \
            f"the last one is not kept ({self.services.store_problem})"
        self.notify(f"A new conversation: {kept}.", title="Conversations")

    def action_conversations(self) -> None:
        writer = self.services.writer
        if writer is None:
            problem = self.services.store_problem or "the store is opening"
            self.notify(f"Conversations are not available: {problem}.", title="Conversations", severity="warning")
            return
        from tui_app.screens.conversations_screen import ConversationsScreen  # loaded when first needed

        if isinstance(self.app.screen, ConversationsScreen):
            return  # (the command palette offers it over its own dialog)
        self.app.push_screen(ConversationsScreen(writer, self.conversation.id), self._conversations_closed)

    async def _conversations_closed(self, choice: ConversationsChoice | None) -> None:
        if choice is None:
            return
        current = self.conversation.id
        if current in choice.renamed:
            self.conversation.title = choice.renamed[current]
            self.show_title()
        if choice.open is not None and choice.open != current:
            if not self.refuse_while_replying("open another conversation"):
                await self.open_conversation(choice.open)
        elif current is not None and current in choice.deleted:
            await self.cancel_reply_and_wait()
            await self.show_conversation(Conversation(chat_settings(self.settings)))
