"""Every block of today's Messages API drawn in the transcript, copied and exported readably: thinking (with
its time and tokens, omitted or redacted), server tools and what they found, citations with numbered
sources, and any other block or delta as the JSON it came as."""

from __future__ import annotations

import json
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.selection import Selection

from tests.conftest import Clipboards, copied, send_and_finish
from tests.test_growing_frame import PACED, fresh_screen
from tui_app.model.citations import Source, TextRun, number_sources, reply_markdown
from tui_app.model.content import content_of, details_of
from tui_app.model.conversation import ChatSettings, Conversation, Turn
from tui_app.store.export import export
from tui_app.stream.events import WireEvent
from tui_app.stream.reply import Reply
from tui_app.widgets.block_views import (
    OtherBlockView,
    OtherDeltasView,
    ServerToolUseBlockView,
    ThinkingBlockView,
    ToolResultBlockView,
)
from tui_app.widgets.copy_request import copy_request_for
from tui_app.widgets.prose_lines import ProseLines
from tui_app.widgets.reply_view import ReplyView, SourcesView
from tui_app.widgets.text_block_view import TextBlockView

DOCS = "https://docs.example.com/streaming"
MDN = "https://mdn.example.org/sse"


def event(seq: int, payload: dict[str, Any], arrived: float) -> WireEvent:
    return WireEvent(seq=seq, name=payload["type"], data=json.dumps(payload), arrived=arrived)


def start() -> dict[str, Any]:
    return {"type": "message_start", "message": {"id": "msg_1", "model": "claude-test", "usage": {"input_tokens": 9}}}


def block(index: int, content: dict[str, Any], *deltas: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "content_block_start", "index": index, "content_block": content},
            *({"type": "content_block_delta", "index": index, "delta": delta} for delta in deltas),
            {"type": "content_block_stop", "index": index}]


def text(index: int, said: str, *cited: dict[str, Any]) -> list[dict[str, Any]]:
    citations = [{"type": "citations_delta", "citation": citation} for citation in cited]
    return block(index, {"type": "text", "text": ""}, *citations, {"type": "text_delta", "text": said})


def page(url: str, title: str) -> dict[str, Any]:
    return {"type": "web_search_result_location", "url": url, "title": title, "cited_text": "…", "encrypted_index": "x"}


def thinking(index: int, thought: str) -> list[dict[str, Any]]:
    deltas = [{"type": "thinking_delta", "thinking": thought}] if thought else []
    return block(index, {"type": "thinking", "thinking": "", "signature": ""}, *deltas,
                 {"type": "signature_delta", "signature": "c2ln"})


def finish(thinking_tokens: int | None = None) -> list[dict[str, Any]]:
    usage: dict[str, Any] = {"output_tokens": 400}
    if thinking_tokens is not None:
        usage["output_tokens_details"] = {"thinking_tokens": thinking_tokens}
    return [{"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": usage}, {"type": "message_stop"}]


def events(payloads: list[dict[str, Any]], times: dict[int, float] | None = None) -> list[WireEvent]:
    """The payloads as wire events, arriving a tenth of a second apart unless `times` says when."""
    times = times or {}
    return [event(seq, payload, times.get(seq, seq / 10)) for seq, payload in enumerate(payloads)]


def reply_of(payloads: list[dict[str, Any]], times: dict[int, float] | None = None) -> Reply:
    reply = Reply()
    for wire_event in events(payloads, times):
        reply.apply(wire_event)
    reply.finish()
    return reply


SEARCH = [
    start(),
    *block(0, {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}},
           {"type": "input_json_delta", "partial_json": '{"query": "sse str'},
           {"type": "input_json_delta", "partial_json": 'eaming"}'}),
    *block(1, {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": [
        {"type": "web_search_result", "title": "Streaming - Docs", "url": DOCS, "page_age": "2 weeks ago",
         "encrypted_content": "e1"},
        {"type": "web_search_result", "title": "SSE - MDN", "url": MDN, "encrypted_content": "e2"}]}),
    *text(2, "From what the search found, "),
    *text(3, "a reply streams as named events", page(DOCS, "Streaming - Docs")),
    *text(4, ", and "),
    *text(5, "each event ends with a blank line", page(MDN, "SSE - MDN"), page(DOCS, "Streaming - Docs")),
    *text(6, "."),
    *finish(),
]
SEARCH_TEXT = ("From what the search found, a reply streams as named events [1], and each event ends with a "
               "blank line [1][2].")


class OneReply(App[None]):
    """A reply view on its own, fed a reply event by event as the chat screen feeds it."""

    CSS_PATH = "../tui_app/app.tcss"

    def __init__(self, turn: Turn | None = None) -> None:
        super().__init__()
        self.turn = turn
        self.reply = Reply()
        self.seen = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="transcript"):
            if self.turn is not None:
                yield ReplyView(self.turn, saved=True)
            else:
                yield ReplyView(Turn("assistant", "", model="claude-test"))

    async def stream(self, payloads: list[dict[str, Any]], times: dict[int, float] | None = None,
                     every: int = 1, upto: int | None = None) -> Reply:
        """Fold the events into the reply, drawing it after every `every` of them, then finish it; or stop
        after the first `upto` events, the reply still streaming (a later call goes on from there)."""
        view = self.query_one(ReplyView)
        for number, wire_event in enumerate(events(payloads, times)[self.seen : upto], start=self.seen):
            self.reply.apply(wire_event)
            if number % every == 0:
                await view.sync(self.reply)
        self.seen = upto or len(payloads)
        if upto is None:
            self.reply.finish()
            await view.finish(self.reply)
        return self.reply


def shown(widget) -> str:
    """What a Static or a Collapsible's body says."""
    body = widget.query_one(".thinking-text, .other-json") if not hasattr(widget, "content") else widget
    return str(body.content)


def title(collapsible) -> str:
    return str(collapsible.title)


def turn_of(reply: Reply) -> Turn:
    turn = Turn("assistant", reply.text, model="claude-test", state=reply.state, stop_reason=reply.stop_reason,
                input_tokens=reply.input_tokens, output_tokens=reply.output_tokens)
    turn.content, turn.usage = content_of(reply), details_of(reply)
    return turn


def exported(reply: Reply) -> str:
    conversation = Conversation(ChatSettings(model="claude-test", max_tokens=1000), title="blocks")
    conversation.turns += [Turn("user", "look it up"), turn_of(reply)]
    return export(conversation, "md")


# Thinking


async def test_thinking_says_how_long_it_took_and_its_tokens_and_is_live_while_it_streams() -> None:
    payloads = [start(), *thinking(0, "Weighing it up."), *text(1, "Done."), *finish(thinking_tokens=312)]
    app = OneReply()
    async with app.run_test() as pilot:
        await app.stream(payloads, {1: 0.5, 4: 2.9}, upto=3)  # the thinking so far, not stopped yet
        thought = app.query_one(ThinkingBlockView)
        assert title(thought).startswith("Thinking…")
        await app.stream(payloads, {1: 0.5, 4: 2.9})
        await pilot.pause()
        thought = app.query_one(ThinkingBlockView)
        assert title(thought) == "Thinking · 2.4 s · 312 tokens"
        assert shown(thought) == "Weighing it up."
        assert thought.has_class("reply-thinking") and not thought.collapsed


async def test_thinking_tokens_are_left_out_when_two_blocks_share_them() -> None:
    payloads = [start(), *thinking(0, "One."), *text(1, "A"), *thinking(2, "Two."), *text(3, "B"),
                *finish(thinking_tokens=90)]
    app = OneReply()
    async with app.run_test():
        await app.stream(payloads)
        assert [title(view) for view in app.query(ThinkingBlockView)] == ["Thinking · 0.3 s", "Thinking · 0.3 s"]


async def test_omitted_thinking_says_so_and_how_to_see_it() -> None:
    app = OneReply()
    async with app.run_test():
        await app.stream([start(), *thinking(0, ""), *text(1, "Answer."), *finish()], {1: 0.1, 3: 2.5})
        view = app.query_one(ThinkingBlockView)
        assert title(view) == "Thinking · 2.4 s · omitted by the server"
        assert '--thinking-display summarized' in shown(view)


async def test_redacted_thinking_says_it_is_encrypted_and_sent_back_unchanged() -> None:
    payloads = [start(), *block(0, {"type": "redacted_thinking", "data": "QUJDRA=="}), *text(1, "Answer."), *finish()]
    app = OneReply()
    async with app.run_test():
        await app.stream(payloads, {1: 0.2, 2: 1.4})
        view = app.query_one(ThinkingBlockView)
        assert title(view) == "Thinking · 1.2 s · redacted by the server"


# Server tools


async def test_a_web_search_shows_its_query_as_it_streams_then_its_numbered_results() -> None:
    app = OneReply()
    async with app.run_test():
        await app.stream(SEARCH, upto=3)  # the start and the first half of the input
        assert shown(app.query_one(ServerToolUseBlockView)) == "🔎 web search: sse str"
        await app.stream(SEARCH)
        assert shown(app.query_one(ServerToolUseBlockView)) == "🔎 web search: sse streaming"
        results = app.query_one(ToolResultBlockView)
        assert str(results.border_title) == "web search results"
        assert shown(results) == f"1. Streaming - Docs (2 weeks ago)\n   {DOCS}\n2. SSE - MDN\n   {MDN}"


async def test_a_failed_search_shows_its_error_code() -> None:
    failed = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
              "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}}
    app = OneReply()
    async with app.run_test():
        await app.stream([start(), *block(0, failed), *text(1, "No luck."), *finish()])
        results = app.query_one(ToolResultBlockView)
        assert shown(results) == "⚠ error: max_uses_exceeded" and results.has_class("-error")


async def test_code_execution_shows_its_input_and_its_output_return_code_and_errors() -> None:
    payloads = [
        start(),
        *block(0, {"type": "server_tool_use", "id": "srvtoolu_2", "name": "code_execution", "input": {}},
               {"type": "input_json_delta", "partial_json": '{"code": "print(6 * 7)"}'}),
        *block(1, {"type": "code_execution_tool_result", "tool_use_id": "srvtoolu_2", "content": {
            "type": "code_execution_result", "stdout": "42\n", "stderr": "a warning", "return_code": 0,
            "content": [{"type": "code_execution_output", "file_id": "file_1"}]}}),
        *finish(),
    ]
    app = OneReply()
    async with app.run_test():
        await app.stream(payloads)
        call = app.query_one(ServerToolUseBlockView)
        assert str(call.border_title) == "server tool · code_execution"
        assert json.loads(shown(call)) == {"code": "print(6 * 7)"}
        assert shown(app.query_one(ToolResultBlockView)) == (
            "return code 0\nstdout:\n42\nstderr:\na warning\nfiles: file_1")


# Any other block or delta


async def test_another_block_is_named_and_shown_as_json_collapsed_when_long_and_unknown_deltas_are_kept() -> None:
    payloads = [
        start(),
        *block(0, {"type": "compaction", "content": None},
               {"type": "compaction_delta", "content": "Earlier: a chat about SSE.", "encrypted_content": "b3Bh"}),
        *block(1, {"type": "container_upload", "file_id": "file_9", **{f"field_{n}": n for n in range(14)}}),
        *block(2, {"type": "text", "text": ""}, {"type": "text_delta", "text": "Hi."},
               {"type": "sparkle_delta", "glitter": 3}),
        *finish(),
    ]
    app = OneReply()
    async with app.run_test():
        await app.stream(payloads)
        compaction, upload = app.query(OtherBlockView)
        assert title(compaction) == "compaction block" and not compaction.collapsed
        assert json.loads(shown(compaction)) == {"type": "compaction", "encrypted_content": "b3Bh",
                                                 "content": "Earlier: a chat about SSE."}
        assert title(upload) == "container_upload block" and upload.collapsed  # long: folded away
        assert json.loads(shown(upload))["file_id"] == "file_9"
        deltas = app.query_one(OtherDeltasView)
        assert deltas.display and title(deltas) == "1 delta of a type not drawn"
        assert json.loads(shown(deltas)) == [{"block": 2, "block_type": "text",
                                              "delta": {"type": "sparkle_delta", "glitter": 3}}]


async def test_a_block_of_a_type_not_known_is_never_hidden_nor_its_markup_obeyed() -> None:
    mystery = {"type": "[b]mystery[/b]", "payload": "\x1b[2J \u202e"}
    payloads = [start(), *block(0, mystery, {"type": "odd_delta", "n": 1}), *finish()]
    app = OneReply()
    async with app.run_test():
        await app.stream(payloads)
        view = app.query_one(OtherBlockView)
        assert title(view) == "[b]mystery[/b] block"
        assert "\\u001b[2J <U+202E>" in shown(view) and '"odd_delta"' in shown(view)
        assert not app.query_one(OtherDeltasView).display  # the block's own view shows its deltas


# Citations


def test_sources_are_numbered_by_first_citation_one_number_per_page_or_document() -> None:
    reply = reply_of([start(), *text(0, "A", page(MDN, "MDN")), *text(1, "B", page(DOCS, "Docs"), page(MDN, "MDN")),
                      *text(2, "C", {"type": "page_location", "document_index": 0, "document_title": "Report",
                                     "cited_text": "x", "start_page_number": 1, "end_page_number": 2}),
                      *text(3, "D", {"type": "char_location", "document_index": 0, "cited_text": "y",
                                     "start_char_index": 0, "end_char_index": 4}), *finish()])
    sources = number_sources(reply.blocks)
    assert [(source.number, source.title, source.url) for source in sources] == [
        (1, "MDN", MDN), (2, "Docs", DOCS), (3, "Report", None)]
    assert reply_markdown(reply.blocks) == (
        "A [1]B [1][2]C [3]D [3]\n\nSources:\n\n- [1] MDN — " + MDN + "\n- [2] Docs — " + DOCS + "\n- [3] Report\n")


def test_a_reply_that_cites_nothing_reads_exactly_as_its_text() -> None:
    reply = reply_of([start(), *text(0, "Hello\n\n"), *thinking(1, "Hm."), *text(2, "there  "), *finish()])
    assert reply_markdown(reply.blocks) == reply.text == "Hello\n\nthere  "


def test_a_marker_goes_before_the_whitespace_that_ends_the_cited_text() -> None:
    cited = reply_of([start(), *text(0, "- first item\n\n", page(DOCS, "Docs")), *text(1, "- second"), *finish()])
    run = TextRun.whole(cited.blocks, number_sources(cited.blocks))
    assert run.block.text == "- first item [1]\n\n- second"


def test_copying_a_reply_that_cites_gives_its_markers_and_its_sources() -> None:
    copied = copy_request_for(reply_of(SEARCH), "the reply")
    assert copied.text == (SEARCH_TEXT + "\n\nSources:\n\n"
                           f"- [1] Streaming - Docs — {DOCS}\n- [2] SSE - MDN — {MDN}\n")


async def test_a_run_of_text_blocks_is_one_paragraph_with_its_markers_and_the_sources_end_the_reply() -> None:
    app = OneReply()
    async with app.run_test(size=(100, 40)) as pilot:
        await app.stream(SEARCH)
        await pilot.pause()
        [run] = app.query(TextBlockView)
        assert run.source == ("From what the search found, a reply streams as named events `[1]`, and each event "
                              "ends with a blank line `[1][2]`.")
        [prose] = app.query(ProseLines)
        assert "named events [1], and each" in prose.get_selection(Selection(None, None))[0]
        sources = app.query_one(SourcesView)
        assert str(sources.content) == f"Sources\n[1] Streaming - Docs — {DOCS}\n[2] SSE - MDN — {MDN}"
        assert app.export_screenshot() == fresh_screen(app)


async def test_a_reply_streamed_in_any_steps_shows_what_it_shows_whole_and_what_it_shows_read_back() -> None:
    sources: list[str] = []
    for every in (1, 3, 1000):
        app = OneReply()
        async with app.run_test(size=(100, 40)) as pilot:
            reply = await app.stream(SEARCH, every=every)
            await pilot.pause()
            sources.append(app.query_one(TextBlockView).source)
    saved = OneReply(turn_of(reply))
    async with saved.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        sources.append(saved.query_one(TextBlockView).source)
        assert str(saved.query_one(SourcesView).content).startswith("Sources\n[1] Streaming - Docs")
        assert saved.query_one(ServerToolUseBlockView) and saved.query_one(ToolResultBlockView)
    assert len(set(sources)) == 1


async def test_citations_that_come_after_their_block_ended_are_placed_when_the_reply_ends() -> None:
    late = [start(), *text(0, "Cited"), *text(1, " and more."),
            {"type": "content_block_delta", "index": 0, "delta": {"type": "citations_delta",
                                                                  "citation": page(DOCS, "Docs")}}, *finish()]
    app = OneReply()
    async with app.run_test():
        await app.stream(late)
        assert app.query_one(TextBlockView).source == "Cited `[1]` and more."


# Export


def shifted(payloads: list[dict[str, Any]], by: int) -> list[dict[str, Any]]:
    """The payloads with their blocks' indexes `by` further on."""
    return [{**payload, "index": payload["index"] + by} if "index" in payload else payload for payload in payloads]


def test_the_export_writes_every_block_readably() -> None:
    payloads = [
        start(),
        *thinking(0, "Let me look."),
        *block(1, {"type": "redacted_thinking", "data": "QUJD"}),
        *thinking(2, ""),
        *shifted(SEARCH[1:-2], 3),  # the search, its results and the text that cites them: blocks 3 to 9
        *block(10, {"type": "code_execution_tool_result", "tool_use_id": "x", "content": {
            "type": "code_execution_result", "stdout": "4```2\n", "stderr": "", "return_code": 1}}),
        *block(11, {"type": "web_search_tool_result", "tool_use_id": "y",
                    "content": {"type": "web_search_tool_result_error", "error_code": "too_many_requests"}}),
        *block(12, {"type": "compaction", "content": "Summary."}),
        *finish(thinking_tokens=77),
    ]
    reply = reply_of(payloads)
    reply.usage.cache_read, reply.usage.cache_write = 1200, 30
    markdown = exported(reply)
    assert "<details><summary>Thinking</summary>\n\nLet me look.\n\n</details>" in markdown
    assert "*Thinking (redacted)*" in markdown and "*Thinking (omitted by the server)*" in markdown
    assert "🔎 **Web search:** sse streaming" in markdown
    assert f"**Web search results**\n\n1. Streaming - Docs (2 weeks ago) — {DOCS}\n2. SSE - MDN — {MDN}" in markdown
    assert SEARCH_TEXT in markdown
    assert "**Code execution result** · return code 1\n\nstdout:\n\n````text\n4```2\n````" in markdown
    assert "**Web search result:** ⚠ error too_many_requests" in markdown
    assert '**compaction block**\n\n```json\n{\n  "type": "compaction",\n  "content": "Summary."\n}\n```' in markdown
    assert markdown.index("Sources:\n\n- [1] Streaming - Docs") > markdown.index("**compaction block**")
    assert "*stop end_turn · in 9 · cache write 30 · cache read 1200 · out 400 · thinking 77 · TTFT" in markdown


def test_sources_list_titles_and_urls_on_one_line_each() -> None:
    assert Source(4, "A\ntitle", "https://x.example/a b").line() == "[4] A title — https://x.example/a b"
    assert Source(1, "https://x.example", "https://x.example").line() == "[1] https://x.example"


def test_the_export_gives_each_reply_s_cost_and_the_conversation_s_where_its_model_has_a_price() -> None:
    reply = reply_of([start(), *text(0, "Priced."), *finish()])  # 9 tokens in, 400 out
    conversation = Conversation(ChatSettings(model="claude-test", max_tokens=1000), title="prices")
    conversation.turns += [Turn("user", "one"), turn_of(reply), Turn("user", "two"), turn_of(reply)]
    assert "cost" not in export(conversation, "md").lower()  # no price for the model: no cost, never a guess
    price = {"input": 3.0, "output": 15.0, "cache_write_5m": 3.75, "cache_write_1h": 6.0, "cache_read": 0.3}
    markdown = export(conversation, "md", prices={"claude-test": price})
    assert markdown.count(" · cost $0.006*") == 2  # (9 × 3 + 400 × 15) / 1,000,000 each
    assert "- **Cost:** $0.0121 estimated\n" in markdown
    conversation.turns[3].model = "claude-unpriced"
    assert "- **Cost:** $0.006 estimated, leaving out replies of models with no price\n" in export(
        conversation, "md", prices={"claude-test": price})


# The real app against the demo backend


async def test_a_web_search_reply_from_the_demo_is_drawn_copied_and_exported_with_its_sources(make_app) -> None:
    app = make_app()
    clipboards = Clipboards()
    async with app.run_test(size=(140, 50)) as pilot:
        clipboards.install(app)
        await send_and_finish(pilot, "search for sse streaming")
        reply = app.sessions[0].reply
        assert shown(app.query_one(ServerToolUseBlockView)) == "🔎 web search: search for sse streaming"
        assert [line[:3] for line in shown(app.query_one(ToolResultBlockView)).splitlines()[::2]] == ["1. ", "2. ",
                                                                                                     "3. "]
        [run] = app.query_one(ReplyView).query(TextBlockView)  # every text block of the answer, one paragraph
        assert run.source.count("`[1]`") == 1 and run.source.count("`[2]`") == 1
        assert str(app.query_one(SourcesView).content).startswith("Sources\n[1] Streaming Messages - Claude Docs — ")
        await pilot.press("ctrl+y")
        await copied(pilot)
        assert clipboards.native == [reply_markdown(reply.blocks)]
        assert "close it [1], and" in clipboards.native[0] and "\n\nSources:\n\n- [1] " in clipboards.native[0]
        markdown = export(app.chat.conversation, "md")
        assert "🔎 **Web search:** search for sse streaming" in markdown and "\n- [2] Using server-sent" in markdown
        assert "web searches 1" in markdown


async def test_redacted_omitted_and_compacted_replies_from_the_demo_say_what_the_server_sent(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 50)) as pilot:
        await send_and_finish(pilot, "redacted please")
        await send_and_finish(pilot, "omitted please")
        await send_and_finish(pilot, "compact it")
        redacted, omitted = (title(view) for view in app.query(ThinkingBlockView))
        assert redacted.startswith("Thinking · ")
        assert omitted.startswith("Thinking · ") and omitted.endswith(" · omitted by the server")
        assert app.sessions[0].reply.usage.thinking is not None and redacted.endswith(
            f" · {app.sessions[0].reply.usage.thinking:,} tokens · redacted by the server")
        compaction = app.query_one(OtherBlockView)
        assert title(compaction) == "compaction block" and '"type": "compaction"' in shown(compaction)
        markdown = export(app.chat.conversation, "md")
        assert "*Thinking (redacted)*" in markdown and "*Thinking (omitted by the server)*" in markdown
        assert "**compaction block**" in markdown


async def test_after_a_paced_search_reply_the_screen_is_what_drawing_it_afresh_gives(make_app) -> None:
    app = make_app(demo_pacing=PACED)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "search for sse streaming")
        await send_and_finish(pilot, "omitted please")
        assert app.export_screenshot() == fresh_screen(app)


def test_the_export_says_why_a_refused_reply_stopped_in_the_server_s_words() -> None:
    details = {"type": "refusal", "category": "cyber", "explanation": "Could enable malware."}
    refused = [start(), *text(0, "I can't help with that."),
               {"type": "message_delta", "delta": {"stop_reason": "refusal", "stop_details": details},
                "usage": {"output_tokens": 7}}, {"type": "message_stop"}]
    assert "> **refused** (cyber): Could enable malware." in exported(reply_of(refused))


async def test_a_search_s_query_titles_and_urls_are_shown_as_text_never_obeyed() -> None:
    hostile = "[/x] [@click=app.quit]q[/] \x1b]52;c;aGk=\x07"
    payloads = [start(),
                *block(0, {"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {"query": hostile}}),
                *block(1, {"type": "web_search_tool_result", "tool_use_id": "s1", "content": [
                    {"type": "web_search_result", "title": hostile, "url": hostile, "encrypted_content": "e"}]}),
                *text(2, "Cited.", page(hostile, hostile)), *finish()]
    app = OneReply()
    async with app.run_test() as pilot:
        await app.stream(payloads)
        await pilot.pause()
        assert app.is_running
        for view in (app.query_one(ServerToolUseBlockView), app.query_one(ToolResultBlockView)):
            assert "[@click=app.quit]q[/]" in shown(view) and "\x1b" not in shown(view)
        sources = str(app.query_one(SourcesView).content)
        assert "[/x] [@click=app.quit]" in sources and "\x1b" not in sources
