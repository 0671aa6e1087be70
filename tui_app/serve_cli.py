"""`--serve [HOST:]PORT`: claude-tui in a browser. Each browser session runs its own app process, started
with this command's other options; the API key stays in this machine's environment."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Mapping

from tui_app.addresses import is_loopback, parse_address
from tui_app.settings import Settings
from tui_app.text_safety import neutralize
from tui_app.web_server import TokenServer, new_token, page_address

USAGE_EXIT = 2
SERVE_SPELLINGS = ("--se", "--ser", "--serv", "--serve")
"""`--serve` and the abbreviations argparse accepts for it."""
SESSION_APP = "import sys; del sys.path[0]; from tui_app.cli import main; sys.exit(main())"
"""Each session's app: the installed one. `python -m tui_app` (or `-c` as it is) would look in the current
directory first, and run a source tree there instead, without the files only an install has."""
NOT_WITH_SERVE = {"prompt": "-p", "lab": "--lab", "replay": "--replay", "inspect": "--inspect",
                  "list_conversations": "--list", "export": "--export", "print_config": "--print-config",
                  "demo_server": "--demo-server", "speed": "--speed", "runs": "--runs", "as_json": "--json"}
"""Options that do something other than run the app, and so make no sense in each browser session."""


def main_serve(args: argparse.Namespace, argv: list[str], settings: Settings, environ: Mapping[str, str],
               parser: argparse.ArgumentParser) -> int:
    clash = next((name for name in NOT_WITH_SERVE if getattr(args, name, None) not in (None, False)), None)
    if clash is not None:
        parser.error(f"--serve runs the app in a browser; it does not go with {NOT_WITH_SERVE[clash]}")
    try:
        host, port = parse_address(args.serve)
    except ValueError:
        parser.error(f"--serve takes [HOST:]PORT, not {args.serve!r}")
    if port == 0:
        parser.error("--serve needs a port other than 0: the address to open must name it")
    for problem in settings.problems:  # each session's app shows them too, but this one picks the token
        print(f"claude-tui: {neutralize(problem)}", file=sys.stderr)
    if not is_loopback(host):
        print(f"claude-tui: serving on {host}, beyond this machine: anyone who has the address with its token "
              "can use the app, and your API key through it. The page is plain HTTP: put it behind HTTPS to "
              "cross a network you do not trust.", file=sys.stderr)
    token = settings.serve.token or new_token()
    # exec: the app replaces the shell textual-serve starts it with, so that it is the server's own child
    command = "exec " + shlex.join([sys.executable, "-c", SESSION_APP, *without_serve(argv)])

    def listening() -> None:
        print(f"claude-tui in a browser: open {page_address(host, port, token)}\n"
              "(each browser session runs its own app; Ctrl+C here stops them all)", flush=True)

    server = TokenServer(command, host, port, token, listening=listening)
    try:
        server.serve()
    except OSError as error:
        print(f"claude-tui: cannot listen on {args.serve}: {error.strerror or error}", file=sys.stderr)
        return USAGE_EXIT
    return 0


def without_serve(argv: list[str]) -> list[str]:
    """The command line for each browser session: this one without `--serve` and its address."""
    kept, skip = [], False
    for arg in argv:
        name, equals, _ = arg.partition("=")
        if skip:
            skip = False
        elif name in SERVE_SPELLINGS:
            skip = not equals
        else:
            kept.append(arg)
    return kept
