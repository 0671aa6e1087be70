"""The core makes the same reply of the same bytes wherever they come from: the SDK over HTTP (streamed or
not), or bytes already at hand, however they are cut into pieces."""

from __future__ import annotations

import asyncio

import pytest

from tui_app.demo.pacing import UNPACED
from tui_app.demo.server import DemoServer
from tui_app.model.conversation import ChatSettings
from tui_app.runtime import reply_session, request_for
from tui_app.stream.backend import Backend, make_client
from tui_app.stream.events import NOT_STREAMED, WireEvent
from tui_app.stream.reply import ReplyState
from tui_app.stream.session import ReplySession
from tui_app.stream.source import RecordedSource


@pytest.fixture(scope="module")
def backend():
    server = DemoServer(pacing=UNPACED)
    url = server.start()
    yield Backend(base_url=url, is_demo=True, max_retries=0)
    server.stop()


def ask(backend: Backend, prompt: str, *, streamed: bool = True) -> ReplySession:
    request = request_for(ChatSettings("claude-demo", 1024), [{"role": "user", "content": prompt}])

    async def run() -> ReplySession:
        client = make_client(backend)
        session = reply_session(client, backend, request, streamed=streamed)
        async for _event in session.stream():
            pass
        await client.close()
        return session

    return asyncio.run(run())


def play(chunks: list[bytes], content_type: str = "text/event-stream") -> ReplySession:
    session = ReplySession(RecordedSource("claude-demo", chunks, content_type))

    async def run() -> None:
        async for _event in session.stream():
            pass

    asyncio.run(run())
    return session


def as_sse(events: list[WireEvent]) -> bytes:
    return b"".join(f"event: {event.name}\ndata: {event.data}\n\n".encode() for event in events)


@pytest.mark.parametrize("piece", [1, 7, 4096])
def test_a_recorded_stream_makes_the_same_reply_as_the_live_one_whatever_its_pieces(backend, piece) -> None:
    live = ask(backend, "essay with a list please")
    body = as_sse(live.events)
    replayed = play([body[start : start + piece] for start in range(0, len(body), piece)])
    assert live.reply.state is ReplyState.DONE and live.reply.text
    assert replayed.reply.state is ReplyState.DONE
    assert replayed.reply.text == live.reply.text
    assert [event.name for event in replayed.events] == [event.name for event in live.events]
    assert replayed.reply.output_tokens == live.reply.output_tokens


def test_a_reply_asked_for_whole_is_one_event_with_the_same_text_as_the_streamed_one(backend) -> None:
    streamed = ask(backend, "echo the same words")
    whole = ask(backend, "echo the same words", streamed=False)
    assert [event.name for event in whole.events] == [NOT_STREAMED]
    assert whole.events[0].problem is None  # asked for whole: nothing odd about it
    assert whole.reply.state is ReplyState.DONE and whole.reply.text
    assert whole.reply.text == streamed.reply.text


def test_a_recording_that_stops_before_message_stop_is_incomplete_and_keeps_its_text(backend) -> None:
    live = ask(backend, "echo cut short")
    replayed = play([as_sse([event for event in live.events if event.name != "message_stop"])])
    assert replayed.reply.state is ReplyState.INCOMPLETE
    assert replayed.reply.text == live.reply.text


def test_a_whole_message_from_a_server_asked_to_stream_is_used_and_marked() -> None:
    message = b'{"type": "message", "role": "assistant", "model": "m", "content": [{"type": "text", "text": "hi"}],' \
              b' "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}}'
    replayed = play([message], content_type="application/json")
    assert replayed.reply.state is ReplyState.DONE and replayed.reply.text == "hi"
    assert "did not stream" in (replayed.events[0].problem or "")


def test_a_recording_that_is_not_an_event_stream_says_what_it_was() -> None:
    replayed = play([b"<html>Bad gateway</html>"], content_type="text/html")
    assert replayed.reply.state is ReplyState.INCOMPLETE
    assert "text/html" in (replayed.failure.message if replayed.failure else "")
