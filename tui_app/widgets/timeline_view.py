"""One reply's timeline in the event panel: its content deltas against time (text and thinking apart), the
first token and the pings marked, stalls said; drawn with textual-plotext from the recorded events."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tui_app.stream.events import WireEvent
from tui_app.stream.metrics import format_seconds
from tui_app.stream.timeline import Timeline

TICKS = 4
"""Intervals the time axis is labelled at."""


def caption(timeline: Timeline, reply: int) -> str:
    """The timeline in words: what the chart shows, for a screen reader or a narrow panel."""
    if not timeline.events:
        return f"Reply {reply}: no events yet."
    parts = [f"Reply {reply}", f"first token {format_seconds(timeline.first_token)}",
             f"end {format_seconds(timeline.end)}", _count(len(timeline.pings), "ping")]
    if timeline.stalls:
        longest = max(stall.seconds for stall in timeline.stalls)
        parts.append(f"{_count(len(timeline.stalls), 'stall')} (longest {format_seconds(longest)})")
    else:
        parts.append("no stalls")
    return " · ".join(parts)


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


class TimelineView(Vertical):
    """The chart of one reply's pace, and a line saying it."""

    DEFAULT_CSS = """
    TimelineView { height: 1fr; }
    TimelineView > #timeline-caption { height: auto; padding: 0 1; color: $foreground 80%; }
    TimelineView > PlotextPlot { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="timeline-caption")
        yield PlotextPlot(id="timeline-plot")

    def show(self, events: Sequence[WireEvent], reply: int, ended: float | None = None) -> Timeline:
        """Draw reply `reply`'s timeline from its events so far (and when it ended, once it has)."""
        timeline = Timeline.of(events, ended)
        self.query_one("#timeline-caption", Static).update(Content(caption(timeline, reply)))
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.title("content deltas per second")
        plt.xlabel("seconds from the request")
        starts = timeline.starts
        if starts:
            per_second = 1 / timeline.bucket
            series = [(name, [count * per_second for count in counts])
                      for name, counts in (("text", timeline.text), ("thinking", timeline.thinking),
                                           ("tool input", timeline.other)) if any(counts)]
            if series:
                plt.stacked_bar(starts, [values for _, values in series], labels=[name for name, _ in series],
                                width=timeline.bucket * 0.8)
            if timeline.first_token is not None:
                plt.vline(timeline.first_token, "green")
            for stall in timeline.stalls:  # pings are said in the line above: drawn, they would hide the rest
                plt.vline(stall.start + stall.seconds, "red")
            end = timeline.end or 0.0
            ticks = [end * step / TICKS for step in range(TICKS + 1)]
            plt.xticks(ticks, [format_seconds(tick) for tick in ticks])
        plot.refresh()
        return timeline
