"""HTTP faults from the demo backend's fault mode, through the real app, SDK and HTTP: what the user sees,
what the SDK's retries look like, and what is kept."""

from __future__ import annotations

import re

import pytest

from tests.conftest import notifications, send, send_and_finish, until
from tests.test_print_mode import FAST, run
from tui_app.stream.reply import ReplyState
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.prompt_input import PromptInput


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
        assert [turn.superseded for turn in app.conversation.turns] == [True, True, False, False]


async def test_the_sdks_retries_are_shown_and_the_third_attempt_succeeds(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await send(pilot, "flaky 529 echo")
        await until(pilot, lambda: app.sessions and app.sessions[0].attempts, "the first failed attempt")
        status = app.query_one("#status-state")
        await until(pilot, lambda: re.search(r"retrying: HTTP 529 \(attempt [23] of 3\)", str(status.render())),
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
