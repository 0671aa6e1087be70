"""Bad input through the real app: empty prompts, a 1 MB paste, and model output or event payloads that
carry markup or terminal control sequences (shown literally and neutralised, kept byte-exact)."""

from __future__ import annotations

import json

from textual import events

from tests.conftest import Clipboards, copied, send, until
from tests.test_conversations import opened_store, saved
from tui_app.store.export import export
from tui_app.stream.reply import ReplyState
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.user_turn import UserTurn

HOSTILE = (
    "[bold]b[/bold] [link=https://example.com]l[/link] \x1b[31mred\x1b[0m "
    "\x1b]52;c;aGk=\x07 \x1b]0;title\x07 bell\x07 back\x08 csi\x9b2J end"
)
"""Markup, an SGR colour, an OSC 52 clipboard write, an OSC title change, BEL, backspace and a C1 CSI."""


def screen_text(app) -> str:
    """Every character the screen draws, line by line, as the terminal would be sent it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def paste(pilot, text: str) -> None:
    pilot.app.post_message(events.Paste(text.replace("\n", "\r")))  # as a terminal pastes: CR line breaks
    await pilot.pause()


async def test_empty_and_whitespace_prompts_are_not_sent(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await send(pilot, "   ")
        await pilot.press("ctrl+j", "tab", "enter")
        await pilot.pause()
        assert app.demo_server.requests == [] and app.chat.conversation.turns == []
        assert not app.query(UserTurn)


async def test_a_1_mb_paste_is_held_aside_sent_whole_and_shown_shortened(make_app) -> None:
    text = "".join(f"log line {number:05d}: level=info msg=\"ok\" pad={'x' * 40}\n" for number in range(12_500))
    assert len(text) > 1_000_000
    app = make_app()
    clipboards = Clipboards()
    async with app.run_test(size=(120, 40)) as pilot:
        clipboards.install(app)
        await paste(pilot, text)
        prompt = app.query_one(PromptInput)
        assert prompt.text == "[pasted #1: 1.0 MB, 12,500 lines]"  # one line in the editor, not 14,000
        await pilot.press("space", "w", "h", "y", "?")
        assert prompt.prompt_text == text + " why?"
        await pilot.press("enter")
        await until(pilot, lambda: app.sessions, "the reply to start")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.demo_server.requests[0]["messages"] == [{"role": "user", "content": text + " why?"}]
        assert app.sessions[0].reply.state is ReplyState.DONE
        shown = str(app.query_one(UserTurn).render())
        assert shown.startswith("log line 00000") and "log line 00039" in shown and "log line 00040" not in shown
        assert shown.endswith("(1.0 MB, 12,501 lines in all; shortened here, sent and saved whole)")
        kept = await saved(pilot)
        assert kept.turns[0].text == text + " why?"
        app.query_one(UserTurn).focus()
        await pilot.press("c")
        await copied(pilot)
        assert clipboards.native == [text + " why?"]
        # Walking back through the history brings it back held aside again, whole.
        app.query_one(PromptInput).focus()
        await pilot.press("up")
        assert prompt.text.startswith("[pasted #1: 1.0 MB") and prompt.prompt_text == text + " why?"


async def test_markup_and_control_sequences_are_shown_literally_and_kept_byte_exact(make_app, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await paste(pilot, "echo " + HOSTILE)
        prompt = app.query_one(PromptInput)
        # A paste with control characters is held aside like a large one: sent as it is, never drawn.
        assert prompt.text == "[pasted #1: 115 bytes, 1 line, with control characters]"
        assert "\x1b" not in screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: app.sessions, "the reply to start")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reply = app.sessions[0].reply
        assert HOSTILE in reply.text  # the demo echoed it back: model output carrying it all
        drawn = screen_text(app)
        for control in ("\x1b", "\x07", "\x08", "\x9b"):
            assert control not in drawn
        # The prompt and the reply each show it, markup as written and controls as symbols.
        assert drawn.count("[bold]b[/bold] [link=https://example.com]l[/link] ␛[31mred␛[0m") == 2
        for piece in ("␛]52;c;aGk=␇", "␛]0;title␇", "bell␇", "back␈", "csi\\x9b2J"):
            assert drawn.count(piece) == 2
        event_lines = [line.text for line in app.query_one("#event-lines").lines]
        await pilot.press("ctrl+r")
        raw_lines = [line.text for line in app.query_one("#event-raw").lines]
        assert any("text_delta ']b[/'" in line for line in event_lines)  # markup pieces, as they came
        assert any('"text": "]b[/"' in line for line in raw_lines)
        for line in event_lines + raw_lines:
            assert not any(control in line for control in ("\x1b", "\x07", "\x08", "\x9b"))
        kept = await saved(pilot)
        with opened_store(app) as store:
            stored_events = store.events(kept.turns[1].id)
    assert kept.turns[0].text == "echo " + HOSTILE and HOSTILE in kept.turns[1].text
    assert HOSTILE in "".join(json.loads(event.data)["delta"]["text"] for event in stored_events
                              if event.name == "content_block_delta")
    assert HOSTILE in export(kept, "md")
    assert HOSTILE in json.loads(export(kept, "json"))["turns"][1]["text"]
