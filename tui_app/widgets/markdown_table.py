"""Markdown tables drawn as one widget, so a table that streams costs what a paragraph does.

Textual's table is a grid of one widget per cell, and while a table streams it removes and mounts its
last row's cells for every new piece of text, then lays the grid out again: the slowest frames of a
streamed reply were those of its tables. Here a table is one widget that draws its rows as lines.
"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets.markdown import MarkdownBlock

from tui_app.textual_compat.markdown import MarkdownTable, UpdatedInPlace, table_cells
from tui_app.textual_compat.sizes import LaidOutOnce

MIN_COLUMN = 3
"""Cells, padding included, below which a column is not narrowed to fit."""


def column_widths(natural: list[int], available: int) -> list[int]:
    """Widths (padding included) for columns that would like `natural`, in `available` cells.

    Columns grow in proportion to fill the width, like Textual's tables. When they cannot all fit,
    the narrow ones keep their width and the wide ones share what is left, none below `MIN_COLUMN`.
    """
    if not natural:
        return []
    total = sum(natural)
    if total <= available:
        widths = [width + (available - total) * width // total for width in natural]
        widths[-1] += available - sum(widths)
        return widths
    widths = list(natural)
    wide = set(range(len(natural)))
    room = available
    while wide:
        share = max(MIN_COLUMN, room // len(wide))
        narrow = {index for index in wide if natural[index] <= share}
        if not narrow:
            for index in wide:
                widths[index] = share
            leftover = room - share * len(wide)
            for index in sorted(wide)[: max(0, leftover)]:
                widths[index] += 1
            break
        wide -= narrow
        room -= sum(natural[index] for index in narrow)
    return widths


class TableGrid(LaidOutOnce, Widget):
    """The rows of a table, with lines between the cells; cells too long for their column wrap."""

    DEFAULT_CSS = """
    TableGrid { height: auto; width: 1fr; }
    TableGrid > .table-grid--header { color: $primary; }
    TableGrid > .table-grid--lines { color: $foreground 20%; }
    """

    COMPONENT_CLASSES = {"table-grid--header", "table-grid--lines"}

    def __init__(self, headers: list[Content], rows: list[list[Content]]) -> None:
        super().__init__()
        self.headers = headers
        self.rows = rows
        self._drawn: tuple[int, list[Content]] | None = None

    def show(self, headers: list[Content], rows: list[list[Content]]) -> None:
        self.headers, self.rows = headers, rows
        self._drawn = None
        self.refresh(layout=True)

    def notify_style_update(self) -> None:
        """The lines drawn carry the header and line colours of the theme they were drawn in."""
        self._drawn = None
        super().notify_style_update()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.size.width))

    def lines(self, width: int) -> list[Content]:
        """The table drawn `width` cells wide."""
        if self._drawn is not None and self._drawn[0] == width:
            return self._drawn[1]
        lines = self._draw(width)
        self._drawn = (width, lines)
        return lines

    def _draw(self, width: int) -> list[Content]:
        columns = max(len(self.headers), *(len(row) for row in self.rows)) if self.rows else len(self.headers)
        if not columns or width <= columns + 1:
            return []
        header_style = self.get_visual_style("table-grid--header")
        line_style = self.get_visual_style("table-grid--lines")

        def cells(row: list[Content]) -> list[Content]:
            return [*row, *[Content()] * (columns - len(row))][:columns]

        table = [cells(self.headers), *(cells(row) for row in self.rows)]
        natural = [max(cell.cell_length for cell in column) + 2 for column in zip(*table, strict=True)]
        widths = column_widths(natural, width - columns - 1)

        def rule(left: str, middle: str, right: str) -> Content:
            return Content(left + middle.join("─" * column for column in widths) + right).stylize(line_style)

        bar = Content("│").stylize(line_style)
        lines = [rule("┌", "┬", "┐")]
        for number, row in enumerate(table):
            if number:
                lines.append(rule("├", "┼", "┤"))
            wrapped = [cell.wrap(max(1, column - 2)) for cell, column in zip(row, widths, strict=True)]
            for y in range(max(len(cell_lines) for cell_lines in wrapped)):
                parts = [bar]
                for cell_lines, column in zip(wrapped, widths, strict=True):
                    text = cell_lines[y] if y < len(cell_lines) else Content()
                    if number == 0:
                        text = text.stylize_before(header_style)
                    parts += [Content(" "), text.pad_right(max(0, column - 2 - text.cell_length)), Content(" "), bar]
                lines.append(Content.assemble(*parts))
        lines.append(rule("└", "┴", "┘"))
        return lines


class TableBlock(UpdatedInPlace, MarkdownTable):
    """A Markdown table as one `TableGrid`, brought up to date in place as it streams."""

    def compose(self):
        yield TableGrid(*table_cells(self))

    async def update_from(self, block: MarkdownBlock) -> bool:
        if not isinstance(block, MarkdownTable):
            return False
        self.query_one(TableGrid).show(*table_cells(block))
        return True
