"""Command line: arguments -> Settings -> the app, the print mode, or the demo server.

Only the standard library is imported before the arguments are read, so `--version` and `--help`
answer at once; Textual and the SDK load when they are needed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from tui_app import __version__
from tui_app.model.asking import (
    CACHE_CHOICES,
    DISPLAYS,
    EFFORTS,
    SMALLEST_BUDGET,
    THINKING_OFF,
    asking_problems,
    parse_choice,
    parse_thinking,
)
from tui_app.settings import DEFAULT_MODEL, DEFAULT_THEME, Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claude-tui",
        description="Talk to Claude in the terminal and watch the stream: Markdown as it arrives, "
        "every server-sent event, live tokens and timings. Without ANTHROPIC_API_KEY it runs on a "
        "built-in demo backend.",
    )
    parser.add_argument("--version", action="version", version=f"claude-tui {__version__}")
    parser.add_argument("-p", "--print", dest="prompt", nargs="?", const="", default=None, metavar="PROMPT",
                        help="print mode: stream one reply to stdout, no UI (prompt from stdin when omitted)")
    parser.add_argument("--model", nargs="+", default=None, metavar="MODEL",
                        help=f"model to ask (default: {DEFAULT_MODEL}); with --lab, one or more to compare")
    parser.add_argument("--max-tokens", type=_positive_int, default=None, help="most output tokens per reply")
    parser.add_argument("--temperature", type=float, default=None, help="sampling temperature, 0 to 1")
    parser.add_argument("--system", default=None, help="system prompt")
    asking = parser.add_argument_group("thinking, effort and prompt caching")
    asking.add_argument("--thinking", type=_checked(parse_thinking), nargs="+", default=None,
                        metavar="BUDGET|adaptive|off",
                        help=f"think before answering, up to BUDGET tokens (at least {SMALLEST_BUDGET:,}, below "
                        "--max-tokens), as much as the model decides (adaptive), or not at all (off); "
                        "default: the model's own; with --lab, one or more to compare")
    asking.add_argument("--thinking-display", type=_checked(_choice("thinking display", DISPLAYS)), default=None,
                        metavar="|".join(DISPLAYS),
                        help="thinking comes back summarised (the default) or omitted: only its signature")
    asking.add_argument("--effort", type=_checked(_choice("effort", EFFORTS)), nargs="+", default=None,
                        metavar="|".join(EFFORTS),
                        help="how much effort the model spends on a reply (default: the model's own); with --lab, "
                        "one or more to compare")
    asking.add_argument("--cache", type=_checked(_choice("cache", CACHE_CHOICES)), default=None,
                        metavar="|".join(CACHE_CHOICES),
                        help="prompt caching: the conversation so far is kept 5 minutes or an hour, and the next "
                        "request reads it at a tenth of the input price (writing it costs 1.25x or 2x); default off")
    parser.add_argument("--base-url", default=None,
                        help="a server that speaks the Messages API (default: ANTHROPIC_BASE_URL or Anthropic's)")
    parser.add_argument("--demo", action="store_true", help="use the built-in demo backend even with a key")
    parser.add_argument("--theme", default=None, metavar="NAME",
                        help=f"colour theme for this run (default {DEFAULT_THEME}; Ctrl+P lists them all)")
    parser.add_argument("--config", type=Path, default=None, metavar="PATH",
                        help="read this TOML config file instead of the platform's "
                        "(~/.config/claude-tui/config.toml on Linux)")
    lab = parser.add_argument_group("TTFT lab: time to first token, streamed against not streamed")
    lab.add_argument("--lab", action="store_true",
                     help="send the same prompt (-p, or a built-in one) streamed and not streamed in turns, and "
                     "print the percentiles of each timing")
    lab.add_argument("--runs", type=_positive_int, default=None, metavar="N",
                     help="--lab: requests of each kind per model (default 5)")
    lab.add_argument("--json", dest="as_json", action="store_true", help="--lab: the results as JSON")
    watch = parser.add_argument_group("streams from elsewhere: a recording, or another client's")
    watch.add_argument("--replay", type=Path, default=None, metavar="FILE",
                       help="play a recorded stream in the app (an --events file, a raw event stream as curl -N "
                       "saves it, an SDK's fixture), or print its reply with -p; nothing is sent")
    watch.add_argument("--speed", type=_non_negative_float, default=None, metavar="X",
                       help="--replay: X times the recorded pace (default 1; 0 plays at once; a file without "
                       "arrival times plays at once)")
    watch.add_argument("--inspect", default=None, metavar="[HOST:]PORT",
                       help="run a proxy on PORT and show every exchange of the clients pointed at it "
                       "(ANTHROPIC_BASE_URL=http://127.0.0.1:PORT), passed on to --base-url (default: "
                       "ANTHROPIC_BASE_URL, else Anthropic's API) byte for byte")
    parser.add_argument("--serve", default=None, metavar="[HOST:]PORT",
                        help="serve the app to a browser, behind a secret token (loopback unless a host is given)")
    parser.add_argument("--print-config", action="store_true",
                        help="print the effective settings and where each came from, then exit")
    history = parser.add_argument_group("conversations (kept in SQLite; see --print-config for where)")
    resume = history.add_mutually_exclusive_group()
    resume.add_argument("-c", "--continue", dest="continue_last", action="store_true",
                        help="reopen the most recent conversation and carry on")
    resume.add_argument("-r", "--resume", type=_positive_int, metavar="ID", default=None,
                        help="reopen conversation ID (--list shows them)")
    history.add_argument("--list", dest="list_conversations", nargs="?", const="", default=None,
                         metavar="SEARCH", help="list saved conversations (those containing SEARCH) and exit")
    history.add_argument("--export", type=_positive_int, metavar="ID", default=None,
                         help="write conversation ID to stdout (or --output) and exit")
    history.add_argument("--format", choices=("md", "json"), default="md",
                         help="--export format: md (readable) or json (complete, with every event)")
    history.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                         help="--export to FILE instead of stdout")
    history.add_argument("--no-history", action="store_true", help="keep nothing: conversations are not saved")
    parser.add_argument("--events", type=Path, default=None, metavar="FILE",
                        help="append every wire event, pings and errors included, to FILE as JSON lines")
    parser.add_argument("--debug-log", type=Path, default=None, metavar="FILE",
                        help="write the SDK's and HTTP layer's debug log to FILE, credentials redacted "
                             "(ANTHROPIC_LOG=debug does the same: to stderr with -p, else to debug.log "
                             "beside the conversations)")
    parser.add_argument("--idle-timeout", type=_positive_float, default=None, metavar="SECONDS",
                        help="give up on a stream after this long without a byte (default 60)")
    parser.add_argument("--demo-server", metavar="[HOST:]PORT", default=None,
                        help="run only the demo backend, for curl or any Anthropic SDK")
    parser.add_argument("--demo-ttft", type=_non_negative_float, default=None, metavar="SECONDS",
                        help="demo backend: delay before the first token (default 0.6)")
    parser.add_argument("--demo-tps", type=_non_negative_float, default=None, metavar="N",
                        help="demo backend: tokens per second, 0 for as fast as possible (default 60)")
    return parser


OPTION_SETTINGS = ("model", "max_tokens", "temperature", "system", "thinking", "thinking_display", "effort", "cache",
                   "base_url", "idle_timeout", "theme")
"""Settings with a command-line option of the same name (argparse dest)."""


LAB_LISTS = ("model", "effort", "thinking")
"""Options that take several values with --lab, each a setting the lab compares."""


class UsageError(Exception):
    """Options that cannot go together: the run stops with this message and the usage, exit status 2."""


def settings_from_args(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    """The config file and environment first, then every option given on the command line."""
    from dataclasses import replace

    from tui_app.config import load_settings

    settings = load_settings(environ, args.config)
    for name in LAB_LISTS:
        if getattr(args, name) is not None and len(getattr(args, name)) > 1 and not args.lab:
            raise UsageError(f"--{name} takes one value, except with --lab")
    for name in OPTION_SETTINGS:
        value = getattr(args, name)
        if name in LAB_LISTS and value is not None:
            value = value[0]
        if value is not None:
            setattr(settings, name, value)
            settings.sources[name] = f"command line (--{name.replace('_', '-')})"
    if settings.cache == THINKING_OFF:
        settings.cache = None  # caches nothing, the same as never asking
    settings.demo = args.demo
    settings.events_file = args.events
    if args.no_history:
        settings.history.enabled = False
        settings.sources["history.enabled"] = "command line (--no-history)"
    for option, field_name in (("demo_ttft", "first_token_delay"), ("demo_tps", "tokens_per_second")):
        value = getattr(args, option)
        if value is not None:
            settings.demo_pacing = replace(settings.demo_pacing, **{field_name: value})
            settings.sources[f"demo.{field_name}"] = f"command line (--{option.replace('_', '-')})"
    _settle_asking(settings)
    return settings


ASKING_OPTIONS = {"max_tokens": "--max-tokens, --thinking", "temperature": "--temperature, --thinking off"}
"""For a clash between thinking and another setting: the options that settle it."""


def _settle_asking(settings: Settings) -> None:
    """What the API would refuse in thinking, max tokens and temperature, once every source is read. When the
    command line had a hand in it, the run stops with a usage error; the config file alone loses its thinking
    (reported, left to the model's default)."""
    clashes = _asking_clashes(settings)
    if not clashes:
        return
    if any(settings.source(name).startswith("command line") for _, other in clashes for name in ("thinking", other)):
        raise UsageError("; ".join(_on_the_command_line(settings, problem, other) for problem, other in clashes))
    where = settings.source("thinking").replace("config file", str(settings.config_path), 1)
    settings.problems.extend(f"{where}: {problem}; thinking is left unset" for problem, _ in clashes)
    settings.thinking = None
    settings.sources.pop("thinking", None)


def _asking_clashes(settings: Settings) -> list[tuple[str, str]]:
    """Each problem with the setting beside thinking that it involves, found by asking one pair at a time."""
    budget = asking_problems(max_tokens=settings.max_tokens, temperature=None, thinking=settings.thinking)
    temperature = asking_problems(max_tokens=sys.maxsize, temperature=settings.temperature, thinking=settings.thinking)
    return [(problem, "max_tokens") for problem in budget] + [
        (problem, "temperature") for problem in temperature if problem not in budget]


def _on_the_command_line(settings: Settings, problem: str, other: str) -> str:
    """The problem, the options that settle it, and where a value the command line did not give came from."""
    notes = [ASKING_OPTIONS[other]] + [f"{name.replace('_', ' ')} is set in the {settings.source(name)}"
                                       for name in ("thinking", other) if settings.source(name).startswith("config")]
    return f"{problem} ({'; '.join(notes)})"


def unknown_theme(settings: Settings) -> list[str]:
    """The settings problem of a theme that does not exist, in the app's words, found without Textual's app:
    print mode never loads Textual. A theme file that reads as TOML counts, though the app may refuse its
    colours (checking them takes Textual; the app reports such a file when it starts)."""
    from tui_app.theme_files import theme_file_names, user_themes_dir

    wanted = settings.theme
    names = theme_file_names(user_themes_dir(settings.config_path))
    if wanted in names:
        return []
    names |= _textual_theme_names()
    if wanted in names:
        return []
    return [f'theme "{wanted}" ({settings.source("theme")}) does not exist; these do: {", ".join(sorted(names))}']


def _textual_theme_names() -> set[str]:
    """Textual's own themes: asked only for a name that no theme file has, as importing them loads much of
    Textual."""
    from textual.theme import BUILTIN_THEMES

    return set(BUILTIN_THEMES)


def _start_debug_log(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str]) -> None:
    """Before the SDK is imported: so its own logging set-up, which would print to stderr, adds nothing."""
    from tui_app.stream.debug_log import requested_level, start_debug_log

    level = requested_level(environ, args.debug_log)
    if level is None:
        return
    secrets = [environ.get("ANTHROPIC_API_KEY", ""), environ.get("ANTHROPIC_AUTH_TOKEN", "")]
    path = args.debug_log
    if path is None and args.prompt is None:
        from tui_app.config import default_data_path

        path = default_data_path(environ).with_name("debug.log")  # stderr is the screen
    try:
        start_debug_log(level, secrets, path, sys.stderr)
    except OSError as error:
        settings.problems.append(f"the debug log {path} cannot be written: {error.strerror}")
        return
    settings.debug_log = path


def main(argv: list[str] | None = None) -> int:
    import os

    parser = build_parser()
    args = parser.parse_args(argv)  # --version and --help answer here, before the config is read
    from tui_app.browser import in_browser
    from tui_app.config import ConfigError
    from tui_app.text_safety import neutralize

    try:
        settings = settings_from_args(args, os.environ)
    except ConfigError as error:
        print(f"claude-tui: {neutralize(str(error))}", file=sys.stderr)  # it quotes the file's broken line
        return 2
    except UsageError as error:
        parser.error(str(error))
    if args.print_config or args.prompt is not None:
        settings.problems.extend(unknown_theme(settings))  # the app says so itself, once it has its themes
    if args.print_config:
        from tui_app.print_config import describe_settings

        sys.stdout.write(describe_settings(settings, os.environ))
        for problem in settings.problems:
            print(f"claude-tui: {neutralize(problem)}", file=sys.stderr)
        return 0
    if args.serve is not None:
        from tui_app.serve_cli import main_serve

        return main_serve(args, sys.argv[1:] if argv is None else argv, settings, os.environ, parser)
    if args.demo_server is not None:
        return _run_demo_server(args.demo_server, settings, parser)
    if args.list_conversations is not None or args.export is not None:
        from tui_app.history_cli import export_conversation, list_conversations

        try:
            if args.export is not None:
                code = export_conversation(settings, args.export, args.format, args.output, sys.stdout, sys.stderr)
            else:
                code = list_conversations(settings, args.list_conversations, sys.stdout, sys.stderr)
            sys.stdout.flush()
            return code
        except BrokenPipeError:
            from tui_app.printmode import BROKEN_PIPE_EXIT, silence_stdout

            silence_stdout()  # the reader went away (`| head`): stop quietly, as command-line tools do
            return BROKEN_PIPE_EXIT
    _start_debug_log(args, settings, os.environ)
    if args.replay is not None or args.inspect is not None or args.speed is not None:
        from tui_app.watch_cli import main_watch

        return main_watch(args, settings, os.environ, parser)
    if args.lab:
        from tui_app.lab_cli import main_lab
        from tui_app.lab_setup import DEFAULT_LAB_RUNS, LabChoices

        prompt = args.prompt
        if prompt == "" and not sys.stdin.isatty():
            prompt = sys.stdin.read()
        if prompt is not None and not prompt.strip():
            parser.error("the lab's prompt is empty; give one after -p, or leave -p out for the built-in one")
        for thinking in (args.thinking or [])[1:]:  # the first was checked with the other settings
            problems = asking_problems(max_tokens=settings.max_tokens, temperature=settings.temperature,
                                       thinking=thinking)
            if problems:
                parser.error(f"--thinking {thinking}: {'; '.join(problems)}")
        choices = LabChoices(args.model or [], args.effort or [], args.thinking or [])
        return main_lab(settings, prompt, choices, args.runs or DEFAULT_LAB_RUNS, args.as_json)
    if args.runs is not None or args.as_json:
        parser.error("--runs and --json go with --lab")
    if args.prompt is not None:
        from tui_app.printmode import run_print_mode

        prompt = args.prompt
        if not prompt and not sys.stdin.isatty():
            prompt = sys.stdin.read()
        return run_print_mode(settings, prompt, sys.stdout.buffer, sys.stderr)
    if in_browser(os.environ):
        from tui_app.browser import end_with_the_server

        end_with_the_server()
    elif not sys.stdout.isatty():
        parser.exit(2, "claude-tui: the app needs a terminal; use -p for print mode\n")
    from tui_app.gc_policy import hold_collections_for_start_up

    hold_collections_for_start_up()
    from tui_app.app import ClaudeTUI

    resume = "last" if args.continue_last else args.resume
    ClaudeTUI(settings, resume=resume).run()
    return 0


def _run_demo_server(address: str, settings: Settings, parser: argparse.ArgumentParser) -> int:
    import asyncio

    from tui_app.addresses import parse_address
    from tui_app.demo.server import DemoServer

    try:
        host, port = parse_address(address)
    except ValueError:
        parser.error(f"--demo-server takes [HOST:]PORT, not {address!r}")
    server = DemoServer(host, port, settings.demo_pacing)

    async def serve() -> None:
        await server.listen()
        print(f"claude-tui demo backend on {server.url} (ANTHROPIC_BASE_URL={server.url}); Ctrl+C stops it",
              flush=True)
        await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        return 0
    except OSError as error:
        print(f"claude-tui: cannot listen on {address}: {error.strerror}", file=sys.stderr)
        return 2
    return 0


def _checked(parse: Callable[[str], str]) -> Callable[[str], str]:
    """An option read by `tui_app.model.asking`: its words about a mistake are argparse's message."""

    def convert(text: str) -> str:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert


def _choice(name: str, choices: tuple[str, ...]) -> Callable[[str], str]:
    return lambda text: parse_choice(name, text, choices)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value
