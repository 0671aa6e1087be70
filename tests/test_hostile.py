"""What a server, a model or a stream sends can crash nothing, reach the terminal as nothing but visible text,
and lose no word: the real app, SDK and HTTP against the demo backend answering with the test's own script."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from textual.widgets._toast import Toast

from tests.conftest import notifications, send, send_and_finish, until
from tests.test_conversations import saved
from tui_app.demo.scripts import Answer, Raw, Script, Silence
from tui_app.screens.chat_settings_screen import ChatSettingsScreen
from tui_app.screens.conversations_screen import ConversationsScreen
from tui_app.stream.events import NOT_STREAMED
from tui_app.stream.reply import ReplyState
from tui_app.widgets.block_views import ToolUseBlockView
from tui_app.widgets.event_log import EventLog, raw_lines, summary_line
from tui_app.widgets.reply_view import ReplyView
from tui_app.widgets.status_bar import StatusBar

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\ud800-\udfff]")
"""What must never be drawn: C0 and C1 controls but tab and newline, bidi controls, zero-width characters and
lone surrogates."""
HOSTILE = "[/b][@click=app.quit]X[/]\x1b]52;c;aGVsbG8=\x07\x1b]2;pwned\x07\u202eevil\x1b[2J"
"""Markup that raises, markup that runs an action, and escape sequences that write the clipboard, set the
title and clear the screen, with a bidi override."""


def frame(event: str, payload: dict[str, Any] | str) -> Raw:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return Raw(f"event: {event}\ndata: {data}\n\n".encode())


def start(model: object = "claude-sonnet-5", usage: object = None) -> Raw:
    return frame("message_start", {"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": [],
        "usage": usage if usage is not None else {"input_tokens": 5, "output_tokens": 1}}})


def text_block(index: int, *pieces: str) -> list[Raw]:
    return [frame("content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": {"type": "text", "text": ""}}),
            *(frame("content_block_delta", {"type": "content_block_delta", "index": index,
                                            "delta": {"type": "text_delta", "text": piece}}) for piece in pieces),
            frame("content_block_stop", {"type": "content_block_stop", "index": index})]


def finish(stop_reason: str = "end_turn", output_tokens: object = 7) -> list[Raw]:
    return [frame("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop_reason},
                                    "usage": {"output_tokens": output_tokens}}),
            frame("message_stop", {"type": "message_stop"})]


def answering(*steps, then_echo: bool = True):
    """A `script_for` that answers the first request with `steps`, and later ones as the demo does."""
    from tui_app.demo.scripts import choose_script

    def script_for(request: dict[str, Any], pacing) -> Script:
        script_for.count += 1
        if script_for.count > 1 and then_echo:
            return choose_script(request, pacing)
        return Script("test", list(steps))

    script_for.count = 0
    return script_for


def toast_texts(app) -> list[str]:
    return [toast.render().plain for toast in app.screen.query(Toast)]


def shown_lines(app) -> list[str]:
    """Every line the event log would draw for the reply on screen, summaries and raw payloads."""
    session = app.sessions[-1]
    return [line for event in session.events for line in (summary_line(event), *raw_lines(event))]


def assert_nothing_hostile_drawn(app) -> None:
    for text in [*shown_lines(app), *toast_texts(app), app.query_one(StatusBar).render().plain]:
        assert not CONTROL.search(text), repr(text)
    for view in app.query(ReplyView):
        assert not CONTROL.search(str(view.border_title or ""))


@pytest.mark.parametrize("body", [
    b"No route matches POST [/v1/messages]",
    json.dumps({"type": "error", "error": {"type": "not_found_error",
                                           "message": "No route [/v1/messages] [@click=app.quit]x[/]"}}).encode(),
])
async def test_a_proxys_error_with_markup_in_it_is_shown_as_written(make_app, body: bytes) -> None:
    app = make_app()
    async with app.run_test(notifications=True) as pilot:
        app.demo_server.script_for = answering(Answer(404, body, {"content-type": "text/plain"}))
        await send_and_finish(pilot, "hello")
        await until(pilot, lambda: toast_texts(app), "the failure's notification")
        assert app.is_running
        assert app.sessions[0].reply.state is ReplyState.FAILED
        assert any("[/v1/messages]" in text and "check --model and --base-url" in text for text in toast_texts(app))
        await pilot.click(Toast)  # a link made of the message's markup would run its action
        assert app.is_running
        await send_and_finish(pilot, "echo fine")
        assert app.sessions[-1].reply.state is ReplyState.DONE


async def test_hostile_model_and_tool_names_crash_nothing_and_reach_the_terminal_only_as_visible_text(
        make_app) -> None:
    app = make_app()
    async with app.run_test(notifications=True) as pilot:
        tool = frame("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {
            "type": "tool_use", "id": "toolu_1", "name": HOSTILE, "input": {}}})
        app.demo_server.script_for = answering(
            start(model=HOSTILE), *text_block(0, f"text {HOSTILE}"), tool,
            frame("content_block_stop", {"type": "content_block_stop", "index": 1}), *finish("tool_use"))
        await send_and_finish(pilot, "hello")
        assert app.is_running and app.sessions[0].reply.state is ReplyState.DONE
        tool_view = app.query_one(ToolUseBlockView)
        assert "␛]52;c;aGVsbG8=␇" in str(tool_view.border_title) and "[@click=app.quit]" in str(tool_view.border_title)
        await pilot.click(ToolUseBlockView)
        assert app.is_running
        assert_nothing_hostile_drawn(app)
        assert app.chat.conversation.replies[0].model == HOSTILE  # kept as it came
    # Every later start with the conversation: the saved model name is shown as plain text too.
    again = make_app(resume="last")
    async with again.run_test(notifications=True) as pilot:
        await until(pilot, lambda: bool(again.query(ReplyView)), "the saved conversation")
        assert "[/b]" in str(again.query_one(ReplyView).border_title)
        await send_and_finish(pilot, "echo and again")
        assert again.sessions[-1].reply.state is ReplyState.DONE


async def test_a_hostile_model_list_and_a_hostile_title_crash_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(notifications=True) as pilot:
        app.demo_server.model_ids = [HOSTILE, 12345, "claude-sonnet-5"]
        await send_and_finish(pilot, "echo [/b] title")
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, ChatSettingsScreen), "the model list")
        assert app.screen.models == [HOSTILE, "12345", "claude-sonnet-5"]
        await pilot.press("escape")
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, ConversationsScreen) and app.screen.highlighted,
                    "the conversations")
        await pilot.press("down", "d")  # into the list, then delete
        await until(pilot, lambda: app.screen.query("#confirm-no"), "the confirmation")
        await pilot.press("y")
        await until(pilot, lambda: any("Deleted “echo [/b] title”" in text for text in notifications(app)),
                    "the deletion to be reported")
        assert app.is_running


async def test_fields_of_the_wrong_type_mark_their_frame_and_the_rest_of_the_reply_is_used(make_app) -> None:
    odd = [
        frame("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": "s"}),
        frame("content_block_start", {"type": "content_block_start", "index": 1, "content_block": "s"}),
        frame("message_start", {"type": "message_start", "message": "s"}),
        frame("message_delta", {"type": "message_delta", "delta": {}, "usage": [1, 2]}),
        frame("content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": '
              + "[" * 5000 + "]" * 5000 + "}"),
        frame("message_delta", '{"type": "message_delta", "usage": {"output_tokens": ' + "9" * 5000 + "}}"),
        frame("content_block_delta", {"type": "content_block_delta", "index": [0], "delta": {"type": 7}}),
    ]
    pieces = ["one, ", "two, ", "three, ", "four, ", "five, ", "six, ", "seven, ", "eight."]
    steps = [start(model=12345, usage=[1])]
    steps += text_block(0, pieces[0])[:2]
    for piece, oddity in zip(pieces[1:], odd, strict=True):
        steps += [oddity, *text_block(0, piece)[1:2]]
    steps += [*text_block(0)[2:], *finish()]
    app = make_app()
    async with app.run_test(notifications=True) as pilot:
        app.demo_server.script_for = answering(*steps)
        await send_and_finish(pilot, "hello")
        session = app.sessions[0]
        assert session.reply.state is ReplyState.DONE and session.reply.text == "".join(pieces)
        marked = [event for event in session.events if event.problem]
        assert len(marked) == len(odd) + 1  # the odd frames, and the model given as a number
        app.query_one(EventLog).toggle_raw()
        await pilot.pause()
        assert app.is_running
        assert_nothing_hostile_drawn(app)
        assert (await saved(pilot)).replies[0].text == "".join(pieces)


async def test_a_lone_surrogate_and_a_count_past_64_bits_are_saved_and_poison_no_later_request(make_app) -> None:
    app = make_app()
    async with app.run_test(notifications=True) as pilot:
        surrogate = frame("content_block_delta", '{"type": "content_block_delta", "index": 0, '
                                                 '"delta": {"type": "text_delta", "text": "\\ud800"}}')
        app.demo_server.script_for = answering(start(usage={"input_tokens": 2**63, "output_tokens": 1}),
                                               *text_block(0, "half ")[:2], surrogate,
                                               *text_block(0, " whole")[1:], *finish(output_tokens=2**64))
        await send_and_finish(pilot, "hello")
        reply = app.sessions[0].reply
        assert reply.text == "half \ufffd whole" and reply.state is ReplyState.DONE
        assert app.store_problem is None
        await send_and_finish(pilot, "echo next")
        assert app.sessions[-1].reply.state is ReplyState.DONE
        assert app.demo_server.requests[-1]["messages"][1]["content"] == "half \ufffd whole"
        kept = await saved(pilot)
        assert [turn.text for turn in kept.replies] == ["half \ufffd whole", app.sessions[-1].reply.text]


async def test_a_server_that_answers_a_stream_with_one_json_message_is_shown_and_recorded(
        make_app, tmp_path) -> None:
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "mock-model",
               "content": [{"type": "text", "text": "Hello from a server that does not stream."}],
               "stop_reason": "end_turn", "usage": {"input_tokens": 3, "output_tokens": 9}}
    events_file = tmp_path / "events.jsonl"
    app = make_app(events_file=events_file)
    async with app.run_test(notifications=True) as pilot:
        app.demo_server.script_for = answering(
            Answer(200, json.dumps(message).encode(), {"content-type": "application/json"}))
        await send_and_finish(pilot, "hello")
        session = app.sessions[0]
        assert session.reply.state is ReplyState.DONE and session.reply.text == message["content"][0]["text"]
        assert (session.reply.stop_reason, session.reply.output_tokens) == ("end_turn", 9)
        [event] = session.events
        assert event.name == NOT_STREAMED and "did not stream" in event.problem
        assert "out 9" in app.query_one(StatusBar).render().plain
    [record] = [json.loads(line) for line in events_file.read_text().splitlines()]
    assert json.loads(record["data"]) == message


async def test_a_wait_the_server_asks_for_is_capped_and_said_so(make_app) -> None:
    body = json.dumps({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}).encode()
    app = make_app()
    async with app.run_test(notifications=True) as pilot:
        app.demo_server.script_for = answering(
            Answer(429, body, {"content-type": "application/json", "retry-after": "999999"}))
        await send(pilot, "hello")
        await until(pilot, lambda: app.sessions and app.sessions[0].attempts, "the first failed attempt")
        attempt = app.sessions[0].attempts[0]
        assert (attempt.retry_after, attempt.asked_wait) == (60, 999999)
        assert "the server asked for 999,999 s" in attempt.describe()
        await until(pilot, lambda: "retrying: HTTP 429" in app.query_one(StatusBar).render().plain,
                    "the status bar to say it is retrying")
        await pilot.press("escape", "escape")
        await app.workers.wait_for_complete()
        assert app.sessions[0].reply.state is ReplyState.CANCELLED


async def test_each_attempt_a_silent_server_lets_time_out_shows_as_it_happens(make_app) -> None:
    app = make_app(idle_timeout=0.3)
    async with app.run_test(notifications=True) as pilot:
        app.demo_server.script_for = lambda request, pacing: Script("silent", [Silence()])
        await send(pilot, "hello")
        await until(pilot, lambda: app.sessions and app.sessions[0].attempts, "the first attempt to time out")
        session = app.sessions[0]
        assert not session.reply.state.finished  # seen while the SDK still retries
        assert session.attempts[0].status is None and "no answer for 0.3 s" in session.attempts[0].error
        await until(pilot, lambda: any("attempt 1 of 3 failed" in str(entry)
                                       for entry in app.query_one(EventLog).entries), "the attempt in the log")
        await until(pilot, lambda: "retrying: no response" in app.query_one(StatusBar).render().plain,
                    "the status bar to say it is retrying")
        await app.workers.wait_for_complete()
        assert [attempt.number for attempt in session.attempts] == [1, 2, 3]
        assert session.reply.state is ReplyState.FAILED


async def test_tool_input_shows_what_arrived_and_marks_what_is_cut_off(make_app) -> None:
    def tool(index: int, start_input: object, *pieces: str) -> list[Raw]:
        return [frame("content_block_start", {"type": "content_block_start", "index": index, "content_block": {
                    "type": "tool_use", "id": f"toolu_{index}", "name": f"tool_{index}", "input": start_input}}),
                *(frame("content_block_delta", {"type": "content_block_delta", "index": index,
                                                "delta": {"type": "input_json_delta", "partial_json": piece}})
                  for piece in pieces),
                frame("content_block_stop", {"type": "content_block_stop", "index": index})]

    app = make_app()
    async with app.run_test(notifications=True) as pilot:
        app.demo_server.script_for = answering(
            start(), *tool(0, {}, ""), *tool(1, {}, '{"location": "Par'), *finish("max_tokens"))
        await send_and_finish(pilot, "hello")
        no_arguments, cut_off = (view.render().plain for view in app.query(ToolUseBlockView))
        assert no_arguments == "{}"
        assert cut_off.startswith('{"location": "Par') and "⚠ incomplete" in cut_off


async def test_a_damaged_database_is_left_untouched_and_the_run_is_kept_in_a_fresh_one_said_on_screen(
        make_app, tmp_path) -> None:
    from tests.test_store_faults import damage_table, saved_database
    from tui_app.store.database import Store
    from tui_app.widgets.transcript_view import TranscriptView

    path = tmp_path / "conversations.db"
    saved_database(path)
    damage_table(path, "turns")
    damaged = path.read_bytes()
    app = make_app(resume="last")
    async with app.run_test(notifications=True) as pilot:
        notices = lambda: [str(widget.render()) for widget in app.query_one(TranscriptView).query(".notice")]  # noqa: E731
        await until(pilot, lambda: any("left untouched" in notice for notice in notices()), "the notice")
        assert any("Nothing to resume" in notice and "conversations.fresh.db" in notice for notice in notices())
        await send_and_finish(pilot, "echo after the damage")
        assert app.sessions[-1].reply.state is ReplyState.DONE
        await app.writer.call(lambda: None)
    assert path.read_bytes() == damaged
    fresh = Store.open(tmp_path / "conversations.fresh.db")
    try:
        [summary] = fresh.conversations()
        assert summary.title == "echo after the damage"
    finally:
        fresh.close()


async def test_a_frame_too_large_to_hold_is_cut_said_so_and_the_rest_of_the_reply_is_used(make_app) -> None:
    huge = frame("content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": {"type": '
                                        '"text_delta", "text": "' + "x" * (20 * 2**20) + '"}}')
    app = make_app()
    async with app.run_test(notifications=True) as pilot:
        app.demo_server.script_for = answering(start(), *text_block(0, "before ")[:2], huge,
                                               *text_block(0, "after")[1:], *finish())
        await send_and_finish(pilot, "hello")
        session = app.sessions[0]
        assert session.reply.state is ReplyState.DONE and session.reply.text == "before after"
        [cut] = [event for event in session.events if event.problem and "frame over 8 MiB" in event.problem]
        assert len(cut.data) <= 8 * 2**20
        await send_and_finish(pilot, "echo still here")
        assert app.sessions[-1].reply.state is ReplyState.DONE


async def test_a_full_disk_under_events_is_said_once_and_the_reply_and_quitting_go_on(make_app) -> None:
    from pathlib import Path

    app = make_app(events_file=Path("/dev/full"))
    async with app.run_test(notifications=True) as pilot:
        for prompt in ("echo one", "echo two"):
            await send_and_finish(pilot, prompt)
            assert app.sessions[-1].reply.state is ReplyState.DONE
        assert [text for text in notifications(app) if "/dev/full" in text][0].endswith("saved with the conversation.")
        assert len([text for text in notifications(app) if "/dev/full" in text]) == 1
        assert len((await saved(pilot)).replies) == 2
    assert app.return_code in (None, 0)
