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
