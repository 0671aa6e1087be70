"""The conversation: user turns, assistant replies and notices, following new text as it arrives.

Only a window of turns is mounted: a long conversation opens on its last screen, older turns are drawn
as the user scrolls back to them, and turns far from view are unmounted, so a conversation of any
length costs the same number of widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from tui_app.markdown_split import estimated_rows
from tui_app.model.conversation import Turn
from tui_app.text_safety import neutralize
from tui_app.widgets.growing_frame import GrowingFrame
from tui_app.widgets.user_turn import UserTurn

if TYPE_CHECKING:
    from tui_app.widgets.reply_view import ReplyView

    TurnView = UserTurn | ReplyView

PAGE = 4
"""Turns drawn at a time each time the user scrolls past the edge, and at most on opening a conversation
(where only those that fill the screen are drawn; more follow if it is not full): laying out a reply's
Markdown is what opening a conversation waits for."""
TURN_FRAME_ROWS = 3
"""Rows a turn takes beyond its text's lines: its border, and the margin above it."""
TURN_FRAME_COLUMNS = 6
"""Columns the transcript's and a turn's borders and padding take from the width of its text."""
SETTLE_SECONDS = 0.5
"""After a conversation is shown, how long its turns may take to lay out before a view still short of
full draws older turns. Until they have, the view is short and scrolled to the top for a moment: paging
then drew a page nobody asked for, work the conversation waited for as it opened."""
WINDOW = 40
"""Turns mounted at most; those furthest from view make way."""


def prose_views():
    """The prose widget's module, imported as `reply_views` is, when a reply is first drawn."""
    from tui_app.widgets import prose_lines

    return prose_lines


def reply_views():
    """The reply widgets' module, imported when a reply is first drawn (or just after the first frame):
    importing Markdown and its parser would hold up the first frame."""
    from tui_app.widgets import reply_view

    return reply_view


class TranscriptView(GrowingFrame, VerticalScroll, can_focus=False):
    """Scrolls with the stream until the user scrolls away (an anchored container).

    Messages and code blocks inside it take focus, so they can be selected and copied from the keyboard.
    """

    BINDINGS = [
        Binding("up", "select(-1)", "Previous", show=False),
        Binding("down", "select(1)", "Next", show=False),
        Binding("escape", "app.focus('prompt')", "Back to prompt", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._turns: list[Turn] = []
        self._first = 0
        """Index in `_turns` of the first mounted turn; mounted turns run to `_end`."""
        self._end = 0
        self._older = Static(classes="more-turns", id="older-turns")
        self._newer = Static(classes="more-turns", id="newer-turns")
        self._paging = False
        self._steps_due = 0
        """Selection steps asked for while turns were being drawn, to take once they are."""
        self._settling = False
        """A conversation was just shown and its turns are being laid out: no paging yet."""
        self._drawing_near = False

    def compose(self):
        yield self._older
        yield self._newer

    def on_mount(self) -> None:
        self._show_counts()
        self.anchor()

    @property
    def turn_views(self) -> list[TurnView]:
        return [child for child in self.children if child.has_class("turn")]  # type: ignore[misc]

    @property
    def mounted_range(self) -> tuple[int, int]:
        """Which turns are mounted, as a slice of the conversation's turns."""
        return self._first, self._end

    @property
    def selectable(self) -> list[Widget]:
        """Messages and code blocks, in reading order."""
        return [widget for widget in self.screen.focus_chain if self in widget.ancestors]

    def action_select(self, step: int) -> None:
        if self._paging:  # keys that come while turns are drawn move on from where those leave the selection
            self._steps_due += step
            return
        items = self.selectable
        focused = self.screen.focused
        if not items or focused not in items:
            return
        position = items.index(focused) + step
        if position < 0 and self._first > 0:
            self._steps_due = position + 1  # the first step up selects the last of the older turns
            self._paging = True  # at once: the next key of a burst waits for these turns
            self.run_worker(self._page_older(select_last=True, started=True), group="transcript-paging")
            return
        # At once, not after this message as `focus()` would: the next Up of a burst moves on from it. Steps
        # past either end stop there.
        self.screen.set_focus(items[min(max(position, 0), len(items) - 1)])

    async def add_notice(self, text: str) -> None:
        await self.mount(Static(Content(neutralize(text)), classes="notice"), before=self._newer)

    async def show(self, turns: list[Turn]) -> None:
        """Show a whole conversation, drawing only its last turns; turns said later come through
        `add_user_turn` and `add_reply`."""
        # Notices stay (the demo backend, settings problems): they are about the app, not the conversation.
        await self.remove_children(self.turn_views)
        self._turns = list(turns)
        first, fills = self._last_screen()
        self._first = self._end = first
        await self._mount_range(first, len(turns), at_end=True)
        self._show_counts()  # an empty conversation mounts nothing, and must not keep the last one's counts
        self.anchor()
        self._settling = True
        if fills:
            self.set_timer(SETTLE_SECONDS, self._settled)
        else:
            self.call_after_refresh(self._settled)  # a short last screen draws more turns to fill it at once

    def _last_screen(self) -> tuple[int, bool]:
        """The first of the last turns that fill the view (at most `PAGE`), with the prompt of the first
        reply among them (a reply mounted but off screen costs as much as one on it), and whether they
        fill it.

        A turn's rows are judged by its text's lines wrapped at the view's width: drawn as Markdown it is
        rarely shorter. A guess too high leaves the view short for a moment, until `_settled` draws more.
        """
        turns = self._turns
        width, height = self.size.width - TURN_FRAME_COLUMNS, self.size.height
        if width <= 0 or height <= 0:  # not laid out yet
            return max(0, len(turns) - PAGE), False
        first, rows = len(turns), 0
        while first > max(0, len(turns) - PAGE) and rows < height:
            first -= 1
            rows += TURN_FRAME_ROWS + estimated_rows(turns[first].text, width)
        if 0 < first < len(turns) and turns[first].is_reply and not turns[first - 1].is_reply:
            first -= 1
        return first, rows >= height

    def _settled(self) -> None:
        self._settling = False
        self._check_edges()

    async def add_user_turn(self, turn: Turn) -> None:
        await self._append(turn, UserTurn(turn))

    async def add_reply(self, turn: Turn) -> ReplyView:
        """A reply view for the turn just added to the conversation, to stream into."""
        view = reply_views().ReplyView(turn)
        await self._append(turn, view)
        return view

    def mark_superseded(self, turns: list[Turn]) -> None:
        for view in self.turn_views:
            if view.turn in turns:
                view.show_superseded()

    async def _append(self, turn: Turn, view: TurnView) -> None:
        if self._end < len(self._turns):  # the user had scrolled far back: draw the latest turns again first
            await self.show(self._turns)
        self._turns.append(turn)
        self._end = len(self._turns)
        await self.mount(view, before=self._newer)
        await self._trim(from_top=True)
        self._show_counts()
        self.anchor()

    async def _mount_range(self, start: int, end: int, *, at_end: bool) -> list[TurnView]:
        views = [self._view_for(turn) for turn in self._turns[start:end]]
        if not views:
            return views
        if at_end:
            await self.mount_all(views, before=self._newer)
            self._end = end
        else:
            first = self.turn_views[0] if self.turn_views else self._newer
            await self.mount_all(views, before=first)
            self._first = start
        self._show_counts()
        return views

    def _view_for(self, turn: Turn) -> TurnView:
        return reply_views().ReplyView(turn, saved=True) if turn.is_reply else UserTurn(turn)

    async def _trim(self, *, from_top: bool) -> None:
        """Unmount the turns furthest from view beyond the window (never a reply still streaming)."""
        views = self.turn_views
        excess = len(views) - WINDOW
        if excess <= 0:
            return
        doomed = views[:excess] if from_top else views[-excess:]
        doomed = [view for view in doomed if not getattr(view, "streaming", False)]
        if not doomed:
            return
        if from_top:
            cut = self.children.index(doomed[-1]) + 1
            doomed_children = [child for child in self.children[:cut] if child is not self._older]
            self._first += len(doomed)
        else:
            doomed_children = list(doomed)
            self._end -= len(doomed)
        await self.remove_children(doomed_children)
        self._show_counts()

    def _show_counts(self) -> None:
        older, newer = self._first, len(self._turns) - self._end
        self._older.update(f"↑ {older} earlier turn{'s' * (older != 1)}: scroll up to see them")
        self._older.display = older > 0
        self._newer.update(f"↓ {newer} later turn{'s' * (newer != 1)}: scroll down to see them")
        self._newer.display = newer > 0

    @property
    def paging(self) -> bool:
        """Turns are being drawn or unmounted at an edge."""
        return self._paging

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._check_edges()
        if not self._drawing_near:
            self._draw_near()

    def _draw_near(self) -> None:
        """Long replies draw the prose not drawn yet that has scrolled within a screen of the view, before
        it is shown; the view scrolls by what it grew above its top, so what it shows stays in place."""
        prose_lines = [prose for prose in self.query(prose_views().ProseLines) if prose.pending]
        if not prose_lines:
            return
        top, height = self.region.y, self.region.height
        shift = sum(prose.draw_near(top - height, top + 2 * height) for prose in prose_lines)
        if shift and self.scroll_y < self.max_scroll_y:  # (following the end, the end stays in view anyway)
            self._drawing_near = True
            try:
                self.scroll_to(y=self.scroll_y + shift, animate=False, immediate=True)
            finally:
                self._drawing_near = False

    def _check_edges(self) -> None:
        if self._paging or self._settling or not self.is_mounted:
            return
        if self.scroll_y <= 0 and self._first > 0:
            self.run_worker(self._page_older(), group="transcript-paging")
        elif self.scroll_y >= self.max_scroll_y and self._end < len(self._turns) and self.max_scroll_y > 0:
            self.run_worker(self._page_newer(), group="transcript-paging")

    async def _page_older(self, select_last: bool = False, started: bool = False) -> None:
        if self._paging and not started:
            return
        self._paging = True
        try:
            keep = self.turn_views[0] if self.turn_views else None
            views = await self._mount_range(max(0, self._first - PAGE), self._first, at_end=False)
            await self._trim(from_top=False)
            if keep is not None:
                self.call_after_refresh(self._keep_at, keep, 0)
            if select_last and views:
                self.screen.set_focus(views[-1], scroll_visible=False)
        finally:
            self.call_after_refresh(self._paging_done)

    async def _page_newer(self) -> None:
        if self._paging:
            return
        self._paging = True
        try:
            views = self.turn_views
            keep = views[-1] if views else None
            offset = keep.virtual_region.y - self.scroll_y if keep is not None else 0
            await self._mount_range(self._end, min(len(self._turns), self._end + PAGE), at_end=True)
            await self._trim(from_top=True)
            if keep is not None:
                self.call_after_refresh(self._keep_at, keep, offset)
        finally:
            self.call_after_refresh(self._paging_done)

    def _keep_at(self, view: Widget, offset: float) -> None:
        """Scroll so `view` is `offset` rows below the top, where it was before turns came or went."""
        self.scroll_to(y=view.virtual_region.y - offset, animate=False, immediate=True)

    def _paging_done(self) -> None:
        self._paging = False
        steps, self._steps_due = self._steps_due, 0
        if steps and self.screen.focused in self.selectable:
            self.action_select(steps)
        self._check_edges()  # the user may have reached an edge again while turns were drawn
