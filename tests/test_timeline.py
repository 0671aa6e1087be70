"""A reply's timeline: read from its recorded events (content deltas per interval, text and thinking apart,
pings, the first token, stalls), and drawn in the event panel with Ctrl+T for the latest or a chosen reply."""

from __future__ import annotations

import json

import pytest

from tests.conftest import send_and_finish
from tui_app.stream.events import WireEvent
from tui_app.stream.timeline import SMALLEST_BUCKET, Timeline
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.timeline_view import TimelineView, caption


def event(seq: int, arrived: float, payload: dict) -> WireEvent:
    return WireEvent(seq, payload["type"], json.dumps(payload), arrived)


def delta(kind: str) -> dict:
    field = {"text_delta": "text", "thinking_delta": "thinking", "input_json_delta": "partial_json",
             "signature_delta": "signature"}[kind]
    return {"type": "content_block_delta", "index": 0, "delta": {"type": kind, field: "x"}}


def test_deltas_are_counted_per_interval_with_text_and_thinking_apart() -> None:
    events = [event(0, 0.30, {"type": "message_start", "message": {}}),
              event(1, 0.50, delta("thinking_delta")), event(2, 0.52, delta("thinking_delta")),
              event(3, 0.60, delta("signature_delta")),
              event(4, 0.70, {"type": "ping"}),
              event(5, 0.90, delta("text_delta")), event(6, 0.91, delta("text_delta")),
              event(7, 0.92, delta("input_json_delta")),
              event(8, 1.00, {"type": "message_stop"})]
    timeline = Timeline.of(events)
    assert timeline.bucket == SMALLEST_BUCKET  # a one-second reply: the smallest interval
    assert len(timeline.text) == 21 and timeline.end == 1.0
    assert timeline.first_token == 0.50
    assert (sum(timeline.thinking), sum(timeline.text), sum(timeline.other)) == (2, 2, 1)  # no signature
    assert timeline.thinking[10] == 2 and timeline.text[18] == 2
    assert timeline.deltas_per_second()[18] == pytest.approx(3 / SMALLEST_BUCKET)
    assert timeline.pings == [0.70] and timeline.stalls == []


def test_a_silence_of_two_seconds_is_a_stall_but_the_wait_for_the_first_event_is_not() -> None:
    events = [event(0, 3.0, {"type": "message_start", "message": {}}),
              event(1, 3.1, delta("text_delta")),
              event(2, 6.6, delta("text_delta")),
              event(3, 6.7, {"type": "message_stop"})]
    timeline = Timeline.of(events)
    [stall] = timeline.stalls
    assert stall.start == pytest.approx(3.1) and stall.seconds == pytest.approx(3.5)
    assert len(timeline.text) <= 41 and timeline.bucket == pytest.approx(6.7 / 40)
    assert "1 stall (longest 3.50 s)" in caption(timeline, 2)
    assert caption(Timeline.of([]), 1) == "Reply 1: no events yet."


def test_the_silence_from_the_last_event_to_a_cancelled_reply_s_end_is_a_stall() -> None:
    events = [event(0, 0.3, {"type": "message_start", "message": {}}), event(1, 0.6, delta("text_delta"))]
    timeline = Timeline.of(events, ended=9.6)
    assert timeline.end == 9.6
    [stall] = timeline.stalls
    assert stall.start == pytest.approx(0.6) and stall.seconds == pytest.approx(9.0)
    assert Timeline.of(events, ended=1.0).stalls == []


async def test_ctrl_t_draws_the_latest_reply_s_timeline_and_toggles_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "think first")
        await send_and_finish(pilot, "echo second")
        log = app.query_one(EventLog)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert log.timeline_shown and log.border_title == "Events · timeline"
        said = str(log.query_one("#timeline-caption").render())
        assert said.startswith("Reply 2 · first token") and "no stalls" in said
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert not log.timeline_shown and log.border_title == "Events"
        await pilot.press("ctrl+r")  # the raw view, from the lines or the timeline alike
        await pilot.pause()
        assert log.raw


async def test_the_timeline_is_of_the_reply_whose_event_is_selected(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "think first")
        await send_and_finish(pilot, "echo second")
        log = app.query_one(EventLog)
        log.show_reply(1)
        await pilot.press("ctrl+t")
        await pilot.pause()
        timeline = log.query_one(TimelineView)
        assert str(timeline.query_one("#timeline-caption").render()).startswith("Reply 1 · first token")
