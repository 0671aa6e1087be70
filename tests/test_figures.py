"""Today's figures and endings, shown and explained: the event log's summaries of usage, signatures, citations
and server tools; the status bar's cache, cost, context and settings at any width; every stop reason in words;
and print mode's server tools, sources, stop reasons and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.color import Color

from tests.test_hostile import answering, frame, start, text_block
from tui_app.demo.server import DemoServer
from tui_app.model.content import details_of
from tui_app.model.conversation import ChatSettings, Turn
from tui_app.model.ending import Ending
from tui_app.printmode import PAUSED_EXIT, REFUSED_EXIT
from tui_app.stream.events import WireEvent, summarize
from tui_app.stream.failures import FailureKind
from tui_app.stream.metrics import ReplyTimings
from tui_app.stream.reply import Reply, ReplyState
from tui_app.widgets.status_bar import StatusBar, compact

PRICED = "claude-opus-4-6"
"""A model in the shipped price table: $5 in, $25 out, $6.25 a 5-minute cache write, $0.50 a cache read."""
CACHED = {"input_tokens": 145, "cache_read_input_tokens": 11_000, "cache_creation_input_tokens": 1_200}
REFUSAL = {"type": "refusal", "category": "cyber",
           "explanation": "The request could enable cyber harm, such as malware or exploit development."}


def event(payload: dict[str, Any]) -> WireEvent:
    return WireEvent(seq=0, name=payload["type"], data=json.dumps(payload), arrived=0.0)


def block_start(index: int, block: dict[str, Any]) -> WireEvent:
    return event({"type": "content_block_start", "index": index, "content_block": block})


def block_delta(index: int, delta: dict[str, Any]) -> WireEvent:
    return event({"type": "content_block_delta", "index": index, "delta": delta})


# The event log's summaries


def test_message_start_shows_the_input_its_cache_and_the_message_id_shortened() -> None:
    line = summarize(event({"type": "message_start", "message": {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "model": PRICED,
        "usage": {**CACHED, "cache_creation": {"ephemeral_5m_input_tokens": 1_200}}}}))
    assert line == f"model={PRICED} in=145 cache_read=11000 cache_write=1200 id=msg_…vVoYEL"
    quiet = summarize(event({"type": "message_start", "message": {
        "id": "msg_demo", "model": "m", "usage": {"input_tokens": 3, "cache_read_input_tokens": 0}}}))
    assert quiet == "model=m in=3 id=msg_demo"  # a cache that did nothing says nothing


def test_message_delta_shows_the_stop_its_details_and_the_usage_given() -> None:
    refused = summarize(event({"type": "message_delta", "delta": {"stop_reason": "refusal", "stop_details": REFUSAL},
                               "usage": {"output_tokens": 40, "output_tokens_details": {"thinking_tokens": 20},
                                         "server_tool_use": {"web_search_requests": 2}}}))
    assert refused == "stop=refusal out=40 thinking=20 searches=2 category=cyber"
    at_sequence = summarize(event({"type": "message_delta",
                                   "delta": {"stop_reason": "stop_sequence", "stop_sequence": "END"},
                                   "usage": {"output_tokens": 4, "input_tokens": 9, "cache_read_input_tokens": 7}}))
    assert at_sequence == 'stop=stop_sequence out=4 cache_read=7 sequence="END"'
    plain = summarize(event({"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                             "usage": {"output_tokens": 214}}))
    assert plain == "stop=end_turn out=214"


def test_signatures_citations_and_compaction_are_summarised_in_a_few_words() -> None:
    assert summarize(block_delta(0, {"type": "signature_delta", "signature": "s" * 312})) == "#0 signature (312 chars)"
    cited = {"type": "web_search_result_location", "url": "https://example.com/a", "title": "Example Domain",
             "cited_text": "quoted", "encrypted_index": "x"}
    assert summarize(block_delta(1, {"type": "citations_delta", "citation": cited})) == "#1 cites Example Domain"
    untitled = {**cited, "title": None}
    assert summarize(block_delta(1, {"type": "citations_delta", "citation": untitled})) == \
        "#1 cites https://example.com/a"
    document = {"type": "char_location", "document_index": 0, "document_title": "Report", "cited_text": "q"}
    assert summarize(block_delta(2, {"type": "citations_delta", "citation": document})) == "#2 cites Report"
    compaction = summarize(block_delta(0, {"type": "compaction_delta", "content": "The conversation so far: " * 3}))
    assert compaction.startswith("#0 compaction_delta 'The conversation so far: ") and compaction.endswith("…'")


def test_server_tool_blocks_show_the_query_the_result_count_or_the_error() -> None:
    search = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "sse spec"}}
    assert summarize(block_start(1, search)) == "#1 server_tool_use web_search 'sse spec'"
    streamed = {**search, "input": {}}  # the query streams as input_json_delta
    assert summarize(block_start(1, streamed)) == "#1 server_tool_use web_search"
    results = [{"type": "web_search_result", "url": "u", "title": "t", "encrypted_content": "e"}] * 3
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": results}
    assert summarize(block_start(2, result)) == "#2 web_search_tool_result 3 results"
    failed = {**result, "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}}
    assert summarize(block_start(2, failed)) == "#2 web_search_tool_result error max_uses_exceeded"
    redacted = {"type": "redacted_thinking", "data": "E" * 1_500}
    assert summarize(block_start(0, redacted)) == "#0 redacted_thinking (1,500 chars of data)"


def test_a_text_delta_summary_is_as_it_was() -> None:
    assert summarize(block_delta(0, {"type": "text_delta", "text": "Hello"})) == "#0 text_delta 'Hello'"


# Endings


def ended(stop_reason: str, **fields: Any) -> Ending:
    return Ending(ReplyState.DONE, stop_reason, None, fields.get("stop_sequence"), fields.get("stop_details"))


def test_every_stop_reason_is_explained_under_the_reply() -> None:
    assert ended("refusal", stop_details=REFUSAL).notice == (
        f"✗ refused (cyber): {REFUSAL['explanation']} · your next prompt replaces the refused one")
    assert ended("refusal").notice == "✗ refused · your next prompt replaces the refused one"
    assert ended("pause_turn").notice == "⏸ paused by the server (a long-running tool turn): F6 continues it"
    assert ended("pause_turn").notice_for("ctrl+g") == (
        "⏸ paused by the server (a long-running tool turn): ctrl+g continues it")
    assert ended("model_context_window_exceeded").notice == (
        "⚠ stopped: the context window is full; start a new conversation, or shorten it")
    assert ended("stop_sequence", stop_sequence="END").notice == '⏹ stopped at the stop sequence "END"'
    assert ended("tool_use").notice == (
        "⚙ the reply asks to use a tool: claude-tui runs no tools, so the call is shown, not run")
    assert ended("max_tokens").notice == "⚠ stopped at the max_tokens limit"
    assert ended("end_turn").notice is None


def test_the_status_words_the_summary_and_what_is_cut_short() -> None:
    assert ended("refusal", stop_details=REFUSAL).status == "refused (cyber)"
    assert ended("pause_turn").status == "paused · F6 continues"
    assert ended("model_context_window_exceeded").status == "context window full"
    assert ended("stop_sequence", stop_sequence="x" * 50).status == f'stopped at "{"x" * 29}…"'
    assert ended("end_turn").status == "done"
    assert ended("refusal", stop_details=REFUSAL).summary == "done (refusal, cyber)"
    assert [ended(reason).cut_short for reason in ("refusal", "pause_turn", "model_context_window_exceeded",
                                                   "max_tokens", "stop_sequence", "end_turn", "tool_use")] == \
        [True, True, True, True, False, False, False]
    failed = Ending(ReplyState.FAILED, "refusal", "overloaded")
    assert failed.status == "failed: overloaded" and not failed.refused


def test_an_ending_is_read_back_from_a_saved_turn_and_exported_in_words() -> None:
    reply = Reply(state=ReplyState.DONE, stop_reason="refusal", stop_details=REFUSAL)
    turn = Turn("assistant", "", state=ReplyState.DONE, stop_reason="refusal", usage=details_of(reply))
    assert Ending.of_turn(turn) == Ending.of(reply)
    assert Ending.of_turn(turn).saved_note == f"**refused** (cyber): {REFUSAL['explanation']}"
    paused = Turn("assistant", "", state=ReplyState.DONE, stop_reason="pause_turn")
    assert Ending.of_turn(paused).saved_note == (
        "**paused** by the server (a long-running tool turn); it can be continued in the app")
    stopped = Turn("assistant", "", state=ReplyState.DONE, stop_reason="stop_sequence",
                   usage={"stop_sequence": "END", "stop_details": "not a dict"})
    assert Ending.of_turn(stopped).saved_note == '**stopped** at the stop sequence "END"'
    assert Ending.of_turn(Turn("assistant", "", state=ReplyState.DONE, stop_reason="end_turn")).saved_note is None


# The status bar


@dataclass
class FakeSession:
    """What the status bar reads of a session."""

    reply: Reply
    model: str = PRICED
    timings: ReplyTimings = field(default_factory=lambda: ReplyTimings(first_token=1.2, last_event=3.4, finished=3.4))
    attempts: list[Any] = field(default_factory=list)

    def elapsed(self) -> float:
        return 3.4


def reply_of(model: str = PRICED, usage: dict[str, Any] | None = None, stop: dict[str, Any] | None = None,
             output: dict[str, Any] | None = None, miss: dict[str, Any] | None = None) -> Reply:
    """A reply folded from wire events, as a session builds it."""
    reply = Reply()
    message: dict[str, Any] = {"id": "msg_1", "model": model, "usage": usage or {"input_tokens": 12}}
    if miss is not None:
        message["diagnostics"] = {"cache_miss_reason": miss}
    for payload in ({"type": "message_start", "message": message},
                    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
                    {"type": "message_delta", "delta": stop or {"stop_reason": "end_turn"},
                     "usage": output or {"output_tokens": 1_234}},
                    {"type": "message_stop"}):
        reply.apply(event(payload))
    reply.finish()
    return reply


class BarApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")


SETTINGS = ChatSettings(model=PRICED, max_tokens=8192, thinking="2048", effort="high", cache="5m")


async def shown_bar(reply: Reply, width: int, settings: ChatSettings = SETTINGS, backend: str = "api.anthropic.com",
                    **calls: Any) -> tuple[StatusBar, str]:
    """The bar after showing a reply, and its line as drawn at `width` columns."""
    app = BarApp()
    async with app.run_test(size=(width, 3)) as pilot:
        bar = app.query_one(StatusBar)
        bar.show_idle(backend, settings)
        for name, arguments in calls.items():
            getattr(bar, name)(*arguments)
        bar.show_session(FakeSession(reply, model=settings.model))
        await pilot.pause()
        line = "".join(segment.text for segment in bar.render_line(0))
        assert line.rstrip() == bar.shown().rstrip()
        return bar, line.rstrip()


async def test_the_input_is_the_whole_input_with_its_cache_part() -> None:
    bar, wide = await shown_bar(reply_of(usage=CACHED), 400)
    assert bar.field("input") == "in 12,345 (cache read 11,000 · write 1,200)"
    assert "in 12,345 (cache read 11,000 · write 1,200)" in wide
    _, narrow = await shown_bar(reply_of(usage=CACHED), 80)
    assert "in 12k" in narrow and "cache read" not in narrow
    only_read, _ = await shown_bar(reply_of(usage={"input_tokens": 5, "cache_read_input_tokens": 900}), 400)
    assert only_read.field("input") == "in 905 (cache read 900)"


async def test_the_settings_show_thinking_effort_and_cache() -> None:
    bar, _ = await shown_bar(reply_of(), 400)
    assert bar.field("settings") == "max 8192 · thinking 2,048 · effort high · cache 5m"
    adaptive = ChatSettings(model=PRICED, max_tokens=4096, thinking="adaptive", thinking_display="omitted")
    bar, _ = await shown_bar(reply_of(), 400, adaptive)
    assert bar.field("settings") == "max 4096 · thinking adaptive (omitted)"
    bar, _ = await shown_bar(reply_of(), 400, ChatSettings(model=PRICED, max_tokens=321, temperature=0.25))
    assert bar.field("settings") == "max 321 · T 0.25"


async def test_output_shows_thinking_and_searches() -> None:
    output = {"output_tokens": 1_234, "output_tokens_details": {"thinking_tokens": 800},
              "server_tool_use": {"web_search_requests": 2}}
    bar, _ = await shown_bar(reply_of(output=output), 400)
    assert bar.field("output") == "out 1,234 (thinking 800 · 2 searches)"


async def test_the_cost_is_the_replys_at_the_price_table_and_absent_without_a_price() -> None:
    bar, _ = await shown_bar(reply_of(usage=CACHED), 400)
    # 145 x $5 + 1,234 x $25 + 1,200 x $6.25 + 11,000 x $0.50, per million tokens
    assert bar.field("cost") == "cost $0.0446"
    unpriced, line = await shown_bar(reply_of(model="claude-sonnet-5"), 400,
                                     ChatSettings(model="claude-sonnet-5", max_tokens=4096))
    assert unpriced.field("cost") == "" and "$" not in line
    price = {"input": 1, "output": 2, "cache_write_5m": 0, "cache_write_1h": 0, "cache_read": 0}
    overridden, _ = await shown_bar(reply_of(model="claude-sonnet-5"), 400,
                                    ChatSettings(model="claude-sonnet-5", max_tokens=4096),
                                    set_prices=({"claude-sonnet-5": price},))
    assert overridden.field("cost") == "cost $0.0025"  # 12 x $1 + 1,234 x $2


async def test_the_conversations_totals_count_every_reply() -> None:
    first = Turn("assistant", "a", model=PRICED, state=ReplyState.DONE, input_tokens=100, output_tokens=500,
                 usage={"cache_write": 10_000})
    retried = Turn("assistant", "b", model=PRICED, state=ReplyState.DONE, superseded=True, input_tokens=100,
                   output_tokens=0, usage={"cache_read": 10_000})
    reply = reply_of(usage=CACHED)
    last = Turn("assistant", reply.text, model=PRICED, state=ReplyState.DONE, input_tokens=reply.input_tokens,
                output_tokens=reply.output_tokens, usage=details_of(reply))
    turns = [Turn("user", "q"), first, Turn("user", "q"), retried, Turn("user", "q"), last]
    bar, _ = await shown_bar(reply, 400, show_totals=(turns,))
    # $0.0755 + $0.0055 + $0.0446
    assert bar.field("conversation") == "conversation $0.1256 · cache read 21,000 · write 11,200"
    alone, _ = await shown_bar(reply, 400, show_totals=([Turn("user", "q"), last],))
    assert alone.field("conversation") == ""  # one reply: the reply's own figures say it all
    unpriced = Turn("assistant", "c", model="claude-sonnet-5", state=ReplyState.DONE, input_tokens=5,
                    output_tokens=5)
    partly, _ = await shown_bar(reply, 400, show_totals=([first, unpriced],))
    assert partly.field("conversation") == "conversation ≥$0.0755 · cache write 10,000"


async def test_the_context_field_and_its_warning() -> None:
    bar, line = await shown_bar(reply_of(), 400, show_context=(24_000, 200_000))
    assert bar.field("context") == "ctx 12% of 200k" and "ctx 12% of 200k" in line
    assert "context" not in bar._warn
    full, narrow = await shown_bar(reply_of(), 50, show_context=(170_000, 200_000))
    assert full.field("context") == "ctx 85% of 200k" and "context" in full._warn
    assert "ctx 85%" in narrow  # a window nearly full is never left out
    unknown, _ = await shown_bar(reply_of(), 400, show_context=(24_000, None))
    assert unknown.field("context") == ""


async def test_a_cache_miss_shows_why_and_what_it_missed() -> None:
    miss = {"type": "system_changed", "cache_missed_input_tokens": 1_234}
    bar, wide = await shown_bar(reply_of(usage={"input_tokens": 1_300}, miss=miss), 400)
    assert bar.field("cache") == "cache miss: system changed (~1,234 tokens)" and bar.field("cache") in wide
    assert "cache" in bar._warn
    _, narrow = await shown_bar(reply_of(usage={"input_tokens": 1_300}, miss=miss), 80)
    assert "cache miss (~1.2k)" in narrow
    unknown, _ = await shown_bar(reply_of(miss={"type": "previous_message_not_found"}), 400)
    assert unknown.field("cache") == "cache miss: previous request unknown"
    hit, _ = await shown_bar(reply_of(), 400)
    assert hit.field("cache") == ""


@pytest.mark.parametrize(("stop", "state"), [
    ({"stop_reason": "refusal", "stop_details": REFUSAL}, "refused (cyber)"),
    ({"stop_reason": "pause_turn"}, "paused · F6 continues"),
    ({"stop_reason": "model_context_window_exceeded"}, "context window full"),
    ({"stop_reason": "stop_sequence", "stop_sequence": "END"}, 'stopped at "END"'),
    ({"stop_reason": "max_tokens"}, "stopped at max_tokens"),
])
async def test_the_state_says_how_the_reply_ended_even_at_80_columns(stop, state) -> None:
    bar, line = await shown_bar(reply_of(usage=CACHED, stop=stop), 80, show_context=(24_000, 200_000))
    assert bar.field("state") == state and line.endswith(f" {state}")
    assert len(line) <= 80


async def test_at_80_columns_the_figures_that_matter_stay_on_one_line() -> None:
    output = {"output_tokens": 1_234, "output_tokens_details": {"thinking_tokens": 800}}
    miss = {"type": "messages_changed", "cache_missed_input_tokens": 9_000}
    bar, line = await shown_bar(reply_of(usage=CACHED, output=output, miss=miss), 80,
                                show_context=(24_000, 200_000))
    full = "".join(f" {bar.field(name)} " for name in bar._forms if bar.field(name))
    assert len(full) > 200 and len(line) <= 80
    for figure in ("in 12k", "out 1,234", "$0.0446", "ctx 12%", "done"):
        assert figure in line
    _, wide = await shown_bar(reply_of(usage=CACHED, output=output, miss=miss), 400,
                              show_context=(24_000, 200_000))
    assert wide == full.rstrip()  # room for everything: everything in full


async def test_warnings_are_drawn_in_the_themes_warning_colour() -> None:
    app = BarApp()
    async with app.run_test(size=(200, 3)) as pilot:
        bar = app.query_one(StatusBar)
        bar.show_idle("demo", SETTINGS)
        bar.show_context(190_000, 200_000)
        bar.show_session(FakeSession(reply_of(stop={"stop_reason": "refusal", "stop_details": REFUSAL})))
        await pilot.pause()

        def warned(text: str) -> bool:
            segment = next(segment for segment in bar.render_line(0) if segment.text.strip() == text)
            warning = Color.parse(app.current_theme.warning).rich_color.triplet
            return all(abs(a - b) <= 2 for a, b in zip(segment.style.color.triplet, warning))

        assert warned("ctx 95% of 200k") and warned("refused (cyber)") and not warned("in 12")


def test_counts_are_compacted_for_narrow_bars() -> None:
    assert [compact(count) for count in (950, 1_000, 1_234, 12_345, 200_000, 1_500_000)] == \
        ["950", "1k", "1.2k", "12k", "200k", "1.5M"]


# Print mode

KEY = "sk-ant-test-0123456789abcdef"



def run(server: DemoServer, *steps: Any) -> subprocess.CompletedProcess[str]:
    server.script_for = answering(*steps)
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    env["ANTHROPIC_API_KEY"] = KEY
    return subprocess.run([sys.executable, "-m", "tui_app", "--base-url", server.url, "--no-history", "-p", "hi"],
                          capture_output=True, env=env, timeout=60, text=True)


def ending(delta: dict[str, Any]) -> list[Any]:
    return [frame("message_delta", {"type": "message_delta", "delta": delta, "usage": {"output_tokens": 7}}),
            frame("message_stop", {"type": "message_stop"})]


def block(index: int, content_block: dict[str, Any], *deltas: dict[str, Any]) -> list[Any]:
    return [frame("content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": content_block}),
            *(frame("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
              for delta in deltas),
            frame("content_block_stop", {"type": "content_block_stop", "index": index})]


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.removeprefix("claude-tui: ") for line in result.stderr.splitlines()]


def test_print_mode_exit_codes_are_free() -> None:
    taken = {kind.exit_code for kind in FailureKind} | {0, 1, 141}
    assert REFUSED_EXIT not in taken and PAUSED_EXIT not in taken and REFUSED_EXIT != PAUSED_EXIT


def test_print_mode_says_a_refusal_and_exits_with_its_own_code(server) -> None:
    refused = {"stop_reason": "refusal", "stop_details": REFUSAL}
    result = run(server, start(), *text_block(0, "First,"), *ending(refused))
    assert result.returncode == REFUSED_EXIT
    assert result.stdout == "First,"
    assert stderr_lines(result) == [
        "the model refused (cyber), so nothing more will come of this prompt: ask another way; "
        f"it says: {REFUSAL['explanation']}"]


def test_print_mode_says_a_paused_turn_can_be_continued_in_the_app(server) -> None:
    result = run(server, start(), *text_block(0, "A long task. "), *ending({"stop_reason": "pause_turn"}))
    assert result.returncode == PAUSED_EXIT
    assert stderr_lines(result) == [
        "the server paused this turn (a long-running tool turn), so what was printed is partial; "
        "print mode cannot continue it: ask in the app, where F6 continues a paused reply"]


@pytest.mark.parametrize(("delta", "said"), [
    ({"stop_reason": "model_context_window_exceeded"},
     "the reply stopped: the context window is full; shorten the prompt (in the app, start a new conversation)"),
    ({"stop_reason": "stop_sequence", "stop_sequence": "END"}, 'the reply stopped at the stop sequence "END"'),
    ({"stop_reason": "max_tokens"}, "the reply stopped at --max-tokens; raise it for a longer answer"),
])
def test_print_mode_says_every_other_stop_and_exits_0(server, delta, said) -> None:
    result = run(server, start(), *text_block(0, "Cut"), *ending(delta))
    assert result.returncode == 0
    assert stderr_lines(result) == [said]


def test_print_mode_describes_server_tools_and_lists_the_sources_after_the_reply(server) -> None:
    query = json.dumps({"query": "sse spec"})
    results = [{"type": "web_search_result", "url": f"https://example.com/{n}", "title": f"Page {n}",
                "encrypted_content": "e"} for n in range(3)]
    cited = {"type": "web_search_result_location", "url": "https://example.com/1", "title": "Page 1",
             "cited_text": "q", "encrypted_index": "x"}
    result = run(server, start(),
                 *block(0, {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}},
                        {"type": "input_json_delta", "partial_json": query[:6]},
                        {"type": "input_json_delta", "partial_json": query[6:]}),
                 *block(1, {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": results}),
                 *block(2, {"type": "text", "text": ""}, {"type": "text_delta", "text": "Found it."},
                        {"type": "citations_delta", "citation": cited}),
                 *block(3, {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_2",
                            "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}}),
                 *ending({"stop_reason": "end_turn"}))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Found it."
    assert stderr_lines(result) == [
        "web search: sse spec",
        "3 results: Page 0, Page 1, Page 2",
        "web search failed: max_uses_exceeded",
        "[1] Page 1 — https://example.com/1",
    ]
