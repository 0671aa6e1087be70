"""The event log's summary view: a line per entry, made only when it is drawn or measured."""

import json

from tui_app.stream.events import WireEvent
from tui_app.widgets.event_log import SummaryLines, summary_line


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


def test_measuring_covers_only_what_came_since_the_last_measure():
    entries: list = [delta(0, "a"), delta(1, "b" * 30)]
    lines = SummaryLines(entries)
    widest = lines.measure()
    assert widest == len(summary_line(entries[1]))
    entries.append(delta(2, "c"))
    assert lines.measure() == len(summary_line(entries[2])) < widest
    assert lines.measure() == 0
