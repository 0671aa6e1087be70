"""Markdown tables: one widget per table, streamed in place, sized to the width it is given."""

from __future__ import annotations

from textual.content import Content
from textual.widgets._markdown import MarkdownTableCellContents

from tests.conftest import send_and_finish
from tui_app.widgets.markdown_table import MIN_COLUMN, TableGrid, column_widths


def test_columns_grow_in_proportion_to_fill_the_width() -> None:
    assert column_widths([10, 30], 80) == [20, 60]
    assert sum(column_widths([7, 11, 13], 50)) == 50


def test_too_wide_a_table_narrows_only_its_wide_columns() -> None:
    widths = column_widths([8, 60, 40], 50)
    assert widths[0] == 8
    assert sum(widths) == 50
    assert widths[1] == widths[2] == 21


def test_no_column_is_narrowed_below_its_minimum() -> None:
    assert column_widths([40, 40, 40], 6) == [MIN_COLUMN] * 3


def test_long_cells_wrap_inside_their_column() -> None:
    grid = TableGrid([Content("name"), Content("what")],
                     [[Content("short"), Content("a cell long enough that it cannot fit on one line here")]])
    grid.get_visual_style = lambda *classes, **options: ""  # styles need a running app; the layout does not
    lines = [line.plain for line in grid.lines(40)]
    assert all(len(line) == 40 for line in lines)
    assert lines[0].startswith("┌") and lines[-1].startswith("└")
    words = " ".join(line.split("│")[2].strip() for line in lines[3:-1])
    assert words == "a cell long enough that it cannot fit on one line here"


async def test_a_streamed_table_is_one_widget_holding_every_row(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        [grid] = app.query(TableGrid)
        assert not app.query(MarkdownTableCellContents)
        assert [cell.plain for cell in grid.headers] == ["event", "what it carries"]
        assert [[cell.plain for cell in row] for row in grid.rows] == [
            ["message_start", "the model and input tokens"],
            ["content_block_delta", "a piece of text"],
            ["message_delta", "the stop reason and output tokens"],
        ]
        drawn = [line.plain for line in grid.lines(grid.size.width)]
        assert "│ message_delta " in drawn[-2] and drawn[-2].rstrip().endswith("│")


async def test_a_table_takes_the_colours_of_a_new_theme(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        [grid] = app.query(TableGrid)

        def header_styles() -> list[str]:
            return [str(span.style) for span in grid.lines(grid.size.width)[1].spans]

        before = header_styles()
        app.theme = "paper" if app.theme != "paper" else "contrast"
        await pilot.pause()
        assert header_styles() != before
