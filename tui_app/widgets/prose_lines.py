"""A run of a reply's prose (paragraphs, headings, lists, tables, quotes) drawn as lines: one widget, however
long, drawing only the rows on screen."""

from __future__ import annotations

from bisect import bisect_right
from typing import ClassVar

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import Heading, ListItem, TableElement
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.theme import Theme
from textual import events
from textual.color import Color
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from tui_app.markdown_parser import parse
from tui_app.markdown_split import estimated_rows
from tui_app.textual_compat.sizes import LaidOutOnce

OPENED_LINKS = ("https://", "http://", "mailto:")
"""What a click on a link opens: a reply's links may point anywhere (a file, an app's own scheme)."""


NEAR_SCREENS = 3
"""Pieces within this many screens' height of the end are drawn as soon as they are laid out."""


BLANK = Strip([])


class LeftHeading(Heading):
    LEVEL_ALIGN: ClassVar = dict.fromkeys(Heading.LEVEL_ALIGN, "left")


class NumberedItem(ListItem):
    """A list item numbered `1.`, as Markdown writes it (Rich draws `1`)."""

    def render_number(self, console: Console, options: ConsoleOptions, number: int, last_number: int
                      ) -> RenderResult:
        width = len(str(last_number)) + 3
        lines = console.render_lines(self.elements, options.update(width=options.max_width - width),
                                     style=self.style)
        style = console.get_style("markdown.item.number", default="none")
        numeral, padding = Segment(f"{number}.".rjust(width - 1) + " ", style), Segment(" " * width, style)
        for index, line in enumerate(lines):
            yield numeral if index == 0 else padding
            yield from line
            yield Segment("\n")


class GridTable(TableElement):
    """A table drawn in a grid, each cell boxed (Rich draws rules under the header only)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = Table(box=box.SQUARE, style="markdown.table.border", show_edge=True)
        if self.header is not None and self.header.row is not None:
            for column in self.header.row.cells:
                heading = column.content.copy()
                heading.stylize("markdown.table.header")
                table.add_column(heading)
        for row in self.body.rows if self.body is not None else []:
            table.add_row(*(cell.content for cell in row.cells))
        yield table


class ReplyMarkdown(RichMarkdown):
    """Rich's Markdown, parsed by the reply's parser (GitHub's Markdown and its links), headings on the left,
    numbered items with their dot, tables in a grid."""

    elements: ClassVar = {**RichMarkdown.elements, "heading_open": LeftHeading, "list_item_open": NumberedItem,
                          "table_open": GridTable}

    def __init__(self, text: str, *, dark: bool, references: dict[str, dict] | None = None) -> None:  # noqa: D107
        # Not Rich's own: it makes a parser of its own at every call, which costs more than parsing a piece.
        self.markup = text
        self.parsed = parse(text, references)
        self.code_theme = self.inline_code_theme = "monokai" if dark else "default"
        self.justify = None
        self.style = "none"
        self.hyperlinks = True
        self.inline_code_lexer = None


def markdown_theme(variables: dict[str, str]) -> Theme:
    """Rich's Markdown styles in the colours of the app's theme, as Textual's Markdown widgets take them."""

    def colour(name: str, fallback: str = "foreground") -> str:
        value = variables.get(name) or variables.get(fallback) or "white"
        try:
            return Color.parse(value).rich_color.name
        except Exception:  # (a theme's own value Rich cannot read: drawn in the text's colour)
            return "default"

    def heading(level: int) -> Style:
        text_style = variables.get(f"markdown-h{level}-text-style", "bold")
        text_style = "" if text_style == "none" else text_style
        return Style.parse(f"{text_style} {colour(f'markdown-h{level}-color', 'primary')}")

    styles: dict[str, str | Style] = {f"markdown.h{level}": heading(level) for level in range(1, 7)}
    styles |= {
        "markdown.h1.border": colour("primary"),
        "markdown.code": Style.parse(f"{colour('text-accent', 'accent')} on {colour('boost', 'surface')}"),
        "markdown.link": Style.parse(f"underline {colour('text-primary', 'primary')}"),
        "markdown.link_url": Style.parse(f"underline {colour('text-primary', 'primary')}"),
        "markdown.block_quote": colour("text-secondary", "secondary"),
        "markdown.item.bullet": Style.parse(f"bold {colour('text-primary', 'primary')}"),
        "markdown.item.number": Style.parse(f"bold {colour('text-primary', 'primary')}"),
        "markdown.hr": colour("primary"),
        "markdown.table.border": colour("primary"),
        "markdown.table.header": Style.parse(f"bold {colour('text-primary', 'primary')}"),
    }
    return Theme(styles, inherit=True)


def render_prose(text: str, width: int, console: Console, theme: Theme, *, dark: bool,
                 references: dict[str, dict] | None = None) -> list[Strip]:
    with console.use_theme(theme):
        options = console.options.update(width=width, max_width=width, highlight=False)
        markdown = ReplyMarkdown(text, dark=dark, references=references)
        lines = console.render_lines(markdown, options, pad=False, new_lines=False)
    strips = [Strip(line) for line in lines]
    # Rich opens some blocks (lists, tables, quotes) with blank rows: pieces are one blank row apart.
    start, end = 0, len(strips)
    while start < end and not strips[start].text.strip():
        start += 1
    while end > start and not strips[end - 1].text.strip():
        end -= 1
    return strips[start:end]


class ProseLines(LaidOutOnce, Widget):
    """Pieces of prose, each drawn once at a width and kept, a blank row between them."""

    DEFAULT_CSS = """
    ProseLines { height: auto; }
    """
    ALLOW_SELECT = True

    def __init__(self, texts: list[str], references: dict[str, dict] | None = None) -> None:
        super().__init__(classes="prose")
        self._texts = texts
        self._references = references or {}
        """The text's link reference definitions, which any piece may use."""
        self._drawn: dict[str, list[Strip]] = {}
        """Each piece's rows, at `_drawn_as`."""
        self._drawn_as: tuple[int, str, bool] | None = None
        self._drawn_before: tuple[tuple[int, str, bool] | None, dict[str, list[Strip]]] = (None, {})
        """The rows drawn at the key before: a scroll bar coming and going changes the width back and forth."""
        self._theme: Theme | None = None
        self._rows: list[Strip] | None = None
        self._starts: list[int] = []
        """The row each piece starts at, in `_rows`."""
        self._estimates: dict[str, int] = {}
        """Each piece not drawn yet: how many rows it is estimated to take, at `_drawn_as`."""
        self._estimated: set[int] = set()
        """The pieces whose rows in `_rows` are blank, of their estimated height: not drawn yet."""

    def update(self, texts: list[str], references: dict[str, dict] | None = None) -> None:
        """Show `texts` instead: pieces already drawn are not drawn again; only rows that changed are."""
        references = references or {}
        if references != self._references:  # (a definition came: any piece may use it)
            self._references, self._texts = references, texts
            self._drawn, self._estimates, self._rows = {}, {}, None
            self.refresh(layout=True)
            return
        if texts == self._texts:
            return
        same = 0
        for old, new in zip(self._texts, texts, strict=False):
            if old != new:
                break
            same += 1
        first_row = self._starts[same] if self._rows is not None and same < len(self._starts) else 0
        height = len(self._rows) if self._rows is not None else None
        self._texts = texts
        self._rows = None
        if height is None or not self.size.width:
            self.refresh(layout=True)
            return
        rows = self._lines(self.size.width)
        if len(rows) != height:
            self.refresh(layout=True)
        else:
            self.refresh(Region(0, first_row, self.size.width, max(1, height - first_row)))

    @property
    def pending(self) -> bool:
        """Some pieces far from the end are not drawn yet: their rows are estimated (see `_arranged`)."""
        return bool(self._estimated)

    def _lines(self, width: int) -> list[Strip]:
        key = (width, self.app.theme, self.app.current_theme.dark)
        if key != self._drawn_as:
            before, drawn_before = self._drawn_before
            same_width = self._drawn_as is not None and self._drawn_as[0] == width
            # A new theme leaves every piece its height: those not drawn again at once keep it as their estimate.
            estimates = {text: len(lines) for text, lines in self._drawn.items()} if same_width else {}
            self._drawn_before = (self._drawn_as, self._drawn)
            self._drawn = drawn_before if before == key else {}
            self._drawn_as, self._rows, self._theme, self._estimates = key, None, None, estimates
        if self._rows is None:
            self._arranged(width)
        assert self._rows is not None
        return self._rows

    def _arranged(self, width: int) -> None:
        """Lay the pieces' rows end to end. Those within a few screens of the end are drawn now; others not
        drawn yet (a burst of text, a long reply read back) hold rows of their estimated height until they
        are scrolled to (or selected)."""
        if self._theme is None:
            self._theme = markdown_theme(self.app.theme_variables)
        near = NEAR_SCREENS * max(self.app.size.height, 24)
        pieces: list[list[Strip]] = []
        drawn: dict[str, list[Strip]] = {}
        estimated: set[int] = set()
        below = 0
        for index in range(len(self._texts) - 1, -1, -1):
            text = self._texts[index]
            lines = self._drawn.get(text)
            if lines is None and below < near:
                lines = self._render(text)
            if lines is None:
                estimated.add(index)
                rows_of = self._estimates.get(text)
                if rows_of is None:
                    rows_of = self._estimates[text] = estimated_rows(text, width)
                lines = [BLANK] * rows_of
            else:
                drawn[text] = lines
            pieces.append(lines)
            below += len(lines) + 1
        rows: list[Strip] = []
        starts = []
        for lines in reversed(pieces):
            if rows:
                rows.append(BLANK)
            starts.append(len(rows))
            rows.extend(lines)
        self._drawn, self._rows, self._starts, self._estimated = drawn, rows, starts, estimated

    def _render(self, text: str) -> list[Strip]:
        """A piece's rows, at `_drawn_as` (whose theme `_theme` is)."""
        assert self._drawn_as is not None and self._theme is not None
        width, _, dark = self._drawn_as
        return render_prose(text, width, self.app.console, self._theme, dark=dark, references=self._references)

    def _draw_pieces(self, indexes: list[int]) -> None:
        """Draw the pieces at `indexes`, not drawn yet, and lay the rows out again."""
        for index in indexes:
            self._drawn[self._texts[index]] = self._render(self._texts[index])
        self._rows = None
        self.refresh(layout=True)

    def draw_near(self, top: int, bottom: int) -> int:
        """Draw the pieces not drawn yet whose rows lie, at least in part, between screen rows `top` and
        `bottom`; lay the rows out again. Returns by how many rows those starting above `top` grew beyond
        their estimate (fewer: negative), which the view scrolls by to keep what it shows in place."""
        if not self._estimated or self._rows is None:
            return 0
        y = self.region.y
        near = [index for index in self._estimated
                if y + self._starts[index] < bottom
                and y + self._starts[index] + self._estimates.get(self._texts[index], 1) > top]
        if not near:
            return 0
        self._draw_pieces(near)
        above = [self._texts[index] for index in near if y + self._starts[index] < top]
        return sum(len(self._drawn[text]) - self._estimates.get(text, len(self._drawn[text])) for text in above)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self._drawn_as is not None and self._drawn_as[1:] != (self.app.theme, self.app.current_theme.dark):
            self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        rows = self._lines(width)
        if self._estimated and y < len(rows):
            index = bisect_right(self._starts, y) - 1
            if index in self._estimated:  # scrolled to before it was drawn: drawn now
                self._draw_pieces([index])
                rows = self._lines(width)
        if len(rows) != self.size.height:
            self.refresh(layout=True)  # laid out again here (a new width): its height is laid out next
        style = self.visual_style.rich_style
        if y >= len(rows):
            return Strip.blank(width, style)
        strip = rows[y]
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            strip = _selected(strip, span, self.screen.get_component_rich_style("screen--selection"))
        return strip.crop_extend(0, width, style).apply_offsets(0, y)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        rows = [strip.text.rstrip() for strip in self._lines(self.size.width)]
        for index in self._estimated:  # not drawn yet: its source lines stand in its rows, row for row
            row = self._starts[index]
            for line in self._texts[index].split("\n"):
                if row < len(rows):
                    rows[row] = line
                row += estimated_rows(line, self.size.width)
        return selection.extract("\n".join(rows)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        link = event.style.link
        if link:
            event.stop()
            if link.lower().startswith(OPENED_LINKS):
                self.app.open_url(link)
            else:
                self.notify(f"Not opened: {link} (only web and mail links are opened).", severity="warning")


def _selected(strip: Strip, span: tuple[int, int], style: Style) -> Strip:
    """`strip` with the characters `span` covers (an end of -1: to the end) in the selection's style. The
    span counts characters, the strip cells (a wide character takes two); either end may lie past the row."""
    text = strip.text
    start, end = span
    width = strip.cell_length
    start = min(width, cell_len(text[:start]))
    end = width if end == -1 else min(width, cell_len(text[:end]))
    if start >= end:
        return strip
    before, middle, after = strip.divide([start, end, width])
    middle = Strip([Segment(segment_text, (segment_style or Style()) + style, control)
                    for segment_text, segment_style, control in middle])
    return Strip.join([before, middle, after])
