"""Today's stream, folded into a reply and sent back as history: thinking signatures, redacted thinking, server
tools, citations, compaction, cache and thinking usage, stop details; and the messages the next request sends."""

from __future__ import annotations

import json

from tui_app.model.content import block_from_content, content_of, details_of, messages_of
from tui_app.model.conversation import ChatSettings, Conversation, Turn
from tui_app.stream.events import WireEvent
from tui_app.stream.reply import Reply, ReplyState


def event(payload: dict, arrived: float = 0.0) -> WireEvent:
    return WireEvent(seq=0, name=payload["type"], data=json.dumps(payload), arrived=arrived)


def start(index: int, block: dict, arrived: float = 0.0) -> WireEvent:
    return event({"type": "content_block_start", "index": index, "content_block": block}, arrived)


def delta(index: int, payload: dict, arrived: float = 0.0) -> WireEvent:
    return event({"type": "content_block_delta", "index": index, "delta": payload}, arrived)


def stop(index: int, arrived: float = 0.0) -> WireEvent:
    return event({"type": "content_block_stop", "index": index}, arrived)


CACHE_USAGE = {"input_tokens": 12, "output_tokens": 1, "cache_creation_input_tokens": 300,
               "cache_read_input_tokens": 4000,
               "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 200}}


def streamed_reply() -> Reply:
    """Thinking (summarised, signed), redacted thinking, a web search and its results, cited text, a refusal."""
    reply = Reply()
    reply.apply(event({"type": "message_start", "message": {"id": "msg_1", "model": "m", "usage": CACHE_USAGE,
                                                            "diagnostics": {"cache_miss_reason": None}}}))
    reply.apply(start(0, {"type": "thinking", "thinking": "", "signature": ""}, 0.5))
    reply.apply(delta(0, {"type": "thinking_delta", "thinking": "Let me think."}, 0.6))
    reply.apply(delta(0, {"type": "signature_delta", "signature": "sig-"}, 1.0))
    reply.apply(delta(0, {"type": "signature_delta", "signature": "123"}, 1.0))
    reply.apply(stop(0, 2.5))
    reply.apply(start(1, {"type": "redacted_thinking", "data": "opaque=="}))
    reply.apply(stop(1))
    reply.apply(start(2, {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}))
    reply.apply(delta(2, {"type": "input_json_delta", "partial_json": '{"query": "sse"}'}))
    reply.apply(stop(2))
    results = [{"type": "web_search_result", "title": "SSE", "url": "https://example.com/sse",
                "encrypted_content": "x", "page_age": None}]
    reply.apply(start(3, {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": results}))
    reply.apply(stop(3))
    reply.apply(start(4, {"type": "text", "text": ""}))
    citation = {"type": "web_search_result_location", "url": "https://example.com/sse", "title": "SSE",
                "cited_text": "events", "encrypted_index": "e"}
    reply.apply(delta(4, {"type": "citations_delta", "citation": citation}))
    reply.apply(delta(4, {"type": "text_delta", "text": "Streams are events."}))
    reply.apply(delta(4, {"type": "future_delta", "x": 1}))
    reply.apply(stop(4))
    reply.apply(event({"type": "message_delta",
                       "delta": {"stop_reason": "refusal", "stop_sequence": None,
                                 "stop_details": {"type": "refusal", "category": "cyber", "explanation": "No."}},
                       "usage": {**CACHE_USAGE, "output_tokens": 90, "output_tokens_details": {"thinking_tokens": 60},
                                 "server_tool_use": {"web_search_requests": 1, "web_fetch_requests": 0}}}))
    reply.apply(event({"type": "message_stop"}))
    reply.finish()
    return reply


def test_a_reply_keeps_signatures_redacted_data_server_tools_citations_and_usage() -> None:
    reply = streamed_reply()
    thinking, redacted, search, results, text = reply.blocks
    assert (thinking.text, thinking.signature, thinking.seconds) == ("Let me think.", "sig-123", 2.0)
    assert redacted.fields == {"data": "opaque=="}
    assert (search.tool_name, search.tool_input, search.fields["id"]) == ("web_search", {"query": "sse"}, "srvtoolu_1")
    assert results.fields["content"][0]["url"] == "https://example.com/sse"
    assert text.citations[0]["cited_text"] == "events" and text.other_deltas == [{"type": "future_delta", "x": 1}]
    assert reply.text == "Streams are events."
    assert (reply.stop_reason, reply.stop_details["category"], reply.message_id) == ("refusal", "cyber", "msg_1")
    usage = reply.usage
    assert (usage.cache_write, usage.cache_write_5m, usage.cache_write_1h, usage.cache_read) == (300, 100, 200, 4000)
    assert (usage.thinking, usage.web_search_requests, reply.output_tokens) == (60, 1, 90)
    assert usage.total_input(reply.input_tokens) == 4312


def test_a_saved_reply_draws_again_with_everything_it_had() -> None:
    reply = streamed_reply()
    turn = Turn("assistant", reply.text, model="m", state=ReplyState.DONE, stop_reason=reply.stop_reason)
    turn.content = json.loads(json.dumps(content_of(reply)))  # as the store keeps it
    turn.usage = json.loads(json.dumps(details_of(reply)))
    again = turn.to_reply()
    for before, after in zip(reply.blocks, again.blocks, strict=True):
        assert (after.kind, after.signature, after.citations) == (before.kind, before.signature, before.citations)
        assert after.text == before.text or after.tool_name is not None  # a tool's input is kept parsed
        assert after.tool_name == before.tool_name and after.tool_input == before.tool_input
        assert after.other_deltas == before.other_deltas
    assert again.blocks[1].fields == {"data": "opaque=="}
    assert again.usage == reply.usage and again.stop_details == reply.stop_details
    assert content_of(again) == content_of(reply)


def test_a_whole_message_keeps_its_blocks_signature_and_citations() -> None:
    message = {"id": "msg_2", "model": "m", "stop_reason": "end_turn", "usage": CACHE_USAGE, "content": [
        {"type": "thinking", "thinking": "Hm.", "signature": "s"},
        {"type": "text", "text": "Yes.", "citations": [{"type": "char_location", "cited_text": "y"}]},
    ]}
    reply = Reply()
    reply.apply(WireEvent(seq=0, name="(not streamed)", data=json.dumps({"type": "message", **message}), arrived=1))
    reply.finish()
    assert [(block.kind, block.text, block.signature) for block in reply.blocks] == \
        [("thinking", "Hm.", "s"), ("text", "Yes.", "")]
    assert reply.blocks[1].citations == [{"type": "char_location", "cited_text": "y"}]
    assert reply.usage.cache_read == 4000 and reply.state is ReplyState.DONE


def reply_turn(content: list[dict], *, model: str = "m", state: ReplyState = ReplyState.DONE,
               stop_reason: str = "end_turn") -> Turn:
    text = "".join(block.get("text", "") for block in content if block.get("type") == "text")
    turn = Turn("assistant", text, model=model, state=state, stop_reason=stop_reason)
    turn.content = content
    return turn


THINKING = {"type": "thinking", "thinking": "Hm.", "signature": "sig"}
REDACTED = {"type": "redacted_thinking", "data": "opaque=="}
TOOL = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}


def test_history_sends_thinking_with_its_signature_and_redacted_thinking_unchanged() -> None:
    turns = [Turn("user", "one"), reply_turn([THINKING, {"type": "text", "text": "Two."}]),
             Turn("user", "three"), reply_turn([REDACTED, {"type": "text", "text": "Four."}]), Turn("user", "five")]
    assert messages_of(turns, "m") == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": [THINKING, {"type": "text", "text": "Two."}]},
        {"role": "user", "content": "three"},
        {"role": "assistant", "content": [REDACTED, {"type": "text", "text": "Four."}]},
        {"role": "user", "content": "five"},
    ]


def test_thinking_goes_back_only_to_the_model_that_wrote_it_and_never_without_a_signature() -> None:
    unsigned = {"type": "thinking", "thinking": "Hm.", "signature": ""}
    turns = [Turn("user", "one"), reply_turn([THINKING, {"type": "text", "text": "Two."}], model="other"),
             Turn("user", "three"), reply_turn([unsigned, {"type": "text", "text": "Four."}]), Turn("user", "five")]
    assert [message["content"] for message in messages_of(turns, "m")] == ["one", "Two.", "three", "Four.", "five"]


def test_tool_blocks_are_left_out_and_a_reply_of_a_tool_call_alone_joins_the_prompts() -> None:
    turns = [Turn("user", "weather?"), reply_turn([{"type": "text", "text": "Let me look."}, TOOL],
                                                  stop_reason="tool_use"),
             Turn("user", "and now?"), reply_turn([TOOL], stop_reason="tool_use"), Turn("user", "hello?")]
    assert messages_of(turns, "m") == [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": "Let me look."},
        {"role": "user", "content": "and now?\n\nhello?"},
    ]


def test_an_unfinished_reply_sends_its_text_alone_and_empty_text_never() -> None:
    turns = [Turn("user", "one"),
             reply_turn([THINKING, {"type": "text", "text": "Par"}], state=ReplyState.CANCELLED),
             Turn("user", "two"), reply_turn([{"type": "text", "text": "  "}, {"type": "text", "text": "Ok."}]),
             Turn("user", "three")]
    assert [message["content"] for message in messages_of(turns, "m")] == ["one", "Par", "two", "Ok.", "three"]


def test_a_paused_reply_is_continued_as_the_last_message_without_trailing_whitespace() -> None:
    turns = [Turn("user", "go"), reply_turn([THINKING, {"type": "text", "text": "Searching… \n"}],
                                            stop_reason="pause_turn"),
             Turn("assistant", "", model="m", state=ReplyState.WAITING)]
    assert messages_of(turns, "m") == [
        {"role": "user", "content": "go"},
        {"role": "assistant", "content": [THINKING, {"type": "text", "text": "Searching…"}]},
    ]


def test_a_refused_prompt_is_replaced_by_the_next_one() -> None:
    conversation = Conversation(ChatSettings("m", 100))
    conversation.add_user("bad")
    conversation.turns.append(reply_turn([{"type": "text", "text": "I can't."}], stop_reason="refusal"))
    _, aside = conversation.add_user("good")
    assert [turn.text for turn in aside] == ["bad", "I can't."]
    assert conversation.messages() == [{"role": "user", "content": "good"}]


def test_a_saved_turn_from_before_keeps_drawing() -> None:
    old = [{"type": "thinking", "thinking": "Hm."}, {"type": "text", "text": "Hi"},
           {"type": "tool_use", "name": "t", "input": "{\"a\""}, {"type": "mystery"}]
    blocks = [block_from_content(index, content) for index, content in enumerate(old)]
    assert [(block.kind, block.text, block.tool_name) for block in blocks] == \
        [("thinking", "Hm.", None), ("text", "Hi", None), ("tool_use", "{\"a\"", "t"), ("mystery", "", None)]


def test_a_continued_reply_goes_back_as_it_was_continued_so_the_cached_prefix_holds() -> None:
    paused = reply_turn([{"type": "text", "text": "Searching… \n"}], stop_reason="pause_turn")
    turns = [Turn("user", "go"), paused, reply_turn([{"type": "text", "text": " Found it."}]), Turn("user", "ok")]
    assert messages_of(turns, "m")[1] == {"role": "assistant", "content": [
        {"type": "text", "text": "Searching…"}, {"type": "text", "text": " Found it."}]}
