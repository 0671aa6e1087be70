"""A streaming reply is laid out about once a frame: the widgets that show it do not ask for a second layout
of the whole screen from inside the one that sized them (Textual's default whenever what a widget holds
changes size)."""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget

from tests.conftest import send_and_finish
from tui_app.demo.pacing import DemoPacing
from tui_app.widgets.text_block_view import TextBlockView
from tui_app.widgets.transcript_view import TranscriptView

FILLING = 10
"""Layouts the transcript may still ask for while the reply first fills the screen (a scroll bar comes)."""


async def test_a_streaming_reply_asks_for_no_second_layout(make_app, monkeypatch) -> None:
    inside_layout = [False]
    asked: list[Widget] = []
    layouts = [0]
    refresh, refresh_layout = Widget.refresh, Screen._refresh_layout

    def recorded_refresh(self, *regions, repaint=True, layout=False, recompose=False):
        if layout and inside_layout[0]:
            asked.append(self)
        return refresh(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    def recorded_layout(self, size=None, scroll=False):
        layouts[0] += not scroll
        inside_layout[0] = True
        try:
            return refresh_layout(self, size, scroll)
        finally:
            inside_layout[0] = False

    monkeypatch.setattr(Widget, "refresh", recorded_refresh)
    monkeypatch.setattr(Screen, "_refresh_layout", recorded_layout)
    app = make_app(demo_pacing=DemoPacing(first_token_delay=0.0, tokens_per_second=500.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_finish(pilot, "write an essay")
        transcript = app.query_one(TranscriptView)
        in_text = [type(widget).__name__ for widget in asked
                   if any(isinstance(ancestor, TextBlockView) for ancestor in widget.ancestors)]
        # The prose grew at many frames, and the layout that sized it is the only one it had.
        assert in_text == []
        assert sum(widget is transcript for widget in asked) < FILLING
        assert layouts[0] > FILLING  # it was drawn over many frames
