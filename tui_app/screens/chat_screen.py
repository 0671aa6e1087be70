"""The chat: transcript, prompt, event log, status bar and keys, and what the user does with them: send a
prompt (a reply runner streams the reply onto `ReplyPanes`), cancel, copy, retry, edit the last prompt,
start afresh, open a saved conversation, change the model and settings, export."""

from __future__ import annotations

from collections.abc import Iterable
from time import monotonic
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.worker import Worker, WorkerState

from tui_app.gc_policy import CollectionPolicy
from tui_app.model.content import is_paused
from tui_app.model.context import last_context
from tui_app.model.conversation import Conversation, Turn
from tui_app.model.ending import Ending
from tui_app.runtime import chat_settings, context_warning, reply_session, request_for
from tui_app.screens.chat_commands import chat_commands
from tui_app.screens.chat_services import ChatServices
from tui_app.screens.conversation_switching import ConversationSwitching
from tui_app.screens.main_screen import MainScreen
from tui_app.screens.reply_display import ReplyEnded, ReplyPanes
from tui_app.screens.saved_events import show_reply_events
from tui_app.screens.watching import INSPECTING, REPLAYING, Watching
from tui_app.stream.failures import FailureKind
from tui_app.stream.models import ModelCatalog
from tui_app.stream.reply import ReplyState
from tui_app.text_safety import neutralize
from tui_app.widgets.copy_request import copy_request_for
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.key_footer import KeyFooter
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.status_bar import StatusBar
from tui_app.widgets.transcript_view import TranscriptView

if TYPE_CHECKING:
    from tui_app.stream.events import WireEvent
    from tui_app.stream.session import ReplySession
    from tui_app.widgets.reply_view import ReplyView

NARROW_BELOW = 70
"""Columns under which the event panel would leave the transcript too narrow to read beside it."""
WIDE_FROM = 100
FAILURE_SECONDS = 5
"""How long a failed reply's notification stays."""
CANCEL_WINDOW = 2.0
"""Seconds within which a second Escape cancels the reply streaming: one alone may be a stray key."""


class ChatScreen(Watching, ConversationSwitching, MainScreen):
    """Talk to Claude and watch the stream."""

    BINDINGS = [
        # Priority where the prompt (a TextArea) would otherwise take the key: Ctrl+Y redoes, F6 selects a line.
        # The ids are the [keys] names of the config file; its keymap replaces these defaults.
        Binding("escape", "cancel_reply", "Cancel reply (twice)", priority=True, id="cancel_reply"),
        Binding("ctrl+y", "copy_reply", "Copy reply", priority=True, id="copy_reply"),
        Binding("ctrl+r", "toggle_raw", "Raw events", priority=True, id="raw_events"),
        Binding("ctrl+t", "toggle_timeline", "Timeline", show=False, priority=True, id="timeline"),
        Binding("f2", "toggle_events", "Events panel", show=False, id="events_panel"),
        Binding("f3", "conversations", "Conversations", id="conversations"),
        Binding("f4", "chat_settings", "Model", show=False, id="chat_settings"),
        Binding("f5", "retry", "Retry", id="retry"),
        Binding("ctrl+up", "edit_prompt", "Edit last prompt", show=False, priority=True, id="edit_prompt"),
        Binding("ctrl+n", "new_conversation", "New", show=False, priority=True, id="new_conversation"),
        Binding("f6", "continue_reply", "Continue", show=False, priority=True, id="continue_reply"),
        Binding("f7", "lab", "TTFT lab", show=False, priority=True, id="lab"),
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-medium"), (WIDE_FROM, "-wide")]
    """The event panel narrows with the terminal, and below `NARROW_BELOW` columns it is hidden until asked
    for (F2), then shown below the transcript (app.tcss)."""

    def __init__(self, services: ChatServices) -> None:
        super().__init__()
        self.services = services
        self.settings = services.settings
        self.conversation = Conversation(chat_settings(self.settings))
        self.session: ReplySession | None = None
        """The reply streaming, or the last one streamed in this conversation."""
        self.editing: Turn | None = None
        """The prompt being edited, which the next prompt sent replaces."""
        self._reply_turn: Turn | None = None
        self._collection = CollectionPolicy()
        self.models = ModelCatalog()
        """The backend's models as last listed: their context windows and what each takes."""
        self._escaped_at = -CANCEL_WINDOW

    def widgets_to_compose(self) -> ComposeResult:
        """The chat's widgets. The app composes them, so that they are there when its start-up speaks."""
        with Horizontal(id="main"):
            with Vertical(id="conversation"):
                yield TranscriptView(id="transcript")
                yield PromptInput(self.settings.keys, id="prompt")
            yield EventLog(id="events")
        yield StatusBar(id="status")
        yield KeyFooter(id="footer")

    def show_panels(self) -> None:
        """The panels the settings ask for."""
        panels = self.settings.panels
        if not panels.events:
            self.show_event_panel(False)
        self.query_one("#status").display = panels.status
        self.query_one("#footer").display = panels.footer

    @property
    def event_panel_shown(self) -> bool:
        """Whether the event panel is asked for at this width (its classes say so at once; its style only
        once restyled)."""
        events = self.query_one(EventLog)
        return events.has_class("-shown") if self.has_class("-narrow") else not events.has_class("-hidden")

    def show_event_panel(self, shown: bool) -> None:
        """Show or hide the event panel, whatever the width, until told otherwise; until told, a narrow screen
        hides it and a wider one shows it."""
        self.query_one(EventLog).set_class(shown, "-shown").set_class(not shown, "-hidden")

    async def add_notice(self, text: str) -> None:
        await self.query_one(TranscriptView).add_notice(text)

    @property
    def streaming(self) -> bool:
        return self.session is not None and not self.session.reply.state.finished

    @property
    def replying(self) -> bool:
        """A reply is under way, from the moment its prompt is accepted (before its session exists, while
        the SDK may still be loading) until it has been drawn."""
        return any(worker.group == "reply" and not worker.is_finished for worker in self.app.workers)

    def on_key(self, event: events.Key) -> None:
        # A character typed while the transcript or the event log has focus is meant for the prompt, as in chat
        # apps; the keys those panes bind (c, e, a …) keep their meaning. (The prompt stops the characters typed
        # in it; one reaching here was sent to a pane, maybe just before a key of the same burst moved focus.)
        if not event.is_printable or event.key in self.app.active_bindings or self.watching:
            return
        prompt = self.query_one(PromptInput)
        event.stop()
        event.prevent_default()
        self.set_focus(prompt)  # at once: the next key of a burst goes to the prompt itself
        prompt.insert(event.character or "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_reply":
            return self.streaming and self.watching != INSPECTING  # the proxy passes every stream on regardless
        if action == "retry" and self.watching:
            return False  # nothing was sent from here: the footer does not offer it
        watching = self.check_watching_action(action)
        return True if watching is None else watching

    def refuse_while_replying(self, what: str) -> bool:
        if self.refuse_while_watching(what):
            return True
        if self.replying:
            cancel = self.settings.keys.label("cancel_reply")
            self.notify(f"A reply is still streaming: {cancel} twice cancels it, then {what}.", severity="warning")
        return self.replying

    def save_turn(self, turn: Turn) -> None:
        writer = self.services.writer
        if writer is not None:
            writer.save_turn(self.conversation, turn)

    def save_events(self, turn: Turn, events: list[WireEvent]) -> None:
        writer = self.services.writer
        if writer is not None:
            writer.save_events(turn, events)

    def show_title(self) -> None:
        self.app.sub_title = neutralize(self.conversation.title)

    @on(PromptInput.Submitted)
    async def send_prompt(self, event: PromptInput.Submitted) -> None:
        if self.refuse_while_replying("send again"):
            event.prompt_input.put_back(event.text)
            return
        event.prompt_input.remember(event.text)
        transcript = self.query_one(TranscriptView)
        if self.editing is not None and self.editing is self.conversation.last("user"):
            aside = self.conversation.supersede_last_prompt()
            transcript.mark_superseded(aside)
            for turn in aside:
                self.save_turn(turn)
        self.stop_editing()
        turn, unanswered = self.conversation.add_user(event.text)
        transcript.mark_superseded(unanswered)
        for earlier in unanswered:
            self.save_turn(earlier)
        self.show_title()
        await transcript.add_user_turn(turn)
        self.save_turn(turn)
        self.stream_reply()

    @work(group="reply", exclusive=True, exit_on_error=False)
    async def stream_reply(self) -> None:
        """Stream one reply into the transcript, the event log and the status bar, saving as it goes."""
        from tui_app.reply_runner import ReplyRunner

        services = self.services
        assert services.backend is not None
        await services.store_opened()
        asking = self.conversation.settings
        last = self.conversation.last("assistant")
        request = request_for(asking, self.conversation.messages(), last.usage.get("message_id") if last else None)
        turn = self.conversation.add_reply(asking.model)
        turn.settings = {name: value for name, value in request.params().items() if name != "messages"}
        client = await services.sdk_client()
        warning = await context_warning(client, self.models, request, self.conversation.turns)
        if warning is not None:
            self.notify(warning, title="Context window", severity="warning")
        session = reply_session(client, services.backend, request, services.events_file, services.clock)
        self.session, self._reply_turn = session, turn
        panes = ReplyPanes(self.query_one(TranscriptView), self.query_one(EventLog), self.query_one(StatusBar),
                           number=len(self.conversation.replies), collection=self._collection)
        self.refresh_bindings()
        await ReplyRunner(session, turn, panes, self if services.writer is not None else None).run()

    @work(group="models", exclusive=True, exit_on_error=False)
    async def read_models(self) -> None:
        """The backend's models, read once after start-up: their context windows fill the status bar's meter."""
        backend = self.services.backend
        if backend is not None:
            await self.models.refresh(await self.services.sdk_client(), backend.shown_url)
            self.show_figures()

    def show_figures(self) -> None:
        """The conversation's totals, and how full the model's context window is after its last reply."""
        status, turns = self.query_one(StatusBar), self.conversation.turns
        status.show_totals(turns)
        status.show_context(last_context(turns), self.models.context_window(self.conversation.settings.model))

    @on(ReplyEnded)
    def reply_ended(self, ended: ReplyEnded) -> None:
        self.refresh_bindings()
        self.show_figures()
        reply, failure = ended.session.reply, ended.session.failure
        if ended.session is not self.session or failure is None or not Ending.of(reply).went_wrong:
            return
        # Short: the transcript says it all under the reply, and the status bar and the event log show it too.
        retry = "" if self.watching else f" ({self.settings.keys.label('retry')} retries)"
        self.notify(failure.message + retry, title=f"Reply {reply.state.value}", severity="error",
                    timeout=FAILURE_SECONDS)
        if self.watching:
            return  # nothing was sent from here: there is no prompt to fix
        rejected = failure.kind in (FailureKind.AUTH, FailureKind.REJECTED, FailureKind.USAGE)
        if rejected and not reply.blocks and not self.query_one(PromptInput).text.strip():
            # Refused before a word arrived: the prompt goes back to be fixed and sent in its place.
            self.edit_last_prompt()

    @on(Worker.StateChanged)
    def report_worker_error(self, event: Worker.StateChanged) -> None:
        """A failure inside the app is shown, never swallowed; while replying it ends the reply as failed, and
        the next prompt still works."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        self.notify(f"{type(error).__name__}: {error}", title="Internal error", severity="error")
        if event.worker.group == "reply":
            if self.session is not None and not self.session.reply.state.finished:
                self.session.reply.finish(ReplyState.FAILED, f"internal error: {error}")
            self.refresh_bindings()

    def edit_last_prompt(self) -> None:
        """Put the last prompt back in the prompt; sending it sets the old one and its reply aside."""
        last = self.conversation.last("user")
        if last is None:
            return
        prompt = self.query_one(PromptInput)
        prompt.show_text(last.text)
        prompt.focus()
        self.editing = last
        prompt.border_title = "Prompt · editing your last prompt: sending replaces it and its reply"

    def stop_editing(self) -> None:
        self.editing = None
        self.query_one(PromptInput).border_title = "Prompt"

    @on(PromptInput.Changed)
    def prompt_changed(self, event: PromptInput.Changed) -> None:
        if self.editing is not None and not event.text_area.text.strip():
            self.stop_editing()

    def action_cancel_reply(self) -> None:
        """Cancel the reply streaming on a second press within `CANCEL_WINDOW`. Pressed in a pane, it is left
        to the pane's own Escape, which goes back to the prompt."""
        prompt = self.query_one(PromptInput)
        replay = self.watching == REPLAYING  # the prompt rests: Escape in any pane stops a replay
        if not self.streaming or (self.focused is not prompt and not replay):
            raise SkipAction()
        now = monotonic()
        if now - self._escaped_at > CANCEL_WINDOW:
            self._escaped_at = now
            again = f"{self.settings.keys.label('cancel_reply')} again"
            if replay:
                self.notify(f"{again} stops the replay", title="Replay", timeout=CANCEL_WINDOW)
            else:
                prompt.hint(f"{again} cancels the reply", CANCEL_WINDOW)
            return
        self._escaped_at = -CANCEL_WINDOW
        self.app.workers.cancel_group(self, "reply")

    async def cancel_reply_and_wait(self) -> None:
        if self.replying:
            self.app.workers.cancel_group(self, "reply")
            await self.app.workers.wait_for_complete()

    def action_copy_reply(self) -> None:
        turn = self.conversation.last("assistant")
        if turn is None:
            self.notify("There is no reply to copy yet.", title="Copy", severity="warning")
            return
        live = self.session is not None and turn is self._reply_turn
        request = copy_request_for(self.session.reply if live else turn.to_reply(), "the last reply")
        self.services.copy_text(request.text, request.what)

    def action_toggle_raw(self) -> None:
        self.show_event_panel(True)
        self.query_one(EventLog).toggle_raw()

    async def action_toggle_timeline(self) -> None:
        self.show_event_panel(True)
        await self.query_one(EventLog).toggle_timeline()

    def action_toggle_events(self) -> None:
        self.show_event_panel(not self.event_panel_shown)

    async def on_reply_view_events_requested(self, request: ReplyView.EventsRequested) -> None:
        self.show_event_panel(True)
        await show_reply_events(self.query_one(EventLog), self.services.writer, self.conversation.replies,
                                request.turn, self._events_not_read)

    def _events_not_read(self, problem: str) -> None:
        self.notify(problem, title="Events not read", severity="error")

    def action_retry(self) -> None:
        if self.refuse_while_replying("retry"):
            return
        aside = self.conversation.supersede_last_reply()
        if aside is None:
            self.notify("There is no reply to retry yet.", title="Retry", severity="warning")
            return
        self.query_one(TranscriptView).mark_superseded([aside])
        self.save_turn(aside)
        self.stream_reply()

    def action_continue_reply(self) -> None:
        """Continue a reply the server paused (`pause_turn`): the next request ends with it, as the API asks."""
        if self.refuse_while_replying("continue"):
            return
        last, user = self.conversation.last("assistant"), self.conversation.last("user")
        turns = self.conversation.turns
        if last is None or user is None or turns.index(last) < turns.index(user) or not is_paused(last):
            self.notify("Only a reply the server paused (stop reason pause_turn) can be continued.",
                        title="Continue", severity="warning")
            return
        self.stream_reply()

    def action_lab(self) -> None:
        """The TTFT lab, on this conversation's backend and model."""
        from tui_app.screens.lab_screen import LabScreen  # loaded when first needed

        if self.services.backend is None or isinstance(self.app.screen, LabScreen):
            return
        self.app.push_screen(LabScreen(self.services, self.conversation.settings))

    def action_edit_prompt(self) -> None:
        if self.refuse_while_replying("edit"):
            return
        if self.conversation.last("user") is None:
            self.notify("There is no prompt to edit yet.", title="Edit", severity="warning")
            return
        self.edit_last_prompt()

    @work(group="chat-settings", exclusive=True, exit_on_error=False)
    async def action_chat_settings(self) -> None:
        """Pick the model from the backend's list and set this conversation's settings."""
        from tui_app.screens.chat_settings_screen import ChatSettingsScreen  # loaded when first needed
        backend = self.services.backend
        if backend is None or isinstance(self.app.screen, ChatSettingsScreen):
            return
        models, note = await self.models.refresh(await self.services.sdk_client(), backend.shown_url)
        chosen = await self.app.push_screen_wait(ChatSettingsScreen(self.conversation.settings, models, note))
        if chosen is None:
            return
        self.conversation.settings = chosen
        self.query_one(StatusBar).show_settings(chosen)
        self.show_figures()
        if self.services.writer is not None:
            self.services.writer.save_conversation(self.conversation)
        self.notify(f"Saved: this conversation asks {chosen.model} with these settings.", title="Settings")

    @work(group="export", exit_on_error=False)
    async def export_conversation(self, fmt: str) -> None:
        """Write the conversation on screen to a file the user names (Markdown or JSON)."""
        from tui_app.screens.export_dialog import export_conversation

        await export_conversation(self.app, self.conversation, self.services.writer, fmt, self.settings.prices)

    def system_commands(self) -> Iterable[SystemCommand]:
        """The chat's entries in the command palette."""
        return chat_commands(self)
