"""Markdown tables: drawn in a grid, streamed in place, sized to the width they are given."""

from __future__ import annotations

from tests.conftest import send_and_finish
from tests.test_prose_lines import OneText, rows


async def test_the_tour_s_table_is_drawn_in_a_grid_with_every_row(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        drawn = rows(app)
        top = next(number for number, row in enumerate(drawn) if row.lstrip().startswith("┌"))
        table = drawn[top : top + 7]  # top, header, rule, three rows, bottom
        assert [cell.strip() for cell in table[1].strip("│ ").split("│")] == ["event", "what it carries"]
        cells = [[cell.strip() for cell in row.strip("│ ").split("│")] for row in table[3:-1] if "│" in row]
        assert cells == [
            ["message_start", "the model and input tokens"],
            ["content_block_delta", "a piece of text"],
            ["message_delta", "the stop reason and output tokens"],
        ]
        assert table[-1].lstrip().startswith("└")


async def test_long_cells_wrap_inside_their_column() -> None:
    long = "a cell long enough that it cannot fit on one line here"
    app = OneText(f"| name | what |\n|---|---|\n| short | {long} |\n")
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        drawn = rows(app)
        assert all(len(row) <= 40 for row in drawn)
        assert drawn[0].startswith("┌") and drawn[-1].startswith("└")
        assert " ".join(row.split("│")[2].strip() for row in drawn[3:-1]) == long


async def test_a_table_streamed_row_by_row_draws_what_it_draws_whole() -> None:
    table = "| a | b |\n|---|---|\n" + "".join(f"| row {n} | value {n} |\n" for n in range(8))
    whole = OneText(table)
    async with whole.run_test(size=(60, 30)) as pilot:
        await pilot.pause()
        expected = rows(whole)
    streamed = OneText()
    async with streamed.run_test(size=(60, 30)) as pilot:
        await streamed.add(*table.splitlines(keepends=True))
        await pilot.pause()
        assert rows(streamed) == expected


async def test_a_table_takes_the_colours_of_a_new_theme(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        prose = next(prose for prose in app.query("ProseLines") if any("┌" in row for row in rows_of(prose)))

        def border_colours() -> set[object]:
            return {segment.style.color for y in range(prose.size.height) for segment in prose.render_line(y)
                    if "┌" in segment.text or "─" in segment.text}

        before = border_colours()
        app.theme = "paper" if app.theme != "paper" else "contrast"
        await pilot.pause()
        assert border_colours() != before


def rows_of(prose) -> list[str]:
    return [prose.render_line(y).text for y in range(prose.size.height)]
