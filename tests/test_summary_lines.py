"""The event log's summary view: a line per entry, made only when it is drawn, and as wide as its widest line."""

import json

from textual.app import App, ComposeResult

from tui_app.stream.events import WireEvent
from tui_app.theme_loader import event_colour_defaults
from tui_app.widgets.event_lines import line_width
from tui_app.widgets.event_log import EventLog, SummaryLines, summary_line


class EventLogApp(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return event_colour_defaults(self.current_theme.to_color_system().generate())

    def compose(self) -> ComposeResult:
        yield EventLog()


def delta(seq: int, text: str) -> WireEvent:
    data = json.dumps({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})
    return WireEvent(seq=seq, name="content_block_delta", data=data, arrived=seq / 1000)


def test_every_entry_has_its_line_in_order_and_the_entries_may_grow():
    entries: list = ["━━ reply 1", *(delta(seq, f"t{seq}") for seq in range(30_000))]
    lines = SummaryLines(entries)
    assert len(lines) == 30_001
    assert lines[0].kind == "heading" and lines[0].entry == 0
    assert lines[-1].text == summary_line(entries[-1]) and lines[-1].entry == 30_000
    assert lines.line_of_entry(12_345) == 12_345 and lines.line_of_entry(30_001) is None
    entries.append("   stream ended · done")
    assert lines[-1].kind == "note" and len(lines) == 30_002


def test_every_line_is_measured_when_the_width_is_asked_for_drawn_or_not():
    entries: list = [delta(0, "a"), delta(1, "b" * 30), delta(2, "c")]
    lines = SummaryLines(entries)
    assert lines.widest == len(summary_line(entries[1]))
    lines.make_last(1)
    entries.append(delta(3, "d" * 40))
    assert lines.widest == len(summary_line(entries[3]))


async def test_the_view_is_as_wide_as_its_widest_line_even_one_never_drawn():
    events = [delta(seq, "x") for seq in range(200)]
    events[20] = delta(20, "é" * 30 + "\x1b[2J")  # wide and neutralised, far above the screen
    app = EventLogApp()
    async with app.run_test(size=(60, 20)) as pilot:
        log = app.query_one(EventLog)
        log.begin_reply(1, "reply 1")
        log.add_events(events, 1)
        await pilot.pause()
        view = log.view
        long_line = view.lines[21]  # the long event's line (after the reply's heading)
        assert view.max_scroll_y > 0
        assert view.virtual_size.width == line_width(long_line) > len(summary_line(events[-1]))
        view.scroll_to(x=view.max_scroll_x, animate=False, immediate=True)
        await pilot.pause()
        assert view.max_scroll_x == line_width(long_line) - view.scrollable_content_region.width


async def test_the_width_does_not_depend_on_how_often_the_log_was_drawn():
    events = [delta(seq, "x") for seq in range(300)]
    events[150] = delta(150, "y" * 40)  # on screen only if the log is drawn while it is the newest
    widths = []
    for batch in (300, 7):  # one sync at the end, as under load, or many along the way
        app = EventLogApp()
        async with app.run_test(size=(60, 20)) as pilot:
            log = app.query_one(EventLog)
            log.begin_reply(1, "reply 1")
            for start in range(0, len(events), batch):
                log.add_events(events[start : start + batch], 1)
                await pilot.pause()
            widths.append(log.view.virtual_size.width)
    assert widths[0] == widths[1] == len(summary_line(events[150]))


def deltas(start: int, end: int, text: str) -> list[WireEvent]:
    return [delta(seq, text) for seq in range(start, end)]


async def log_of_a_hundred_events(app: EventLogApp, pilot) -> EventLog:
    """The app's event log, showing reply 1 with a hundred events, drawn."""
    log = app.query_one(EventLog)
    log.begin_reply(1, "reply 1")
    log.add_events(deltas(0, 100, "x"), 1)
    await pilot.pause()
    return log


def at_the_end(log: EventLog) -> bool:
    view = log.view
    return view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y


async def test_the_log_goes_on_following_new_events_after_the_terminal_shrinks_and_grows_again():
    app = EventLogApp()
    async with app.run_test(size=(80, 30)) as pilot:
        log = await log_of_a_hundred_events(app, pilot)
        await pilot.resize_terminal(60, 12)
        await pilot.pause()
        log.add_events(deltas(100, 150, "w"), 1)  # followed at the small size
        await pilot.pause()
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        log.add_events(deltas(150, 200, "y"), 1)
        await pilot.pause()
        assert at_the_end(log)


async def test_the_raw_view_opened_while_events_arrive_follows_them():
    app = EventLogApp()
    async with app.run_test(size=(80, 30)) as pilot:
        log = await log_of_a_hundred_events(app, pilot)
        log.toggle_raw()
        await pilot.pause()
        log.add_events(deltas(100, 200, "y"), 1)
        await pilot.pause()
        assert log.raw and at_the_end(log)
        log.toggle_raw()
        log.add_events(deltas(200, 300, "z"), 1)
        await pilot.pause()
        assert not log.raw and at_the_end(log)


async def test_a_user_who_scrolls_up_is_left_where_they_are():
    app = EventLogApp()
    async with app.run_test(size=(80, 30)) as pilot:
        log = await log_of_a_hundred_events(app, pilot)
        log.view.scroll_to(y=10, animate=False, immediate=True)
        log.add_events(deltas(100, 200, "y"), 1)
        await pilot.pause()
        assert log.view.scroll_y == 10


async def test_a_replys_events_stay_its_own_when_another_replys_are_shown_meanwhile():
    app = EventLogApp()
    async with app.run_test(size=(80, 30)) as pilot:
        log = app.query_one(EventLog)
        log.begin_reply(2, "reply 2")
        log.add_events([delta(seq, "live") for seq in range(3)], 2)
        log.begin_reply(1, "reply 1 · saved")  # `e` on an older reply while reply 2 streams
        log.add_events([delta(seq, "old") for seq in range(2)], 1)
        log.add_events([delta(seq, "live") for seq in range(3, 5)], 2)
        log.note("stream ended · done (end_turn)", 2)
        await pilot.pause()
        assert [event.seq for event in log.events_of_reply(2)] == [0, 1, 2, 3, 4]
        assert [event.seq for event in log.events_of_reply(1)] == [0, 1]
        headings = [entry for entry in log.entries if isinstance(entry, str) and entry.startswith("━━")]
        assert headings == ["━━ reply 2", "━━ reply 1 · saved", "━━ reply 2 · continued"]
        assert log.entries[-1].endswith("stream ended · done (end_turn)")


async def test_a_burst_too_long_to_measure_at_once_is_measured_over_the_next_moments():
    from tests.conftest import until

    events = [delta(seq, "x") for seq in range(3000)]
    events[2500] = delta(2500, "z" * 40)  # far past what one look measures
    app = EventLogApp()
    async with app.run_test(size=(60, 20)) as pilot:
        log = app.query_one(EventLog)
        log.begin_reply(1, "reply 1")
        log.add_events(events, 1)
        wide = len(summary_line(events[2500]))
        await until(pilot, lambda: log.view.virtual_size.width == wide, "the widest line to be measured")
