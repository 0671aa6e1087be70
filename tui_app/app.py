"""The full-screen app: wiring only. Streaming lives in `tui_app.stream`, drawing in `tui_app.widgets`."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.actions import SkipAction
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from tui_app.clipboard import Clipboard
from tui_app.config import remember_theme
from tui_app.demo.server import DemoServer
from tui_app.screens.help_screen import HelpScreen
from tui_app.settings import DEFAULT_THEME, Settings, demo_backend, key_action_names, real_backend
from tui_app.stream.backend import Backend, make_client
from tui_app.stream.conversation import Conversation
from tui_app.stream.recorder import EventsFile
from tui_app.stream.reply import ReplyState
from tui_app.stream.session import ReplyRequest, ReplySession
from tui_app.theme_loader import event_colour_defaults, load_themes
from tui_app.widgets.copy_request import CopyRequest
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.reply_view import ReplyView, copy_request_for
from tui_app.widgets.status_bar import StatusBar
from tui_app.widgets.transcript_view import TranscriptView

if TYPE_CHECKING:
    import anthropic

FLUSH_SECONDS = 1 / 15
"""How often streamed text reaches the screen. Per-token writes make Markdown re-parsing quadratic."""

DEMO_NOTICE = (
    "Demo backend: no ANTHROPIC_API_KEY is set, so replies come from the built-in demo server on "
    "this machine. Every event you see is real SSE over HTTP. Try a prompt with essay, think, tool, overload, drop, "
    "stall or echo in it; set ANTHROPIC_API_KEY to talk to Claude."
)


class ClaudeTUI(App):
    """Talk to Claude and watch the stream: transcript, event log and status bar."""

    TITLE = "claude-tui"
    CSS_PATH = "app.tcss"
    AUTO_FOCUS = "#prompt"
    BINDINGS = [
        # Priority where the prompt (a TextArea) would otherwise take the key: it binds Ctrl+Y to redo.
        # The ids are the [keys] names of the config file; its keymap replaces these defaults.
        Binding("escape", "cancel_reply", "Cancel reply", priority=True, id="cancel_reply"),
        Binding("ctrl+y", "copy_reply", "Copy reply", priority=True, id="copy_reply"),
        Binding("ctrl+r", "toggle_raw", "Raw events", priority=True, id="raw_events"),
        Binding("f2", "toggle_events", "Events panel", id="events_panel"),
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
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self._environ = os.environ if environ is None else environ
        self._clock = clock
        self.backend: Backend | None = None
        self.demo_server: DemoServer | None = None
        self.conversation = Conversation()
        self.session: ReplySession | None = None
        self.sessions: list[ReplySession] = []
        self._client: anthropic.AsyncAnthropic | None = None
        self._events_file: EventsFile | None = None
        self._reply_view: ReplyView | None = None
        self.copier = Clipboard(self._environ, send_to_terminal=self._send_to_terminal_clipboard)
        self._config_lock = threading.Lock()
        self._theme_to_save = DEFAULT_THEME

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="conversation"):
                yield TranscriptView(id="transcript")
                yield PromptInput(self.settings.keys, id="prompt")
            yield EventLog(id="events")
        yield StatusBar(id="status")
        yield Footer(id="footer")

    async def on_mount(self) -> None:
        settings = self.settings
        self.set_keymap({action: getattr(settings.keys, action) for action in key_action_names()})
        transcript = self.query_one(TranscriptView)
        problems = [*settings.problems, *self._apply_themes()]
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
            try:
                self._events_file = EventsFile(self.settings.events_file)
            except OSError as error:
                await transcript.add_notice(
                    f"Cannot write the events file {self.settings.events_file}: {error.strerror}. "
                    "Events are still shown here."
                )
        self.query_one(StatusBar).show_idle(backend.label, self.settings.model)
        self._warm_up_sdk()

    def _apply_themes(self) -> list[str]:
        """Register every theme that loads, pick the configured one, and start remembering changes."""
        user_dir = self.settings.config_path.parent / "themes" if self.settings.config_path else None
        themes, theme_problems = load_themes(user_dir)
        for theme in themes:
            self.register_theme(theme)
        problems = [str(problem) for problem in theme_problems]
        wanted = self.settings.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            names = ", ".join(sorted(self.available_themes))
            problems.append(f'theme "{wanted}" ({self.settings.source("theme")}) does not exist; '
                            f"these do: {names}")
            self.theme = DEFAULT_THEME
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        return problems

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Colours the app's own CSS uses (the event log's), for themes that do not set them."""
        return event_colour_defaults(self.current_theme.to_color_system().generate())

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

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up_sdk(self) -> None:
        """Import the SDK off the first frame: it takes most of a second."""
        import anthropic  # noqa: F401

    def on_unmount(self) -> None:
        if self.demo_server is not None:
            self.demo_server.stop()
        if self._events_file is not None:
            self._events_file.close()

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
        return True

    @on(PromptInput.Submitted)
    async def send_prompt(self, event: PromptInput.Submitted) -> None:
        if self.replying:
            self.notify("A reply is still streaming: Escape cancels it.", severity="warning")
            return
        event.prompt_input.clear()
        self.conversation.add_user(event.text)
        await self.query_one(TranscriptView).add_user_turn(event.text)
        self.stream_reply()

    @work(group="reply", exclusive=True, exit_on_error=False)
    async def stream_reply(self) -> None:
        """Stream one reply into the transcript, the event log and the status bar."""
        assert self.backend is not None
        settings = self.settings
        request = ReplyRequest(
            model=settings.model,
            max_tokens=settings.max_tokens,
            messages=self.conversation.messages(),
            system=settings.system,
            temperature=settings.temperature,
        )
        if self._client is None:
            self._client = await asyncio.to_thread(make_client, self.backend)
        session = ReplySession(
            self._client,
            request,
            base_url=self.backend.base_url,
            on_event=self._events_file.write if self._events_file is not None else None,
        )
        if self._clock is not None:
            session.clock = self._clock
        self.session = session
        self.sessions.append(session)
        if self._events_file is not None:
            self._events_file.next_reply()
        self._reply_view = await self.query_one(TranscriptView).add_reply(request.model)
        self.query_one(EventLog).begin_reply(f"reply {len(self.sessions)} · {request.model}", session.events)
        self.refresh_bindings()
        timer = self.set_interval(FLUSH_SECONDS, self._flush_reply)
        try:
            async for _event in session.stream():
                pass
        finally:
            timer.stop()
            await self._finish_reply(session)

    async def _flush_reply(self) -> None:
        """Bring the screen up to date with the stream: one batch per tick, whatever arrived."""
        session = self.session
        if session is None or self._reply_view is None:
            return
        await self._reply_view.sync(session.reply)
        self.query_one(EventLog).sync()
        self.query_one(StatusBar).show_session(session)

    async def _finish_reply(self, session: ReplySession) -> None:
        reply = session.reply
        assert self._reply_view is not None
        await self._reply_view.finish(reply)
        event_log = self.query_one(EventLog)
        event_log.sync()
        ending = reply.state.value + (f": {reply.reason}" if reply.reason else "")
        if reply.state is ReplyState.DONE:
            ending += f" ({reply.stop_reason})"
        event_log.note(f"stream ended · {ending}")
        event_log.refresh_view()
        self.query_one(StatusBar).show_session(session)
        self.conversation.add_assistant(reply.text)
        self.refresh_bindings()
        if reply.state in (ReplyState.FAILED, ReplyState.INCOMPLETE) and session.failure is not None:
            self.notify(session.failure.message, title=f"Reply {reply.state.value}", severity="error")

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
        self._copy_in_background(text, what)

    @work(thread=True, group="clipboard", exit_on_error=False)
    def _copy_in_background(self, text: str, what: str) -> None:
        outcome = self.copier.copy(text)
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
        if not self.sessions:
            self.notify("There is no reply to copy yet.", title="Copy", severity="warning")
            return
        request = copy_request_for(self.sessions[-1].reply, "the last reply")
        self.copy_text(request.text, request.what)

    def action_help(self) -> None:
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
