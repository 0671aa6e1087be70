"""Conversations that last: saved as they happen, browsed, resumed, retried, edited, exported, configured.

All through the real app, SDK and HTTP against the demo backend, with the real SQLite file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual._compositor import Compositor

from tests.conftest import notifications, send_and_finish, start_stalled_reply, until
from tui_app.model.conversation import ChatSettings, Conversation
from tui_app.store.database import Store
from tui_app.stream.models import BUILTIN_MODELS
from tui_app.stream.reply import ReplyState
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.reply_view import ReplyView
from tui_app.widgets.status_bar import StatusBar
from tui_app.widgets.transcript_view import TranscriptView
from tui_app.widgets.user_turn import UserTurn


async def store_open(pilot) -> None:
    await until(pilot, lambda: pilot.app.writer is not None, "the conversations store to open")


async def saved(pilot, conversation_id: int | None = None) -> Conversation:
    """The conversation as the database holds it, once every queued write is done."""
    app = pilot.app
    await store_open(pilot)
    await app.writer.call(lambda: None)
    with opened_store(app) as store:
        return store.load(conversation_id or app.chat.conversation.id)


@contextmanager
def opened_store(app) -> Iterator[Store]:
    """The app's database, opened apart from the app, as another program would."""
    store = Store.open(app.settings.history_path)
    try:
        yield store
    finally:
        store.close()


def saved_events(app, turn_id: int) -> list[str]:
    with opened_store(app) as store:
        return [event.name for event in store.events(turn_id)]


async def test_each_turn_is_saved_with_its_state_usage_timings_and_events(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await send_and_finish(pilot, "show me markdown")
        conversation = await saved(pilot)
    session = app.sessions[0]
    user, reply = conversation.turns
    assert conversation.title == "show me markdown" and conversation.settings.model == app.settings.model
    assert (user.role, user.text) == ("user", "show me markdown")
    assert reply.text == session.reply.text and reply.state is ReplyState.DONE and reply.stop_reason == "end_turn"
    assert (reply.input_tokens, reply.output_tokens) == (session.reply.input_tokens, session.reply.output_tokens)
    assert reply.first_token == session.timings.first_token and reply.total == session.timings.finished
    assert reply.settings == {"model": app.settings.model, "max_tokens": app.settings.max_tokens}
    assert saved_events(app, reply.id) == [event.name for event in session.events]
    assert "ping" in saved_events(app, reply.id)


async def test_a_cancelled_reply_is_saved_with_what_had_arrived(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        session = await start_stalled_reply(pilot)
        await pilot.press("escape", "escape")
        await app.workers.wait_for_complete()
        conversation = await saved(pilot)
    reply = conversation.turns[1]
    assert reply.state is ReplyState.CANCELLED and reply.text == session.reply.text != ""
    assert saved_events(app, reply.id) == [event.name for event in session.events]


async def test_a_failed_reply_is_saved_with_its_reason(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await send_and_finish(pilot, "overload me")
        conversation = await saved(pilot)
    reply = conversation.turns[1]
    assert reply.state is ReplyState.FAILED and "overloaded_error" in reply.reason
    assert saved_events(app, reply.id)[-1] == "error"


async def test_continue_reopens_the_last_conversation_and_carries_on(make_app) -> None:
    first = make_app()
    async with first.run_test() as pilot:
        await send_and_finish(pilot, "echo one")
        await send_and_finish(pilot, "think twice")
        earlier = first.sessions[1].reply.text
    second = make_app(resume="last")
    async with second.run_test() as pilot:
        await until(pilot, lambda: len(second.chat.conversation.turns) == 4, "the conversation to reopen")
        transcript = second.query_one(TranscriptView)
        assert [view.turn.text for view in transcript.turn_views][-2:] == ["think twice", earlier]
        await until(pilot, lambda: second.query_one(EventLog).has_reply(2), "the saved events to show")
        await send_and_finish(pilot, "echo three")
        assert second.sessions[0].reply.text.endswith("(This request carried 5 messages.)")
        assert [m["content"] for m in second.demo_server.requests[0]["messages"]][:3] == [
            "echo one", first.sessions[0].reply.text, "think twice"]
        conversation = await saved(pilot)
    assert [turn.text for turn in conversation.turns][-2:] == ["echo three", second.sessions[0].reply.text]
    assert conversation.id == first.chat.conversation.id


async def test_a_resumed_conversation_is_in_the_first_frame(make_app) -> None:
    first = make_app()
    async with first.run_test() as pilot:
        await send_and_finish(pilot, "echo one")
    second = make_app(resume="last")
    async with second.run_test():
        # Before any pause: what run_test hands over is what the first frame draws.
        transcript = second.query_one(TranscriptView)
        assert [view.turn.text for view in transcript.turn_views] == ["echo one", first.sessions[0].reply.text]


async def test_a_resumed_conversation_is_not_drawn_empty_first_while_it_is_read(make_app, monkeypatch) -> None:
    first = make_app()
    async with first.run_test() as pilot:
        await send_and_finish(pilot, "echo one")
    second = make_app(resume="last")
    drawn_in_batch: list[int] = []
    render_update = Compositor.render_update

    def counted(compositor, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        drawn_in_batch.append(second._batch_count)
        return render_update(compositor, *args, **kwargs)

    monkeypatch.setattr(Compositor, "render_update", counted)
    async with second.run_test() as pilot:
        await pilot.pause()
        assert drawn_in_batch and not any(drawn_in_batch)  # drawn, and never while it could not be shown
        assert second.query_one(TranscriptView).turn_views


async def test_resume_by_id_and_an_unknown_id_is_reported(make_app) -> None:
    first = make_app()
    async with first.run_test() as pilot:
        await send_and_finish(pilot, "echo alpha")
        await pilot.press("ctrl+n")
        await send_and_finish(pilot, "echo beta")
        wanted = (await saved(pilot, 1)).id
    app = make_app(resume=wanted)
    async with app.run_test() as pilot:
        await until(pilot, lambda: app.chat.conversation.id == wanted, "conversation 1 to open")
        assert app.chat.conversation.turns[0].text == "echo alpha"
    missing = make_app(resume=99)
    async with missing.run_test() as pilot:
        await until(pilot, lambda: any("no conversation 99" in str(notice.render())
                                       for notice in missing.query(".notice")), "the notice")
        await send_and_finish(pilot, "echo still works")
        assert missing.sessions[0].reply.state is ReplyState.DONE


async def test_browse_search_open_rename_and_delete(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        for prompt in ("echo apples", "echo bananas", "echo cherries"):
            await send_and_finish(pilot, prompt)
            await pilot.press("ctrl+n")
        await pilot.press("f3")
        listing = app.screen.query_one("#conversations-list")
        await until(pilot, lambda: listing.option_count == 3, "three conversations listed")
        for character in "banana":
            await pilot.press(character)
        await until(pilot, lambda: listing.option_count == 1, "the search to narrow the list")
        await pilot.press("enter")
        await until(pilot, lambda: app.chat.conversation.title == "echo bananas", "the conversation to open")
        assert isinstance(app.query_one(TranscriptView).turn_views[0], UserTurn)

        await pilot.press("f3")
        listing = app.screen.query_one("#conversations-list")
        await until(pilot, lambda: listing.option_count == 3, "the full list")
        await pilot.press("down", "down", "r")  # into the list, then past the newest, "echo cherries"
        await until(pilot, lambda: app.screen.query("#text-prompt-input"), "the rename prompt")
        app.screen.query_one("#text-prompt-input").value = ""
        for character in "Fruit":
            await pilot.press(character)
        await pilot.press("enter")
        await until(pilot, lambda: "Fruit" in str(listing.get_option_at_index(1).prompt), "the new title")
        assert listing.highlighted == 1

        await pilot.press("d")
        await until(pilot, lambda: app.screen.query("#confirm-no"), "the confirmation")
        await pilot.press("n")
        await pilot.pause()
        assert listing.option_count == 3
        await pilot.press("d")
        await until(pilot, lambda: app.screen.query("#confirm-no"), "the confirmation")
        await pilot.press("y")
        await until(pilot, lambda: listing.option_count == 2, "the deletion")
        await pilot.press("escape")
        await pilot.pause()
        # The open conversation was the one renamed and deleted: a new one takes its place.
        assert app.chat.conversation.id is None and app.chat.conversation.turns == []
        with opened_store(app) as store:
            assert [summary.title for summary in store.conversations()] == ["echo cherries", "echo apples"]


async def test_retry_keeps_the_cancelled_reply_and_adds_a_new_one(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await start_stalled_reply(pilot)
        await pilot.press("escape", "escape")
        await app.workers.wait_for_complete()
        await pilot.press("f5")
        await until(pilot, lambda: len(app.sessions) == 2, "the retry to start")
        await until(pilot, lambda: app.sessions[1].reply.text != "", "the retried reply to stream")
        await pilot.press("escape", "escape")
        await app.workers.wait_for_complete()
        conversation = await saved(pilot)
        views = app.query_one(TranscriptView).turn_views
        assert [type(view).__name__ for view in views] == ["UserTurn", "ReplyView", "ReplyView"]
        assert views[1].has_class("-superseded") and not views[2].has_class("-superseded")
    replies = conversation.replies
    cancelled = ReplyState.CANCELLED
    assert [(turn.state, turn.superseded) for turn in replies] == [(cancelled, True), (cancelled, False)]
    assert app.demo_server.requests[1]["messages"] == [{"role": "user", "content": "stall please"}]


async def test_retry_after_a_failure_asks_again_without_the_failed_reply(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await send_and_finish(pilot, "overload")
        assert app.sessions[0].reply.state is ReplyState.FAILED
        await pilot.press("f5")
        await until(pilot, lambda: len(app.sessions) == 2, "the retry")
        await app.workers.wait_for_complete()
        assert app.demo_server.requests[1]["messages"] == [{"role": "user", "content": "overload"}]
        conversation = await saved(pilot)
    assert [turn.superseded for turn in conversation.replies] == [True, False]


async def test_edit_the_last_prompt_and_resend_it_in_its_place(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await send_and_finish(pilot, "echo first")
        await send_and_finish(pilot, "echo secnd")
        await pilot.press("ctrl+up")
        prompt = app.query_one(PromptInput)
        assert prompt.text == "echo secnd" and "editing" in prompt.border_title
        await pilot.press("left", "left", "o")
        await pilot.press("enter")
        await until(pilot, lambda: len(app.sessions) == 3, "the edited prompt to be sent")
        await app.workers.wait_for_complete()
        sent = [message["content"] for message in app.demo_server.requests[2]["messages"]]
        assert sent == ["echo first", app.sessions[0].reply.text, "echo second"]
        conversation = await saved(pilot)
    assert [(turn.text[:11], turn.superseded) for turn in conversation.turns] == [
        ("echo first", False), ("You said: e", False), ("echo secnd", True), ("You said: e", True),
        ("echo second", False), ("You said: e", False)]


async def test_up_and_down_in_the_prompt_walk_through_earlier_prompts(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await send_and_finish(pilot, "echo one")
        await send_and_finish(pilot, "echo two")
        prompt = app.query_one(PromptInput)
        for character in "draft":
            await pilot.press(character)
        await pilot.press("up")
        assert prompt.text == "echo two"
        await pilot.press("up", "up", "up")
        assert prompt.text == "echo one"
        await pilot.press("down")
        assert prompt.text == "echo two"
        await pilot.press("down")
        assert prompt.text == "draft"
        await pilot.press("up", "enter")
        await until(pilot, lambda: len(app.sessions) == 3, "the recalled prompt to be sent")
        assert app.sessions[2].source.request.messages[-1]["content"] == "echo two"


async def test_export_from_the_command_palette_as_markdown_and_json(make_app, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_finish(pilot, "think about exports")
        await store_open(pilot)
        for fmt, command in (("md", "Export conversation as Markdown"), ("json", "Export conversation as JSON")):
            await pilot.press("ctrl+p")
            for character in command:
                await pilot.press(character if character != " " else "space")
            await pilot.pause()
            await pilot.press("enter")
            await until(pilot, lambda: app.screen.query("#text-prompt-input"), "the export path prompt")
            field = app.screen.query_one("#text-prompt-input")
            assert field.value.endswith(f"claude-tui-1-think-about-exports.{fmt}")
            field.value = str(tmp_path / f"out.{fmt}")
            await pilot.press("enter")
            target = tmp_path / f"out.{fmt}"
            await until(pilot, target.exists, f"the {fmt} file")
            await app.workers.wait_for_complete()
    markdown = (tmp_path / "out.md").read_text()
    assert markdown.startswith("# think about exports\n") and "<summary>Thinking</summary>" in markdown
    assert app.sessions[0].reply.text.strip() in markdown
    document = json.loads((tmp_path / "out.json").read_text())
    reply = document["turns"][1]
    assert [event["event"] for event in reply["events"]] == [event.name for event in app.sessions[0].events]
    assert reply["content"][0]["type"] == "thinking" and reply["state"] == "done"


async def test_model_and_settings_come_from_the_backend_and_apply_to_the_next_request(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 44)) as pilot:
        await send_and_finish(pilot, "echo hello")
        await pilot.press("f4")
        await until(pilot, lambda: app.screen.query("#chat-settings-model"), "the settings screen")
        screen = app.screen
        note = str(screen.query_one("#chat-settings-models-note").render())
        assert "listed by the backend" in note
        select = screen.query_one("#chat-settings-model")
        assert [value for _, value in select._options][:2] == ["claude-sonnet-5", "claude-opus-5"]
        select.value = "claude-opus-5"
        screen.query_one("#chat-settings-temperature").value = "2"
        await pilot.press("ctrl+s")
        assert "from 0 to 1" in str(screen.query_one("#chat-settings-problem").render())
        screen.query_one("#chat-settings-temperature").value = "0.25"
        screen.query_one("#chat-settings-max-tokens").value = "321"
        screen.query_one("#chat-settings-system").text = "Answer in French."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.chat.conversation.settings.model == "claude-opus-5", "the settings to apply")
        status = app.query_one(StatusBar)
        assert status.field("settings") == "max 321 · T 0.25 · system ✓"
        assert status.field("model") == "claude-opus-5"
        await send_and_finish(pilot, "echo again")
        request = app.demo_server.requests[-1]
        assert (request["model"], request["max_tokens"], request["temperature"], request["system"]) == (
            "claude-opus-5", 321, 0.25, "Answer in French.")
        conversation = await saved(pilot)
    assert conversation.settings == ChatSettings("claude-opus-5", 321, "Answer in French.", 0.25)


async def test_the_built_in_model_list_is_offered_when_the_backend_has_none(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 44)) as pilot:
        await until(pilot, lambda: app.demo_server is not None, "the demo backend")
        app.demo_server.lists_models = False
        await pilot.press("f4")
        await until(pilot, lambda: app.screen.query("#chat-settings-model"), "the settings screen")
        note = str(app.screen.query_one("#chat-settings-models-note").render())
        assert "could not be read" in note and "built in" in note
        values = [value for _, value in app.screen.query_one("#chat-settings-model")._options]
        assert values == list(BUILTIN_MODELS)
        await pilot.press("escape")
        assert app.chat.conversation.settings.model == app.settings.model


async def reported_and_still_answering(pilot, why: str) -> None:
    """The database could not be used: a notice says so and why, and a prompt is still answered."""
    app = pilot.app
    await until(pilot, lambda: app.store_problem is not None, "the store problem")
    notices = " ".join(str(notice.render()) for notice in app.query(".notice"))
    assert "Conversations are not being saved" in notices and why in notices
    await send_and_finish(pilot, "echo still here")
    assert app.sessions[0].reply.state is ReplyState.DONE


async def test_a_damaged_database_is_reported_left_alone_and_the_app_still_works(make_app, tmp_path) -> None:
    path = tmp_path / "conversations.db"
    path.write_bytes(b"not a database" * 100)
    app = make_app()
    async with app.run_test() as pilot:
        await reported_and_still_answering(pilot, "damaged")
        await pilot.press("f3")
        await until(pilot, lambda: any("not available" in message for message in notifications(app)),
                    "the conversations key to say why it cannot help")
    assert path.read_bytes() == b"not a database" * 100


def saved_long_conversation(path: Path, turns: int, reply_lines: int = 0) -> int:
    conversation = Conversation(ChatSettings("claude-sonnet-5", 1024))
    for number in range(turns // 2):
        conversation.add_user(f"question {number}")
        reply = conversation.add_reply("claude-sonnet-5")
        more = "".join(f"\n\nparagraph {line} of answer {number}" for line in range(reply_lines))
        reply.text, reply.state = f"answer {number}\n\n- a list\n- of things{more}", ReplyState.DONE
        reply.content = [{"type": "text", "text": reply.text}]
    return save_conversation(path, conversation)


def save_conversation(path: Path, conversation: Conversation) -> int:
    """Save `conversation` whole in the database at `path`, as the app would have; its id."""
    store = Store.open(path)
    store.save_conversation(conversation)
    for position, turn in enumerate(conversation.turns):
        store.save_turn(conversation.id, position, turn)
    store.close()
    return conversation.id


async def test_a_500_turn_conversation_opens_on_its_last_screen_and_pages_back(make_app, tmp_path) -> None:
    from tui_app.widgets import transcript_view

    conversation_id = saved_long_conversation(tmp_path / "conversations.db", 500)
    app = make_app(resume=conversation_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(app.chat.conversation.turns) == 500, "the conversation to open")
        transcript = app.query_one(TranscriptView)
        await until(pilot, lambda: not transcript.paging and transcript.max_scroll_y > 0, "a full last screen")
        opened_from = transcript.mounted_range[0]
        # Only enough turns to fill the screen are drawn, a page at a time.
        assert transcript.mounted_range[1] == 500 and 500 - opened_from <= 3 * transcript_view.PAGE
        assert transcript.turn_views[-1].turn.text.startswith("answer 249")
        assert transcript.scroll_y == transcript.max_scroll_y
        assert app.query_one("#older-turns").display
        most = 0
        for _ in range(12):
            first = transcript.mounted_range[0]
            transcript.scroll_home(animate=False, immediate=True)
            await until(pilot, lambda first=first: transcript.mounted_range[0] < first, "older turns to load")
            await until(pilot, lambda: not transcript.paging, "the older turns to be drawn")
            most = max(most, len(transcript.turn_views))
        assert most <= transcript_view.WINDOW
        assert transcript.mounted_range[0] == opened_from - 12 * transcript_view.PAGE
        assert app.query_one("#newer-turns").display
        # Back at the end, then a new prompt: the latest turns are drawn again and the reply streams.
        await send_and_finish(pilot, "echo the end")
        assert transcript.mounted_range[1] == 502
        assert isinstance(transcript.turn_views[-1], ReplyView)
        assert transcript.turn_views[-1].turn.text.startswith("You said: echo the end")
        assert len(transcript.turn_views) <= transcript_view.WINDOW


async def test_a_conversation_opens_with_only_the_turns_that_fill_the_screen(make_app, tmp_path) -> None:
    conversation_id = saved_long_conversation(tmp_path / "conversations.db", 40, reply_lines=20)
    app = make_app(resume=conversation_id)
    async with app.run_test(size=(80, 24)) as pilot:
        transcript = app.query_one(TranscriptView)
        await until(pilot, lambda: transcript.mounted_range[1] == 40, "the conversation to open")
        # The last reply is taller than the view: it and its prompt are all that is drawn.
        assert [view.turn.text for view in transcript.turn_views][0] == "question 19"
        await until(pilot, lambda: not transcript._settling and not transcript.paging, "its turns to lay out")
        assert transcript.mounted_range == (38, 40)  # no page drawn that nobody asked for
        assert transcript.scroll_y == transcript.max_scroll_y > 0
        transcript.scroll_home(animate=False, immediate=True)  # scrolling back draws the turns before
        await until(pilot, lambda: transcript.mounted_range[0] < 38, "older turns to load")


@pytest.mark.parametrize("height", [40, 150])
async def test_a_long_saved_reply_opens_at_its_end_and_scrolls_back_to_its_start(make_app, tmp_path, height) -> None:
    from tui_app.widgets.prose_lines import ProseLines
    from tui_app.widgets.text_block_view import TextBlockView

    conversation = Conversation(ChatSettings("claude-sonnet-5", 1024))
    conversation.add_user("a long one, please")
    reply = conversation.add_reply("claude-sonnet-5")
    reply.text = "\n\n".join(f"## Part {n}\n\n" + " ".join(f"word{n}_{k}" for k in range(150)) for n in range(30))
    reply.content, reply.state = [{"type": "text", "text": reply.text}], ReplyState.DONE
    app = make_app(resume=save_conversation(tmp_path / "conversations.db", conversation))
    async with app.run_test(size=(120, height)) as pilot:
        transcript = app.query_one(TranscriptView)
        await until(pilot, lambda: app.query(TextBlockView), "the reply to open")
        view = app.query_one(TextBlockView)
        assert view.source == reply.text
        [prose] = view.query_children(ProseLines)

        def on_screen() -> str:
            return "\n".join(strip.text for strip in app.screen._compositor.render_strips())

        def in_view() -> str:
            """The transcript's rows, as shown, but its scroll bar."""
            region = transcript.scrollable_content_region
            rows = on_screen().split("\n")[region.y : region.bottom]
            return "\n".join(row[region.x : region.right] for row in rows)

        await until(pilot, lambda: "word29_149" in on_screen(), "the end of the reply on screen")
        await pilot.pause()  # (laid out again at the width the scroll bar leaves it)
        assert transcript.scroll_y == transcript.max_scroll_y > 0
        assert "word29_149" in on_screen()
        # Scrolled back through it a few rows at a time, the text coming into view is drawn before it shows,
        # and the rows already shown move down by just those few rows, however the text drawn above them
        # differs from its estimate.
        transcript.release_anchor()  # as scrolling up by hand does
        step = 8
        while transcript.scroll_y > step and "a long one, please" not in on_screen():
            before = in_view().split("\n")
            transcript.scroll_relative(y=-step, animate=False, immediate=True)
            await pilot.pause()
            after = in_view().split("\n")
            assert after[step:] == before[:-step]
            assert any(row.strip(" │") for row in after[:step])  # drawn text, not rows held for it
        transcript.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert "word0_0" in on_screen()
        assert not prose.pending


async def test_a_reopened_conversation_shows_recent_events_and_e_fetches_an_older_replys(make_app) -> None:
    first = make_app()
    async with first.run_test() as pilot:
        for number in range(7):
            await send_and_finish(pilot, f"echo {number}")
        expected = [event.name for event in first.sessions[1].events]
    app = make_app(resume="last")
    async with app.run_test(size=(120, 40)) as pilot:
        event_log = app.query_one(EventLog)
        await until(pilot, lambda: event_log.has_reply(7), "the saved events of the last reply")
        await until(pilot, lambda: event_log.has_reply(3), "the saved events of the last five replies")
        assert not event_log.has_reply(2)
        transcript = app.query_one(TranscriptView)
        await until(pilot, lambda: not transcript.paging, "the last screen")
        assert transcript.mounted_range[0] > 1
        transcript.turn_views[0].focus()
        # ↑ walks back through the transcript, drawing older turns as it reaches the top.
        for _ in range(20):
            focused = app.screen.focused
            if isinstance(focused, ReplyView) and focused.turn.text.startswith("You said: echo 1"):
                break
            await pilot.press("up")
            await until(pilot, lambda: not transcript.paging, "older turns")
        assert app.screen.focused.turn.text.startswith("You said: echo 1")
        await pilot.press("e")
        await until(pilot, lambda: event_log.has_reply(2), "reply 2's events, read back from the store")
        shown = [entry.name for entry in event_log.events_of_reply(2)]
        assert shown == expected
        assert event_log.view.cursor is not None


async def test_quitting_mid_reply_keeps_what_had_arrived(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        session = await start_stalled_reply(pilot)
        await pilot.press("ctrl+q")
    with opened_store(app) as store:
        reply = store.load(store.last_conversation_id()).turns[1]
        assert reply.state is ReplyState.CANCELLED and reply.text == session.reply.text != ""
        assert [event.name for event in store.events(reply.id)] == [event.name for event in session.events]


async def test_settings_given_on_the_command_line_override_the_resumed_conversations(make_app) -> None:
    first = make_app()
    async with first.run_test() as pilot:
        await send_and_finish(pilot, "echo one")
    app = make_app(resume="last", model="claude-opus-5",
                   sources={"model": "command line (--model)"})
    async with app.run_test() as pilot:
        await until(pilot, lambda: app.chat.conversation.id is not None, "the conversation to reopen")
        await until(pilot, lambda: app.chat.conversation.settings.model == "claude-opus-5", "--model to apply")
        assert app.chat.conversation.settings.max_tokens == first.chat.conversation.settings.max_tokens
        await send_and_finish(pilot, "echo two")
        assert app.demo_server.requests[-1]["model"] == "claude-opus-5"


async def test_a_locked_database_is_reported_and_the_app_still_works(make_app, tmp_path, monkeypatch) -> None:
    import sqlite3

    monkeypatch.setattr("tui_app.store.database.BUSY_SECONDS", 0.1)
    path = tmp_path / "conversations.db"
    Store.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    app = make_app()
    try:
        async with app.run_test() as pilot:
            await reported_and_still_answering(pilot, "locked by another program")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store = Store.open(path)
    assert store.conversations() == []
    store.close()


async def test_without_a_store_each_prompt_still_carries_the_conversation_so_far(make_app) -> None:
    app = make_app()
    app.settings.history.enabled = False
    async with app.run_test() as pilot:
        await until(pilot, lambda: app.store_problem is not None, "the store to be left unopened")
        await send_and_finish(pilot, "echo one")
        await send_and_finish(pilot, "echo two")
        assert [turn.text for turn in app.chat.conversation.turns] == [
            "echo one", app.sessions[0].reply.text, "echo two", app.sessions[1].reply.text]
        assert not any(turn.superseded for turn in app.chat.conversation.turns)
        sent = app.demo_server.requests[-1]["messages"]
        assert [message["content"] for message in sent] == ["echo one", app.sessions[0].reply.text, "echo two"]
        await pilot.press("ctrl+n")
        await until(pilot, lambda: notifications(app)[-1:], "the new conversation to be announced")
        assert "not kept" in notifications(app)[-1] and "F3" not in notifications(app)[-1]


async def run_from_palette(pilot, command: str) -> None:
    await pilot.press("ctrl+p")
    for character in command:
        await pilot.press(character if character != " " else "space")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize(("key", "command", "dialog"), [
    ("f3", "Conversations", "ConversationsScreen"),
    ("f4", "Model and settings", "ChatSettingsScreen"),
])
async def test_the_palette_over_a_dialog_does_not_open_that_dialog_again(make_app, key, command, dialog) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_finish(pilot, "echo apples")
        await store_open(pilot)
        await pilot.press(key)
        await until(pilot, lambda: type(app.screen).__name__ == dialog, "the dialog")
        await run_from_palette(pilot, command)
        await app.workers.wait_for_complete()
        await until(pilot, lambda: type(app.screen).__name__ == dialog, "the palette to close")
        assert [type(screen).__name__ for screen in app.screen_stack].count(dialog) == 1
