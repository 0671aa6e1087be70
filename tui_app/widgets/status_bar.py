"""The status bar: backend, model, tokens, cost, timings and the reply's state, always current."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from tui_app.model.asking import describe_thinking, thinking_budget, thinks
from tui_app.model.conversation import ChatSettings
from tui_app.model.ending import Ending
from tui_app.model.pricing import Counted, PriceError, conversation_cost, format_cost, reply_cost
from tui_app.stream.metrics import format_seconds
from tui_app.stream.reply import Reply, ReplyState
from tui_app.stream.usage import TokenUsage
from tui_app.text_safety import neutralize

if TYPE_CHECKING:
    from tui_app.model.conversation import Turn
    from tui_app.stream.session import ReplySession

FIELDS = ("backend", "model", "settings", "input", "cache", "output", "cost", "conversation", "context", "ttft",
          "total", "speed", "stop", "state")
QUIET_SECONDS = 2.0
"""Silence in a stream longer than this is shown as it grows, so a stall is never mistaken for a hang."""
CONTEXT_WARNING = 0.8
"""Past this share of the context window the context figure is drawn in the warning colour."""
SHORTER = (
    ("settings", 1), ("speed", 1), ("total", 1), ("stop", 1), ("conversation", 1), ("output", 1), ("ttft", 1),
    ("input", 1), ("cache", 1), ("backend", 1), ("conversation", 2), ("cost", 1), ("settings", 2), ("cache", 2),
    ("input", 2), ("context", 1), ("model", 1), ("context", 2), ("cost", 2),
)
"""How the bar makes room when its figures are wider than the terminal, in order: each step shows a field in
its next shorter form, or leaves it out when it has none."""
REPLY_FIELDS = ("input", "cache", "output", "cost", "ttft", "total", "speed", "stop")
"""Figures of one reply."""
KEPT = frozenset({"input", "output", "state"})
"""Figures never left out, only shortened."""
CACHE_MISSES = {
    "model_changed": "model changed", "system_changed": "system changed", "tools_changed": "tools changed",
    "messages_changed": "earlier messages changed", "previous_message_not_found": "previous request unknown",
    "unavailable": "no diagnosis",
}
"""Why the prompt cache missed, from the server's `cache_miss_reason.type`."""


class StatusBar(Widget):
    """The figures of the moment on one line, drawn as one piece of text.

    One widget, not a label per figure: while a reply streams its figures change every frame, and ten
    labels of changing widths were ten widgets to style, lay out and draw each time. Each figure is
    coloured by a component class: `status-bar--field`, `status-bar--backend`, `status-bar--warn` (a
    context window nearly full, a cache miss, a reply refused or cut short), and for the state
    `status-bar--` and the state's name (`streaming`, `done`, `failed`…).

    A figure has a full form and shorter ones: when the line is wider than the bar, figures are shortened
    or left out (see `SHORTER`) so the bar stays one readable line.
    """

    DEFAULT_CSS = """
    StatusBar > .status-bar--warn {
        color: $warning;
    }
    """
    COMPONENT_CLASSES = {
        "status-bar--field", "status-bar--backend", "status-bar--warn",
        *(f"status-bar--{state.value}" for state in ReplyState),
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._forms: dict[str, tuple[str, ...]] = dict.fromkeys(FIELDS, ("",))
        self._warn: set[str] = set()
        self._state: ReplyState | None = None
        self._prices: dict[str, Any] = {}

    def field(self, name: str) -> str:
        """The full text of one figure (see `FIELDS`), empty while it has none."""
        return self._forms[name][0]

    def shown(self) -> str:
        """The line as drawn at the bar's width, figures shortened to fit."""
        return self.render().plain

    def set_field(self, name: str, text: str, *shorter: str, warn: bool = False) -> None:
        """Set a figure, with its shorter forms from longest to shortest (see `SHORTER`)."""
        forms = tuple(neutralize(form) for form in (text, *shorter))
        if name not in KEPT and forms[-1]:
            forms += ("",)
        if self._forms[name] != forms or (name in self._warn) != warn:
            self._forms[name] = forms
            (self._warn.add if warn else self._warn.discard)(name)
            self.refresh()

    def render(self) -> Content:
        parts: list[Content] = []
        for name, text in self._fitted().items():
            if not text:
                continue
            component = "status-bar--field"
            if name == "backend":
                component = "status-bar--backend"
            elif name in self._warn:
                component = "status-bar--warn"
            elif name == "state" and self._state is not None:
                component = f"status-bar--{self._state.value}"
            parts.append(Content(f" {text} ").stylize(self.get_visual_style(component)))
        return Content("").join(parts)

    def _fitted(self) -> dict[str, str]:
        """Each figure in the longest form that lets the whole line fit the bar's width: shortened step by step
        until it fits, then each step undone, latest first, where the room left allows."""
        shown = {name: forms[0] for name, forms in self._forms.items()}
        width = self.size.width
        if not width:
            return shown
        used = sum(_cells(text) for text in shown.values())
        taken: list[tuple[str, str]] = []
        for name, step in SHORTER:
            if used <= width:
                break
            forms = self._forms[name]
            text = forms[min(step, len(forms) - 1)]
            if text != shown[name]:
                taken.append((name, shown[name]))
                used += _cells(text) - _cells(shown[name])
                shown[name] = text
        for name, before in reversed(taken[:-1]):
            if used + _cells(before) - _cells(shown[name]) <= width:
                used += _cells(before) - _cells(shown[name])
                shown[name] = before
        return shown

    def show_idle(self, backend: str, settings: ChatSettings) -> None:
        """Ready for a prompt: the last reply's figures go, as they belong to no reply on screen any more (the
        conversation's own are shown by `show_totals` and `show_context`)."""
        for name in REPLY_FIELDS:
            self.set_field(name, "")
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
        asking, short = [], []
        if thinking := describe_thinking(settings.thinking):
            hidden = " (omitted)" if thinks(settings.thinking) and settings.thinking_display == "omitted" else ""
            budget = thinking_budget(settings.thinking)
            asking.append(thinking + hidden)
            short.append(f"think {compact(budget) if budget is not None else settings.thinking}{hidden}")
        if settings.effort:
            asking.append(f"effort {settings.effort}")
            short.append(f"effort {settings.effort}")
        if settings.cache:
            asking.append(f"cache {settings.cache}")
            short.append(f"cache {settings.cache}")
        self.set_field("settings", " · ".join(parts + asking), " · ".join(short) or parts[0])

    def set_prices(self, overrides: Mapping[str, Any]) -> None:
        """The config's `[prices."MODEL"]` tables, over the shipped price table."""
        self._prices = dict(overrides)

    def show_session(self, session: ReplySession) -> None:
        reply, timings = session.reply, session.timings
        self.set_field("model", reply.model or session.model)
        self._show_input(reply)
        self._show_cache_miss(reply)
        output, final = reply.live_output_tokens
        self._show_output(reply, output if final else None, output)
        self._show_cost(reply, reply.model or session.model)
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
        ending = Ending.of(reply)
        text = ending.status
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
        self.set_field("state", text, warn=ending.cut_short)

    def _show_input(self, reply: Reply) -> None:
        """All the input, with the part read from and written to the prompt cache."""
        total = reply.usage.total_input(reply.input_tokens)
        if total is None:
            self.set_field("input", "in –")
            return
        read, write = reply.usage.cache_read or 0, reply.usage.cache_write or 0
        if not (read or write):
            self.set_field("input", f"in {total:,}", f"in {total:,}", f"in {compact(total)}")
            return
        full = [f"read {read:,}"] if read else []
        full += [f"write {write:,}"] if write else []
        short = [f"read {compact(read)}"] if read else []
        short += [f"write {compact(write)}"] if write else []
        self.set_field("input", f"in {total:,} (cache {' · '.join(full)})",
                       f"in {compact(total)} ({' · '.join(short)})", f"in {compact(total)}")

    def _show_cache_miss(self, reply: Reply) -> None:
        miss = reply.cache_miss
        if not miss:
            self.set_field("cache", "")
            return
        kind = miss.get("type")
        why = CACHE_MISSES.get(kind, kind) if isinstance(kind, str) else None
        tokens = miss.get("cache_missed_input_tokens")
        size = f" (~{tokens:,} tokens)" if isinstance(tokens, int) and not isinstance(tokens, bool) else ""
        short = f" (~{compact(tokens)})" if size else ""
        self.set_field("cache", f"cache miss: {why}{size}" if why else f"cache miss{size}", f"cache miss{short}",
                       warn=True)

    def _show_output(self, reply: Reply, final: int | None, live: int) -> None:
        count = f"out {final:,}" if final is not None else f"out ~{live:,}"
        usage = reply.usage
        extra = [f"thinking {usage.thinking:,}"] if usage.thinking else []
        if usage.web_search_requests:
            extra.append(f"{usage.web_search_requests} search" + ("es" if usage.web_search_requests > 1 else ""))
        if usage.web_fetch_requests:
            extra.append(f"{usage.web_fetch_requests} fetch" + ("es" if usage.web_fetch_requests > 1 else ""))
        full = f"{count} ({' · '.join(extra)})" if extra else count
        self.set_field("output", full, count, f"out {compact(final if final is not None else live)}")

    def _show_cost(self, reply: Reply, model: str | None) -> None:
        """The reply's estimated cost; no figure at all when its model has no price."""
        counted = reply.input_tokens is not None or reply.output_tokens is not None or reply.usage.cached
        dollars = self._cost_of(_Counts(model, reply.input_tokens, reply.output_tokens, reply.usage))
        if dollars is None or not counted:
            self.set_field("cost", "")
            return
        self.set_field("cost", f"cost {format_cost(dollars)}", f"{format_cost(dollars)}")

    def show_totals(self, turns: list[Turn]) -> None:
        """The conversation so far: its cache reads and writes and its estimated cost, every reply counted
        (retried ones too: they were paid for). Shown once there is more than one reply to add up."""
        replies = [turn for turn in turns if turn.is_reply and _counted(turn)]
        if len(replies) < 2:
            self.set_field("conversation", "")
            return
        usage = TokenUsage()
        for turn in replies:
            usage.add(TokenUsage.from_record(turn.usage))
        try:
            dollars, complete = conversation_cost(replies, self._prices)
        except PriceError:
            dollars, complete = 0.0, False
        any_priced = any(self._cost_of(turn) is not None for turn in replies)
        money = (format_cost(dollars) if complete else f"≥{format_cost(dollars)}") if any_priced else ""
        cache = [f"read {usage.cache_read:,}"] if usage.cache_read else []
        cache += [f"write {usage.cache_write:,}"] if usage.cache_write else []
        short_cache = [f"read {compact(usage.cache_read or 0)}"] if usage.cache_read else []
        short_cache += [f"write {compact(usage.cache_write or 0)}"] if usage.cache_write else []
        full = [money] if money else []
        full += [f"cache {' · '.join(cache)}"] if cache else []
        if not full:
            self.set_field("conversation", "")
            return
        short = [money] if money else [f"cache {' · '.join(short_cache)}"]
        self.set_field("conversation", f"conversation {' · '.join(full)}", f"conv {' · '.join(short)}")

    def show_context(self, used: int | None, limit: int | None) -> None:
        """How much of the model's context window the conversation takes: `ctx 12% of 200k`."""
        if not limit:
            self.set_field("context", "")
            return
        if used is None:
            self.set_field("context", f"ctx {compact(limit)}", f"ctx {compact(limit)}")
            return
        share = used / limit
        percent = f"{share:.0%}" if share >= 0.01 or not used else "<1%"
        warn = share > CONTEXT_WARNING
        kept = (f"ctx {percent}",) if warn else ()  # a window nearly full is never left out
        self.set_field("context", f"ctx {percent} of {compact(limit)}", f"ctx {percent}", *kept, warn=warn)

    def _cost_of(self, counts: Counted) -> float | None:
        """What a reply cost; None when its model has no price (or the config's price cannot be read)."""
        try:
            return reply_cost(counts, self._prices)
        except PriceError:
            return None


@dataclass(frozen=True, slots=True)
class _Counts:
    """A reply's counts as the price table reads them, with the model the session asked for."""

    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    usage: TokenUsage


def _cells(text: str) -> int:
    """The cells a figure takes on the line, with the space either side."""
    return cell_len(text) + 2 if text else 0


def _counted(turn: Turn) -> bool:
    return turn.input_tokens is not None or turn.output_tokens is not None or bool(turn.usage)


def compact(count: int) -> str:
    """A token count in a few characters: `950`, `1.2k`, `12k`, `200k`, `1.5M`."""
    if count < 1000:
        return str(count)
    if count < 10_000:
        return f"{count / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    if count < 1_000_000:
        return f"{count // 1000}k"
    return f"{count / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
