"""The full-screen app: wiring only. Streaming lives in `tui_app.stream`, drawing in `tui_app.widgets`."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.actions import SkipAction
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui_app.config import remember_theme
from tui_app.conversation_actions import ConversationActions
from tui_app.demo.server import DemoServer
from tui_app.frame_pacing import FramePacer, Interval
from tui_app.gc_policy import CollectionPolicy, release_collections_after_start_up
from tui_app.model.conversation import ChatSettings, Conversation, Turn
from tui_app.model.ending import Ending
from tui_app.screens.main_screen import MainScreen
from tui_app.settings import DEFAULT_THEME, Settings, demo_backend, key_action_names, real_backend
from tui_app.store.errors import StoreError
from tui_app.stream.backend import Backend, make_client
from tui_app.stream.reply import ReplyState
from tui_app.text_safety import neutralize
from tui_app.theme_loader import event_colour_defaults, load_themes
from tui_app.widgets import code_lexers
from tui_app.widgets.copy_request import CopyRequest, copy_request_for
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.key_footer import KeyFooter
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.status_bar import StatusBar
from tui_app.widgets.transcript_view import TranscriptView, reply_views

if TYPE_CHECKING:
    import anthropic

    from tui_app.clipboard import Clipboard
    from tui_app.store.writer import StoreWriter
    from tui_app.stream.recorder import EventsFile
    from tui_app.stream.session import ReplySession
    from tui_app.widgets.reply_view import ReplyView

FLUSH_SECONDS = 1 / 25
"""How often streamed text reaches the screen (the first token is shown as soon as it arrives).
Per-token writes make Markdown re-parsing quadratic. A frame takes 25 to 40 ms on two slow cores: at 20
a second p99 lag was 5-30 ms longer, at 15 longer still; at 30, when frames took 40 to 60 ms, frames
queued up behind each other and lag grew."""
EVENT_LOG_SECONDS = 1 / 10
"""How often the event log catches up while a reply streams (the transcript does at every frame).
Following the newest events redraws its whole view and its scroll bar, sixty lines on a full screen:
a fifth of a frame. Each event still shows the time it arrived."""
COLLECT_AFTER_SECONDS = 1.0
"""Garbage is collected this long after a reply has finished, once its last frame is drawn."""
SAVE_SECONDS = 0.5
"""How often a streaming reply's new events are saved."""

Resume = int | str | None
"""A conversation id to open, `"last"` for the most recent, or None for a new conversation."""

RESUME_FIRST_FRAME_WAIT = 0.5
"""Seconds the first frame waits for a conversation being resumed before it is drawn without it."""

DEMO_NOTICE = (
    "Demo backend: no ANTHROPIC_API_KEY is set, so replies come from the built-in demo server on "
    "this machine. Every event you see is real SSE over HTTP. Try a prompt with essay, think, tool, overload, drop, "
    "stall, malformed or echo in it, or \"status 529\" / \"flaky 529\" for an HTTP error (always / twice); "
    "set ANTHROPIC_API_KEY to talk to Claude."
)


class ClaudeTUI(ConversationActions, App):
    """Talk to Claude and watch the stream: transcript, event log and status bar."""

    TITLE = "claude-tui"
    CSS_PATH = "app.tcss"
    AUTO_FOCUS = "#prompt"
    _theme_chosen = False
    BINDINGS = [
        # Priority where the prompt (a TextArea) would otherwise take the key: it binds Ctrl+Y to redo.
        # The ids are the [keys] names of the config file; its keymap replaces these defaults.
        Binding("escape", "cancel_reply", "Cancel reply", priority=True, id="cancel_reply"),
        Binding("ctrl+y", "copy_reply", "Copy reply", priority=True, id="copy_reply"),
        Binding("ctrl+r", "toggle_raw", "Raw events", priority=True, id="raw_events"),
        Binding("f2", "toggle_events", "Events panel", show=False, id="events_panel"),
        Binding("f3", "conversations", "Conversations", id="conversations"),
        Binding("f4", "chat_settings", "Model", show=False, id="chat_settings"),
        Binding("f5", "retry", "Retry", id="retry"),
        Binding("ctrl+up", "edit_prompt", "Edit last prompt", show=False, priority=True, id="edit_prompt"),
        Binding("ctrl+n", "new_conversation", "New", show=False, priority=True, id="new_conversation"),
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, priority=True, id="command_palette"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
    ]

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] | None = None,
        resume: Resume = None,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self._environ = os.environ if environ is None else environ
        self._clock = clock
        self._resume = resume
        self.backend: Backend | None = None
        self.demo_server: DemoServer | None = None
        self.conversation = Conversation(self.default_chat_settings())
        self.writer: StoreWriter | None = None
        """Saves conversations; None while the store is opening, or when it cannot be used."""
        self.store_problem: str | None = None
        self._editing: Turn | None = None
        """The prompt being edited, which the next prompt sent replaces."""
        self.session: ReplySession | None = None
        self.sessions: list[ReplySession] = []
        self._reply_turn: Turn | None = None
        self._events_saved = 0
        self._last_save = 0.0
        self._pacer = FramePacer()
        self._drawing = asyncio.Lock()
        """Held while the reply view is brought up to date: the timer's flush, the first token's and the
        final one must not interleave, or two of them could draw into a block view not yet mounted."""
        self._attempts_noted = 0
        self._event_log_pacer = Interval(EVENT_LOG_SECONDS)
        self._store_ready = asyncio.Event()
        """Set once the store is open or known to be unusable: replies wait for it, so none goes unsaved."""
        self._client_build: Future[anthropic.AsyncAnthropic] | None = None
        """The SDK client, being built or built (on a thread of its own: building it imports the SDK)."""
        self._events_file: EventsFile | None = None
        self._reply_view: ReplyView | None = None
        self.copier: Clipboard | None = None
        """Where copies go: the machine's clipboard or the terminal's, found at the first copy."""
        self._config_lock = threading.Lock()
        self._theme_to_save = DEFAULT_THEME
        self._collection = CollectionPolicy()
        self._theme_problems = self._choose_theme()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification is plain text: most carry a server's, a file's or a model's words, and markup in
        them would be parsed (a `[/x]` raises, an `[@click=…]` runs an action)."""
        super().notify(neutralize(message), title=neutralize(title), severity=severity, timeout=timeout,
                       markup=False)

    def get_default_screen(self) -> Screen:
        return MainScreen()

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="conversation"):
                yield TranscriptView(id="transcript")
                yield PromptInput(self.settings.keys, id="prompt")
            yield EventLog(id="events")
        yield StatusBar(id="status")
        yield KeyFooter(id="footer")

    async def on_mount(self) -> None:
        code_lexers.hold()  # until the first frame is out
        settings = self.settings
        self.set_keymap({action: getattr(settings.keys, action) for action in key_action_names()})
        transcript = self.query_one(TranscriptView)
        problems = [*settings.problems, *self._theme_problems]
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.query_one("#events").display = settings.panels.events
        self.query_one("#status").display = settings.panels.status
        self.query_one("#footer").display = settings.panels.footer
        if problems:
            await transcript.add_notice(
                "Settings problems (the defaults were used for these):\n" + "\n".join(f"• {p}" for p in problems)
            )
        backend = real_backend(self.settings, self._environ)
        if backend is None:
            self.demo_server = DemoServer(pacing=self.settings.demo_pacing)
            backend = demo_backend(self.settings, self.demo_server.start())
            await transcript.add_notice(DEMO_NOTICE)
        self.backend = backend
        if self.settings.events_file is not None:
            from tui_app.stream.recorder import EventsFile

            try:
                self._events_file = EventsFile(self.settings.events_file, on_problem=self._events_file_failed)
            except OSError as error:
                await transcript.add_notice(
                    f"Cannot write the events file {self.settings.events_file}: {error.strerror}. "
                    "Events are still shown here."
                )
        if self.settings.debug_log is not None:
            await transcript.add_notice(f"Debug log: {self.settings.debug_log} (credentials redacted).")
        self.query_one(StatusBar).show_idle(backend.label, self.conversation.settings)
        self._loop = asyncio.get_running_loop()
        if self._resume is not None:
            self._open_store()
            # The first frame waits (a little) for the conversation asked for: drawing an empty
            # transcript first, then the conversation, costs a whole extra frame. A locked database
            # waits behind the first frame instead.
            await asyncio.wait([asyncio.ensure_future(self._store_ready.wait())], timeout=RESUME_FIRST_FRAME_WAIT)
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        release_collections_after_start_up()
        code_lexers.release()
        if self._resume is None:
            # Nothing to show from it yet: SQLite and the store load once the first frame is out (4 ms).
            self._open_store()

    def default_chat_settings(self) -> ChatSettings:
        settings = self.settings
        return ChatSettings(settings.model, settings.max_tokens, settings.system, settings.temperature)

    @work(group="store", exit_on_error=False)
    async def _open_store(self) -> None:
        """Open the conversations database off the first frame (a locked one makes it wait), then save
        anything already said and open the conversation asked for."""
        try:
            await self._open_store_now()
        finally:
            self._store_ready.set()
            # Only now: importing the SDK holds the interpreter for most of a second, and a conversation
            # being resumed would be drawn at half speed meanwhile.
            self.call_after_refresh(self._warm_up)

    async def _open_store_now(self) -> None:
        transcript = self.query_one(TranscriptView)
        path = self.settings.history_path
        if path is None:
            self.store_problem = "conversations are not kept ([history] enabled = false, or --no-history)"
            if self._resume is not None:
                await transcript.add_notice(f"Nothing to resume: {self.store_problem}.")
            return
        from tui_app.store.database import Store
        from tui_app.store.writer import StoreWriter

        try:
            store = await asyncio.to_thread(Store.open, path)
        except StoreError as error:
            self.store_problem = str(error)
            await transcript.add_notice(f"Conversations are not being saved: {error}. Everything else works.")
            return
        if store.notice is not None:
            await transcript.add_notice(f"Conversations are saved elsewhere this run: {store.notice}.")
        self.writer = StoreWriter(store, self._store_failed)
        self.writer.save_all(self.conversation)
        if self._resume is not None and not self.conversation.turns:
            await self._resume_conversation(self._resume)

    def _events_file_failed(self, problem: str) -> None:
        self.notify(f"{problem}. The reply goes on; its events are still shown and saved with the conversation.",
                    title="Events file", severity="error")

    def _store_failed(self, error: StoreError) -> None:
        """Called on the store's thread: hand over to the UI without waiting on it."""
        self._loop.call_soon_threadsafe(self._report_store_failure, error)

    def _report_store_failure(self, error: StoreError) -> None:
        self.store_problem = str(error)
        self.notify(f"Conversations are no longer being saved: {error}", title="History", severity="error",
                    timeout=20)

    def _choose_theme(self) -> list[str]:
        """Register every theme that loads and start on the configured one, before the first frame.

        Set here rather than once mounted: a theme set after the style sheet is first applied parses
        and applies it all again, a fifth of the time to the first frame.
        """
        user_dir = self.settings.config_path.parent / "themes" if self.settings.config_path else None
        themes, theme_problems = load_themes(user_dir)
        for theme in themes:
            self.register_theme(theme)
        problems = [str(problem) for problem in theme_problems]
        wanted = self.settings.theme
        if wanted not in self.available_themes:
            names = ", ".join(sorted(self.available_themes))
            problems.append(f'theme "{wanted}" ({self.settings.source("theme")}) does not exist; '
                            f"these do: {names}")
            wanted = DEFAULT_THEME
        # What App._watch_theme does, without the style sheet refresh it schedules: nothing is styled yet.
        self.set_reactive(App.theme, wanted)
        dark = self.current_theme.dark
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self.add_class(f"-theme-{wanted}", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self._theme_chosen = True
        self.stylesheet.set_variables(self.get_css_variables())
        return problems

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, with the colours the app's own CSS uses (the event log's) for themes that do
        not set them, picked from the theme's. Textual also asks while the app is being made, before the
        theme is chosen: that answer is replaced before anything is styled, so it is not worked out (2 ms
        before the first frame)."""
        if not self._theme_chosen:
            return {}
        variables = super().get_css_variables()
        self.theme_variables = {**event_colour_defaults(variables), **variables}
        return self.theme_variables

    def _theme_changed(self, theme: object) -> None:
        if self.settings.config_path is not None:
            self._theme_to_save = self.theme
            self._remember_theme(self.settings.config_path)

    @work(thread=True, group="config", exit_on_error=False)
    def _remember_theme(self, path: Path) -> None:
        """Save the chosen theme in the config file, off the UI thread. The palette previews themes as
        the user browses, so saves can overlap: each writes the newest choice, one at a time."""
        with self._config_lock:
            try:
                remember_theme(path, self._theme_to_save)
            except OSError as error:
                reason = error.strerror or str(error)
                self.call_from_thread(self.notify, f"The theme was not saved to {path}: {reason}",
                                      title="Theme", severity="warning")

    def _warm_up(self) -> None:
        """Load what the first reply needs once the first screen is drawn: the reply widgets and the
        streaming session here (a twentieth of a second), the SDK client on a thread of its own (most
        of a second)."""
        reply_views()
        import_module("tui_app.stream.session")
        self._build_client_soon()

    def _build_client_soon(self) -> Future[anthropic.AsyncAnthropic]:
        if self._client_build is None:
            assert self.backend is not None
            build: Future[anthropic.AsyncAnthropic] = Future()
            build.set_running_or_notify_cancel()  # a reply cancelled while it waits leaves the build be
            backend = self.backend

            def run() -> None:
                try:
                    build.set_result(make_client(backend))
                except BaseException as error:  # handed to whoever waits for the client
                    build.set_exception(error)

            # A daemon thread: quitting during the import does not wait for it.
            threading.Thread(target=run, name="sdk-client", daemon=True).start()
            self._client_build = build
        return self._client_build

    async def on_unmount(self) -> None:
        code_lexers.release()  # (if the first frame never came)
        build = self._client_build
        if build is not None and build.done() and build.exception() is None:
            await build.result().close()
        if self.writer is not None:
            self.writer.close()
        if self.demo_server is not None:
            self.demo_server.stop()
        if self._events_file is not None:
            self._events_file.close()

    async def sdk_client(self) -> anthropic.AsyncAnthropic:
        """The one SDK client (built just after start-up, or now if it is needed sooner)."""
        build = self._build_client_soon()
        try:
            return await asyncio.wrap_future(build)
        except Exception:
            if self._client_build is build:
                self._client_build = None  # the next reply tries again
            raise

    @property
    def streaming(self) -> bool:
        return self.session is not None and not self.session.reply.state.finished

    @property
    def replying(self) -> bool:
        """A reply is under way, from the moment its prompt is accepted (before its session exists,
        while the SDK may still be loading) until it has been drawn."""
        return any(worker.group == "reply" and not worker.is_finished for worker in self.workers)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_reply":
            # Over a modal screen (the command palette, say) Escape belongs to that screen.
            return self.streaming and not self.screen.is_modal
        if action in ("edit_prompt", "new_conversation") and self.screen.is_modal:
            return False
        return True

    def _refuse_while_replying(self, what: str) -> bool:
        if self.replying:
            self.notify(f"A reply is still streaming: Escape cancels it, then {what}.", severity="warning")
        return self.replying

    def _save(self, turn: Turn) -> None:
        if self.writer is not None:
            self.writer.save_turn(self.conversation, turn)

    @on(PromptInput.Submitted)
    async def send_prompt(self, event: PromptInput.Submitted) -> None:
        if self._refuse_while_replying("send again"):
            return
        event.prompt_input.clear()
        event.prompt_input.remember(event.text)
        transcript = self.query_one(TranscriptView)
        if self._editing is not None and self._editing is self.conversation.last("user"):
            aside = self.conversation.supersede_last_prompt()
            transcript.mark_superseded(aside)
            for turn in aside:
                self._save(turn)
        self._stop_editing()
        turn, unanswered = self.conversation.add_user(event.text)
        transcript.mark_superseded(unanswered)
        for earlier in unanswered:
            self._save(earlier)
        self.sub_title = neutralize(self.conversation.title)
        await transcript.add_user_turn(turn)
        self._save(turn)
        self.stream_reply()

    @work(group="reply", exclusive=True, exit_on_error=False)
    async def stream_reply(self) -> None:
        """Stream one reply into the transcript, the event log and the status bar, saving as it goes."""
        assert self.backend is not None
        await self._store_ready.wait()
        from tui_app.stream.session import ReplyRequest, ReplySession

        settings = self.conversation.settings
        request = ReplyRequest(
            model=settings.model,
            max_tokens=settings.max_tokens,
            messages=self.conversation.messages(),
            system=settings.system,
            temperature=settings.temperature,
        )
        turn = self.conversation.add_reply(settings.model)
        turn.settings = {name: value for name, value in request.params().items() if name != "messages"}
        self._reply_turn, self._events_saved, self._last_save, self._attempts_noted = turn, 0, 0.0, 0
        self._event_log_pacer = Interval(EVENT_LOG_SECONDS)
        self._pacer = FramePacer()
        self._save(turn)
        session = ReplySession(
            await self.sdk_client(),
            request,
            base_url=self.backend.shown_url,
            on_event=self._events_file.write if self._events_file is not None else None,
        )
        if self._clock is not None:
            session.clock = self._clock
        self.session = session
        self.sessions.append(session)
        if self._events_file is not None:
            self._events_file.next_reply()
        self._reply_view = await self.query_one(TranscriptView).add_reply(turn)
        number = len(self.conversation.replies)
        self.query_one(EventLog).begin_reply(number, f"reply {number} · {request.model}", session.events)
        self.refresh_bindings()
        timer = self.set_interval(FLUSH_SECONDS, self._flush_reply)
        self._collection.reply_started()
        try:
            waiting_for_first = True
            async for _event in session.stream():
                if waiting_for_first and session.timings.first_token is not None:
                    waiting_for_first = False
                    await self._flush_reply()  # the first token is shown at once, not at the next tick
        finally:
            async with self._drawing:
                timer.stop()  # (cancelling its task: never in the middle of drawing, which would lose text)
            try:
                await self._finish_reply(session)
            finally:
                self._collection.reply_finished()
                self.set_timer(COLLECT_AFTER_SECONDS, self._collection.collect_if_idle)

    async def _flush_reply(self) -> None:
        """Bring the screen up to date with the stream: one batch per tick, whatever arrived."""
        session = self.session
        if session is None or self._reply_view is None:
            return
        if not self._pacer.due(len(session.events), session.elapsed()):
            return  # a burst: the screen catches up at the next frame due, or when the reply ends
        with self.batch_update():  # one frame for the whole flush, not one per widget it touches
            async with self._drawing:
                await self._reply_view.sync(session.reply)
            event_log = self.query_one(EventLog)
            self._note_attempts(session, event_log)
            if self._event_log_pacer.due(session.elapsed()):
                event_log.sync()
            self.query_one(StatusBar).show_session(session)
        if session.elapsed() - self._last_save >= SAVE_SECONDS:
            self._last_save = session.elapsed()
            self._save_progress(session)
        self.call_after_refresh(self._collection.collect_recent, session.elapsed())  # once the frame is out

    def _note_attempts(self, session: ReplySession, event_log: EventLog) -> None:
        """The SDK's retries, in the event log where the reply's events go."""
        for attempt in session.attempts[self._attempts_noted :]:
            event_log.note(f"⟳ {attempt.describe()}")
        self._attempts_noted = len(session.attempts)

    def _save_progress(self, session: ReplySession) -> None:
        """Save the reply as it stands and the events that arrived since the last save."""
        turn = self._reply_turn
        if self.writer is None or turn is None:
            return
        turn.update_from(session)
        self._save(turn)
        new = session.events[self._events_saved :]
        self._events_saved += len(new)
        self.writer.save_events(turn, new)

    async def _finish_reply(self, session: ReplySession) -> None:
        reply = session.reply
        # Saved first: when the app is quitting, the screen may be gone before this returns.
        self._save_progress(session)
        assert self._reply_view is not None
        async with self._drawing:
            await self._reply_view.finish(reply)
        event_log = self.query_one(EventLog)
        self._note_attempts(session, event_log)
        event_log.sync()
        event_log.note(f"stream ended · {Ending.of(reply).summary}")
        event_log.refresh_view()
        self.query_one(StatusBar).show_session(session)
        self.refresh_bindings()
        failure = session.failure
        if reply.state in (ReplyState.FAILED, ReplyState.INCOMPLETE) and failure is not None:
            retry = f" ({self.settings.keys.label('retry')} retries)"
            self.notify(failure.message + retry, title=f"Reply {reply.state.value}", severity="error", timeout=12)
            from tui_app.stream.failures import FailureKind

            rejected = failure.kind in (FailureKind.AUTH, FailureKind.REJECTED, FailureKind.USAGE)
            if rejected and not reply.blocks and not self.query_one(PromptInput).text.strip():
                # Refused before a word arrived: the prompt goes back to be fixed and sent in its place.
                self.edit_last_prompt()

    @on(Worker.StateChanged)
    def report_worker_error(self, event: Worker.StateChanged) -> None:
        """A failure inside the app itself is shown, never swallowed: the next prompt must still work."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        self.notify(f"{type(error).__name__}: {error}", title="Internal error", severity="error")
        if event.worker.group == "reply":
            if self.session is not None and not self.session.reply.state.finished:
                self.session.reply.finish(ReplyState.FAILED, f"internal error: {error}")
            self.refresh_bindings()

    @on(CopyRequest)
    def copy_requested(self, request: CopyRequest) -> None:
        request.stop()
        self.copy_text(request.text, request.what)

    def copy_text(self, text: str, what: str) -> None:
        """Copy in a thread: a clipboard program may take its time, and the UI must not wait."""
        if not text:
            self.notify(f"Nothing was copied: {what} is empty.", title="Copy", severity="warning")
            return
        if self.copier is None:
            from tui_app.clipboard import Clipboard

            self.copier = Clipboard(self._environ, send_to_terminal=self._send_to_terminal_clipboard)
        self._copy_in_background(self.copier, text, what)

    @work(thread=True, group="clipboard", exit_on_error=False)
    def _copy_in_background(self, copier: Clipboard, text: str, what: str) -> None:
        outcome = copier.copy(text)
        message, severity = outcome.describe(what)
        title = "Copied" if outcome.copied else "Not copied"
        self.call_from_thread(self.notify, message, title=title, severity=severity)

    def _send_to_terminal_clipboard(self, text: str) -> None:
        """The OSC 52 path; called from the copy thread, written by the UI thread."""
        self.call_from_thread(App.copy_to_clipboard, self, text)

    def copy_to_clipboard(self, text: str) -> None:
        """Textual's own copies (text selected with the mouse, then Ctrl+C) take the same honest path."""
        self._clipboard = text
        self.copy_text(text, "the selected text")

    def action_copy_reply(self) -> None:
        turn = self.conversation.last("assistant")
        if turn is None:
            self.notify("There is no reply to copy yet.", title="Copy", severity="warning")
            return
        live = self.session is not None and turn is self._reply_turn
        request = copy_request_for(self.session.reply if live else turn.to_reply(), "the last reply")
        self.copy_text(request.text, request.what)

    async def on_reply_view_events_requested(self, request: ReplyView.EventsRequested) -> None:
        """`e` on a reply: its events in the log, read back from the store when needed."""
        replies = self.conversation.replies
        if request.turn not in replies:
            return
        number = replies.index(request.turn) + 1
        event_log = self.query_one(EventLog)
        event_log.display = True
        if not event_log.has_reply(number):
            await self._show_saved_events(number, request.turn)
        event_log.show_reply(number)

    @on(PromptInput.Changed)
    def prompt_changed(self, event: PromptInput.Changed) -> None:
        if self._editing is not None and not event.text_area.text.strip():
            self._stop_editing()

    def action_help(self) -> None:
        from tui_app.screens.help_screen import HelpScreen  # loaded when first needed

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.settings.keys))

    def action_cancel_reply(self) -> None:
        if not self.check_action("cancel_reply", ()):
            raise SkipAction()
        self.workers.cancel_group(self, "reply")

    def action_toggle_raw(self) -> None:
        events = self.query_one(EventLog)
        events.display = True
        events.toggle_raw()

    def action_toggle_events(self) -> None:
        events = self.query_one(EventLog)
        events.display = not events.display

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Raw events", "Switch the event log between summaries and raw payloads",
                            self.action_toggle_raw)
        yield SystemCommand("Events panel", "Show or hide the event log", self.action_toggle_events)
        yield SystemCommand("Copy last reply", "Copy the last reply's Markdown source", self.action_copy_reply)
        yield SystemCommand("Keys", "Every key binding, as configured (F1)", self.action_help)
        yield SystemCommand("Conversations", "Search, open, rename or delete saved conversations",
                            self.action_conversations)
        yield SystemCommand("New conversation", "Start afresh; this one stays saved", self.action_new_conversation)
        yield SystemCommand("Model and settings", "Model, system prompt, temperature, max tokens",
                            self.action_chat_settings)
        yield SystemCommand("Retry last reply", "Ask again; the old reply is kept, set aside", self.action_retry)
        yield SystemCommand("Edit last prompt", "Change the last prompt and send it in its place",
                            self.action_edit_prompt)
        yield SystemCommand("Export conversation as Markdown", "A readable file with a metadata header",
                            lambda: self.export_conversation("md"))
        yield SystemCommand("Export conversation as JSON", "Everything: turns, settings, usage, timings, events",
                            lambda: self.export_conversation("json"))

