"""F3: the saved conversations, newest first: search their text, open, rename or delete one."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_app.screens.confirm_screen import ConfirmScreen
from tui_app.screens.text_prompt_screen import TextPromptScreen
from tui_app.store.database import ConversationSummary, StoreError
from tui_app.store.writer import StoreWriter
from tui_app.text_safety import neutralize


@dataclass
class ConversationsChoice:
    """What happened on the screen: the conversation to open, if any, and every change made."""

    open: int | None = None
    deleted: set[int] = field(default_factory=set)
    renamed: dict[int, str] = field(default_factory=dict)


def describe(summary: ConversationSummary, now: float) -> Content:
    when = time.strftime("%H:%M" if now - summary.updated < 86_400 else "%Y-%m-%d", time.localtime(summary.updated))
    turns = f"{summary.turns} turn{'s' * (summary.turns != 1)}"
    line = Content.assemble((neutralize(summary.title), "bold"), "\n",
                            (f"  #{summary.id} · {when} · {neutralize(summary.model)} · {turns}", "dim"))
    if summary.match:
        line = Content.assemble(line, "\n", (f"  {neutralize(summary.match)}", "italic"))
    return line


class ConversationList(OptionList):
    BINDINGS = [
        Binding("r", "screen.rename", "Rename"),
        Binding("d,delete", "screen.delete", "Delete"),
        Binding("slash", "screen.focus_search", "Search", show=False),
    ]


class ConversationsScreen(ModalScreen[ConversationsChoice]):
    """Reads through the app's store writer, so lookups queue behind any save still being written."""

    AUTO_FOCUS = "#conversations-search"

    DEFAULT_CSS = """
    ConversationsScreen { align: center middle; background: $background 60%; }
    #conversations {
        width: 100; max-width: 100%; height: 90%; padding: 0 1;
        border: round $primary; border-title-color: $primary; border-subtitle-color: $foreground 70%;
        background: $surface;
    }
    #conversations-list { height: 1fr; border: none; background: $surface; }
    #conversations-status { color: $foreground 70%; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("f2", "rename", "Rename"),
        Binding("down", "focus_list", "List", show=False),
    ]

    def __init__(self, writer: StoreWriter, current: int | None) -> None:
        super().__init__()
        self.writer = writer
        self.current = current
        self.choice = ConversationsChoice()
        self._summaries: list[ConversationSummary] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="conversations") as box:
            box.border_title = "Conversations"
            box.border_subtitle = "Enter open · r/F2 rename · d delete · / search · Escape close"
            yield Input(placeholder="Search titles and text…", id="conversations-search")
            yield Static(id="conversations-status")
            yield ConversationList(id="conversations-list")

    def on_mount(self) -> None:
        self.refresh_list("")

    @on(Input.Changed, "#conversations-search")
    def search_changed(self, event: Input.Changed) -> None:
        self.refresh_list(event.value)

    @work(group="conversations-list", exclusive=True, exit_on_error=False)
    async def refresh_list(self, search: str) -> None:
        status = self.query_one("#conversations-status", Static)
        try:
            summaries = await self.writer.call(self.writer.store.conversations, search.strip() or None)
        except StoreError as error:
            status.update(Content(neutralize(f"Cannot read the conversations: {error}")))
            return
        before = self.highlighted
        self._summaries = summaries
        listing = self.query_one(ConversationList)
        now = time.time()
        listing.set_options(Option(describe(summary, now), id=str(summary.id)) for summary in summaries)
        if summaries:
            ids = [summary.id for summary in summaries]
            listing.highlighted = ids.index(before.id) if before is not None and before.id in ids else 0
        found = f"{len(summaries)} conversation{'s' * (len(summaries) != 1)}"
        status.update(f"{found} matching “{search.strip()}”" if search.strip() else found)

    @property
    def highlighted(self) -> ConversationSummary | None:
        index = self.query_one(ConversationList).highlighted
        return self._summaries[index] if index is not None and index < len(self._summaries) else None

    @on(Input.Submitted, "#conversations-search")
    @on(OptionList.OptionSelected, "#conversations-list")
    def open_highlighted(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        event.stop()
        chosen = self.highlighted
        if chosen is not None:
            self.choice.open = chosen.id
            self.dismiss(self.choice)

    def action_close(self) -> None:
        self.dismiss(self.choice)

    def action_focus_list(self) -> None:
        self.set_focus(self.query_one(ConversationList))  # at once: the next Down of a burst moves in the list

    def action_focus_search(self) -> None:
        self.query_one(Input).focus()

    @work(group="conversations-edit", exit_on_error=False)
    async def action_rename(self) -> None:
        chosen = self.highlighted
        if chosen is None:
            return
        title = await self.app.push_screen_wait(TextPromptScreen("Rename conversation", chosen.title))
        if title is None or title == chosen.title:
            return
        try:
            await self.writer.call(self.writer.store.rename, chosen.id, title)
        except StoreError as error:
            self.notify(str(error), title="Not renamed", severity="error")
            return
        self.choice.renamed[chosen.id] = title
        self.refresh_list(self.query_one(Input).value)

    @work(group="conversations-edit", exit_on_error=False)
    async def action_delete(self) -> None:
        chosen = self.highlighted
        if chosen is None:
            return
        question = f"Delete “{chosen.title}” (#{chosen.id}, {chosen.turns} turns) and all its events?"
        if chosen.id == self.current:
            question += "\nIt is the conversation on screen; a new one will take its place."
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        try:
            await self.writer.call(self.writer.store.delete, chosen.id)
        except StoreError as error:
            self.notify(str(error), title="Not deleted", severity="error")
            return
        self.choice.deleted.add(chosen.id)
        self.notify(f"Deleted “{chosen.title}”.", title="Conversations")
        self.refresh_list(self.query_one(Input).value)
