"""End to end: the real app, the real SDK, real HTTP, against the built-in demo backend."""

from __future__ import annotations

import pytest
from textual.color import Color
from textual.errors import NoWidget
from textual.widgets import Label
from textual.widgets.markdown import MarkdownFence

from tests.conftest import (
    expected_script,
    notifications,
    send,
    send_and_finish,
    sent_event_names,
    shown_markdown,
    start_stalled_reply,
    until,
    until_highlighted,
)
from tui_app.demo.scripts import SHOWCASE
from tui_app.stream.reply import ReplyState
from tui_app.widgets.block_views import ThinkingBlockView, ToolUseBlockView
from tui_app.widgets.code_block import CODE_CHUNK_LINES, CodeBlock
from tui_app.widgets.event_lines import EventLines
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.prose_lines import ProseLines
from tui_app.widgets.reply_view import ReplyView
from tui_app.widgets.status_bar import StatusBar
from tui_app.widgets.text_block_view import TextBlockView
from tui_app.widgets.transcript_view import TranscriptView


def status(app, name: str) -> str:
    return app.query_one(StatusBar).field(name)


async def test_a_reply_streams_into_the_transcript_character_for_character(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        [reply_view] = app.query(ReplyView)
        assert shown_markdown(reply_view) == SHOWCASE
        assert app.sessions[0].reply.state is ReplyState.DONE
        assert "demo" in str(app.query_one(".notice").content).lower()


async def test_a_long_code_block_streams_in_chunks_that_add_up_to_the_code(make_app) -> None:
    code = "\n".join(f"def step_{n}(value):\n    return value * {n}  # {'x' * (n % 7)}" for n in range(40))
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        app.query_one(PromptInput).load_text(f"echo\n```python\n{code}\n```")
        await send_and_finish(pilot, "")
        block = app.query_one(CodeBlock)
        labels = list(block.query_children(Label))
        await until_highlighted(pilot)
        chunks = [label.content for label in labels]
        assert len(chunks) == 3  # 80 lines
        assert "\n".join(chunk.plain for chunk in chunks) == code
        # Drawn from 4-character deltas, each chunk is highlighted as if it had arrived whole.
        lines = code.split("\n")
        for number, chunk in enumerate(chunks):
            whole = "\n".join(lines[number * CODE_CHUNK_LINES : (number + 1) * CODE_CHUNK_LINES])
            assert chunk == MarkdownFence.highlight(whole, "python", dark=app.current_theme.dark)


async def test_a_long_reply_is_one_widget_that_draws_only_the_rows_on_screen(make_app, monkeypatch) -> None:
    words = [" ".join(f"word{n}_{k}" for k in range(60)) for n in range(60)]
    sections = [f"## Part {n}\n\n{text}\n\n- one\n- two\n" for n, text in enumerate(words)]
    prompt = "echo\n\n" + "\n".join(sections)
    drawn: list[int] = []
    render_line = ProseLines.render_line

    def counted(self, y):
        drawn.append(y)
        return render_line(self, y)

    monkeypatch.setattr(ProseLines, "render_line", counted)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(PromptInput).load_text(prompt)
        await send_and_finish(pilot, "")
        reply = app.sessions[0].reply
        view = app.query_one(TextBlockView)
        assert view.source == reply.text
        [prose] = view.children
        assert isinstance(prose, ProseLines) and prose.size.height > 500
        # Drawn afresh, only the rows the screen shows are drawn: its end.
        drawn.clear()
        prose.refresh()
        await pilot.pause()
        assert drawn and len(set(drawn)) <= 40 and min(drawn) > prose.size.height - 40
        assert "word59_59" in text_on_screen(app)
        # Scrolled back to its start, its first rows are drawn, with the first words.
        transcript = app.query_one(TranscriptView)
        transcript.release_anchor()  # as scrolling up by hand does
        transcript.scroll_to(y=transcript.scroll_y + prose.region.y - transcript.region.y, animate=False,
                             immediate=True)
        await pilot.pause()
        assert "Part 0" in text_on_screen(app) and "word0_0" in text_on_screen(app)


def text_on_screen(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_the_event_log_holds_every_event_the_server_sent_pings_included(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        script = expected_script(app)
        logged = [entry.name for entry in app.query_one(EventLog).entries if not isinstance(entry, str)]
        assert logged == sent_event_names(script)
        assert logged.count("ping") >= 2
        lines = [line.text for line in app.query_one("#event-lines", EventLines).lines]
        assert sum(" ping" in line for line in lines) == logged.count("ping")
        assert any("message_stop" in line for line in lines)


async def test_a_text_block_draws_only_its_prose_and_code_not_a_layer_of_its_own(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        view = app.query_one(TextBlockView)
        with pytest.raises(NoWidget):
            app.screen.find_widget(view)
        kinds = [type(child) for child in view.children]
        assert kinds == [ProseLines, CodeBlock, ProseLines]  # the prose around the tour's one code block
        drawn = [app.screen.find_widget(child).region for child in view.children]
        assert sum(region.height for region in drawn) > 10


async def test_the_event_log_catches_up_while_the_reply_is_still_streaming(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        session = await start_stalled_reply(pilot)
        event_log = app.query_one(EventLog)
        arrived = len(session.events)
        await until(pilot, lambda: len([e for e in event_log.entries if not isinstance(e, str)]) == arrived,
                    "the event log to show every event that arrived before the stall")
        assert session.reply.state is ReplyState.STREAMING
        await pilot.press("escape", "escape")


async def test_the_status_bar_matches_the_script(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        script = expected_script(app)
        assert status(app, "backend") == "demo"
        assert status(app, "model") == "claude-sonnet-5"
        assert status(app, "input") == f"in {script.input_tokens}"
        assert status(app, "output") == f"out {script.output_tokens}"
        assert status(app, "stop") == "stop end_turn"
        assert status(app, "state") == "done"
        assert status(app, "ttft").startswith("TTFT ") and "–" not in status(app, "ttft")
        # One line on screen, each figure in its colour: the state in the theme's success colour.
        bar = app.query_one(StatusBar)
        line = "".join(segment.text for segment in bar.render_line(0))
        assert line.startswith(" demo  claude-sonnet-5 ") and line.rstrip().endswith("stop end_turn  done")
        def state_colour() -> tuple[int, int, int]:
            done = next(segment for segment in bar.render_line(0) if segment.text.strip() == "done")
            return done.style.color.triplet

        assert state_colour() == Color.parse(app.current_theme.success).rich_color.triplet
        app.theme = "paper"  # and in the colours of a theme chosen later
        await until(pilot, lambda: state_colour() == Color.parse(app.current_theme.success).rich_color.triplet,
                    "the status bar to take the new theme's colours")


async def test_turns_accumulate_and_the_whole_history_is_sent(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "echo one")
        first_reply = app.sessions[0].reply.text
        await send_and_finish(pilot, "echo two")
        messages = app.demo_server.requests[1]["messages"]
        assert messages == [
            {"role": "user", "content": "echo one"},
            {"role": "assistant", "content": first_reply},
            {"role": "user", "content": "echo two"},
        ]
        assert "carried 3 messages" in app.sessions[1].reply.text


async def test_escape_cancels_keeps_the_partial_text_and_the_next_prompt_works(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        session = await start_stalled_reply(pilot)
        partial = session.reply.text
        await pilot.press("escape", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert session.reply.state is ReplyState.CANCELLED
        [reply_view] = app.query(ReplyView)
        assert shown_markdown(reply_view) == partial
        assert "cancelled" in str(reply_view.query_one(".reply-state").content)
        assert status(app, "state") == "cancelled"
        await send_and_finish(pilot, "echo again")
        assert app.sessions[1].reply.state is ReplyState.DONE
        assert app.demo_server.requests[1]["messages"][1] == {"role": "assistant", "content": partial}


async def test_a_mid_stream_error_event_fails_the_reply_and_keeps_its_text(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await send_and_finish(pilot, "overload now")
        script = expected_script(app)
        session = app.sessions[0]
        assert session.reply.state is ReplyState.FAILED
        assert shown_markdown(app.query(ReplyView).last()) == script.text
        assert [event.name for event in session.events][-1] == "error"
        assert status(app, "state") == "failed: overloaded_error: Overloaded"
        await send_and_finish(pilot, "echo still alive")
        assert app.sessions[1].reply.state is ReplyState.DONE


async def test_a_dropped_connection_is_shown_as_incomplete_never_as_finished(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await send_and_finish(pilot, "drop it")
        session = app.sessions[0]
        assert session.reply.state is ReplyState.INCOMPLETE
        assert "message_stop" not in [event.name for event in session.events]
        assert shown_markdown(app.query(ReplyView).last()) == expected_script(app).text
        assert status(app, "state").startswith("incomplete: the connection dropped")
        label = str(app.query(ReplyView).last().query_one(".reply-state").content)
        assert label.startswith("⚠ incomplete")


async def test_thinking_and_tool_use_blocks_render_apart_from_the_text(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 50)) as pilot:
        await send_and_finish(pilot, "think first")
        thinking = app.query_one(ThinkingBlockView)
        assert expected_script(app).thinking in str(thinking.query_one(".thinking-text").content)
        await send_and_finish(pilot, "use a tool")
        tool = app.query_one(ToolUseBlockView)
        assert '"location": "Paris, France"' in str(tool.content)
        assert "get_weather" in tool.border_title
        assert app.sessions[1].reply.stop_reason == "tool_use"


async def test_newline_keys_insert_newlines_and_enter_sends_everything_typed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("enter")  # an empty prompt is not sent
        assert app.sessions == []
        await pilot.press("e", "c", "h", "o", "ctrl+j", "a", "alt+enter", "b", "shift+enter", "c")
        assert app.query_one(PromptInput).text == "echo\na\nb\nc"
        await pilot.press("enter")
        await until(pilot, lambda: bool(app.sessions), "the reply to start")
        await app.workers.wait_for_complete()
        assert app.demo_server.requests[0]["messages"][0]["content"] == "echo\na\nb\nc"
        assert app.query_one(PromptInput).text == ""


async def test_ctrl_r_shows_the_raw_payloads_as_received(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        await pilot.press("ctrl+r")
        await pilot.pause()
        event_log = app.query_one(EventLog)
        assert event_log.raw
        raw = "\n".join(line.text for line in app.query_one("#event-raw", EventLines).lines)
        assert '"type": "message_start"' in raw
        assert '"type": "ping"' in raw
        assert raw.count("── #") == len(app.sessions[0].events)
        await pilot.press("ctrl+r")
        assert not event_log.raw
        await pilot.press("f2")
        assert not event_log.display


async def test_the_tui_writes_every_wire_event_to_the_events_file(make_app, tmp_path) -> None:
    import json

    events_file = tmp_path / "events.jsonl"
    app = make_app(events_file=events_file)
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        await send_and_finish(pilot, "drop it")
    records = [json.loads(line) for line in events_file.read_text().splitlines()]
    assert [r["event"] for r in records if r["reply"] == 1] == [e.name for e in app.sessions[0].events]
    assert [r["event"] for r in records if r["reply"] == 2] == [e.name for e in app.sessions[1].events]
    assert "ping" in [r["event"] for r in records]


async def test_an_internal_error_is_reported_and_the_next_prompt_still_works(make_app, monkeypatch) -> None:
    app = make_app()
    original_finish = ReplyView.finish
    calls = []

    async def broken_once(self, reply):
        calls.append(reply)
        if len(calls) == 1:
            raise RuntimeError("drawing failed")
        await original_finish(self, reply)

    monkeypatch.setattr(ReplyView, "finish", broken_once)
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "echo one")
        assert any("drawing failed" in notification.message for notification in app._notifications)
        assert not app.chat.streaming
        await send_and_finish(pilot, "echo two")
        assert app.sessions[1].reply.state is ReplyState.DONE


async def test_a_failure_while_drawing_at_a_tick_ends_the_reply_failed_with_what_arrived_saved(make_app,
                                                                                             monkeypatch) -> None:
    from tui_app.demo.pacing import DemoPacing
    from tui_app.screens.reply_display import ReplyPanes

    draw = ReplyPanes.draw
    draws = []

    async def broken_at_a_tick(self, session, *, events_due):
        if not draws and len(session.reply.text) > 100:  # a tick's draw, well into the reply
            draws.append(session)
            raise RuntimeError("a frame failed")
        await draw(self, session, events_due=events_due)

    monkeypatch.setattr(ReplyPanes, "draw", broken_at_a_tick)
    app = make_app(demo_pacing=DemoPacing(tokens_per_second=500))  # still streaming at the second draw
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: app.writer is not None, "the conversations store to open")
        await send(pilot, "essay please")
        await until(pilot, lambda: app.ended and not app.chat.replying, "the reply to end")
        session = app.sessions[0]
        assert app.ended == [session] and session.reply.state is ReplyState.FAILED
        assert session.reply.reason == "internal error: a frame failed"
        assert not session.reply.saw_message_stop  # cut short by the failure
        assert any("a frame failed" in message for message in notifications(app))
        await app.writer.call(lambda: None)
        kept = app.writer.store.load(app.chat.conversation.id).turns[1]
        assert kept.state is ReplyState.FAILED and kept.text == session.reply.text != ""
        await send_and_finish(pilot, "echo after")
        assert app.sessions[1].reply.state is ReplyState.DONE


async def test_escape_closes_the_command_palette_before_it_cancels_a_reply(make_app) -> None:
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await start_stalled_reply(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette to open")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, CommandPalette), "the palette to close")
        assert app.chat.streaming
        await pilot.press("escape", "escape")
        await app.workers.wait_for_complete()
        assert app.sessions[0].reply.state is ReplyState.CANCELLED


async def test_a_prompt_sent_while_a_reply_streams_is_kept_not_sent(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await start_stalled_reply(pilot)
        await send(pilot, "echo too soon")
        assert app.query_one(PromptInput).text == "echo too soon"
        assert len(app.demo_server.requests) == 1
        assert any("still streaming" in notification.message for notification in app._notifications)
        await pilot.press("escape", "escape")
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await until(pilot, lambda: len(app.sessions) == 2, "the kept prompt to be sent")
        await app.workers.wait_for_complete()
        assert app.sessions[1].reply.state is ReplyState.DONE
        assert app.sessions[1].reply.text.startswith("You said: echo too soon")



async def test_a_layout_of_the_screen_that_leaves_the_event_log_as_it_was_does_not_redraw_its_scroll_bar(
    make_app,
) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "show me the tour")
        await pilot.pause()
        bar = app.query_one("#event-lines", EventLines).vertical_scrollbar
        redrawn: list[int] = []
        refresh = bar.refresh
        bar.refresh = lambda *args, **kwargs: redrawn.append(1) or refresh(*args, **kwargs)
        await app.query_one(TranscriptView).add_notice("The screen is laid out again, the event log left as it was.")
        await pilot.pause()
        await pilot.pause()
        assert redrawn == []
        app.query_one(EventLog).note("one more line", 1)
        app.query_one(EventLog).refresh_view()
        await until(pilot, lambda: bool(redrawn), "the scroll bar to be redrawn for a longer event log")
