"""What is shown belongs to the conversation on screen: nothing of the last reply stays after Ctrl+N."""

from __future__ import annotations

from tests.conftest import send_and_finish, until
from tui_app.widgets.status_bar import REPLY_FIELDS, StatusBar


async def test_a_new_conversation_shows_none_of_the_last_reply_s_figures(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await send_and_finish(pilot, "hello")
        status = app.chat.query_one(StatusBar)
        assert status.field("input") and status.field("stop")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: not app.chat.conversation.turns and status.field("state") == "ready",
                    "the new conversation")
        await pilot.pause()
        assert {name: status.field(name) for name in REPLY_FIELDS} == dict.fromkeys(REPLY_FIELDS, "")
        assert status.field("model") == app.chat.conversation.settings.model


async def test_a_new_conversation_does_not_announce_the_last_one_s_earlier_turns(make_app) -> None:
    from tui_app.model.conversation import Conversation, Turn
    from tui_app.widgets.transcript_view import TranscriptView

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        long = Conversation(app.chat.conversation.settings)
        long.turns = [Turn("user" if number % 2 == 0 else "assistant", f"turn {number}\n\n" * 3)
                      for number in range(40)]
        await app.chat.show_conversation(long)
        await pilot.pause()
        older = app.chat.query_one("#older-turns")
        assert older.display and "earlier turns" in str(older.render())
        await pilot.press("ctrl+n")
        await until(pilot, lambda: not app.chat.query_one(TranscriptView).turn_views, "the new conversation")
        await pilot.pause()
        assert not older.display


async def test_the_palette_lists_one_keys_entry_and_the_demo_counts_one_message_in_the_singular(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles.count("Keys") == 1
        await send_and_finish(pilot, "echo this")
        assert app.sessions[-1].reply.text.endswith("(This request carried 1 message.)")


async def test_a_refused_prompt_put_back_to_fix_does_not_follow_into_a_new_conversation(make_app) -> None:
    from tui_app.widgets.prompt_input import PromptInput

    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "status 400 please")
        prompt = app.chat.query_one(PromptInput)
        await until(pilot, lambda: prompt.text == "status 400 please", "the refused prompt put back")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: not app.chat.conversation.turns, "the new conversation")
        await pilot.pause()
        assert prompt.text == "" and app.chat.editing is None
