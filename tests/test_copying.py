"""Copying, end to end: the real app and stream, with the clipboard programs and the terminal
replaced at the clipboard's boundary so each test sees exactly what would have been copied."""

from __future__ import annotations

import json
import re

from tests.conftest import Clipboards, copied, expected_script, notifications, send_and_finish, sent_event_names
from tui_app.demo.scripts import SHOWCASE
from tui_app.widgets.code_block import CodeBlock
from tui_app.widgets.event_lines import EventLines
from tui_app.widgets.reply_view import ReplyView
from tui_app.widgets.user_turn import UserTurn


async def reply_then_ctrl_y(pilot, clipboards: Clipboards, prompt: str, environ: dict[str, str] | None = None) -> None:
    clipboards.install(pilot.app, environ)
    await send_and_finish(pilot, prompt)
    await pilot.press("ctrl+y")
    await copied(pilot)


async def test_ctrl_y_copies_the_last_replys_markdown_source_to_the_native_clipboard(make_app) -> None:
    app = make_app()
    clipboards = Clipboards()
    async with app.run_test(size=(140, 45)) as pilot:
        await reply_then_ctrl_y(pilot, clipboards, "show me the tour")
        assert clipboards.native == [SHOWCASE]
        assert clipboards.terminal == []
        assert notifications(app) == [
            f"Copied the last reply ({len(SHOWCASE):,} characters) to the clipboard with xclip."
        ]
        assert app.query_one("#prompt").text == "", "Ctrl+Y must not reach the prompt's redo"


async def test_without_a_native_clipboard_the_terminal_gets_it_and_the_message_says_so(make_app) -> None:
    app = make_app()
    clipboards = Clipboards(native_present=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await reply_then_ctrl_y(pilot, clipboards, "show me the tour")
        assert clipboards.terminal == [SHOWCASE]
        [message] = notifications(app)
        assert "OSC 52" in message and "the terminal decides" in message
        assert message.startswith(f"Sent the last reply ({len(SHOWCASE):,} characters)")


async def test_a_failing_native_clipboard_falls_back_and_reports_the_failure(make_app) -> None:
    app = make_app()
    clipboards = Clipboards(native_works=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await reply_then_ctrl_y(pilot, clipboards, "echo hi")
        assert clipboards.terminal == [app.sessions[0].reply.text]
        [message] = notifications(app)
        assert "OSC 52" in message and "Can't open display" in message


async def test_when_no_path_can_work_nothing_is_claimed(make_app) -> None:
    app = make_app()
    clipboards = Clipboards(native_present=False, terminal_problem="tmux's set-clipboard is external")
    async with app.run_test(size=(140, 45)) as pilot:
        await reply_then_ctrl_y(pilot, clipboards, "echo hi")
        assert clipboards.native == clipboards.terminal == []
        [message] = notifications(app)
        assert message.startswith("Nothing was copied:")
        assert "no clipboard tool" in message and "set-clipboard is external" in message
        assert "Copied" not in message and "Sent" not in message


async def test_over_ssh_the_terminal_clipboard_comes_first(make_app) -> None:
    app = make_app()
    clipboards = Clipboards()
    async with app.run_test(size=(140, 45)) as pilot:
        await reply_then_ctrl_y(pilot, clipboards, "echo over ssh", environ={"SSH_TTY": "/dev/pts/3"})
        assert clipboards.native == [] and len(clipboards.terminal) == 1


async def test_ctrl_y_before_any_reply_copies_nothing_and_says_so(make_app) -> None:
    app = make_app()
    clipboards = Clipboards()
    async with app.run_test(size=(140, 45)) as pilot:
        clipboards.install(app)
        await pilot.press("ctrl+y")
        await copied(pilot)
        assert clipboards.native == []
        assert notifications(app) == ["There is no reply to copy yet."]


async def test_a_message_selected_with_the_keyboard_or_the_mouse_is_copied(make_app) -> None:
    app = make_app()
    clipboards = Clipboards()
    async with app.run_test(size=(140, 45)) as pilot:
        clipboards.install(app)
        await send_and_finish(pilot, "echo first words")
        await send_and_finish(pilot, "echo second words")
        # Keyboard: Shift+Tab leaves the prompt for the newest message; ↑ walks back through them.
        await pilot.press("shift+tab")
        assert isinstance(app.focused, ReplyView)
        await pilot.press("up", "up", "up")
        assert isinstance(app.focused, UserTurn)
        await pilot.press("c")
        await copied(pilot)
        assert clipboards.native == ["echo first words"]
        # Mouse: a click selects, Enter copies.
        first_reply = app.query(ReplyView).first()
        await pilot.click(first_reply)
        assert app.focused is first_reply
        await pilot.press("enter")
        await copied(pilot, 2)
        assert clipboards.native[-1] == app.sessions[0].reply.text
        assert notifications(app)[0] == "Copied your message (16 characters) to the clipboard with xclip."
        await pilot.press("escape")
        assert app.focused is app.query_one("#prompt")


async def test_a_code_block_copies_its_contents_without_the_fences(make_app) -> None:
    app = make_app()
    clipboards = Clipboards()
    async with app.run_test(size=(140, 45)) as pilot:
        clipboards.install(app)
        await send_and_finish(pilot, "show me the tour")
        code = re.search(r"```python\n(.*?)\n```", SHOWCASE, re.DOTALL).group(1)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, CodeBlock)
        await pilot.press("c")
        await copied(pilot)
        assert clipboards.native == [code]
        assert "```" not in clipboards.native[0]
        assert notifications(app) == [
            f"Copied the python code block ({len(code)} characters) to the clipboard with xclip."
        ]


async def test_the_event_log_copies_one_payload_or_the_whole_replys_events(make_app) -> None:
    app = make_app()
    clipboards = Clipboards()
    async with app.run_test(size=(140, 45)) as pilot:
        clipboards.install(app)
        await send_and_finish(pilot, "show me the tour")
        session = app.sessions[0]
        lines = app.query_one("#event-lines", EventLines)
        lines.focus()
        await pilot.press("home", "down")  # line 0 is the reply's heading, line 1 its first event
        await pilot.press("c")
        await copied(pilot)
        assert clipboards.native == [session.events[0].data]
        assert json.loads(clipboards.native[0])["type"] == "message_start"
        await pilot.press("a")
        await copied(pilot, 2)
        records = [json.loads(line) for line in clipboards.native[1].splitlines()]
        assert [record["event"] for record in records] == [event.name for event in session.events]
        assert [record["data"] for record in records] == [event.data for event in session.events]
        assert {record["reply"] for record in records} == {1}
        assert [record["event"] for record in records] == sent_event_names(expected_script(app))
        assert notifications(app)[1].startswith(f"Copied the {len(records)} events of reply 1")


async def test_a_click_in_the_event_log_selects_the_event_under_the_pointer(make_app) -> None:
    app = make_app()
    clipboards = Clipboards()
    async with app.run_test(size=(140, 45)) as pilot:
        clipboards.install(app)
        await send_and_finish(pilot, "echo click")
        lines = app.query_one("#event-lines", EventLines)
        lines.scroll_home(animate=False, immediate=True)
        await pilot.click(lines, offset=(5, 2))
        assert lines.cursor == 2
        await pilot.press("c")
        await copied(pilot)
        assert clipboards.native == [app.sessions[0].events[1].data]


async def test_text_selected_with_the_mouse_takes_the_same_honest_path(make_app) -> None:
    app = make_app()
    clipboards = Clipboards()
    async with app.run_test(size=(140, 45)) as pilot:
        clipboards.install(app)
        notice = app.query_one(".notice")
        await pilot.mouse_down(notice, offset=(2, 1))
        await pilot.hover(notice, offset=(30, 2))
        await pilot.mouse_up(notice, offset=(30, 2))
        selected = app.screen.get_selected_text()
        assert selected and selected.startswith("Demo backend")
        await pilot.press("ctrl+c")  # with the prompt focused
        await copied(pilot)
        assert clipboards.native == [selected]
        assert notifications(app) == [
            f"Copied the selected text ({len(selected)} characters) to the clipboard with xclip."
        ]

