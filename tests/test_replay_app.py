"""`--replay FILE` in the app: a recording's replies stream into the transcript as they did live, the prompt
rests meanwhile, Space pauses and . steps one event, and Ctrl+N leaves for a conversation of one's own; `r`
on a saved reply plays its stored events again."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import WatchedTUI, send_and_finish, shown_markdown, until
from tests.test_replay import FAST, run
from tui_app.demo.pacing import UNPACED
from tui_app.runtime import Watch
from tui_app.settings import Settings
from tui_app.stream.replay import read_recording
from tui_app.stream.reply import ReplyState
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.reply_view import ReplyView

PROMPTS = ("show me the tour", "echo once more")
SIZE = (140, 45)
HELD_BACK = 3_600_000
"""Milliseconds: where the held-back events of a recording are, so that the replay waits there."""


def recorded_live(path: Path, *prompts: str) -> list[str]:
    """Print-mode runs against the demo backend, each appending its events to `path`; what each printed."""
    printed = []
    for prompt in prompts:
        result = run("-p", prompt, *FAST, "--events", str(path))
        assert result.returncode == 0, result.stderr
        printed.append(result.stdout.decode("utf-8"))
    return printed


def held_back(events: Path, at_once: int) -> list[dict]:
    """Rewrite a recording so that its first `at_once` events come at once and the rest an hour later."""
    records = [json.loads(line) for line in events.read_text().splitlines()]
    for number, record in enumerate(records):
        record["t_ms"] = 0 if number < at_once else HELD_BACK
    events.write_text("".join(json.dumps(record) + "\n" for record in records))
    return records


def replay_app(tmp_path: Path, recording: Path, speed: float) -> WatchedTUI:
    settings = Settings(demo_pacing=UNPACED)
    settings.history.file = str(tmp_path / "conversations.db")
    return WatchedTUI(settings, environ={}, watch=Watch(recording=read_recording(recording), speed=speed))


async def test_a_replayed_events_file_shows_what_the_live_runs_showed(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    live = recorded_live(events, *PROMPTS)
    app = replay_app(tmp_path, events, 0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app.ended) == len(PROMPTS), "both recorded replies to be replayed")
        assert [session.reply.text for session in app.ended] == live
        assert all(session.reply.state is ReplyState.DONE for session in app.ended)
        assert [shown_markdown(view) for view in app.query(ReplyView)] == live
        assert app.query_one(PromptInput).disabled
        assert app.demo_server is not None and app.demo_server.requests == []  # nothing was sent

        await pilot.press("ctrl+n")
        prompt = app.query_one(PromptInput)
        await until(pilot, lambda: not prompt.disabled and not app.query(ReplyView), "a new conversation")
        prompt.focus()
        await send_and_finish(pilot, "echo after the replay")
        assert app.sessions[-1].reply.text.startswith("You said: echo after the replay")
        assert len(app.demo_server.requests) == 1
        writer = app.writer
        assert writer is not None
        await until(pilot, lambda: app.chat.conversation.replies[0].id is not None, "the new reply to be saved")
        saved = await writer.call(writer.store.conversations)
        assert [summary.title for summary in saved] == ["echo after the replay"]  # the replay is not kept
        assert await writer.call(writer.store.recent_prompts, None) == ["echo after the replay"]


async def test_space_pauses_a_playing_replay_and_full_stop_steps_one_event(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    [live] = recorded_live(events, PROMPTS[0])
    at_once = 3
    records = held_back(events, at_once)
    app = replay_app(tmp_path, events, 1)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.sessions) and len(app.sessions[0].events) == at_once,
                    "the events recorded at the start")
        session, playback = app.sessions[0], app.chat.playback
        assert playback is not None
        await pilot.press("space")
        await until(pilot, lambda: playback.paused, "the replay to pause")
        assert "paused" in str(app.query_one(PromptInput).border_title)
        logged = app.query_one(EventLog).entries
        for step in range(1, 3):
            await pilot.press("full_stop")
            await until(pilot, lambda step=step: len(session.events) == at_once + step, "one more event")
            # the event log shows it though the replay's clock stands still
            await until(pilot, lambda step=step: sum(not isinstance(entry, str) for entry in logged) == at_once + step,
                        "the event in the event log")
            for _ in range(5):
                await pilot.pause()
            assert len(session.events) == at_once + step and playback.paused  # one event, no more
            assert playback.clock() == HELD_BACK / 1000  # the recorded time of the event let through
        assert not session.reply.state.finished
        await pilot.press("space")
        assert "paused" not in str(app.query_one(PromptInput).border_title)
        await until(pilot, lambda: app.ended == [session], "the replay to play on to its end")
        await until(pilot, lambda: "Replay over" in str(app.query_one(PromptInput).border_title), "the replay's end")
        assert session.reply.text == live
        assert [event.name for event in session.events] == [record["event"] for record in records]


async def test_escape_twice_stops_a_replay_whatever_has_focus(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    recorded_live(events, *PROMPTS)
    held_back(events, 3)
    app = replay_app(tmp_path, events, 1)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(app.sessions) and len(app.sessions[0].events) == 3, "the first events")
        app.query_one(EventLog).focus()  # a pane whose own Escape would go back to the prompt
        await pilot.press("escape")
        assert not app.ended
        await pilot.press("escape")
        await until(pilot, lambda: len(app.ended) == 1, "the replay to stop")
        assert app.ended[0].reply.state is ReplyState.CANCELLED
        await until(pilot, lambda: not app.chat.replying, "the replay's worker to end")
        assert len(app.sessions) == 1  # the recording's second reply is not played


async def test_r_on_a_saved_reply_replays_its_events_as_a_conversation_of_their_own(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "show me the tour")
        [original] = app.ended
        turn = app.chat.conversation.replies[0]
        await until(pilot, lambda: turn.id is not None, "the reply to be saved")
        view = app.query_one(ReplyView)
        view.focus()
        await pilot.press("r")
        await until(pilot, lambda: len(app.ended) == 2, "the saved reply to be replayed")
        replayed = app.ended[1]
        assert replayed.reply.state is ReplyState.DONE
        assert replayed.reply.text == original.reply.text
        assert [event.name for event in replayed.events] == [event.name for event in original.events]
        [shown] = app.query(ReplyView)  # the replay's own conversation, not the one replayed
        assert shown is not view and shown_markdown(shown) == original.reply.text
        assert app.query_one(PromptInput).disabled
        assert len(app.demo_server.requests) == 1  # the replay sent nothing
