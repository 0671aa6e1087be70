"""`claude-tui -p`: the same streaming core with no UI. The reply's text goes to stdout byte for byte."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any, BinaryIO, TextIO

from tui_app.model.citations import found_pages, number_sources
from tui_app.model.ending import Ending
from tui_app.runtime import chat_settings, open_events_file, open_runtime, reply_session, request_for
from tui_app.settings import Settings
from tui_app.stream.backend import Backend, make_client
from tui_app.stream.failures import FailureKind
from tui_app.stream.recorder import EventsFile
from tui_app.stream.replay import Playback, Recording, ReplaySource
from tui_app.stream.reply import ContentBlock, ReplyState
from tui_app.stream.session import ReplySession
from tui_app.text_safety import neutralize, say

BROKEN_PIPE_EXIT = 141
REFUSED_EXIT = 9
"""The model refused: nothing more will come of the prompt as it is (not a failure of the request)."""
PAUSED_EXIT = 10
"""The server paused a long-running turn: what was printed is only its start, and print mode cannot go on."""
STOP_EXITS = {"refusal": REFUSED_EXIT, "pause_turn": PAUSED_EXIT}
"""Exit codes of a reply the server ended but that is not a whole answer; any other ending exits 0 (a reply
cut at max_tokens or by a full context window says so on stderr)."""
RESULTS_SHOWN = 5
"""A search's results are named up to this many on its stderr line."""


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
        silence_stdout()
        return BROKEN_PIPE_EXIT
    finally:
        if recorder is not None:
            recorder.close()
        runtime.close()


def silence_stdout() -> None:
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
    return await print_reply(session, stdout, stderr)


def run_replay_print(recording: Recording, speed: float, stdout: BinaryIO, stderr: TextIO) -> int:
    """Print each reply of a recording as print mode prints a live one (nothing is read, nothing is sent);
    return the first reply's exit code that is not 0, else 0."""

    stdout_ends_with_newline = [True]

    async def play() -> int:
        playback, codes = Playback(speed), []
        for number, recorded in enumerate(recording.replies):
            if number and not stdout_ends_with_newline[0]:
                stdout.write(b"\n")  # each reply starts on a line of its own
            playback.start()
            session = ReplySession(ReplaySource(recorded, playback), base_url=str(recording.path),
                                   clock=playback.clock)
            codes.append(await print_reply(session, stdout, stderr, stdout_ends_with_newline))
        return next((code for code in codes if code), 0)

    try:
        return asyncio.run(play())
    except KeyboardInterrupt:
        stderr.write("claude-tui: replay stopped\n")
        return FailureKind.CANCELLED.exit_code
    except BrokenPipeError:
        silence_stdout()
        return BROKEN_PIPE_EXIT


async def print_reply(session: ReplySession, stdout: BinaryIO, stderr: TextIO,
                      newline_at_end: list[bool] | None = None) -> int:
    """Stream `session`'s reply to `stdout` and say on `stderr` what is not its text; its exit code."""
    reply = session.reply
    to_terminal = stdout.isatty()
    written: list[int] = []
    """Pieces of each block already written, by the block's place in the reply (a second `message_start`
    can bring a second block with the same index): only what the reply took in is printed."""
    ends_with_newline = True
    told: set[int] = set()
    """Server tool blocks already described on stderr, by their place in the reply."""
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
            elif place not in told and block.stopped is not None and (line := server_tool_line(block)):
                told.add(place)
                say(stderr, line)
    if newline_at_end is not None:
        newline_at_end[0] = ends_with_newline or to_terminal
    if to_terminal and not ends_with_newline:
        stdout.write(b"\n")  # the shell's prompt starts on a line of its own
        stdout.flush()
    elif not ends_with_newline and _shares_a_screen(stdout, stderr):
        stderr.write("\n")  # what is said next starts on a line of its own; stdout stays byte for byte
    for place, block in enumerate(reply.blocks):
        if block.kind == "tool_use":
            parsed = block.tool_input
            tool_input = json.dumps(parsed, ensure_ascii=False) if parsed is not None else block.text
            say(stderr, f"the reply asks to use the tool {block.tool_name} with {tool_input}")
        elif place not in told and (line := server_tool_line(block)):  # a reply given whole, or cut mid-block
            say(stderr, line)
    for source in number_sources(reply.blocks):
        say(stderr, source.line())
    ending = Ending.of(reply)
    if reply.state is ReplyState.DONE:
        if ending.advice is not None:
            say(stderr, ending.advice)
        return STOP_EXITS.get(reply.stop_reason or "", 0)
    failure = session.failure
    assert failure is not None
    advice = "; what was printed is partial, run it again" if failure.kind is FailureKind.INCOMPLETE else ""
    say(stderr, f"{failure.message}{advice}")
    return failure.kind.exit_code


def _shares_a_screen(stdout: BinaryIO, stderr: TextIO) -> bool:
    """Whether stderr shows beside stdout's text: a terminal, or the same file (`2>&1`)."""
    try:
        return stderr.isatty() or os.path.sameopenfile(stdout.fileno(), stderr.fileno())
    except (OSError, ValueError, AttributeError):
        return False


def server_tool_line(block: ContentBlock) -> str | None:
    """A server tool's call or result in one line for stderr (`web search: …`, `3 results: …`); None for
    any other block."""
    if block.kind == "server_tool_use":
        tool_input = block.tool_input
        query = tool_input if isinstance(tool_input, dict) else {}
        for key in ("query", "url"):
            if isinstance(query.get(key), str):
                return f"{(block.tool_name or 'server tool').replace('_', ' ')}: {query[key]}"
        shown = json.dumps(tool_input, ensure_ascii=False) if tool_input is not None else block.text
        return f"{(block.tool_name or 'server tool').replace('_', ' ')}: {shown}"
    if block.kind.endswith("_tool_result"):
        return _result_line(block.kind.removesuffix("_tool_result").replace("_", " "), block.fields.get("content"))
    return None


def _result_line(tool: str, content: Any) -> str:
    if isinstance(content, list):
        pages = found_pages(content)
        titles = ", ".join(page.title for page in pages[:RESULTS_SHOWN])
        more = f" and {len(pages) - RESULTS_SHOWN} more" if len(pages) > RESULTS_SHOWN else ""
        count = "1 result" if len(content) == 1 else f"{len(content)} results"
        return f"{count}: {titles}{more}" if titles else f"{tool}: {count}"
    if isinstance(content, dict) and "error_code" in content:
        return f"{tool} failed: {content['error_code']}"
    if isinstance(content, dict) and isinstance(content.get("url"), str):
        return f"{tool}: got {content['url']}"
    return f"{tool}: a result came"
