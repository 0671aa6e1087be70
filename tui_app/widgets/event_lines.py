"""A long, fast list of coloured lines with a cursor: one view of the event log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_app.textual_compat.sizes import SizeUpdates

KINDS = ("heading", "note", "message", "block", "delta", "ping", "error", "unknown", "problem")


class Line(NamedTuple):
    text: str
    """Already neutralised: nothing here reaches the terminal unescaped."""
    kind: str
    """One of KINDS: picks the colour, which comes from the theme."""
    entry: int
    """Index of the event-log entry this line shows."""
    time_width: int = 0
    """How many leading characters are the arrival time, drawn muted."""


def text_width(text: str) -> int:
    """How many cells a line's text takes on screen."""
    return cell_len(text.expandtabs())


def line_width(line: Line) -> int:
    return text_width(line.text)


class Lines(Protocol):
    """What a view shows: a list held whole, or lines made only when they are drawn."""

    widest: int
    """The widest of all the lines, in cells: how far the view scrolls to the right. It depends only on
    the lines, never on which of them happened to be drawn."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> Line: ...

    def __iter__(self) -> Iterator[Line]: ...

    def line_of_entry(self, entry: int) -> int | None:
        """The first line showing `entry`, if there is one."""
        ...


class LineList(list[Line]):
    """Lines made in advance (the raw view's: an event takes as many as its payload needs)."""

    widest = 0

    def line_of_entry(self, entry: int) -> int | None:
        for index, line in enumerate(self):
            if line.entry == entry:
                return index
        return None


class LineStyles:
    """The styles of one redraw: the widget's own, and each kind's on top of it, worked out when used."""

    def __init__(self, base: Style, component: Callable[[str], Style]) -> None:
        self.base = base
        self.component = component
        self._kinds: dict[str, Style] = {}

    def of(self, kind: str) -> Style:
        style = self._kinds.get(kind)
        if style is None:
            style = self._kinds[kind] = self.base + self.component(f"event-lines--{kind}")
        return style


class EventLines(SizeUpdates, ScrollView, can_focus=True):
    """Only the lines on screen are drawn, so a hundred thousand events cost no more than ten.

    The cursor selects a line for copying; the view follows new lines while it is scrolled to the end.
    """

    COMPONENT_CLASSES = {"event-lines--time", "event-lines--cursor", *(f"event-lines--{kind}" for kind in KINDS)}
    DEFAULT_CSS = """
    EventLines {
        /* Scrollbars always there: the height to scroll by never changes under the follow logic,
           and following the newest line works before the first layout. */
        overflow-y: scroll;
        overflow-x: scroll;
        background: $surface;
        color: $foreground;
        &:focus { background-tint: $foreground 4%; }
        & > .event-lines--time { color: $event-time; }
        & > .event-lines--heading { color: $event-heading; text-style: bold; }
        & > .event-lines--note { color: $event-note; text-style: italic; }
        & > .event-lines--message { color: $event-message; }
        & > .event-lines--block { color: $event-block; }
        & > .event-lines--delta { color: $event-delta; }
        & > .event-lines--ping { color: $event-ping; }
        & > .event-lines--error { color: $event-error; text-style: bold; }
        & > .event-lines--unknown { color: $event-unknown; }
        & > .event-lines--problem { color: $event-problem; }
        & > .event-lines--cursor { background: $event-cursor; }
    }
    """
    BINDINGS = [
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("down", "move(1)", "Next", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("c,enter", "copy_event", "Copy event"),
        Binding("a", "copy_reply_events", "Copy reply's events"),
    ]

    cursor: reactive[int | None] = reactive(None, always_update=True)

    @dataclass
    class CopyRequested(Message):
        """The user asked to copy the selected line's event, or every event of its reply."""

        lines: EventLines
        entry: int | None
        whole_reply: bool

    def __init__(self, *, lines: Lines | None = None, max_lines: int = 20_000, id: str | None = None) -> None:
        """`lines`: a source that grows by itself (call `grew` when it has); without one, the view holds the
        lines given to `add_lines`, the latest `max_lines` of them."""
        super().__init__(id=id)
        self.max_lines = max_lines
        self._lines: Lines = LineList() if lines is None else lines
        self._following = True
        """Keep the newest line in view; off once the user scrolls up, on again at the end."""
        self._line_styles: LineStyles | None = None
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        """Lines already drawn, by line, scroll offset, width, selection and base style."""
        self._laid_out_as: tuple[Size, Size, Size] | None = None

    @property
    def lines(self) -> Lines:
        return self._lines

    def sizes_laid_out(self, size: Size, virtual_size: Size, container_size: Size, layout: bool) -> bool:
        """Only when the view's size or its lines changed. Textual's scroll view compares the size the layout
        gives its content with its own virtual size (the lines), which always differ, and so redrew its scroll
        bars at every layout of the screen: at every frame of a streaming reply."""
        laid_out_as = (size, self.virtual_size, container_size)
        if laid_out_as == self._laid_out_as:
            return False
        self._laid_out_as = laid_out_as
        resized = self.textual_sizes_laid_out(size, virtual_size, container_size, layout)
        if self._following:
            # A view made shorter, or shown again, keeps its offset: its newest lines would fall below it.
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        return resized

    def notify_style_update(self) -> None:
        self._strips.clear()  # a theme's colours are in them
        super().notify_style_update()

    def clear(self, lines: Lines | None = None) -> None:
        """Start again, empty, or on a new source of lines."""
        self._lines = LineList() if lines is None else lines
        self._following = True
        self.cursor = None
        self._strips.clear()
        self.grew()

    def add_lines(self, lines: list[Line]) -> None:
        if not lines:
            return
        assert isinstance(self._lines, LineList), "a view with a source of its own takes no lines"
        self._lines.extend(lines)
        excess = len(self._lines) - self.max_lines
        if excess > 0:
            del self._lines[:excess]
            if self.cursor is not None:
                self.cursor = self.cursor - excess if self.cursor >= excess else None
        self._lines.widest = max(self._lines.widest, *(line_width(line) for line in lines))
        self.grew()

    def grew(self) -> None:
        """Lines were added: size the scroll area, and follow the newest while at the end."""
        self.virtual_size = Size(self._lines.widest, len(self._lines))
        if self._following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def widen(self) -> None:
        """Take in the width of lines measured since the last look (a source measures its lines lazily)."""
        width = self._lines.widest
        if width != self.virtual_size.width:
            self.virtual_size = Size(width, self.virtual_size.height)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # At the end first: a view made taller (a resize, or shown for the first time) is pulled back to its
        # new end, which is not the user scrolling away.
        if new_value >= self.max_scroll_y:
            self._following = True
        elif new_value < old_value:
            self._following = False

    def line_of_entry(self, entry: int) -> int | None:
        """The first line showing `entry`, if it is still on screen."""
        return self._lines.line_of_entry(entry)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles are worked out once per redraw, not once per line: a redraw follows every batch of
        # events while a reply streams.
        self._line_styles = LineStyles(self.rich_style, self.get_component_rich_style)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        styles = self._line_styles or LineStyles(self.rich_style, self.get_component_rich_style)
        if index >= len(self._lines):
            return Strip.blank(width, styles.base)
        line = self._lines[index]
        key = (line, scroll_x, width, index == self.cursor, styles.base)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._draw(line, scroll_x, width, index == self.cursor, styles)
        return strip

    @staticmethod
    def _draw(line: Line, scroll_x: int, width: int, selected: bool, styles: LineStyles) -> Strip:
        text = line.text.expandtabs()
        segments = []
        if line.time_width:
            segments.append(Segment(text[: line.time_width], styles.of("time")))
        segments.append(Segment(text[line.time_width :], styles.of(line.kind)))
        strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, styles.base)
        if selected:
            strip = strip.apply_style(styles.component("event-lines--cursor"))
        return strip

    def watch_cursor(self, cursor: int | None) -> None:
        if cursor is not None:
            self.scroll_to_region(Region(0, cursor, 1, 1), animate=False, immediate=True, x_axis=False)
        self.refresh()

    def action_move(self, step: int) -> None:
        if not self._lines:
            return
        if self.cursor is None:
            self.cursor = len(self._lines) - 1 if step < 0 else max(0, self.scroll_offset.y)
        else:
            self.cursor = min(max(self.cursor + step, 0), len(self._lines) - 1)

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        if self._lines:
            self.cursor = where % len(self._lines)

    def action_copy_event(self) -> None:
        entry = self._lines[self.cursor].entry if self.cursor is not None else None
        self.post_message(self.CopyRequested(self, entry, whole_reply=False))

    def action_copy_reply_events(self) -> None:
        entry = self._lines[self.cursor].entry if self.cursor is not None else None
        self.post_message(self.CopyRequested(self, entry, whole_reply=True))

    def on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self._lines):
            self.cursor = index
