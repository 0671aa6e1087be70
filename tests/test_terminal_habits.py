"""A terminal user's habits, in the real `claude-tui` in a pseudo-terminal: real key bytes (bursts, ESC, a
Tab, Shift+Tab), real resizes, and the screen read back as drawn."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.terminal import Terminal, app_environment, claude_tui
from tui_app.store.database import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pseudo-terminal")

ESC, UP, SHIFT_TAB, TAB = b"\x1b", b"\x1b[A", b"\x1b[Z", b"\t"


@pytest.fixture
def run_app(tmp_path) -> Iterator:
    """Start the real app (demo backend, unpaced unless told) at a size; every one started is closed."""
    started: list[Terminal] = []

    def run(columns: int = 120, rows: int = 40, *arguments: str) -> Terminal:
        terminal = Terminal([claude_tui(), "--demo-ttft", "0", *(arguments or ("--demo-tps", "0"))],
                            app_environment(tmp_path), columns=columns, rows=rows)
        started.append(terminal)
        terminal.start()
        return terminal

    yield run
    for terminal in started:
        terminal.close()


def status_line(terminal: Terminal) -> str:
    return terminal.lines()[-2]


def prompt_line(terminal: Terminal) -> str:
    """The prompt's first line of text: the row under its top border."""
    lines = terminal.lines()
    top = max(row for row, line in enumerate(lines) if "─ Prompt" in line)
    return lines[top + 1].split("│")[1].strip()


def saved_prompts(home: Path) -> list[str]:
    store = Store.open(home / "data" / "claude-tui" / "conversations.db")
    try:
        return [turn.text for summary in store.conversations() for turn in store.load(summary.id).turns
                if turn.role == "user"]
    finally:
        store.close()


def test_keys_typed_straight_after_enter_start_the_next_prompt(run_app, tmp_path) -> None:
    terminal = run_app()
    terminal.write(b"echo one\rtwo")
    terminal.read_until(lambda: "done" in status_line(terminal) and prompt_line(terminal) == "two",
                        "the reply, with what was typed after Enter still in the prompt")
    terminal.quit()
    assert saved_prompts(tmp_path) == ["echo one"]


def test_a_burst_of_up_presses_moves_the_selection_once_for_each(run_app) -> None:
    terminal = run_app()
    for number in (1, 2, 3):
        terminal.write(b"echo %d\r" % number)
        terminal.read_until_shown(f"You said: echo {number}")
    terminal.write(SHIFT_TAB)  # from the prompt into the transcript
    terminal.read_until(lambda: any(line.startswith(" ┏━") for line in terminal.lines()),
                        "a message to be selected")
    terminal.write(UP * 10)  # at most six messages: the first is selected, however fast the keys come
    terminal.read_until(lambda: any(line.startswith(" ┃ echo 1") for line in terminal.lines()),
                        "the first message to be selected")
    terminal.quit()


def test_escape_leaves_a_pane_and_characters_typed_in_one_go_to_the_prompt(run_app) -> None:
    terminal = run_app()
    terminal.write(TAB)  # from the prompt to the event log
    terminal.read_until(lambda: "Copy event" in terminal.lines()[-1], "the event log to have focus")
    terminal.write(b"hello there")
    terminal.read_until(lambda: prompt_line(terminal) == "hello there", "the typing to reach the prompt")
    terminal.write(TAB)
    terminal.read_until(lambda: "Copy event" in terminal.lines()[-1], "the event log to have focus again")
    terminal.write(ESC)
    terminal.read_until(lambda: "Send" in terminal.lines()[-1], "Escape to go back to the prompt")
    terminal.write(b"!")
    terminal.read_until(lambda: prompt_line(terminal) == "hello there!", "the prompt to take the key")
    terminal.quit()


def test_one_escape_warns_and_only_a_second_cancels_the_reply(run_app) -> None:
    terminal = run_app()
    terminal.write(b"stall please\r")
    terminal.read_until(lambda: "streaming" in status_line(terminal), "the reply to stream")
    terminal.write(ESC)
    terminal.read_until_shown("Escape again cancels the reply")
    assert "streaming" in status_line(terminal)
    terminal.write(ESC + ESC)
    terminal.read_until(lambda: "cancelled" in status_line(terminal), "the reply to be cancelled")
    terminal.quit()


def test_a_failure_notification_leaves_the_status_bar_and_the_newest_events_in_sight(run_app) -> None:
    terminal = run_app(100, 30)
    terminal.write(b"status 529 please\r")
    terminal.read_until(lambda: terminal.shows("Reply failed") and "failed" in status_line(terminal),
                        "the failure, notified")
    assert "failed: HTTP 529" in status_line(terminal)
    assert terminal.shows("stream ended · failed")  # the event log's newest line
    prompt_row = max(row for row, line in enumerate(terminal.lines()) if "─ Prompt" in line)
    notice_rows = [row for row, line in enumerate(terminal.lines()) if "▌" in line]
    assert notice_rows and max(notice_rows) < prompt_row - 10  # at the top, over the transcript's oldest lines
    terminal.quit()


def test_the_layout_follows_resizes_while_a_reply_streams(run_app, tmp_path) -> None:
    terminal = run_app(160, 50, "--demo-tps", "400")
    assert terminal.shows("─ Events")
    terminal.write(b"essay please\r")
    terminal.read_until(lambda: "streaming" in status_line(terminal), "the reply to stream")
    terminal.resize(60, 20)
    # Drawn anew at 60 columns (what was drawn before is only cut there): the prompt runs across the screen.
    terminal.read_until(lambda: any(line.startswith("╭─ Prompt") and line.endswith("╮") for line in terminal.lines()),
                        "the transcript and the prompt to take the whole width")
    assert not terminal.shows("─ Events")
    terminal.write(b"\x1bOQ")  # F2: the event panel, below the transcript
    terminal.read_until(lambda: any(line.startswith("╭─ Events") for line in terminal.lines()),
                        "the event panel to be shown full width")
    terminal.resize(80, 24)
    terminal.read_until(lambda: any(50 <= line.find("╭─ Events") for line in terminal.lines()),
                        "the event panel beside the transcript, narrower")
    terminal.read_until(lambda: "done" in status_line(terminal), "the reply to finish")
    assert all(len(line) == 80 for line in terminal.lines())
    terminal.quit()


def test_up_reaches_this_conversation_s_prompts_then_an_earlier_run_s(run_app, tmp_path) -> None:
    first = run_app()
    first.write(b"echo from the first run\r")
    first.read_until(lambda: "done" in status_line(first), "the reply")
    first.quit()
    second = run_app()
    second.write(b"echo from the second run\r")  # a reply waits for the store: by its end, it has been read
    second.read_until(lambda: "done" in status_line(second), "the reply")
    second.write(UP)
    second.read_until(lambda: prompt_line(second) == "echo from the second run", "this conversation's prompt")
    second.write(UP)
    second.read_until(lambda: prompt_line(second) == "echo from the first run", "the earlier run's prompt")
    second.quit()


def saved_conversations(home: Path, *conversations: list[str]) -> list[int]:
    """Conversations saved before the app starts, each a list of turns' texts (prompt, reply, prompt …)."""
    from tui_app.model.conversation import ChatSettings, Conversation
    from tui_app.stream.reply import ReplyState

    store = Store.open(home / "data" / "claude-tui" / "conversations.db")
    ids = []
    try:
        for texts in conversations:
            conversation = Conversation(ChatSettings("claude-sonnet-5", 1024))
            for prompt, reply_text in zip(texts[::2], texts[1::2]):
                conversation.add_user(prompt)
                reply = conversation.add_reply("claude-sonnet-5")
                reply.state, reply.text, reply.stop_reason = ReplyState.DONE, reply_text, "end_turn"
                reply.content = [{"type": "text", "text": reply_text}]
            ids.append(store.save_conversation(conversation))
            for position, turn in enumerate(conversation.turns):
                store.save_turn(conversation.id, position, turn)
    finally:
        store.close()
    return ids


def test_a_burst_of_up_presses_goes_on_through_older_turns_as_they_load(run_app, tmp_path) -> None:
    [long] = saved_conversations(tmp_path, [f"message {number}" for number in range(30)])
    terminal = Terminal([claude_tui(), "--resume", str(long)], app_environment(tmp_path), columns=100, rows=30)
    try:
        terminal.start()
        terminal.read_until_shown("message 29")
        terminal.write(SHIFT_TAB)
        terminal.read_until(lambda: any(line.startswith(" ┏━") for line in terminal.lines()),
                            "a message to be selected")
        terminal.write(UP * 40)  # more than the turns drawn at first: older ones load in between
        terminal.read_until(lambda: any(line.startswith(" ┃ message 0") for line in terminal.lines()),
                            "the very first message to be selected")
        terminal.quit()
    finally:
        terminal.close()


def test_a_burst_of_down_presses_in_the_conversations_list_moves_down_the_list(run_app, tmp_path) -> None:
    saved_conversations(tmp_path, ["echo alpha", "You said: echo alpha"], ["echo beta", "You said: echo beta"],
                        ["echo gamma", "You said: echo gamma"])
    terminal = run_app()
    while not terminal.shows("Escape close"):  # F3 answers once the store is open
        terminal.write(b"\x1bOR")
        terminal.read_until(lambda: terminal.shows("Escape close") or terminal.shows("not available"), "F3")
        if terminal.shows("not available"):
            terminal.read_until(lambda: not terminal.shows("not available"), "the notice to go")
    terminal.read_until_shown("echo alpha")
    terminal.write(b"\x1b[B" * 3 + b"\r")  # newest first: gamma, beta, alpha
    terminal.read_until(lambda: not terminal.shows("Escape close") and terminal.shows("You said: echo alpha"),
                        "the third conversation to open")
    terminal.quit()
