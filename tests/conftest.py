"""Shared helpers: the real app on the built-in demo backend, and ways to wait on it without sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from textual.pilot import Pilot

from tui_app.app import ClaudeTUI
from tui_app.clipboard import Clipboard, ClipboardFailed, NativeClipboard
from tui_app.demo.pacing import UNPACED
from tui_app.demo.scripts import Script, Send, choose_script
from tui_app.demo.server import DemoServer
from tui_app.screens.reply_display import ReplyEnded, ReplyStarted
from tui_app.settings import Settings
from tui_app.stream.session import ReplySession
from tui_app.widgets.code_block import CodeBlock

WAIT_LIMIT = 20.0


class WatchedTUI(ClaudeTUI):
    """The real app, keeping the replies it announces (`ReplyStarted`, `ReplyEnded`) for tests to read."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: list[ReplySession] = []
        self.ended: list[ReplySession] = []

    def on_reply_started(self, message: ReplyStarted) -> None:
        self.sessions.append(message.session)

    def on_reply_ended(self, message: ReplyEnded) -> None:
        self.ended.append(message.session)


@pytest.fixture
def make_app(tmp_path) -> Callable[..., ClaudeTUI]:
    """The real app with no key in its environment, so it starts on the demo backend (unpaced), keeping
    its conversations in the test's own folder."""

    def make(**overrides: object) -> ClaudeTUI:
        clock = overrides.pop("clock", None)
        resume = overrides.pop("resume", None)
        watch = overrides.pop("watch", None)
        settings = Settings(demo_pacing=UNPACED)
        settings.history.file = str(tmp_path / "conversations.db")
        for name, value in overrides.items():
            setattr(settings, name, value)
        return WatchedTUI(settings, environ={}, clock=clock, resume=resume, watch=watch)

    return make


async def until(pilot: Pilot, condition: Callable[[], bool], what: str) -> None:
    """Let the app run until `condition` holds; fail with `what` if it never does."""
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause()


async def until_highlighted(pilot: Pilot) -> None:
    """Let the app run until every code block is highlighted (each is drawn plain until its lexer is ready)."""
    await until(pilot, lambda: all(block.highlighted for block in pilot.app.query(CodeBlock)),
                "the code to be highlighted")


async def send(pilot: Pilot, prompt: str) -> None:
    """Type a prompt as a user would and press Enter."""
    for character in prompt:
        await pilot.press(character if character != " " else "space")
    await pilot.press("enter")


async def send_and_finish(pilot: Pilot, prompt: str) -> None:
    app = pilot.app
    before = len(app.sessions)
    await send(pilot, prompt)
    await until(pilot, lambda: len(app.sessions) > before, "the reply to start")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def start_stalled_reply(pilot: Pilot) -> ReplySession:
    """Send the `stall` prompt and wait until all the text before the stall is in; the reply stays open."""
    app = pilot.app
    await send(pilot, "stall please")
    await until(pilot, lambda: bool(app.sessions), "the reply to start")
    session = app.sessions[-1]
    partial = expected_script(app).text
    await until(pilot, lambda: session.reply.text == partial, "the text sent before the stall")
    return session


def expected_script(app: ClaudeTUI, index: int = -1) -> Script:
    """What the demo backend sent for a request: the same script, rebuilt from the request it got."""
    return choose_script(app.demo_server.requests[index], UNPACED)


def sent_event_names(script: Script) -> list[str]:
    return [step.event for step in script.steps if isinstance(step, Send)]


@dataclass
class Clipboards:
    """Stand-ins for the machine's clipboard program and the terminal, recording what they got."""

    native_works: bool = True
    native_present: bool = True
    terminal_problem: str | None = None
    native: list[str] = field(default_factory=list)
    terminal: list[str] = field(default_factory=list)

    def install(self, app, environ: dict[str, str] | None = None) -> None:
        def copy(text: str) -> None:
            if not self.native_works:
                raise ClipboardFailed("xclip failed: Can't open display: :0")
            self.native.append(text)

        app.copier = Clipboard(
            environ or {},
            find_native=lambda: NativeClipboard("xclip", copy) if self.native_present else None,
            send_to_terminal=self.terminal.append,
            terminal_problem=lambda: self.terminal_problem,
        )


def shown_markdown(reply_view) -> str:
    """The Markdown source a reply view shows so far, across its text blocks."""
    from tui_app.widgets.text_block_view import TextBlockView

    return "".join(view.source for view in reply_view.query(TextBlockView))


def notifications(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def copied(pilot: Pilot, count: int = 1) -> None:
    """Wait until `count` notifications have been shown (a copy reports from its thread)."""
    await until(pilot, lambda: len(pilot.app._notifications) >= count, "the copy notification")


@pytest.fixture
def demo() -> Iterator[DemoServer]:
    """A demo backend of the test's own, unpaced, for a client other than the app (the SDK, a proxy, curl)."""
    backend = DemoServer(pacing=UNPACED)
    backend.start()
    yield backend
    backend.stop()


@pytest.fixture
def server() -> Iterator[DemoServer]:
    """A demo backend of the test's own, at its default pace (a test file may define its own `server`)."""
    demo = DemoServer()
    demo.start()
    yield demo
    demo.stop()
