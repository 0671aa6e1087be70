"""The event log's summary view: a line per entry, made only when it is drawn or measured."""

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


def test_only_the_lines_made_are_measured():
    entries: list = [delta(0, "a"), delta(1, "b" * 30), delta(2, "c")]
    lines = SummaryLines(entries)
    assert lines.widest == 0
    lines.make_last(1)
    assert lines.widest == len(summary_line(entries[2]))
    assert lines[1].entry == 1
    assert lines.widest == len(summary_line(entries[1]))


async def test_the_view_widens_to_a_long_line_once_it_is_scrolled_into_view():
    events = [delta(seq, "x") for seq in range(200)]
    events[20] = delta(20, "é" * 30 + "\x1b[2J")  # wide and neutralised, far above the screen
    app = EventLogApp()
    async with app.run_test(size=(60, 20)) as pilot:
        log = app.query_one(EventLog)
        log.begin_reply(1, "reply 1", events)
        await pilot.pause()
        view = log.view
        assert view.max_scroll_y > 0 and view.virtual_size.width == len(summary_line(events[-1]))
        view.cursor = 21  # the long event's line (after the reply's heading)
        await pilot.pause()
        await pilot.pause()
        long_line = view.lines[21]
        assert view.virtual_size.width == line_width(long_line) > len(summary_line(events[-1]))
        view.scroll_to(x=view.max_scroll_x, animate=False, immediate=True)
        await pilot.pause()
        assert view.max_scroll_x == line_width(long_line) - view.scrollable_content_region.width
