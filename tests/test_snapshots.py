"""SVG snapshots of the main screen: fixed size, a frozen clock, cursor blink off.

Regenerate after an intended change with `pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from tests.conftest import send_and_finish
from tui_app.widgets.prompt_input import PromptInput

SIZE = (120, 40)


def frozen_clock() -> float:
    return 0.0


async def steady(pilot) -> None:
    pilot.app.query_one(PromptInput).cursor_blink = False


def test_start_screen(snap_compare, make_app) -> None:
    assert snap_compare(make_app(clock=frozen_clock), terminal_size=SIZE, run_before=steady)


def test_after_a_streamed_reply(snap_compare, make_app) -> None:
    async def reply(pilot) -> None:
        await steady(pilot)
        await send_and_finish(pilot, "show me the tour")

    assert snap_compare(make_app(clock=frozen_clock), terminal_size=SIZE, run_before=reply)


def test_raw_event_view(snap_compare, make_app) -> None:
    async def raw(pilot) -> None:
        await steady(pilot)
        await send_and_finish(pilot, "think first")
        await pilot.press("ctrl+r")

    assert snap_compare(make_app(clock=frozen_clock), terminal_size=SIZE, run_before=raw)
