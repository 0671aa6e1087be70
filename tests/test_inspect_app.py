"""`--inspect` in the app: the official SDK talks to the demo backend through the inspecting proxy, and each
exchange shows as a turn, streamed as it arrives, saved, with the client's key nowhere to be seen."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator

import anthropic
import httpx2
import pytest

from tests.conftest import shown_markdown, until
from tui_app.demo.server import DemoServer
from tui_app.proxy.feed import ExchangeFeed
from tui_app.proxy.process import ProxyProcess
from tui_app.runtime import Watch
from tui_app.stream.reply import ReplyState
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.reply_view import ReplyView
from tui_app.widgets.transcript_view import TranscriptView
from tui_app.widgets.user_turn import UserTurn

KEY = "sk-ant-api03-inspected-secret-0123456789"


@pytest.fixture
def watch(demo: DemoServer) -> Iterator[Watch]:
    feed = ExchangeFeed()
    proxy = ProxyProcess(demo.url, feed)  # in a process of its own, as the app runs it
    proxy.start()
    watch = Watch(feed=feed, proxy=proxy, upstream=demo.url)
    yield watch
    watch.close()


def client_of(watch: Watch, **headers: str) -> anthropic.AsyncAnthropic:
    assert watch.proxy is not None
    return anthropic.AsyncAnthropic(api_key=KEY, base_url=watch.proxy.url, max_retries=0,
                                    default_headers=headers or None)


async def streamed_text(client: anthropic.AsyncAnthropic, prompt: str, **options: object) -> str:
    async with client.messages.stream(model="claude-sonnet-5", max_tokens=400,
                                      messages=[{"role": "user", "content": prompt}], **options) as stream:
        return "".join([text async for text in stream.text_stream])


def screen_text(app) -> str:
    """Every turn and notice on screen, as drawn."""
    return app.export_screenshot()


async def test_a_streamed_exchange_shows_as_a_turn_and_is_saved_without_the_key(make_app, watch, tmp_path) -> None:
    app = make_app(watch=watch, events_file=tmp_path / "events.jsonl")
    async with app.run_test(size=(140, 50)) as pilot:
        await until(pilot, lambda: app.chat.watching == "inspect", "the proxy's conversation")
        client = client_of(watch)
        received = await streamed_text(client, "show me the tour", system="Be brief.")
        await until(pilot, lambda: len(app.ended) == 1, "the exchange to be shown")
        session = app.ended[0]
        assert session.reply.state is ReplyState.DONE
        assert session.reply.text == received
        assert shown_markdown(app.query_one(ReplyView)) == received
        asked = str(app.query_one(UserTurn).turn.text)
        assert asked.startswith("POST /v1/messages · claude-sonnet-5 · streamed · 1 message · max_tokens 400")
        assert "System: Be brief." in asked and "Last user message: show me the tour" in asked
        assert app.query_one(PromptInput).disabled
        offered = {active.binding.action for active in app.active_bindings.values() if active.enabled}
        assert "retry" not in offered and "quit" in offered  # nothing was sent from here to retry
        assert session.timings.first_token is not None and session.timings.first_token >= 0
        await pilot.pause()
        assert KEY not in screen_text(app)
        await client.close()
    database = (tmp_path / "conversations.db")
    rows = sqlite3.connect(database).execute("SELECT title FROM conversations").fetchall()
    assert rows and rows[0][0].startswith("Inspected · http://127.0.0.1:")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert (tmp_path / "events.jsonl").read_text().count("\"event\": \"message_stop\"") == 1


async def test_other_requests_are_listed_and_faults_shown(make_app, watch, demo) -> None:
    app = make_app(watch=watch)
    async with app.run_test(size=(140, 50)) as pilot:
        await until(pilot, lambda: app.chat.watching == "inspect", "the proxy's conversation")
        client = client_of(watch, authorization=f"Bearer {KEY}")
        counted = await client.messages.count_tokens(model="claude-sonnet-5",
                                                     messages=[{"role": "user", "content": "hi"}])
        models = [model.id async for model in client.models.list()]
        whole = await client.messages.create(model="claude-sonnet-5", max_tokens=100,
                                             messages=[{"role": "user", "content": "echo whole"}])
        with pytest.raises(anthropic.APIStatusError):
            await streamed_text(client, "overload now")
        with pytest.raises(anthropic.APIStatusError) as refused:
            await streamed_text(client, "status 529 please")
        assert refused.value.status_code == 529
        await until(pilot, lambda: len(app.ended) == 3, "the three replies to be shown")
        transcript = app.query_one(TranscriptView)
        await until(pilot, lambda: len(transcript.query(".notice")) >= 2, "the listed requests")
        notices = " ".join(str(notice.render()) for notice in transcript.query(".notice"))
        assert "/v1/messages/count_tokens" in notices and "200" in notices
        assert "GET /v1/models" in notices
        assert counted.input_tokens > 0 and "claude-sonnet-5" in models
        not_streamed, overloaded, answered_529 = app.ended
        assert not_streamed.reply.text == whole.content[0].text
        assert overloaded.reply.state is ReplyState.FAILED
        assert "overloaded" in (overloaded.failure.message if overloaded.failure else "")
        assert answered_529.reply.state is ReplyState.FAILED
        said = answered_529.failure.message if answered_529.failure else ""
        assert said.startswith("HTTP 529: ") and "retry" not in said  # the client's request: no advice to the user
        assert KEY not in screen_text(app)
        assert demo.request_headers[-1]["authorization"] == f"Bearer {KEY}"  # passed on untouched
        await client.close()


async def test_clients_at_once_each_get_their_turn_and_a_drop_is_shown_as_such(make_app, watch) -> None:
    app = make_app(watch=watch)
    async with app.run_test(size=(140, 50)) as pilot:
        await until(pilot, lambda: app.chat.watching == "inspect", "the proxy's conversation")
        first, second = client_of(watch), client_of(watch)
        texts = await asyncio.gather(streamed_text(first, "an essay please"), streamed_text(second, "echo two"))
        with pytest.raises((anthropic.APIConnectionError, httpx2.TransportError)):
            await streamed_text(first, "drop it")
        await until(pilot, lambda: len(app.ended) == 3, "all three exchanges to be shown")
        shown = sorted(session.reply.text for session in app.ended[:2])
        assert shown == sorted(texts)
        assert all(session.reply.state is ReplyState.DONE for session in app.ended[:2])
        dropped = app.ended[2]
        assert dropped.reply.state is ReplyState.INCOMPLETE
        assert "dropped" in (dropped.failure.message if dropped.failure else "")
        await first.close()
        await second.close()


async def test_an_inspected_conversation_is_marked_and_never_sent_on(make_app, demo, watch, tmp_path) -> None:
    secret = "hunter2-upstream-password"
    watch.upstream = demo.url.replace("http://", f"http://someone:{secret}@")
    watch.warning = "The proxy listens on 0.0.0.0, beyond this machine."
    app = make_app(watch=watch)
    async with app.run_test(size=(140, 50)) as pilot:
        await until(pilot, lambda: app.chat.watching == "inspect", "the proxy's conversation")
        await until(pilot, lambda: any("beyond this machine" in str(notice.render())
                                       for notice in app.query(".notice")), "the warning in the transcript")
        client = client_of(watch)
        await streamed_text(client, "show me the tour")
        await until(pilot, lambda: len(app.ended) == 1, "the exchange to be shown")
        await client.close()
        conversation = app.chat.conversation
        assert secret not in conversation.title and secret not in str(app.sub_title)
        await until(pilot, lambda: conversation.replies[0].id is not None, "the exchange to be saved")
        conversation_id = conversation.id
    rows = sqlite3.connect(tmp_path / "conversations.db").execute("SELECT title, kind FROM conversations").fetchall()
    assert [kind for _, kind in rows] == ["inspected"] and secret not in rows[0][0]

    reopened = make_app(resume=conversation_id)
    async with reopened.run_test(size=(140, 50)) as pilot:
        chat = reopened.chat
        await until(pilot, lambda: chat.conversation.id == conversation_id and len(chat.conversation.turns) == 2,
                    "the inspected conversation, reopened")
        prompt = reopened.query_one(PromptInput)
        prompt.focus()
        await pilot.press(*"send this on", "enter")
        await until(pilot, lambda: any("another client's exchanges" in str(notice.message)
                                       for notice in reopened._notifications), "the refusal")
        assert prompt.text == "send this on" and len(chat.conversation.turns) == 2
        assert len(demo.requests) == 1  # only the inspected client's own request
        writer = reopened.writer
        assert writer is not None
        assert await writer.call(writer.store.recent_prompts, None) == []
