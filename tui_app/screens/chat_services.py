"""What the chat screen needs from the app, as a protocol: the app provides it, the screen's parts use it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import anthropic

    from tui_app.settings import Settings
    from tui_app.store.writer import StoreWriter
    from tui_app.stream.backend import Backend
    from tui_app.stream.recorder import EventsFile
    from tui_app.stream.session import Clock


class ChatServices(Protocol):
    """What the chat needs from the app: settings, the backend, the store, the SDK client, the clipboard."""

    settings: Settings
    backend: Backend | None
    writer: StoreWriter | None
    store_problem: str | None
    events_file: EventsFile | None
    clock: Clock | None

    async def store_opened(self) -> None: ...

    async def sdk_client(self) -> anthropic.AsyncAnthropic: ...

    def copy_text(self, text: str, what: str) -> None: ...
