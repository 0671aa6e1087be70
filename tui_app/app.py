"""The full-screen app: wiring only. Streaming lives in `tui_app.stream`, drawing in `tui_app.widgets`."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui_app.config import remember_theme
from tui_app.demo.server import DemoServer
from tui_app.gc_policy import release_collections_after_start_up
from tui_app.runtime import ClientMaker, Watch, open_events_file, open_runtime
from tui_app.screens.chat_screen import ChatScreen
from tui_app.settings import DEFAULT_THEME, Settings, key_action_names
from tui_app.store.errors import StoreError
from tui_app.stream.backend import Backend
from tui_app.text_safety import neutralize
from tui_app.textual_compat.clipboard import remember_copied_text
from tui_app.textual_compat.theme import set_theme_before_styling
from tui_app.theme_files import user_themes_dir
from tui_app.theme_loader import event_colour_defaults, load_themes
from tui_app.widgets import code_lexers
from tui_app.widgets.copy_request import CopyRequest
from tui_app.widgets.status_bar import StatusBar
from tui_app.widgets.transcript_view import reply_views

if TYPE_CHECKING:
    import anthropic

    from tui_app.clipboard import Clipboard
    from tui_app.store.writer import StoreWriter
    from tui_app.stream.recorder import EventsFile

Resume = int | str | None
"""A conversation id to open, `"last"` for the most recent, or None for a new conversation."""

RESUME_FIRST_FRAME_WAIT = 0.5
"""Seconds the first frame waits for a conversation being resumed before it is drawn without it."""

DEMO_NOTICE = (
    "Demo backend: no ANTHROPIC_API_KEY is set, so replies come from the built-in demo server on "
    "this machine, which refuses what the real API refuses. Every event you see is real SSE over HTTP. Try a prompt "
    "with essay, think, tool, search, redacted, omitted, pause (F6 continues), refuse, window, stop, compact, "
    "overload, drop, stall, malformed or echo in it, or \"status 529\" / \"flaky 529\" for an HTTP error "
    "(always / twice); set ANTHROPIC_API_KEY to talk to Claude."
)


class ClaudeTUI(App):
    """Talk to Claude and watch the stream: transcript, event log and status bar."""

    TITLE = "claude-tui"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    AUTO_FOCUS = "#prompt"
    _theme_chosen = False
    BINDINGS = [
        # The ids are the [keys] names of the config file; its keymap replaces these defaults. The chat's own
        # keys are the chat screen's.
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
        watch: Watch | None = None,
    ) -> None:
        """`watch`: show a recording played again, or the inspecting proxy's exchanges, not the chat's own."""
        super().__init__()
        self.watch = watch
        self.settings = settings or Settings()
        self._environ = os.environ if environ is None else environ
        self.clock = clock
        self._resume = resume
        self.backend: Backend | None = None
        self.demo_server: DemoServer | None = None
        self.events_file: EventsFile | None = None
        self.writer: StoreWriter | None = None
        """Saves conversations; None while the store is opening, or when it cannot be used."""
        self.store_problem: str | None = None
        self._store_ready = asyncio.Event()
        """Set once the store is open or known to be unusable: replies wait for it, so none goes unsaved."""
        self._client_maker: ClientMaker | None = None
        self.copier: Clipboard | None = None
        """Where copies go: the machine's clipboard or the terminal's, found at the first copy."""
        self._config_lock = threading.Lock()
        self._theme_to_save = DEFAULT_THEME
        self._theme_problems = self._choose_theme()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification is plain text: most carry a server's, a file's or a model's words, and markup in
        them would be parsed (a `[/x]` raises, an `[@click=…]` runs an action)."""
        super().notify(neutralize(message), title=neutralize(title), severity=severity, timeout=timeout,
                       markup=False)

    def get_default_screen(self) -> Screen:
        self.chat = ChatScreen(self)
        return self.chat

    def compose(self) -> ComposeResult:
        yield from self.chat.widgets_to_compose()

    async def on_mount(self) -> None:
        code_lexers.hold()  # until the first frame is out
        settings, chat = self.settings, self.chat
        chat.show_panels()
        self.set_keymap({action: getattr(settings.keys, action) for action in key_action_names()})
        problems = [*settings.problems, *self._theme_problems]
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if problems:
            await chat.add_notice(
                "Settings problems (the defaults were used for these):\n" + "\n".join(f"• {p}" for p in problems)
            )
        runtime = open_runtime(settings, self._environ)
        self.backend, self.demo_server = runtime.backend, runtime.demo_server
        self._client_maker = ClientMaker(runtime.backend)
        if runtime.is_demo and self.watch is None:
            await chat.add_notice(DEMO_NOTICE)
        try:
            self.events_file = open_events_file(settings, self._events_file_failed)
        except OSError as error:
            await chat.add_notice(
                f"Cannot write the events file {settings.events_file}: {error.strerror}. Events are still shown here."
            )
        if settings.debug_log is not None:
            await chat.add_notice(f"Debug log: {settings.debug_log} (credentials redacted).")
        chat.query_one(StatusBar).set_prices(settings.prices)
        chat.query_one(StatusBar).show_idle(self.backend.label, chat.conversation.settings)
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
        self.chat.read_models()
        if self._resume is None:
            self._open_store()  # nothing to show from it yet: SQLite and the store load after the first frame
        if self.watch is not None:
            self.run_worker(self._start_watching(self.watch), group="watch")

    async def _start_watching(self, watch: Watch) -> None:
        if watch.recording is not None:
            await self.chat.start_replay(watch.recording, watch.speed)
        elif watch.feed is not None and watch.proxy is not None:
            from tui_app.proxy.process import ProxyProcess

            loop = asyncio.get_running_loop()
            watch.feed.attach(loop)
            if isinstance(watch.proxy, ProxyProcess):
                watch.proxy.on_failure = partial(loop.call_soon_threadsafe, self._proxy_failed)
            await self.chat.start_inspecting(watch.feed, watch.proxy.url, watch.upstream)
            if watch.warning is not None:
                await self.chat.add_notice(watch.warning)
                self.notify(watch.warning, title="Inspect", severity="warning", timeout=10)

    def _proxy_failed(self, problem: str) -> None:
        self.notify(problem, title="Inspect", severity="error", timeout=30)
        self.run_worker(self.chat.add_notice(problem), group="watch")

    async def store_opened(self) -> None:
        """Wait until the store is open or known to be unusable: replies wait for it, so none goes unsaved."""
        await self._store_ready.wait()

    @work(group="store", exit_on_error=False)
    async def _open_store(self) -> None:
        """Open the conversations database off the first frame (a locked one makes it wait), then save
        anything already said and open the conversation asked for."""
        try:
            await self._open_store_now()
        finally:
            self._store_ready.set()
            # Only now: importing the SDK holds the interpreter a long while, and a conversation
            # being resumed would be drawn slowly meanwhile.
            self.call_after_refresh(self._warm_up)

    async def _open_store_now(self) -> None:
        chat = self.chat
        path = self.settings.history_path
        if path is None:
            self.store_problem = "conversations are not kept ([history] enabled = false, or --no-history)"
            if self._resume is not None:
                await chat.add_notice(f"Nothing to resume: {self.store_problem}.")
            return
        from tui_app.store.database import Store
        from tui_app.store.writer import StoreWriter

        try:
            store = await asyncio.to_thread(Store.open, path)
        except StoreError as error:
            self.store_problem = str(error)
            await chat.add_notice(f"Conversations are not being saved: {error}. Everything else works.")
            return
        if store.notice is not None:
            await chat.add_notice(f"Conversations are saved elsewhere this run: {store.notice}.")
        self.writer = StoreWriter(store, self._store_failed)
        self.writer.save_all(chat.conversation)
        chat.load_prompt_history()
        if self._resume is not None and not chat.conversation.turns:
            await chat.resume(self._resume)

    def _events_file_failed(self, problem: str) -> None:
        self.notify(f"{problem}. The reply goes on; its events are still shown and saved with the conversation.",
                    title="Events file", severity="error")

    def _store_failed(self, error: StoreError) -> None:
        """Called on the store's thread: hand over to the UI without waiting on it."""
        self._loop.call_soon_threadsafe(self._report_store_failure, error)

    def _report_store_failure(self, error: StoreError) -> None:
        self.store_problem = str(error)
        self.notify(f"Conversations are no longer being saved: {error}", title="History", severity="error",
                    timeout=10)

    def _choose_theme(self) -> list[str]:
        """Register every theme that loads and start on the configured one, before the first frame.

        Set here rather than once mounted: a theme set after the style sheet is first applied parses
        and applies it all again.
        """
        themes, theme_problems = load_themes(user_themes_dir(self.settings.config_path))
        for theme in themes:
            self.register_theme(theme)
        problems = [str(problem) for problem in theme_problems]
        wanted = self.settings.theme
        if wanted not in self.available_themes:
            names = ", ".join(sorted(self.available_themes))
            problems.append(f'theme "{wanted}" ({self.settings.source("theme")}) does not exist; '
                            f"these do: {names}")
            wanted = DEFAULT_THEME
        set_theme_before_styling(self, wanted)
        self._theme_chosen = True
        self.stylesheet.set_variables(self.get_css_variables())
        return problems

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, with the colours the app's own CSS uses (the event log's) for themes that do
        not set them, picked from the theme's. Textual also asks while the app is being made, before the
        theme is chosen: that answer is replaced before anything is styled, so it is not worked out."""
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
        streaming session here, the SDK client on a thread of its own (the slowest part by far)."""
        reply_views()
        import_module("tui_app.stream.session")
        if self._client_maker is not None:
            self._client_maker.start()

    async def on_unmount(self) -> None:
        code_lexers.release()  # (if the first frame never came)
        if self._client_maker is not None:
            await self._client_maker.close()
        if self.writer is not None:
            self.writer.close()
        if self.demo_server is not None:
            self.demo_server.stop()
        if self.events_file is not None:
            self.events_file.close()

    async def sdk_client(self) -> anthropic.AsyncAnthropic:
        """The one SDK client (built just after start-up, or now if it is needed sooner)."""
        assert self._client_maker is not None
        return await self._client_maker.client()

    @on(Worker.StateChanged)
    def report_worker_error(self, event: Worker.StateChanged) -> None:
        """A failure inside the app itself is shown, never swallowed: the next prompt must still work."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        self.notify(f"{type(error).__name__}: {error}", title="Internal error", severity="error")

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
        remember_copied_text(self, text)
        self.copy_text(text, "the selected text")

    def action_help(self) -> None:
        from tui_app.screens.help_screen import HelpScreen  # loaded when first needed

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.settings.keys))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own "Keys" panel is left out: ours lists every binding as configured, under the same name.
        yield from (command for command in super().get_system_commands(screen) if command.title != "Keys")
        yield SystemCommand("Keys", "Every key binding, as configured (F1)", self.action_help)
        yield from self.chat.system_commands()
