"""Faults from the server and the network, from the demo backend's fault mode, through the real app, SDK
and HTTP: what the user sees, what the SDK's retries look like, and what is kept."""

from __future__ import annotations

import re
import socket

import pytest

from tests.conftest import expected_script, notifications, send, send_and_finish, start_stalled_reply, until
from tests.test_conversations import opened_store, saved
from tests.test_print_mode import FAST, run
from tui_app.stream.reply import ReplyState
from tui_app.widgets.event_lines import EventLines
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.status_bar import StatusBar


def event_log_notes(app) -> list[str]:
    return [entry.strip() for entry in app.query_one(EventLog).entries if isinstance(entry, str)]


@pytest.mark.parametrize(("status", "words"), [
    (400, "the request was rejected"),
    (401, "the API key was refused"),
    (403, "the API key may not use this"),
    (404, "check --model and --base-url"),
    (413, "shorten the prompt"),
])
async def test_a_rejected_request_says_why_and_gives_the_prompt_back(make_app, status, words) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        prompt_text = f"echo status {status}"
        await send_and_finish(pilot, prompt_text)
        session = app.sessions[0]
        assert session.reply.state is ReplyState.FAILED and words in session.reply.reason
        assert [attempt.status for attempt in session.attempts] == [status]  # a 4xx is not retried
        assert len(app.demo_server.requests) == 1
        assert any(words in message and "F5 retries" in message for message in notifications(app))
        prompt = app.query_one(PromptInput)
        assert prompt.text == prompt_text and "editing" in prompt.border_title
        # Fixed and sent again, it takes the refused prompt's place.
        prompt.clear()
        await send_and_finish(pilot, "echo fixed")
        assert app.demo_server.requests[-1]["messages"] == [{"role": "user", "content": "echo fixed"}]
        assert [turn.superseded for turn in app.chat.conversation.turns] == [True, True, False, False]
        kept = await saved(pilot)
        assert [(turn.text, turn.state) for turn in kept.turns[:2]] == [(prompt_text, None), ("", ReplyState.FAILED)]


async def test_the_sdks_retries_are_shown_and_the_third_attempt_succeeds(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await send(pilot, "flaky 529 echo")
        await until(pilot, lambda: app.sessions and app.sessions[0].attempts, "the first failed attempt")
        status = app.query_one(StatusBar)
        await until(pilot, lambda: re.search(r"retrying: HTTP 529 \(attempt [23] of 3\)", status.field("state")),
                    "the status bar to show the retry")
        await app.workers.wait_for_complete()
        await pilot.pause()
        session = app.sessions[0]
        assert session.reply.state is ReplyState.DONE
        assert len(app.demo_server.requests) == 3
        notes = [note for note in event_log_notes(app) if note.startswith("⟳")]
        assert notes == [
            "⟳ HTTP 529 overloaded_error: Overloaded · attempt 1 of 3 failed · retrying after a short back-off",
            "⟳ HTTP 529 overloaded_error: Overloaded · attempt 2 of 3 failed · retrying after a short back-off",
        ]


async def test_a_rate_limit_waits_as_retry_after_says_then_fails_clearly_with_a_retry_action(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await send_and_finish(pilot, "status 429 please")
        session = app.sessions[0]
        assert session.reply.state is ReplyState.FAILED and "HTTP 429" in session.reply.reason
        assert [(a.number, a.will_retry, a.retry_after) for a in session.attempts] == [
            (1, True, 1.0), (2, True, 1.0), (3, False, 1.0)]
        assert session.attempts[1].arrived - session.attempts[0].arrived >= 0.9  # the SDK waited as asked
        notes = [note for note in event_log_notes(app) if note.startswith("⟳")]
        assert notes[0].endswith("attempt 1 of 3 failed · retrying in 1 s, as the server asked")
        assert notes[-1].endswith("attempt 3 of 3 failed · no retries left")
        assert any("HTTP 429" in message and "F5 retries" in message for message in notifications(app))
        assert app.query_one(PromptInput).text == ""  # worth retrying as it is: the prompt is not given back
        await pilot.press("f5")
        await until(pilot, lambda: len(app.sessions) == 2, "F5 to retry")
        await app.workers.wait_for_complete()
        assert len(app.demo_server.requests) == 6


@pytest.mark.parametrize(("prompt", "code", "words"), [
    ("status 401", 3, "the API key was refused"),
    ("status 404", 4, "not found"),
    ("status 413", 4, "too large"),
    ("status 500", 8, "HTTP 500"),
    ("status 529", 5, "HTTP 529"),
])
def test_print_mode_exits_with_the_class_of_the_failure(prompt, code, words) -> None:
    result = run("-p", prompt, *FAST)
    assert result.returncode == code
    lines = result.stderr.decode().splitlines()
    assert words in lines[-1] and "Traceback" not in result.stderr.decode()
    retried = code in (5, 8)
    assert len([line for line in lines if "attempt" in line]) == (3 if retried else 1)
    assert result.stdout == b""


def test_the_last_fault_asked_for_counts_when_a_refused_prompt_is_joined_to_the_next() -> None:
    from tui_app.demo.scripts import HttpFault, choose_http_fault

    def request(text: str) -> dict:
        return {"messages": [{"role": "user", "content": text}]}

    assert choose_http_fault(request("status 429 now\n\nstatus 401")) == HttpFault(401)
    assert choose_http_fault(request("flaky 529")) == HttpFault(529, 2)
    assert choose_http_fault(request("status 418")) is None
    assert choose_http_fault(request("no faults here")) is None


def closed_port_url() -> str:
    """A loopback address nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_a_stalled_stream_ends_as_stalled_while_the_ui_stays_responsive(make_app) -> None:
    app = make_app(idle_timeout=2.5)
    async with app.run_test() as pilot:
        session = await start_stalled_reply(pilot)
        status = app.query_one(StatusBar)
        await until(pilot, lambda: "streaming · no data for 2 s" in status.field("state"), "the silence to show")
        await pilot.press("n", "e", "x", "t")  # the prompt takes keys while the stream is silent
        assert app.query_one(PromptInput).text == "next"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert session.reply.state is ReplyState.INCOMPLETE
        assert session.reply.reason.startswith("stalled: no data for 2.5 s")
        assert session.reply.text == expected_script(app).text
        assert any("stalled" in message and "F5 retries" in message for message in notifications(app))
        assert "⚠ incomplete: stalled" in str(app.query_one("#transcript .reply-state").render())
        assert app.query_one(PromptInput).text == "next"
        kept = await saved(pilot)
        assert (kept.turns[1].state, kept.turns[1].text) == (ReplyState.INCOMPLETE, session.reply.text)
        assert kept.turns[1].reason.startswith("stalled")


async def test_a_malformed_stream_shows_what_it_can_and_logs_each_oddity(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await send_and_finish(pilot, "malformed please")
        session = app.sessions[0]
        assert session.reply.state is ReplyState.DONE
        assert session.reply.text == expected_script(app).text
        problems = {event.seq: event.problem for event in session.events if event.problem}
        assert list(problems.values()) == [
            "arrived before message_start",
            "data is not JSON (Invalid control character at)",
            "frame has no event field",
            "unknown event type: logged, otherwise ignored",
            "unknown delta type 'future_delta': ignored",
            "stream ended inside this frame; data is not JSON (Unterminated string starting at)",
        ]
        summaries = [line.text for line in app.query_one("#event-lines", EventLines).lines]
        assert sum("⚠" in line for line in summaries) == len(problems)
        assert any(""""detail": "[li…' ⚠ unknown event type""" in line for line in summaries)
        assert summaries[-1].strip() == "stream ended · done (end_turn)"
        await pilot.press("ctrl+r")
        raw = [line.text for line in app.query_one("#event-raw", EventLines).lines]
        assert any("␛[2J[bold]lost" in line for line in raw)  # shown, neutralised and literal
        assert any('"detail": "[link=https://example.com]a type from the future[/link]"' in line for line in raw)
        assert any("caf\ufffd" in line for line in raw)  # the cut-off character, as the replacement character
        assert not any("\x1b" in line for line in raw + summaries)
        kept = await saved(pilot)
        with opened_store(app) as store:
            stored = store.events(kept.turns[1].id)
    assert [event.data for event in stored] == [event.data for event in session.events]
    assert "\x1b[2J[bold]lost" in stored[5].data  # byte-exact where it is kept


async def test_an_unreachable_backend_says_which_url_it_tried(make_app) -> None:
    url = closed_port_url()
    app = make_app(base_url=url)
    async with app.run_test() as pilot:
        await send_and_finish(pilot, "hello?")
        session = app.sessions[0]
        assert session.reply.state is ReplyState.FAILED
        assert session.reply.reason.startswith(f"cannot reach {url} (ConnectError")
        assert any(f"cannot reach {url}" in message for message in notifications(app))
        assert app.query_one(StatusBar).field("backend") == url.removeprefix("http://")
        kept = await saved(pilot)
        assert [(turn.text, turn.state) for turn in kept.turns] == [("hello?", None), ("", ReplyState.FAILED)]


def test_print_mode_names_the_url_when_the_name_does_not_resolve() -> None:
    result = run("-p", "hello", "--base-url", "http://no-such-host.invalid")
    assert result.returncode == 6
    *attempts, last = result.stderr.decode().splitlines()
    assert last.startswith("claude-tui: cannot reach http://no-such-host.invalid")
    assert [line.split(" · ")[1] for line in attempts] == [f"attempt {n} of 3 failed" for n in (1, 2, 3)]


def test_print_mode_exits_incomplete_on_a_stall_and_prints_what_arrived() -> None:
    result = run("-p", "stall please", "--idle-timeout", "1", *FAST)
    assert result.returncode == 7
    assert result.stdout.decode() == "This reply starts, and then the model goes quiet"
    assert "stalled: no data for 1 s" in result.stderr.decode()


def test_print_mode_prints_a_malformed_streams_text_and_reports_each_oddity() -> None:
    result = run("-p", "malformed please", *FAST)
    assert result.returncode == 0
    assert result.stdout.decode() == "Odd frames follow; this came without an event field. The reply still ends."
    oddities = [line for line in result.stderr.decode().splitlines() if "odd event" in line]
    assert len(oddities) == 6 and "Traceback" not in result.stderr.decode()


@pytest.mark.parametrize(("prompt", "state", "reason"), [
    ("overload", ReplyState.FAILED, "overloaded_error: Overloaded"),
    ("drop", ReplyState.INCOMPLETE, "the connection dropped mid-stream"),
    ("status 500", ReplyState.FAILED, "HTTP 500: the server failed (api_error: Internal server error); retry later"),
    ("status 403", ReplyState.FAILED, "HTTP 403: the API key may not use this"),
])
async def test_every_fault_leaves_the_prompt_and_the_partial_reply_saved(make_app, prompt, state, reason) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await send_and_finish(pilot, prompt)
        kept = await saved(pilot)
        reply = app.sessions[0].reply
    user, answer = kept.turns
    assert user.text == prompt
    assert (answer.state, answer.text) == (state, reply.text) and answer.reason.startswith(reason)
    assert answer.text == expected_script(app).text or prompt.startswith("status")


async def test_a_slow_first_token_shows_the_wait_growing_and_the_ui_keeps_working(make_app) -> None:
    from tui_app.demo.pacing import DemoPacing

    app = make_app(demo_pacing=DemoPacing(first_token_delay=1.5, tokens_per_second=0))
    async with app.run_test() as pilot:
        await send(pilot, "echo slowly")
        status = app.query_one(StatusBar)
        await until(pilot, lambda: re.fullmatch(r"waiting 1\.\d\d s", status.field("ttft")), "a wait of over 1 s")
        await pilot.press("o", "k")
        assert app.query_one(PromptInput).text == "ok"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert re.fullmatch(r"TTFT 1\.[5-9]\d s", status.field("ttft"))
        assert app.sessions[0].reply.state is ReplyState.DONE
