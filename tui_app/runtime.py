"""The one composition root: what the TUI, print mode (and whatever else runs a reply) open and build the
same way: the backend (a configured server, or the demo one), the events file, a request and its session."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui_app.demo.server import DemoServer
from tui_app.model.asking import thinking_param
from tui_app.model.context import ContextUse, last_context
from tui_app.model.conversation import ChatSettings, Turn
from tui_app.settings import Settings, demo_backend, real_backend
from tui_app.stream.backend import Backend, make_client
from tui_app.stream.source import ReplyRequest

if TYPE_CHECKING:
    import anthropic

    from tui_app.proxy.feed import ExchangeFeed
    from tui_app.proxy.process import ProxyProcess
    from tui_app.proxy.server import InspectProxy
    from tui_app.stream.models import ModelCatalog
    from tui_app.stream.recorder import EventsFile
    from tui_app.stream.replay import Recording
    from tui_app.stream.session import Clock, ReplySession


@dataclass(slots=True)
class Runtime:
    """The backend a run talks to, and the demo server behind it when no server was configured."""

    backend: Backend
    demo_server: DemoServer | None = None

    @property
    def is_demo(self) -> bool:
        return self.demo_server is not None

    def close(self) -> None:
        if self.demo_server is not None:
            self.demo_server.stop()


def open_runtime(settings: Settings, environ: Mapping[str, str]) -> Runtime:
    """The configured server, or the built-in demo server started on loopback when there is none."""
    backend = real_backend(settings, environ)
    if backend is not None:
        return Runtime(backend)
    server = DemoServer(pacing=settings.demo_pacing)
    return Runtime(demo_backend(settings, server.start()), server)


def open_events_file(settings: Settings, on_problem: Callable[[str], None]) -> EventsFile | None:
    """The `--events` file, when one is asked for; raises OSError when it cannot be opened."""
    if settings.events_file is None:
        return None
    from tui_app.stream.recorder import EventsFile

    return EventsFile(settings.events_file, on_problem=on_problem)


def chat_settings(settings: Settings) -> ChatSettings:
    """What a new conversation asks with: the run's settings."""
    return ChatSettings(settings.model, settings.max_tokens, settings.system, settings.temperature,
                        thinking=settings.thinking, thinking_display=settings.thinking_display,
                        effort=settings.effort, cache=settings.cache)


def request_for(asking: ChatSettings, messages: list[dict[str, Any]],
                previous_message_id: str | None = None) -> ReplyRequest:
    """The request for the next reply. With caching on, the previous reply's id asks the server why a
    cache was missed, where it can say."""
    return ReplyRequest(
        model=asking.model,
        max_tokens=asking.max_tokens,
        messages=messages,
        system=asking.system,
        temperature=asking.temperature,
        thinking=thinking_param(asking.thinking, asking.thinking_display),
        effort=asking.effort,
        cache_control={"type": "ephemeral", "ttl": asking.cache} if asking.cache else None,
        diagnostics={"previous_message_id": previous_message_id} if asking.cache else None,
    )


async def context_warning(client: anthropic.AsyncAnthropic, catalog: ModelCatalog, request: ReplyRequest,
                          turns: list[Turn]) -> str | None:
    """Words for a request that nearly fills the model's context window or would not fit; None otherwise.
    The backend counts the request only once the conversation is past half the window (a count is a request)."""
    from tui_app.stream.models import count_input_tokens

    limit = catalog.context_window(request.model)
    before = last_context(turns)
    if limit is None or before is None or before < limit // 2:
        return None
    counted = await count_input_tokens(client, request.params())
    return ContextUse(counted, limit).warning() if counted is not None else None


def reply_session(
    client: anthropic.AsyncAnthropic,
    backend: Backend,
    request: ReplyRequest,
    events_file: EventsFile | None = None,
    clock: Clock | None = None,
    *,
    streamed: bool = True,
) -> ReplySession:
    """A session for one reply over the SDK, recording its events to the events file when there is one."""
    from tui_app.stream.session import ReplySession
    from tui_app.stream.source import SDKSource

    if events_file is not None:
        events_file.next_reply()
    session = ReplySession(
        SDKSource(client, request, streamed=streamed),
        base_url=backend.shown_url,
        on_event=events_file.write if events_file is not None else None,
    )
    if clock is not None:
        session.clock = clock
    return session


class ClientMaker:
    """The one SDK client of a run, built on a thread of its own: building it imports the SDK, which holds
    the interpreter long enough to be seen, so it is started early and waited for only when needed."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._build: Future[anthropic.AsyncAnthropic] | None = None

    def start(self) -> Future[anthropic.AsyncAnthropic]:
        if self._build is None:
            build: Future[anthropic.AsyncAnthropic] = Future()
            build.set_running_or_notify_cancel()  # a reply cancelled while it waits leaves the build be
            backend = self._backend

            def run() -> None:
                try:
                    build.set_result(make_client(backend))
                except BaseException as error:  # handed to whoever waits for the client
                    build.set_exception(error)

            # A daemon thread: quitting during the import does not wait for it.
            threading.Thread(target=run, name="sdk-client", daemon=True).start()
            self._build = build
        return self._build

    async def client(self) -> anthropic.AsyncAnthropic:
        """The client, built now if it is not yet; a failed build is tried again at the next call."""
        build = self.start()
        try:
            return await asyncio.wrap_future(build)
        except Exception:
            if self._build is build:
                self._build = None
            raise

    async def close(self) -> None:
        build = self._build
        if build is not None and build.done() and build.exception() is None:
            await build.result().close()


@dataclass
class Watch:
    """What the app shows instead of its own replies: a recording played again, or the exchanges of the
    inspecting proxy (already listening: it is stopped with `close`)."""

    recording: Recording | None = None
    speed: float = 1.0
    feed: ExchangeFeed | None = None
    proxy: ProxyProcess | InspectProxy | None = None
    """The app's runs in a process of its own (`ProxyProcess`); a test may give one on a thread."""
    upstream: str = ""
    warning: str | None = None
    """What the user must know about how the proxy listens (said on the terminal and in the transcript)."""

    def close(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
