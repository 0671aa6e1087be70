"""Bracketed pastes holding control characters: read whole from the terminal's bytes, held aside in the
prompt, and sent and saved exactly as they were pasted.

The contract tests of `tui_app.textual_compat` are here too: they fail if a Textual release changes how
its input parser or Linux driver works underneath the paste parser.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import textual._parser
from hypothesis import given
from hypothesis import strategies as st
from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.widgets import Input

from tests.conftest import until
from tests.terminal import Terminal, app_environment, claude_tui
from tests.test_bad_input import screen_text
from tests.test_conversations import saved
from tui_app.store.database import Store
from tui_app.textual_compat import linux_driver
from tui_app.textual_compat.xterm_parser import ALT_ENTER, PASTE_END, PASTE_START, ExactPaste, ExactPasteParser
from tui_app.widgets.prompt_input import PromptInput

COLOURED = "\x1b[31merror\x1b[0m: \x1b[1mbuild failed\x1b[0m\rexit \x07code 2\t(see log)\r"
"""Coloured terminal output as a terminal pastes it: SGR sequences, a bell, a tab, CR line ends."""

KEYS = ["a", "é", "\r", "\t", "\x7f", "\x1b[A", "\x1b[1;5C", "\x1b[2~", "\x1b[20~", "\x1b[<0;5;6M",
        "\x1b[I", "\x1b[201~"]
"""Whole key sequences (arrows, Insert and F9 which begin like ESC[200~), a mouse click, a focus report and
a stray paste end: each means the same whatever follows it (Alt+x waits for the escape delay)."""


def described(tokens: list) -> list[str]:
    return [f"paste {token.exact!r}" if isinstance(token, ExactPaste) else repr(token) for token in tokens]


def parsed(parser: XTermParser, *chunks: str) -> list[str]:
    """What a parser makes of `chunks` read one after another, and then the end of input."""
    tokens = [token for chunk in chunks if chunk for token in parser.feed(chunk)]
    return described(tokens + list(parser.feed("")))


def split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({0, len(text), *(cut % (len(text) + 1) for cut in cuts)})
    return [text[start:end] for start, end in zip(points, points[1:])]


# The paste parser (tui_app/textual_compat/xterm_parser.py).

def test_a_paste_holding_an_escape_is_one_paste_not_key_presses() -> None:
    typed = PASTE_START + "abc\x1bdef" + PASTE_END
    assert parsed(XTermParser(), typed)[0] == repr(events.Key("circumflex_accent", "^")), (
        "Textual's own parser reads this paste whole now: tui_app/textual_compat/xterm_parser.py may not be needed")
    assert parsed(ExactPasteParser(), typed) == ["paste 'abc\\x1bdef'"]


@given(st.lists(st.sampled_from(KEYS), max_size=4), st.text().filter(lambda text: PASTE_END not in text),
       st.lists(st.sampled_from(KEYS), max_size=4), st.lists(st.integers(min_value=0), max_size=8))
def test_any_paste_between_any_keys_split_anywhere_arrives_exactly(before: list[str], pasted: str,
                                                                     after: list[str], cuts: list[int]) -> None:
    typed = "".join(before) + PASTE_START + pasted + PASTE_END + "".join(after)
    textual_own = XTermParser()
    expected = described(list(textual_own.feed("".join(before)))) if before else []
    expected.append(f"paste {pasted!r}")
    expected += parsed(textual_own, "".join(after))
    assert parsed(ExactPasteParser(), *split(typed, cuts)) == expected


# ESC CR (Alt+Enter) is the one sequence read otherwise: see the Alt+Enter tests below.
@given(st.text(alphabet=st.sampled_from(list("\x1b[201~A5;<Mx\rIé\x00")))
       .filter(lambda text: PASTE_START not in text and ALT_ENTER not in text),
       st.lists(st.integers(min_value=0), max_size=8))
def test_input_that_is_not_a_paste_is_read_as_textual_reads_it(typed: str, cuts: list[int]) -> None:
    assert parsed(ExactPasteParser(), *split(typed, cuts)) == parsed(XTermParser(), typed)


@pytest.mark.parametrize("typed, keys", [
    ("\x1b", ["escape"]), ("\x1bx", ["alt+x"]), ("\x1b\x1b", ["escape", "escape"]),
    ("\x1b[20", ["left_square_bracket", "2", "0"]), ("\x1b[200", ["left_square_bracket", "2", "0", "0"])])
def test_escape_and_unfinished_sequences_are_keys_once_the_escape_delay_passes(monkeypatch, typed: str,
                                                                               keys: list[str]) -> None:
    now = 0.0
    monkeypatch.setattr(textual._parser, "get_time", lambda: now)
    mine, textual_own = ExactPasteParser(), XTermParser()
    assert list(mine.feed(typed)) + list(mine.tick()) == []  # it may yet be a paste's start
    waited = list(textual_own.feed(typed))
    now += constants.ESCAPE_DELAY
    waited += textual_own.tick()
    assert described(list(mine.tick())) == described(waited)
    assert [key.key for key in waited] == keys


def test_escape_typed_just_before_a_paste_comes_before_it() -> None:
    assert parsed(ExactPasteParser(), "\x1b", PASTE_START + "p" + PASTE_END) == [
        repr(events.Key("escape", "\x1b")), "paste 'p'"]


# How widgets take the paste (tui_app/textual_compat/xterm_parser.py: ExactPaste).

class OneInput(App[None]):
    def compose(self) -> ComposeResult:
        yield Input()


async def test_a_textual_input_takes_the_paste_with_its_controls_shown_as_symbols() -> None:
    app = OneInput()
    async with app.run_test() as pilot:
        app.query_one(Input).post_message(ExactPaste("a\x1b[31mb\x07"))
        await pilot.pause()
        assert app.query_one(Input).value == "a␛[31mb␇"
        assert "\x1b" not in screen_text(app)


def test_a_paste_without_control_characters_is_given_to_widgets_as_it_is() -> None:
    pasted = "family 👨\u200d👩\u200d👧, \u200fעברית\u200e\rline two\twith a tab\r"
    assert ExactPaste(pasted).text == pasted


# The driver reads input with the paste parser (tui_app/textual_compat/linux_driver.py).

@pytest.mark.skipif(sys.platform == "win32", reason="Textual's Linux driver")
def test_the_linux_driver_makes_its_parser_from_the_name_that_is_replaced() -> None:
    from textual.drivers import linux_driver as textual_linux_driver
    from textual.drivers.linux_driver import LinuxDriver

    linux_driver.use_exact_paste_parser()
    assert textual_linux_driver.XTermParser is ExactPasteParser
    assert "XTermParser" in LinuxDriver.run_input_thread.__code__.co_names


# The prompt, in the real app.

@pytest.mark.parametrize("make_event", [events.Paste, ExactPaste], ids=["paste", "bracketed paste"])
async def test_a_paste_holding_control_characters_is_held_aside_and_sent_byte_exact(make_app, make_event) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e", "c", "h", "o", "space")
        app.post_message(make_event(COLOURED))  # as the driver does: the app gives it to the focused widget
        await pilot.pause()
        prompt = app.query_one(PromptInput)
        assert prompt.text == "echo [pasted #1: 60 bytes, 2 lines, with control characters]"
        assert "\x1b" not in screen_text(app)
        await pilot.press("space", "o", "k", "enter")
        await until(pilot, lambda: app.sessions, "the reply to start")
        await app.workers.wait_for_complete()
        await pilot.pause()
        # Byte-exact, but for the terminal's CR line ends, which are line ends.
        sent = "echo " + COLOURED.replace("\r", "\n") + " ok"
        assert app.demo_server.requests[0]["messages"] == [{"role": "user", "content": sent}]
        assert (await saved(pilot)).turns[0].text == sent


async def test_keys_pressed_after_a_paste_are_typed_after_it(make_app) -> None:
    app = make_app()
    parser = ExactPasteParser()
    async with app.run_test() as pilot:
        for token in [*parser.feed(PASTE_START + "\x1b[1mx" + PASTE_END + "y"), *parser.feed("")]:
            app.post_message(token)
        await pilot.pause()
        assert app.query_one(PromptInput).text == "[pasted #1: 5 bytes, 1 line, with control characters]y"


# The real command in a pseudo-terminal.

def saved_turns(database: Path) -> list[str]:
    """The turns of the conversation saved last."""
    store = Store.open(database)
    try:
        return [turn.text for turn in store.load(store.last_conversation_id()).turns]
    finally:
        store.close()


def typed_in_a_terminal(tmp_path: Path, typed: bytes) -> list[str]:
    """Type `typed` into the real app in a pseudo-terminal (the demo echoes the prompt), quit, and return the
    conversation's turns as saved."""
    terminal = Terminal([claude_tui(), "--demo-ttft", "0", "--demo-tps", "0"], app_environment(tmp_path))
    try:
        terminal.read_until(lambda: b"Prompt" in terminal.output and b"\x1b[?2004h" in terminal.output,
                            "the first frame, with bracketed paste on")
        terminal.write(typed)
        terminal.read_until(lambda: b"This request carried" in terminal.output, "the reply")
        terminal.write(b"\x11")  # Ctrl+Q
        assert terminal.wait() == 0
    finally:
        terminal.close()
    return saved_turns(tmp_path / "data" / "claude-tui" / "conversations.db")


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pseudo-terminal")
def test_real_bracketed_paste_bytes_reach_the_server_and_the_database_byte_exact(tmp_path) -> None:
    # The demo server echoes the prompt it received: the reply, as saved, says what that was.
    prompt, reply = typed_in_a_terminal(tmp_path, b"echo " + b"\x1b[200~abc\x1bdef\x1b[201~" + b"\r")
    assert prompt == "echo abc\x1bdef"
    assert reply.startswith("You said: echo abc\x1bdef\n")


def test_alt_enter_as_terminals_send_it_is_its_own_key_not_enter() -> None:
    parser = ExactPasteParser()
    keys = [*parser.feed("a\x1b\rb\r"), *parser.feed("")]
    assert [key.key for key in keys] == ["a", "alt+enter", "b", "enter"]


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pseudo-terminal")
def test_alt_enter_typed_in_a_real_terminal_breaks_the_line_and_enter_sends(tmp_path) -> None:
    # ESC CR is what terminals and tmux send for Alt+Enter.
    assert typed_in_a_terminal(tmp_path, b"echo one\x1b\rtwo\r")[0] == "echo one\ntwo"
