"""Pure pieces of the core: replies, conversations, neutralizing, and the Textual boundary."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tui_app.model.conversation import ChatSettings, Conversation, title_for
from tui_app.stream.events import WireEvent
from tui_app.stream.reply import Reply, ReplyState
from tui_app.text_safety import neutralize


def event(payload: dict) -> WireEvent:
    return WireEvent(seq=0, name=payload["type"], data=json.dumps(payload), arrived=0.0)


def test_a_reply_without_message_stop_is_incomplete_however_it_looks() -> None:
    reply = Reply()
    reply.apply(event({"type": "message_start", "message": {"model": "m", "usage": {"input_tokens": 5}}}))
    reply.apply(event({"type": "content_block_start", "index": 0, "content_block": {"type": "text"}}))
    reply.apply(event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hi"}}))
    reply.apply(event({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}}))
    reply.finish()
    assert reply.state is ReplyState.INCOMPLETE
    assert reply.text == "hi"


def test_an_error_event_fails_the_reply_and_keeps_its_text() -> None:
    reply = Reply()
    reply.apply(event({"type": "content_block_start", "index": 0, "content_block": {"type": "text"}}))
    reply.apply(event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "part"}}))
    reply.apply(event({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))
    reply.finish()
    assert reply.state is ReplyState.FAILED
    assert reply.reason == "overloaded_error: Overloaded"
    assert reply.text == "part"


def test_unknown_events_and_deltas_change_nothing() -> None:
    reply = Reply()
    reply.apply(event({"type": "content_block_start", "index": 0, "content_block": {"type": "text"}}))
    reply.apply(event({"type": "future_event", "index": 0}))
    reply.apply(event({"type": "content_block_delta", "index": 0, "delta": {"type": "future_delta", "x": 1}}))
    reply.apply(event({"type": "content_block_delta", "index": 9, "delta": {"type": "text_delta", "text": "x"}}))
    assert reply.text == "" and reply.content_deltas == 0


def test_live_output_tokens_are_estimated_until_the_server_counts_them() -> None:
    reply = Reply()
    reply.apply(event({"type": "message_start", "message": {"usage": {"input_tokens": 5, "output_tokens": 1}}}))
    reply.apply(event({"type": "content_block_start", "index": 0, "content_block": {"type": "text"}}))
    for _ in range(3):
        reply.apply(event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ab"}}))
    assert reply.live_output_tokens == (3, False)
    reply.apply(event({"type": "message_delta", "delta": {}, "usage": {"output_tokens": 7}}))
    assert reply.live_output_tokens == (7, True)


def reply_turn(conversation: Conversation, text: str):
    turn = conversation.add_reply("m")
    turn.text = text
    return turn


@pytest.mark.parametrize("state", [ReplyState.FAILED, ReplyState.CANCELLED, ReplyState.INCOMPLETE, None])
def test_a_prompt_left_unanswered_is_replaced_by_the_next_never_joined_to_it(state: ReplyState | None) -> None:
    conversation = Conversation(ChatSettings("m", 10))
    conversation.add_user("status 401 first")
    if state is not None:  # None: the prompt never got as far as a reply
        reply_turn(conversation, "").state = state
    _second, aside = conversation.add_user("second")
    assert [turn.text for turn in aside][:1] == ["status 401 first"]
    assert all(turn.superseded for turn in aside)
    reply_turn(conversation, "answer")
    assert conversation.messages() == [{"role": "user", "content": "second"},
                                       {"role": "assistant", "content": "answer"}]


def test_a_reply_that_failed_after_some_text_keeps_its_prompt_and_its_text() -> None:
    conversation = Conversation(ChatSettings("m", 10))
    conversation.add_user("first")
    reply_turn(conversation, "half an ans").state = ReplyState.FAILED
    assert conversation.add_user("go on")[1] == []
    assert [message["content"] for message in conversation.messages()] == ["first", "half an ans", "go on"]


def test_a_done_reply_with_no_text_joins_its_prompt_to_the_next_so_roles_alternate() -> None:
    conversation = Conversation(ChatSettings("m", 10))
    conversation.add_user("first")
    reply_turn(conversation, "").state = ReplyState.DONE  # a tool call alone, say
    assert conversation.add_user("second")[1] == []
    assert conversation.messages() == [{"role": "user", "content": "first\n\nsecond"}]


def test_set_aside_turns_are_not_sent_again() -> None:
    conversation = Conversation(ChatSettings("m", 10))
    conversation.add_user("question")
    assert conversation.supersede_last_reply() is None
    first = reply_turn(conversation, "cut off")
    assert conversation.supersede_last_reply() is first
    assert conversation.supersede_last_reply() is None
    reply_turn(conversation, "better")
    assert conversation.messages() == [{"role": "user", "content": "question"},
                                       {"role": "assistant", "content": "better"}]
    conversation.add_user("follow-up with a typo")
    reply_turn(conversation, "confused")
    aside = conversation.supersede_last_prompt()
    assert [turn.text for turn in aside] == ["follow-up with a typo", "confused"]
    conversation.add_user("follow-up")
    assert [message["content"] for message in conversation.messages()] == ["question", "better", "follow-up"]
    assert conversation.title == "question" and len(conversation.turns) == 6


def test_titles_come_from_the_first_line_of_the_first_prompt() -> None:
    assert title_for("\n\n  Hello there  \nmore") == "Hello there"
    assert title_for("x" * 100) == "x" * 59 + "…"
    assert title_for("   ") == "Untitled"


def test_control_sequences_are_shown_not_obeyed() -> None:
    assert neutralize("a\x1b[2Jb\x07\x08\x9b\u2028c\td\n") == "a␛[2Jb␇␈\\x9b␤c\td\n"
    assert neutralize("\x1b]52;c;aGk=\x07") == "␛]52;c;aGk=␇"


def test_the_streaming_core_does_not_import_textual() -> None:
    code = (
        "import sys, tui_app.stream.session, tui_app.stream.recorder, tui_app.printmode, tui_app.demo.server, "
        "tui_app.store.writer, tui_app.store.export, tui_app.stream.models, tui_app.history_cli; "
        "assert 'textual' not in sys.modules, 'textual imported'; "
        "assert 'anthropic' not in sys.modules, 'anthropic imported at import time'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_package_is_listed_for_the_wheel() -> None:
    # An editable install finds any package; a wheel ships only the listed ones.
    from pathlib import Path

    from tui_app.config import tomllib

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(root).parts) for init in (root / "tui_app").rglob("__init__.py")}
    assert found <= listed

