"""Markdown lists: one widget per list, drawn as Textual draws them, brought up to date in place."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets._markdown import MarkdownBullet, MarkdownFence

from tests.conftest import send_and_finish
from tui_app.widgets.code_block import CodeBlock
from tui_app.widgets.markdown_list import BulletListBlock, DrawnList, OrderedListBlock
from tui_app.widgets.text_block_view import TextSegment


class OneSegment(App):
    def __init__(self, markdown: str = "") -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        yield TextSegment(0, self.markdown)


def drawn(block: DrawnList) -> list[str]:
    return [line.plain.rstrip() for line in block.lines(block.size.width)]


async def test_a_reply_s_lists_are_one_widget_each_nested_lists_included(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        bullets, numbers = app.query(BulletListBlock), app.query(OrderedListBlock)
        assert len(bullets) == 1 and len(numbers) == 1
        assert not app.query(MarkdownBullet)
        assert drawn(bullets.first())[-3:] == [
            "• Streaming Markdown, rendered as it arrives",
            "• Unicode survives any split: café, naïve, 日本語, 🚀",
            "  ▪ nested items work too",
        ]
        assert drawn(numbers.first())[0] == " 1. Enter sends"


async def test_a_long_item_wraps_under_its_text_not_under_its_bullet() -> None:
    words = "streaming text that is long enough to wrap several times in a narrow view"
    async with OneSegment(f"- {words}\n  - nested {words}\n").run_test(size=(30, 20)) as pilot:
        await pilot.pause()
        block = pilot.app.query_one(BulletListBlock)
        lines = drawn(block)
        assert len(lines) > 4 and all(len(line) <= block.size.width for line in lines)
        assert lines[0].startswith("• ")
        nested = next(number for number, line in enumerate(lines) if line.startswith("  ▪ "))
        assert all(line.startswith("  ") and not line.startswith("   ") for line in lines[1:nested])
        assert all(line.startswith("    ") for line in lines[nested + 1 :])
        assert " ".join(line.strip(" •▪") for line in lines[:nested]).split() == words.split()


async def test_numbers_start_from_the_first_item_s_and_line_up_on_the_right() -> None:
    async with OneSegment("9. nine\n1. ten\n1. eleven\n").run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert drawn(pilot.app.query_one(OrderedListBlock)) == ["  9. nine", " 10. ten", " 11. eleven"]


async def test_a_streaming_list_is_brought_up_to_date_in_place() -> None:
    async with OneSegment().run_test(size=(60, 20)) as pilot:
        segment = pilot.app.query_one(TextSegment)
        await segment.add("- first\n- sec")
        await pilot.pause()
        block = pilot.app.query_one(BulletListBlock)
        for piece in ("ond\n", "  - nes", "ted\n", "- third"):
            await segment.add(piece)
        await pilot.pause()
        assert pilot.app.query_one(BulletListBlock) is block
        assert drawn(block) == ["• first", "• second", "  ▪ nested", "• third"]


async def test_a_list_holding_code_is_drawn_by_textual_s_widgets() -> None:
    markdown = "- run this:\n\n  ```python\n  print(1)\n  ```\n- then this\n"
    async with OneSegment(markdown).run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        block = pilot.app.query_one(BulletListBlock)
        assert len(block.query(MarkdownBullet)) == 2
        assert isinstance(block.query_one(MarkdownFence), CodeBlock)
        assert 5 <= block.size.height <= 12
