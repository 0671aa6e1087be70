"""Today's Messages API end to end: the real app, through the real SDK, against the strict demo backend, which
refuses what the API's documented rules refuse. Every request of these conversations must be accepted."""

from __future__ import annotations

import pytest

from tests.conftest import send_and_finish
from tui_app.model.ending import Ending
from tui_app.stream.reply import ReplyState
from tui_app.widgets.status_bar import StatusBar

pytestmark = pytest.mark.asyncio


def accepted(app) -> None:
    server = app.demo_server
    assert server is not None and server.refused == []


async def test_a_conversation_through_thinking_tools_and_redacted_thinking_is_accepted_at_every_turn(make_app):
    app = make_app(thinking="2048")
    async with app.run_test(size=(120, 40)) as pilot:
        for prompt in ("think about it", "now a tool please", "and what next?", "redacted please", "thanks"):
            await send_and_finish(pilot, prompt)
            accepted(app)
            assert app.sessions[-1].reply.state is ReplyState.DONE, prompt
        requests = app.demo_server.requests
        assert requests[0]["thinking"] == {"type": "enabled", "budget_tokens": 2048, "display": "summarized"}
        last = requests[-1]["messages"]
        kinds = [[block["type"] for block in message["content"]] if isinstance(message["content"], list) else
                 ["text"] for message in last]
        # Thinking goes back signed and redacted thinking unchanged; the tool call is left out (no tools are
        # defined), so its text-less remainder never breaks the alternation of roles.
        assert kinds[0] == ["text"] and "thinking" in kinds[1] and kinds[-1] == ["text"]
        assert any("redacted_thinking" in kind for kind in kinds)
        assert not any("tool_use" in kind for kind in kinds)
        assert [message["role"] for message in last] == ["user", "assistant"] * (len(last) // 2) + ["user"]
        thinking = next(block for message in last if isinstance(message["content"], list)
                        for block in message["content"] if block["type"] == "thinking")
        assert thinking["signature"]


async def test_a_paused_reply_is_continued_with_f6_and_the_request_ends_with_it(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_finish(pilot, "pause please")
        paused = app.sessions[-1].reply
        assert Ending.of(paused).paused
        await pilot.press("f6")
        await pilot.pause()
        await app.workers.wait_for_complete()
        accepted(app)
        assert len(app.sessions) == 2 and app.sessions[-1].reply.stop_reason == "end_turn"
        sent = app.demo_server.requests[-1]["messages"]
        assert sent[-1]["role"] == "assistant"
        final = sent[-1]["content"]
        text = final if isinstance(final, str) else final[-1]["text"]
        assert text == paused.text.rstrip()
        await send_and_finish(pilot, "and after that?")
        accepted(app)


async def test_f6_on_a_reply_that_was_not_paused_says_so_and_sends_nothing(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_finish(pilot, "hello")
        await pilot.press("f6")
        await pilot.pause()
        assert len(app.demo_server.requests) == 1
        assert any("paused" in str(note.message) for note in app._notifications)


async def test_a_refusal_is_named_and_the_next_prompt_replaces_the_refused_one(make_app):
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await send_and_finish(pilot, "refuse this")
        reply = app.sessions[-1].reply
        assert reply.stop_reason == "refusal" and reply.stop_details["category"] == "cyber"
        assert "refused (cyber)" in app.chat.query_one(StatusBar).field("state")
        await send_and_finish(pilot, "something else")
        accepted(app)
        assert app.demo_server.requests[-1]["messages"] == [{"role": "user", "content": "something else"}]


async def test_cache_writes_then_reads_are_shown_and_a_changed_system_prompt_is_named_as_the_miss(make_app):
    app = make_app(cache="5m")
    async with app.run_test(size=(200, 40)) as pilot:
        await send_and_finish(pilot, "echo one")
        first = app.sessions[-1].reply
        assert first.usage.cache_write and not first.usage.cache_read
        await send_and_finish(pilot, "echo two")
        second = app.sessions[-1].reply
        assert second.usage.cache_read
        status = app.chat.query_one(StatusBar)
        assert "cache read" in status.field("input")
        assert app.demo_server.requests[-1]["diagnostics"] == {"previous_message_id": first.message_id}
        app.chat.conversation.settings.system = "Be brief."
        await send_and_finish(pilot, "echo three")
        accepted(app)
        assert app.sessions[-1].reply.cache_miss["type"] == "system_changed"
        assert "system changed" in status.field("cache")


async def test_a_web_search_with_citations_is_drawn_copied_and_saved(make_app):
    app = make_app()
    async with app.run_test(size=(140, 50)) as pilot:
        await send_and_finish(pilot, "search the web for sse")
        accepted(app)
        reply = app.sessions[-1].reply
        kinds = [block.kind for block in reply.blocks]
        assert kinds[:2] == ["server_tool_use", "web_search_tool_result"] and "text" in kinds
        assert any(block.citations for block in reply.blocks)
        assert reply.usage.web_search_requests == 1
        await send_and_finish(pilot, "thanks, and then?")
        accepted(app)  # the search's blocks and citations are not sent back: no tools are defined
