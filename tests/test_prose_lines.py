"""A reply's prose drawn as lines: what Markdown it draws, that streaming draws what the whole text draws,
and that its rows can be selected, its links followed and its colours follow the theme."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.selection import Selection

from tests.conftest import send_and_finish
from tui_app.markdown_parts import Code, MarkdownPieces, Prose
from tui_app.stream.reply import ContentBlock
from tui_app.widgets.code_block import CodeBlock
from tui_app.widgets.prose_lines import ProseLines
from tui_app.widgets.text_block_view import TextBlockView


class OneText(App):
    """A text block in a scrolling view, as a reply holds one."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.block = ContentBlock(0, "text", [text] if text else [])

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield TextBlockView(self.block if self.block.pieces else None)

    async def add(self, *pieces: str) -> None:
        view = self.query_one(TextBlockView)
        for piece in pieces:
            self.block.pieces.append(piece)
            await view.sync(self.block)


def rows(app: App) -> list[str]:
    """The rows of the text's prose, as drawn."""
    return [row for prose in app.query(ProseLines) for row in prose_rows(prose)]


def prose_rows(prose: ProseLines) -> list[str]:
    return [prose.render_line(y).text.rstrip() for y in range(prose.size.height)]


async def test_the_tour_s_lists_are_drawn_with_bullets_nesting_and_numbers(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        drawn = rows(app)
        assert " • Streaming Markdown, rendered as it arrives" in drawn
        assert " • Unicode survives any split: café, naïve, 日本語, 🚀" in drawn
        assert "    • nested items work too" in drawn
        assert " 1. Enter sends" in drawn


async def test_a_long_item_wraps_under_its_text_not_under_its_bullet() -> None:
    words = "streaming text that is long enough to wrap several times in a narrow view"
    async with OneText(f"- {words}\n  - nested {words}\n").run_test(size=(30, 20)) as pilot:
        await pilot.pause()
        lines = rows(pilot.app)
        assert len(lines) > 4 and all(len(line) <= 30 for line in lines)
        assert lines[0].startswith(" • ")
        nested = next(number for number, line in enumerate(lines) if line.startswith("    • "))
        assert all(line.startswith("   ") and not line.startswith("    ") for line in lines[1:nested])
        assert all(line.startswith("      ") for line in lines[nested + 1 :])
        assert " ".join(line.strip(" •") for line in lines[:nested]).split() == words.split()


async def test_numbers_start_from_the_first_item_s_and_line_up_on_the_right() -> None:
    async with OneText("9. nine\n1. ten\n1. eleven\n").run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert rows(pilot.app) == ["  9. nine", " 10. ten", " 11. eleven"]


MIXED = ("## A heading\n\nSome text with `code` and **bold**, long enough to wrap " + "word " * 30 + "\n\n"
         "- one\n- two\n  - nested\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nText before code:\n```python\n"
         "x = 1\ny = 2\n```\n> quoted\n\n---\n\n1. first\n2. second\n")


@pytest.mark.parametrize("every", [1, 3, 7, 1000])
async def test_prose_streamed_in_any_pieces_draws_what_the_whole_text_draws(every: int) -> None:
    whole = OneText(MIXED)
    async with whole.run_test(size=(60, 60)) as pilot:
        await pilot.pause()
        expected = rows(whole)
        kinds = [type(child) for child in whole.query_one(TextBlockView).children]
    assert kinds == [ProseLines, CodeBlock, ProseLines]
    streamed = OneText()
    async with streamed.run_test(size=(60, 60)) as pilot:
        view = streamed.query_one(TextBlockView)
        first_prose = None
        for start in range(0, len(MIXED), every):
            await streamed.add(MIXED[start : start + every])
            if first_prose is None and view.children:
                first_prose = view.children[0]
        await pilot.pause()
        assert rows(streamed) == expected
        assert view.children[0] is first_prose  # brought up to date in place, never mounted again
        assert [type(child) for child in view.children] == kinds


def test_a_text_is_cut_into_prose_and_code_the_same_however_it_arrives() -> None:
    whole = MarkdownPieces(MIXED)
    streamed = MarkdownPieces()
    for start in range(0, len(MIXED), 5):
        streamed.add(MIXED[start : start + 5])
    assert streamed.texts == whole.texts and streamed.parts() == whole.parts()
    parts = [part for piece in whole.parts() for part in piece]
    assert Code("x = 1\ny = 2", "python") in parts
    assert Prose("Text before code:") in parts  # a fence right after a paragraph is cut from it


def test_an_open_code_block_is_code_so_far_and_its_closing_fence_ends_it() -> None:
    pieces = MarkdownPieces("```js\nlet a = 1;\n")
    assert pieces.parts() == [[Code("let a = 1;", "js")]]
    pieces.add("```\n\nafter\n")
    assert [part for piece in pieces.parts() for part in piece] == [Code("let a = 1;", "js"), Prose("after")]


async def test_only_links_github_would_make_are_links_and_a_click_opens_one(monkeypatch) -> None:
    opened: list[str] = []
    app = OneText()
    monkeypatch.setattr(app, "open_url", lambda url, **kwargs: opened.append(url))
    async with app.run_test(size=(80, 10)) as pilot:
        await app.add("Run main.py, then open htt", "ps://example.com/docs for more", " or mail a@b.io.")
        await pilot.pause()
        prose = app.query_one(ProseLines)
        links = {segment.style.link for y in range(prose.size.height) for segment in prose.render_line(y)
                 if segment.style is not None and segment.style.link}
        assert links == {"https://example.com/docs", "mailto:a@b.io"}
        column = prose_rows(prose)[0].index("https://")
        await pilot.click(prose, offset=(column + 3, 0))
        assert opened == ["https://example.com/docs"]


async def test_prose_selected_with_the_mouse_is_the_text_on_screen() -> None:
    app = OneText("First line of prose.\n\nSecond paragraph here.\n")
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        prose = app.query_one(ProseLines)
        await pilot.mouse_down(prose, offset=(6, 0))
        await pilot.hover(prose, offset=(6, 2))
        await pilot.mouse_up(prose, offset=(6, 2))
        assert app.screen.get_selected_text() == "line of prose.\n\nSecond "  # (to the cell under the pointer)
        selected = prose.render_line(0)
        assert selected.text.startswith("First line")  # drawn with the selection, text unchanged


async def test_markup_and_control_characters_in_prose_are_shown_as_text_never_obeyed() -> None:
    app = OneText("Press [@click=app.quit]here[/] or [/x] [bold]now\x1b]52;c;aGk=\x07.\n")
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        [row] = rows(app)
        assert "[@click=app.quit]here[/] or [/x] [bold]now" in row and "\x1b" not in row and "\x07" not in row
        assert app.is_running


async def test_a_new_theme_draws_the_prose_in_its_colours() -> None:
    app = OneText("## A heading\n\ntext\n")
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        prose = app.query_one(ProseLines)

        def heading_colour() -> object:
            return next(segment.style.color for segment in prose.render_line(0) if segment.text.strip())

        before = heading_colour()
        app.theme = "gruvbox" if app.theme != "gruvbox" else "nord"
        await pilot.pause()
        assert heading_colour() != before


async def test_html_in_a_reply_is_shown_as_the_text_it_is() -> None:
    app = OneText("<details>\n<summary>more</summary>\nhidden body\n</details>\n\nand <b>bold</b><br>\n")
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        drawn = " ".join(rows(app))
        for text in ("<details>", "<summary>more</summary>", "hidden body", "</details>", "<b>bold</b><br>"):
            assert text in drawn


async def test_a_link_to_anything_but_the_web_or_mail_is_not_opened_and_says_so(monkeypatch) -> None:
    opened: list[str] = []
    app = OneText("See [the file](main.py) for more.\n")
    monkeypatch.setattr(app, "open_url", lambda url, **kwargs: opened.append(url))
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        prose = app.query_one(ProseLines)
        await pilot.click(prose, offset=(prose_rows(prose)[0].index("the file") + 2, 0))
        assert opened == []
        assert [notice.message for notice in app._notifications] == [
            "Not opened: main.py (only web and mail links are opened)."
        ]


async def test_a_long_text_shows_its_end_at_once_and_the_rest_when_scrolled_to() -> None:
    sections = [f"## Part {n}\n\n" + " ".join(f"word{n}_{k}" for k in range(80))
                + "\n\n| a | b |\n|---|---|\n| 1 | 2 |" for n in range(40)]
    text = "\n\n".join(sections) + "\n"
    app = OneText(text)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        prose = app.query_one(ProseLines)
        scroller = app.query_one(VerticalScroll)
        scroller.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert prose.pending  # the start, far above the end, is not drawn: its rows are estimated
        assert "word39_79" in screen_text(app)
        # Scrolled back a page at a time, each page shows drawn text, never estimated blank rows.
        while scroller.scroll_y > 0:
            scroller.scroll_page_up(animate=False)
            await pilot.pause()
            assert "word" in screen_text(app)
        assert "Part 0" in screen_text(app)
        # Each piece drawn reads as the piece drawn on its own at that width.
        drawn = prose.get_selection(Selection(None, None))[0].split("\n")
        pieces = [prose_rows_of(piece, prose.size.width) for piece in sections]
        assert drawn[: len(pieces[0])] == pieces[0]
        assert drawn[-len(pieces[-1]) :] == pieces[-1]


def screen_text(app: App) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def prose_rows_of(text: str, width: int) -> list[str]:
    from rich.console import Console

    from tui_app.widgets.prose_lines import markdown_theme, render_prose

    drawn = render_prose(text, width, Console(width=width), markdown_theme({}), dark=True)
    return [strip.text.rstrip() for strip in drawn]


async def test_a_selection_ending_past_a_row_or_on_wide_characters_is_drawn_over_the_right_cells() -> None:
    app = OneText("日本語 first paragraph.\n\nSecond paragraph here.\n")
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        prose = app.query_one(ProseLines)
        await pilot.mouse_down(prose, offset=(2, 0))  # on 本 (日 takes cells 0 and 1)
        await pilot.hover(prose, offset=(40, 1))  # the blank row between the paragraphs, far past its end
        await pilot.mouse_up(prose, offset=(40, 1))
        await pilot.pause()
        assert app.screen.get_selected_text().startswith("本語 first paragraph.")
        row = prose.render_line(0)
        assert row.text.startswith("日本語 first")  # nothing turned into spaces
        selected = "".join(segment.text for segment in row if segment.style and segment.style.bgcolor
                           and segment.style.bgcolor != row._segments[0].style.bgcolor)
        assert selected.startswith("本語")
        prose.render_line(1)  # the blank row, selected to far past its end


async def test_a_terminal_narrowed_to_almost_nothing_still_draws_a_long_text() -> None:
    app = OneText("\n\n".join(f"Paragraph {n} " + "word " * 40 for n in range(80)))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(2, 10)
        await pilot.pause()
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert app.is_running and any("Paragraph 79" in row for row in rows(app)[-40:])


def test_a_line_of_inline_code_between_triple_backticks_opens_no_code_block() -> None:
    text = "Intro\n\n```js```\nfoo bar\n\nBaz para\n"
    parts = [part for piece in MarkdownPieces(text).parts() for part in piece]
    assert parts == [Prose("Intro"), Prose("```js```\nfoo bar"), Prose("Baz para")]


async def test_copying_a_long_text_before_all_of_it_is_drawn_gives_its_source_for_what_is_not() -> None:
    sections = [f"Para {n} " + " ".join(f"w{n}_{k}" for k in range(60)) for n in range(60)]
    app = OneText("\n\n".join(sections) + "\n")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        prose = app.query_one(ProseLines)
        assert prose.pending
        copied = prose.get_selection(Selection(None, None))[0]
        assert prose.pending  # copying drew nothing (the rows selected are those on screen)
        words = copied.split()
        assert words == " ".join(sections).split()


async def test_a_new_theme_leaves_the_text_being_read_where_it_was() -> None:
    app = OneText("\n\n".join(f"## Part {n}\n\n" + " ".join(f"w{n}_{k}" for k in range(50)) for n in range(60)))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        scroller = app.query_one(VerticalScroll)
        scroller.scroll_to(y=scroller.max_scroll_y // 2, animate=False, immediate=True)
        await pilot.pause()
        shown = screen_text(app)
        assert "w" in shown
        app.theme = "gruvbox" if app.theme != "gruvbox" else "nord"
        await pilot.pause()
        assert screen_text(app) == shown


@pytest.mark.parametrize("every", [3, 1000])
async def test_a_reference_link_resolves_whichever_piece_defines_it(every: int) -> None:
    text = "See [the docs][1] for more.\n\nThanks.\n\n[1]: https://example.com/docs\n"
    app = OneText()
    async with app.run_test(size=(80, 10)) as pilot:
        for start in range(0, len(text), every):
            await app.add(text[start : start + every])
        await pilot.pause()
        prose = app.query_one(ProseLines)
        assert prose_rows(prose)[0] == "See the docs for more."
        links = {segment.style.link for y in range(prose.size.height) for segment in prose.render_line(y)
                 if segment.style is not None and segment.style.link}
        assert links == {"https://example.com/docs"}
