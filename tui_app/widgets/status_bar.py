"""The status bar: backend, model, tokens, timings and the reply's state, always current."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widget import Widget

from tui_app.model.conversation import ChatSettings
from tui_app.model.ending import Ending
from tui_app.stream.metrics import format_seconds
from tui_app.stream.reply import ReplyState
from tui_app.text_safety import neutralize

if TYPE_CHECKING:
    from tui_app.stream.session import ReplySession

FIELDS = ("backend", "model", "settings", "input", "output", "ttft", "total", "speed", "stop", "state")
QUIET_SECONDS = 2.0
"""Silence in a stream longer than this is shown as it grows, so a stall is never mistaken for a hang."""


class StatusBar(Widget):
    """The figures of the moment on one line, drawn as one piece of text.

    One widget, not a label per figure: while a reply streams its figures change every frame, and ten
    labels of changing widths were ten widgets to style, lay out and draw each time. Each figure is
    coloured by a component class: `status-bar--field`, `status-bar--backend`, and for the state
    `status-bar--` and the state's name (`streaming`, `done`, `failed`…).
    """

    COMPONENT_CLASSES = {
        "status-bar--field", "status-bar--backend", *(f"status-bar--{state.value}" for state in ReplyState)
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fields = dict.fromkeys(FIELDS, "")
        self._state: ReplyState | None = None

    def field(self, name: str) -> str:
        """The text shown for one figure (see `FIELDS`), empty while it has none."""
        return self._fields[name]

    def set_field(self, name: str, text: str) -> None:
        text = neutralize(text)
        if self._fields[name] != text:
            self._fields[name] = text
            self.refresh()

    def render(self) -> Content:
        parts: list[Content] = []
        for name, text in self._fields.items():
            if not text:
                continue
            component = "status-bar--field"
            if name == "backend":
                component = "status-bar--backend"
            elif name == "state" and self._state is not None:
                component = f"status-bar--{self._state.value}"
            parts.append(Content(f" {text} ").stylize(self.get_visual_style(component)))
        return Content("").join(parts)

    def show_idle(self, backend: str, settings: ChatSettings) -> None:
        self.set_field("backend", backend)
        self.show_settings(settings)
        if self._state is not None:
            self._state = None
            self.refresh()
        self.set_field("state", "ready")

    def show_settings(self, settings: ChatSettings) -> None:
        """The settings the next reply will be asked with."""
        self.set_field("model", settings.model)
        parts = [f"max {settings.max_tokens}"]
        if settings.temperature is not None:
            parts.append(f"T {settings.temperature:g}")
        if settings.system:
            parts.append("system ✓")
        self.set_field("settings", " · ".join(parts))

    def show_session(self, session: ReplySession) -> None:
        reply, timings = session.reply, session.timings
        self.set_field("model", reply.model or session.model)
        self.set_field("input", f"in {reply.input_tokens if reply.input_tokens is not None else '–'}")
        output, final = reply.live_output_tokens
        self.set_field("output", f"out {output if final else f'~{output}'}")
        ttft = timings.first_token
        if ttft is None and not reply.state.finished:
            self.set_field("ttft", f"waiting {format_seconds(session.elapsed())}")
        else:
            self.set_field("ttft", f"TTFT {format_seconds(ttft)}")
        total = timings.finished if timings.finished is not None else session.elapsed()
        self.set_field("total", f"total {format_seconds(total)}")
        speed = timings.tokens_per_second(output)
        self.set_field("speed", f"{speed:.0f} tok/s" if speed else "– tok/s")
        self.set_field("stop", f"stop {reply.stop_reason or '–'}")
        text = Ending.of(reply).status
        if reply.state is ReplyState.WAITING and session.attempts and session.attempts[-1].will_retry:
            last = session.attempts[-1]
            text = f"retrying: {last.short} (attempt {last.number + 1} of {last.attempts})"
        elif reply.state is ReplyState.STREAMING and timings.last_event is not None:
            quiet = session.elapsed() - timings.last_event
            if quiet >= QUIET_SECONDS:
                text = f"{text} · no data for {quiet:.0f} s"
        if self._state is not reply.state:
            self._state = reply.state
            self.refresh()
        self.set_field("state", text)
