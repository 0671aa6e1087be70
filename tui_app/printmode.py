"""`claude-tui -p`: the same streaming core with no UI. The reply's text goes to stdout byte for byte."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import BinaryIO, TextIO

from tui_app.model.ending import Ending
from tui_app.runtime import chat_settings, open_events_file, open_runtime, reply_session, request_for
from tui_app.settings import Settings
from tui_app.stream.backend import Backend, make_client
from tui_app.stream.failures import FailureKind
from tui_app.stream.recorder import EventsFile
from tui_app.stream.reply import ReplyState
from tui_app.text_safety import neutralize, say

BROKEN_PIPE_EXIT = 141


def run_print_mode(settings: Settings, prompt: str, stdout: BinaryIO, stderr: TextIO) -> int:
    """Stream one reply to `stdout`; return 0 only for a complete reply, else the failure's exit code."""
    if not prompt.strip():
        stderr.write("claude-tui: the prompt is empty; pass it after -p or on standard input\n")
        return FailureKind.USAGE.exit_code
    for problem in settings.problems:
        say(stderr, problem)
    runtime = open_runtime(settings, os.environ)
    if runtime.is_demo and stderr.isatty():
        stderr.write("claude-tui: no ANTHROPIC_API_KEY set, replying from the built-in demo backend\n")
    try:
        recorder = open_events_file(settings, lambda problem: say(stderr, f"{problem}; the reply goes on"))
    except OSError as error:
        runtime.close()
        say(stderr, f"cannot write the events file: {error.strerror}: {settings.events_file}")
        return FailureKind.USAGE.exit_code
    try:
        return asyncio.run(_stream(settings, runtime.backend, prompt, recorder, stdout, stderr))
    except KeyboardInterrupt:
        stderr.write("claude-tui: cancelled; the reply is incomplete\n")
        return FailureKind.CANCELLED.exit_code
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as command-line tools do.
        _silence_stdout()
        return BROKEN_PIPE_EXIT
    finally:
        if recorder is not None:
            recorder.close()
        runtime.close()


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


async def _stream(
    settings: Settings,
    backend: Backend,
    prompt: str,
    recorder: EventsFile | None,
    stdout: BinaryIO,
    stderr: TextIO,
) -> int:
    request = request_for(chat_settings(settings), [{"role": "user", "content": prompt}])
    session = reply_session(make_client(backend), backend, request, recorder)
    session.on_attempt = lambda attempt: say(stderr, attempt.describe())
    reply = session.reply
    to_terminal = stdout.isatty()
    written: list[int] = []
    """Pieces of each block already written, by the block's place in the reply (a second `message_start`
    can bring a second block with the same index): only what the reply took in is printed."""
    ends_with_newline = True
    async for event in session.stream():
        if event.problem:
            say(stderr, f"odd event #{event.seq} {event.name}: {event.problem}")
        written.extend(0 for _ in range(len(reply.blocks) - len(written)))
        for place, block in enumerate(reply.blocks):
            if block.kind == "text" and len(block.pieces) > written[place]:
                text = "".join(block.pieces[written[place] :])
                stdout.write((neutralize(text) if to_terminal else text).encode("utf-8"))
                stdout.flush()
                written[place] = len(block.pieces)
                ends_with_newline = text.endswith("\n")
    if to_terminal and not ends_with_newline:
        stdout.write(b"\n")  # the shell's prompt starts on a line of its own
        stdout.flush()
    for block in reply.blocks:
        if block.kind == "tool_use":
            parsed = block.tool_input
            tool_input = json.dumps(parsed, ensure_ascii=False) if parsed is not None else block.text
            say(stderr, f"the reply asks to use the tool {block.tool_name} with {tool_input}")
    ending = Ending.of(reply)
    if reply.state is ReplyState.DONE:
        if ending.advice is not None:
            say(stderr, ending.advice)
        return 0
    failure = session.failure
    assert failure is not None
    advice = "; what was printed is partial, run it again" if failure.kind is FailureKind.INCOMPLETE else ""
    say(stderr, f"{failure.message}{advice}")
    return failure.kind.exit_code

