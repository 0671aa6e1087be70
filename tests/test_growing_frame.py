"""Containers that grow while a reply streams redraw only the rows of their own that changed: what is on
the screen must still be what drawing everything afresh gives."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tests.conftest import send_and_finish
from tui_app.demo.pacing import DemoPacing
from tui_app.widgets.growing_frame import GrowingFrame
from tui_app.widgets.reply_view import ReplyView
from tui_app.widgets.transcript_view import TranscriptView

PACED = DemoPacing(first_token_delay=0.0, tokens_per_second=400.0)
"""Fast, but paced: the reply grows over many frames rather than arriving in one burst."""


class Frame(GrowingFrame, Vertical):
    DEFAULT_CSS = "Frame { height: auto; border: round red; padding: 0 1; }"


class OneFrame(App):
    def compose(self) -> ComposeResult:
        with Frame():
            yield Static("first line", id="text")


def count_rows_drawn(frame: Frame) -> list[int]:
    """The rows of `frame` (border rows included) drawn from now on."""
    drawn: list[int] = []
    cache = frame._styles_cache
    render_line = cache.render_line

    def counted(styles, y, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        drawn.append(y)
        return render_line(styles, y, *args, **kwargs)

    cache.render_line = counted  # type: ignore[method-assign]
    return drawn


def fresh_screen(app: App) -> str:
    """The screen drawn again from nothing: every widget's rows thrown away first."""
    for widget in app.screen.walk_children(with_self=True):
        widget._set_dirty()
    return app.export_screenshot()


async def test_a_frame_grown_taller_redraws_only_its_rows_from_the_old_bottom_edge() -> None:
    app = OneFrame()
    async with app.run_test(size=(40, 20)) as pilot:
        frame = app.query_one(Frame)
        assert frame.outer_size.height == 3
        drawn = count_rows_drawn(frame)
        app.query_one("#text", Static).update("first line\nsecond line\nthird line")
        await pilot.pause()
        await pilot.pause()
        assert frame.outer_size.height == 5
        assert sorted(set(drawn)) == [2, 3, 4]  # the old bottom edge and below; rows 0 and 1 are kept
        shown = app.export_screenshot()
        assert shown == fresh_screen(app)


async def test_a_frame_grown_wider_is_drawn_whole() -> None:
    app = OneFrame()
    async with app.run_test(size=(40, 20)) as pilot:
        frame = app.query_one(Frame)
        frame.styles.width = 20
        await pilot.pause()
        drawn = count_rows_drawn(frame)
        frame.styles.width = 30
        await pilot.pause()
        await pilot.pause()
        assert sorted(set(drawn)) == [0, 1, 2]
        assert app.export_screenshot() == fresh_screen(app)


@pytest.mark.parametrize("prompt", ["write me an essay", "show me the tour"])
async def test_after_a_streamed_reply_the_screen_is_what_drawing_it_afresh_gives(make_app, prompt: str) -> None:
    app = make_app(demo_pacing=PACED)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, prompt)
        transcript = app.query_one(TranscriptView)
        assert transcript.max_scroll_y > 0 and transcript.scroll_y == transcript.max_scroll_y
        assert app.export_screenshot() == fresh_screen(app)


async def test_a_growing_frame_keeps_only_the_rows_near_its_bottom_edge(make_app) -> None:
    app = make_app(demo_pacing=PACED)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "write me an essay")
        view = app.query_one(ReplyView)
        assert view.size.height > 3 * 30
        kept = view._styles_cache._cache
        assert kept and min(kept) >= view.size.height - 3 * 30
