"""Keys, focus and layout as a terminal user expects them: Escape leaves a pane, typing goes to the prompt,
cancelling takes a second Escape, the event panel fits the terminal's width, notifications stay out of the
way, and Up reaches earlier conversations' prompts."""

from __future__ import annotations

import pytest
from textual.events import Key

from tests.conftest import send, send_and_finish, start_stalled_reply, until
from tui_app.screens.chat_screen import NARROW_BELOW, WIDE_FROM
from tui_app.stream.reply import ReplyState
from tui_app.widgets.event_lines import EventLines
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.status_bar import StatusBar


async def test_escape_from_the_event_log_goes_back_to_the_prompt_and_leaves_the_reply_streaming(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await start_stalled_reply(pilot)
        await pilot.press("tab")
        assert isinstance(app.focused, EventLines)
        await pilot.press("escape")
        assert app.focused is app.query_one(PromptInput)
        assert app.chat.streaming
        await pilot.press("escape", "escape")
        await app.workers.wait_for_complete()
        assert app.sessions[0].reply.state is ReplyState.CANCELLED


async def test_one_escape_asks_for_another_before_the_reply_is_cancelled(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await start_stalled_reply(pilot)
        prompt = app.query_one(PromptInput)
        await pilot.press("escape")
        await pilot.pause()
        assert app.chat.streaming
        assert prompt.border_subtitle == "Escape again cancels the reply"
        prompt._hint_over()  # as its timer does: the keys are said again
        assert "Enter send" in prompt.border_subtitle


async def test_characters_typed_in_a_pane_go_to_the_prompt_and_its_own_keys_keep_their_meaning(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("tab")
        lines = app.query_one(EventLines)
        assert app.focused is lines
        await pilot.press("c")  # the event log's copy key: there is nothing to copy yet, and nothing is typed
        await until(pilot, lambda: any("Select an event" in note.message for note in app._notifications), "the answer")
        assert app.focused is lines and app.query_one(PromptInput).text == ""
        await pilot.press("w", "h", "y", "space", "a")
        assert app.focused is app.query_one(PromptInput)
        assert app.query_one(PromptInput).text == "why a"


async def test_keys_typed_while_the_prompt_is_sent_stay_for_the_next_one(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        prompt = app.query_one(PromptInput)
        prompt.insert("echo first")
        # Enter and the next keys in one go, as a fast typist's reach the prompt.
        for key in ("enter", "n", "e", "x", "t"):
            prompt.post_message(Key(key, key if len(key) == 1 else None))
        await until(pilot, lambda: len(app.sessions) == 1, "the prompt to be sent")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert prompt.text == "next"
        assert app.sessions[0].reply.text.startswith("You said: echo first")


@pytest.mark.parametrize(("width", "shown", "low", "high"), [
    (160, True, 0.40, 0.44), (WIDE_FROM, True, 0.40, 0.44), (80, True, 0.30, 0.35), (NARROW_BELOW, True, 0.33, 0.35),
    (NARROW_BELOW - 1, False, 0, 0), (40, False, 0, 0)])
async def test_the_event_panel_narrows_with_the_terminal_then_makes_way(make_app, width, shown, low, high) -> None:
    app = make_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        events = app.query_one(EventLog)
        assert events.display is shown
        if shown:
            assert low <= events.region.width / width <= high or events.region.width == 24
            assert app.query_one("#transcript").region.width >= 40


async def test_f2_shows_the_event_panel_below_the_transcript_on_a_narrow_terminal(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        events, transcript = app.query_one(EventLog), app.query_one("#transcript")
        await pilot.press("f2")
        await pilot.pause()
        assert events.display and events.region.width == 60 and events.region.y > transcript.region.y
        assert transcript.region.width == 60
        await pilot.press("f2")
        await pilot.pause()
        assert not events.display
        await pilot.press("ctrl+r")  # the raw view brings the panel too
        await pilot.pause()
        assert events.display


async def test_the_panel_asked_for_or_hidden_stays_so_across_resizes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        events = app.query_one(EventLog)
        await pilot.press("f2")
        await pilot.pause()
        assert not events.display
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert not events.display
        await pilot.press("f2")
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        assert events.display


async def test_a_failure_notification_covers_neither_the_status_bar_nor_the_newest_events(make_app) -> None:
    from textual.widgets._toast import Toast

    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await send(pilot, "status 529 always")
        await until(pilot, lambda: bool(app.screen.query(Toast)), "the notification")
        await pilot.pause()
        [toast] = app.screen.query(Toast)
        status, events, prompt = app.query_one(StatusBar), app.query_one(EventLog), app.query_one(PromptInput)
        assert not toast.region.overlaps(status.region) and not toast.region.overlaps(prompt.region)
        assert not toast.region.overlaps(events.region)
        assert toast.region.height <= 5


async def test_up_walks_this_conversation_s_prompts_then_the_earlier_ones_newest_first(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "echo apples")
        await send_and_finish(pilot, "echo pears")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: not app.chat.conversation.turns, "the new conversation")
        await send_and_finish(pilot, "echo plums")
        await app.workers.wait_for_complete()
        prompt = app.query_one(PromptInput)
        walked = []
        for _ in range(4):
            await pilot.press("up")
            walked.append(prompt.text)
        assert walked == ["echo plums", "echo pears", "echo apples", "echo apples"]
        for _ in range(3):
            await pilot.press("down")
        assert prompt.text == ""


async def test_a_reply_s_events_shown_with_e_leave_f2_its_say(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await send_and_finish(pilot, "echo hello")
        events = app.query_one(EventLog)
        await pilot.press("shift+tab")  # the last message: the reply
        await pilot.press("e")
        await pilot.pause()
        assert events.display
        await pilot.press("f2")
        await pilot.pause()
        assert not events.display


async def test_the_event_log_keeps_its_newest_line_in_sight_when_the_terminal_shrinks(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await send_and_finish(pilot, "think about it")
        lines = app.query_one(EventLines)
        await pilot.pause()
        assert lines.scroll_y == lines.max_scroll_y
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert lines.max_scroll_y > 0 and lines.scroll_y == lines.max_scroll_y


async def test_the_event_log_shown_again_with_f2_shows_its_newest_line(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await send_and_finish(pilot, "echo hello")  # the panel hidden at this width: the lines came meanwhile
        lines = app.query_one(EventLines)
        await pilot.press("f2")
        await pilot.pause()
        assert lines.max_scroll_y > 0 and lines.scroll_y == lines.max_scroll_y
