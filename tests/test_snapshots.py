"""SVG snapshots of the main screen: fixed size, a frozen clock, cursor blink off.

Every shipped theme gets one, after a streamed reply, so its event-log colours are in the picture.
Regenerate after an intended change with `pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest

from tests.conftest import send_and_finish, until_highlighted
from tui_app.theme_loader import load_themes
from tui_app.widgets.prompt_input import PromptInput

SIZE = (120, 40)
SHIPPED_THEMES = sorted(theme.name for theme in load_themes(None)[0])


def frozen_clock() -> float:
    return 0.0


async def steady(pilot) -> None:
    pilot.app.query_one(PromptInput).cursor_blink = False


def test_start_screen(snap_compare, make_app) -> None:
    assert snap_compare(make_app(clock=frozen_clock), terminal_size=SIZE, run_before=steady)


@pytest.mark.parametrize("theme", SHIPPED_THEMES)
def test_after_a_streamed_reply(snap_compare, make_app, theme) -> None:
    async def reply(pilot) -> None:
        await steady(pilot)
        await send_and_finish(pilot, "show me the tour")
        await until_highlighted(pilot)

    assert snap_compare(make_app(clock=frozen_clock, theme=theme), terminal_size=SIZE, run_before=reply)


def test_raw_event_view(snap_compare, make_app) -> None:
    async def raw(pilot) -> None:
        await steady(pilot)
        await send_and_finish(pilot, "think first")
        await pilot.press("ctrl+r")

    assert snap_compare(make_app(clock=frozen_clock), terminal_size=SIZE, run_before=raw)


def test_help_screen(snap_compare, make_app) -> None:
    async def help_screen(pilot) -> None:
        await steady(pilot)
        await pilot.press("f1")

    assert snap_compare(make_app(clock=frozen_clock), terminal_size=SIZE, run_before=help_screen)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_a_streamed_reply_on_a_small_terminal(snap_compare, make_app, size) -> None:
    """At 80 columns the event panel narrows beside the transcript; at 60 it makes way for it."""
    async def reply(pilot) -> None:
        await steady(pilot)
        await send_and_finish(pilot, "show me the tour")
        await until_highlighted(pilot)

    assert snap_compare(make_app(clock=frozen_clock), terminal_size=size, run_before=reply)


def test_the_event_panel_below_the_transcript_on_a_narrow_terminal(snap_compare, make_app) -> None:
    async def events_shown(pilot) -> None:
        await steady(pilot)
        await send_and_finish(pilot, "echo hello")
        await pilot.press("f2")

    assert snap_compare(make_app(clock=frozen_clock), terminal_size=(60, 20), run_before=events_shown)


def test_a_reply_s_timeline(snap_compare) -> None:
    """Thinking, then text, a ping, and a stall of three seconds, from recorded events."""
    from textual.app import App

    from tests.test_timeline import delta, event
    from tui_app.widgets.timeline_view import TimelineView

    arrivals = [(0.3, {"type": "message_start", "message": {}})]
    arrivals += [(0.6 + step * 0.02, delta("thinking_delta")) for step in range(30)]
    arrivals += [(1.3, {"type": "ping"})]
    arrivals += [(1.4 + step * 0.015, delta("text_delta")) for step in range(60)]
    arrivals += [(5.3 + step * 0.015, delta("text_delta")) for step in range(40)]
    arrivals += [(6.0, {"type": "message_stop"})]
    events = [event(seq, arrived, payload) for seq, (arrived, payload) in enumerate(arrivals)]

    class TimelineApp(App):
        def compose(self):
            yield TimelineView()

        def on_mount(self) -> None:
            self.query_one(TimelineView).show(events, 3)

    assert snap_compare(TimelineApp(), terminal_size=(80, 24))
