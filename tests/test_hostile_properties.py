"""Any JSON type in any field of any event, any text in any string: through the real SDK over HTTP from the demo
backend, nothing raises, nothing shown or written to stderr holds a control character, and every text delta
that arrived is in the store."""

from __future__ import annotations

import asyncio
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui_app.demo.scripts import Raw, Script
from tui_app.demo.server import DemoServer
from tui_app.model.conversation import ChatSettings, Conversation
from tui_app.store.database import Store
from tui_app.stream.backend import Backend, make_client
from tui_app.stream.events import MESSAGE_EVENTS
from tui_app.stream.session import ReplySession
from tui_app.stream.source import ReplyRequest, SDKSource
from tui_app.text_safety import neutralize, say
from tui_app.widgets.block_views import _tool_input_text
from tui_app.widgets.event_log import raw_lines, summary_line

SHOWN_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""C0 and C1 controls other than tab and newline, and lone surrogates: what must never reach a terminal."""

any_text = st.text(st.characters(exclude_categories=()), max_size=12)
"""Any code points at all: controls, bidi overrides, lone surrogates."""
any_json = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=8,
)
FIELDS = ("index", "delta", "content_block", "message", "usage", "error", "type", "text", "model", "name",
          "stop_reason", "output_tokens", "input_tokens", "partial_json", "thinking")


@st.composite
def hostile_event(draw) -> tuple[str, str]:
    """An event with a known (or any) name whose fields hold anything, nested where a reply looks for them."""
    name = draw(st.sampled_from(sorted(MESSAGE_EVENTS)) | any_text.filter(lambda s: not re.search("[\r\n]", s)))
    payload: dict[str, Any] = {"type": name}
    for field in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True)):
        payload[field] = draw(any_json | st.dictionaries(st.sampled_from(FIELDS), any_json, min_size=1, max_size=3))
    return name, json.dumps(payload)


def frame(name: str, data: str) -> Raw:
    # A lone surrogate in a name goes out as the bytes no UTF-8 decoder accepts: hostile, not unsendable.
    return Raw(f"event: {name}\ndata: {data}\n\n".encode("utf-8", "surrogatepass"))


def text_delta(piece: str) -> Raw:
    return frame("content_block_delta", json.dumps({"type": "content_block_delta", "index": 0,
                                                    "delta": {"type": "text_delta", "text": piece}}))


@pytest.fixture(scope="module")
def server():
    demo = DemoServer()
    demo.start()
    yield demo
    demo.stop()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(odd=st.lists(hostile_event(), min_size=1, max_size=6))
@example(odd=[("content_block_delta", '{"type": "content_block_delta", "delta": {"type": []}}')])  # unhashable
def test_no_event_field_crashes_reaches_the_terminal_or_loses_a_text_delta(server, tmp_path_factory, odd) -> None:
    pieces = [f"w{number} " for number in range(len(odd) + 1)]
    steps = [frame("message_start", json.dumps({"type": "message_start", "message": {
                 "id": "msg_1", "model": "m", "usage": {"input_tokens": 1, "output_tokens": 1}}})),
             frame("content_block_start", json.dumps({"type": "content_block_start", "index": 0,
                                                      "content_block": {"type": "text", "text": ""}})),
             text_delta(pieces[0])]
    for piece, (name, data) in zip(pieces[1:], odd, strict=True):
        steps += [frame(name, data), text_delta(piece)]
    steps.append(frame("message_stop", '{"type": "message_stop"}'))
    server.script_for = lambda request, pacing: Script("hostile", steps)
    backend = Backend(base_url=server.url, is_demo=True, max_retries=0)
    client = make_client(backend)
    session = ReplySession(SDKSource(client, ReplyRequest("m", 100, [{"role": "user", "content": "hi"}])),
                           base_url=backend.base_url)

    async def stream() -> None:
        async for _event in session.stream():
            pass
        await client.close()

    asyncio.run(stream())

    reply = session.reply
    shown = [line for event in session.events for line in (summary_line(event), *raw_lines(event))]
    shown += [neutralize(reply.text), neutralize(reply.model or ""), neutralize(reply.reason or "")]
    shown += [neutralize(_tool_input_text(block)) for block in reply.blocks]
    stderr = io.StringIO()
    for event in session.events:
        if event.problem:
            say(stderr, f"odd event #{event.seq} {event.name}: {event.problem}")
    if session.failure is not None:
        say(stderr, session.failure.message)
    shown += stderr.getvalue().splitlines()
    for text in shown:
        assert not SHOWN_CONTROL.search(text), repr(text)

    conversation = Conversation(ChatSettings("m", 100))
    conversation.add_user("hi")
    turn = conversation.add_reply("m")
    turn.update_from(session)
    store = Store.open(Path(tmp_path_factory.mktemp("store")) / "conversations.db")
    try:
        store.save_conversation(conversation)
        turn.id = store.save_turn(conversation.id, 1, turn)
        store.add_events(turn.id, session.events)
        kept = store.load(conversation.id).replies[0]
        kept_events = store.events(turn.id)
    finally:
        store.close()
    assert [event.data for event in kept_events] == [event.data for event in session.events]
    kept_text = "".join(block.text for block in kept.to_reply().blocks)
    position = 0
    for piece in pieces:  # each delta, in the order it came, in the blocks kept
        position = kept_text.index(piece, position) + len(piece)
