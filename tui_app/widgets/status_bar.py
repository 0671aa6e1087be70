"""The status bar: backend, model, tokens, timings and the reply's state, always current."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label

from tui_app.stream.conversation import ChatSettings
from tui_app.stream.metrics import format_seconds
from tui_app.stream.reply import ReplyState
from tui_app.stream.session import ReplySession
from tui_app.text_safety import neutralize

FIELDS = ("backend", "model", "settings", "input", "output", "ttft", "total", "speed", "stop", "state")
STATE_CLASSES = tuple(f"-{state.value}" for state in ReplyState)
QUIET_SECONDS = 2.0
"""Silence in a stream longer than this is shown as it grows, so a stall is never mistaken for a hang."""


class StatusBar(Horizontal):
    """One label per figure, so tests and themes can address each by id."""

    DEFAULT_CSS = """
    StatusBar { height: 1; }
    StatusBar > Label { padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        for name in FIELDS:
            yield Label(id=f"status-{name}", classes="status-field")

    def set_field(self, name: str, text: str) -> None:
        label = self.query_one(f"#status-{name}", Label)
        content = Content(neutralize(text))
        if label.content != content:  # (an update relays out the bar, even with the same text)
            label.update(content)

    def show_idle(self, backend: str, settings: ChatSettings) -> None:
        self.set_field("backend", backend)
        self.show_settings(settings)
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
        self.set_field("model", reply.model or session.request.model)
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
        state = self.query_one("#status-state", Label)
        text = reply.state.value
        if reply.state in (ReplyState.FAILED, ReplyState.INCOMPLETE) and reply.reason:
            text = f"{text}: {reply.reason}"
        elif reply.state is ReplyState.WAITING and session.attempts and session.attempts[-1].will_retry:
            last = session.attempts[-1]
            text = f"retrying: HTTP {last.status} (attempt {last.number + 1} of {last.attempts})"
        elif reply.state is ReplyState.STREAMING and timings.last_event is not None:
            quiet = session.elapsed() - timings.last_event
            if quiet >= QUIET_SECONDS:
                text = f"{text} · no data for {quiet:.0f} s"
        self.set_field("state", text)
        if not state.has_class(f"-{reply.state.value}"):
            state.remove_class(*STATE_CLASSES)
            state.add_class(f"-{reply.state.value}")
