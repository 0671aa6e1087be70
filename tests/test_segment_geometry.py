"""A segment is not drawn itself: where it lies is worked out from its blocks, and must be where Textual
would have put it, or setting it aside (a spacer of its height) would make the text below jump."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from tui_app.widgets.text_block_view import TextSegment

TEXTS = {
    "paragraphs": "First paragraph.\n\nSecond paragraph, long enough to wrap " + "word " * 40 + "\n\nThird.\n",
    "heading first, code last": "## A heading\n\nSome text.\n\n```python\nx = 1\ny = 2\n```\n",
    "list and table": "- one\n- two\n  - nested\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter the table.\n",
    "quote and rule": "> quoted\n> text\n\n---\n\n1. first\n2. second\n",
}


class DrawnSegment(App):
    """A segment drawn as any widget is (outside a text block), so Textual gives it a region."""

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        yield TextSegment(0, self.markdown)


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
async def test_a_segment_s_span_is_the_region_textual_gives_it(text: str) -> None:
    app = DrawnSegment(text)
    async with app.run_test(size=(60, 80)) as pilot:
        await pilot.pause()
        segment = app.query_one(TextSegment)
        assert segment.children
        assert segment.placed.y == segment.region.y
        assert segment.placed.height == segment.outer_size.height


async def test_an_empty_segment_takes_no_room() -> None:
    app = DrawnSegment("")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert app.query_one(TextSegment).placed.height == 0
