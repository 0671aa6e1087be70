"""One assistant reply: its content blocks as they stream, the sources it cites, then how it ended. A run of
consecutive text blocks is one text view (`text_block_view`); the other blocks' views are in `block_views`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from tui_app.model.citations import Source, TextRun, number_sources, plain_marker, text_runs
from tui_app.model.conversation import Turn
from tui_app.model.ending import Ending
from tui_app.stream.reply import ContentBlock, Reply
from tui_app.text_safety import neutralize
from tui_app.widgets.block_views import BlockView, OtherDeltasView, view_for
from tui_app.widgets.copy_request import copy_request_for
from tui_app.widgets.growing_frame import GrowingFrame
from tui_app.widgets.text_block_view import TextBlockView
from tui_app.widgets.user_turn import SUPERSEDED


def code_marker(numbers: Sequence[int]) -> str:
    """`[1][2]` as inline code: set apart from the text it follows, as a reference."""
    return f"`{plain_marker(numbers)}`"


@dataclass(slots=True)
class Part:
    """One view of the reply and the blocks it shows: a run of text blocks, or one other block."""

    view: TextBlockView | BlockView
    first: int
    """The position of its first block in the reply."""
    run: TextRun | None = None
    exact: bool = False
    """A text run built whole from blocks that had all arrived: it reads as the run does."""

    @property
    def size(self) -> int:
        return len(self.run.members) if self.run is not None else 1


class SourcesView(Static):
    """The sources the reply cites, numbered as its text refers to them: `[1] Title — url`."""

    def __init__(self) -> None:
        super().__init__(classes="reply-sources")
        self.display = False
        self._shown = 0

    def show(self, sources: Sequence[Source]) -> None:
        if len(sources) == self._shown:
            return
        self._shown = len(sources)
        self.display = bool(sources)
        lines = [Content.assemble((f"[{source.number}]", "bold"), " ", neutralize(source.described()))
                 for source in sources]
        self.update(Content("\n").join([Content.styled("Sources", "bold"), *lines]))


class ReplyView(GrowingFrame, Vertical, can_focus=True):
    """An assistant turn. `sync` brings it up to date with a streaming `Reply` (call it as often as you
    like) and `finish` shows how it ended; `show_saved` draws a reply read back from the store."""

    DEFAULT_CSS = """
    ReplyView { height: auto; }
    """
    BINDINGS = [Binding("c,enter", "copy", "Copy reply"), Binding("e", "show_events", "Its events"),
                Binding("r", "replay", "Replay it")]

    @dataclass
    class EventsRequested(Message):
        """Show this reply's wire events in the event log."""

        turn: Turn

    @dataclass
    class ReplayRequested(Message):
        """Play this reply's saved events again."""

        turn: Turn

    def __init__(self, turn: Turn, *, saved: bool = False) -> None:
        """`saved`: draw the turn as read back from the store, in one pass, rather than streaming into it."""
        super().__init__(classes="turn turn-assistant")
        self.turn = turn
        self._saved = turn.to_reply() if saved else None
        self.border_title = Content(neutralize(turn.model or ""))
        self._parts: list[Part] = []
        self._covered = 0
        """How many of the reply's blocks have a view."""
        self._sources: list[Source] = []
        self._citations = 0
        self._sources_view = SourcesView()
        self._deltas_view = OtherDeltasView()
        self._state = Static(classes="reply-state")
        self._state.display = False
        self._reply: Reply | None = None
        self.streaming = True
        """Until `finish`: a streaming reply is never unmounted to save memory."""
        self.show_superseded()

    def show_superseded(self) -> None:
        self.set_class(self.turn.superseded, "-superseded")
        self.border_subtitle = SUPERSEDED if self.turn.superseded else ""

    def action_copy(self) -> None:
        if self._reply is not None:
            self.post_message(copy_request_for(self._reply, "the reply"))

    def action_show_events(self) -> None:
        self.post_message(self.EventsRequested(self.turn))

    def action_replay(self) -> None:
        self.post_message(self.ReplayRequested(self.turn))

    def compose(self) -> ComposeResult:
        # A saved reply's blocks are composed with it: one layout pass for a whole page of turns.
        if self._saved is not None:
            blocks = self._saved.blocks
            self._sources = self._sources_of(blocks)
            runs = iter(text_runs(blocks))
            while self._covered < len(blocks):
                block = blocks[self._covered]
                if block.kind == "text":
                    run = TextRun.whole(next(runs), self._sources, code_marker)
                    part = Part(TextBlockView(run.block), self._covered, run, exact=True)
                else:
                    part = Part(view_for(block), self._covered)
                self._parts.append(part)
                self._covered += part.size
                yield part.view
        yield self._sources_view
        yield self._deltas_view
        yield self._state

    async def on_mount(self) -> None:
        if self._saved is not None:
            await self.finish(self._saved)

    async def sync(self, reply: Reply) -> None:
        self._reply = reply
        blocks = reply.blocks
        # The stream goes on adding blocks while a view is mounted here: only those seen now are covered.
        end = len(blocks)
        for position in range(self._covered, end):
            last = self._parts[-1] if self._parts else None
            if blocks[position].kind == "text" and last is not None and last.run is not None:
                last.run.add(blocks[position])  # the run goes on: the last part holds the blocks just before
                continue
            if blocks[position].kind == "text":
                run = TextRun(code_marker)
                run.add(blocks[position])
                part = Part(TextBlockView(), position, run)
            else:
                part = Part(view_for(blocks[position]), position)
            self._parts.append(part)
            await self.mount(part.view, before=self._sources_view)
        self._covered = end
        sources = self._sources_of(blocks)
        finished = reply.state.finished
        for number, part in enumerate(self._parts):
            if part.run is not None:
                part.run.update(sources, closed=finished or number < len(self._parts) - 1)
                await part.view.sync(part.run.block)
            else:
                await part.view.sync(blocks[part.first], reply)
        self._sources_view.show(sources)
        self._deltas_view.show(reply)

    def _sources_of(self, blocks: Sequence[ContentBlock]) -> list[Source]:
        """The reply's sources, numbered again only when a citation has come."""
        citations = sum(len(block.citations) for block in blocks)
        if citations != self._citations:
            self._citations = citations
            self._sources = number_sources(blocks)
        return self._sources

    async def finish(self, reply: Reply) -> None:
        """Show everything that arrived, then how the reply ended."""
        self.streaming = False
        await self.sync(reply)
        for part in self._parts:
            if part.run is not None:
                await part.view.settle(self._whole_run(part))
            else:
                await part.view.settle(reply.blocks[part.first], reply)
        label = Ending.of(reply).notice
        if label is None:
            return
        self._state.update(Content(neutralize(label)))
        self._state.set_class(True, f"-{reply.state.value}")
        self._state.display = True

    def _whole_run(self, part: Part) -> ContentBlock:
        """The run as it reads: what it showed, unless something came out of order (then drawn again)."""
        assert part.run is not None
        if part.exact:
            return part.run.block
        whole = TextRun.whole(part.run.members, self._sources, code_marker).block
        return part.run.block if whole.text == part.run.block.text else whole
