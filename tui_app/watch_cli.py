"""`--replay FILE` and `--inspect [HOST:]PORT`: streams claude-tui did not ask for, shown in the app (or a
replay printed with -p). The file is read, or the proxy's port taken, before the app starts, so a mistake is
one line on stderr."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from tui_app.addresses import is_loopback, parse_address
from tui_app.settings import Settings
from tui_app.text_safety import neutralize

if TYPE_CHECKING:
    from tui_app.runtime import Watch

ANTHROPIC_API = "https://api.anthropic.com"
USAGE_EXIT = 2


def main_watch(args: argparse.Namespace, settings: Settings, environ: Mapping[str, str],
               parser: argparse.ArgumentParser) -> int:
    if args.replay is not None and args.inspect is not None:
        parser.error("--replay and --inspect do not go together: one shows a file, the other a live client")
    if args.speed is not None and args.replay is None:
        parser.error("--speed goes with --replay")
    if args.lab or args.runs is not None or args.as_json:
        parser.error("--lab does not go with --replay or --inspect")
    if args.replay is not None:
        return _replay(args, settings, parser)
    if args.prompt is not None:
        parser.error("--inspect shows another client's replies in the app: it has no print mode (-p)")
    return _inspect(args.inspect, settings, environ, parser)


def _replay(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    from tui_app.stream.replay import RecordingProblem, read_recording

    try:
        recording = read_recording(args.replay)
    except RecordingProblem as problem:
        print(f"claude-tui: {neutralize(str(problem))}", file=sys.stderr)
        return USAGE_EXIT
    except OSError as error:
        print(f"claude-tui: cannot read {args.replay}: {error.strerror or error}", file=sys.stderr)
        return USAGE_EXIT
    speed = 1.0 if args.speed is None else args.speed
    if args.prompt is not None:
        if args.prompt:
            parser.error("--replay -p prints the recorded reply: it takes no prompt")
        from tui_app.printmode import run_replay_print

        return run_replay_print(recording, speed, sys.stdout.buffer, sys.stderr)
    from tui_app.runtime import Watch

    return _run_app(settings, Watch(recording=recording, speed=speed), parser)


def _inspect(address: str, settings: Settings, environ: Mapping[str, str], parser: argparse.ArgumentParser) -> int:
    from tui_app.proxy.feed import ExchangeFeed
    from tui_app.proxy.process import ProxyProcess
    from tui_app.runtime import Watch
    from tui_app.stream.redaction import shown_url

    try:
        host, port = parse_address(address)
    except ValueError:
        parser.error(f"--inspect takes [HOST:]PORT, not {address!r}")
    upstream = (settings.base_url or environ.get("ANTHROPIC_BASE_URL") or ANTHROPIC_API).rstrip("/")
    if not upstream.startswith(("http://", "https://")):
        parser.error(f"the upstream {upstream!r} is not an http:// or https:// URL (see --base-url)")
    warning = None
    if not is_loopback(host):
        warning = (f"The proxy listens on {host}, beyond this machine: anyone who can reach it can use the "
                   "credentials its clients send through it.")
        print(f"claude-tui: {warning}", file=sys.stderr)
    feed = ExchangeFeed()
    proxy = ProxyProcess(upstream, feed, host, port)
    try:
        url = proxy.start()
    except OSError as error:
        print(f"claude-tui: cannot listen on {address}: {error.strerror or error}", file=sys.stderr)
        return USAGE_EXIT
    if upstream in (url, url.replace("127.0.0.1", "localhost")):
        proxy.stop()
        print(f"claude-tui: the upstream is the proxy itself ({shown_url(upstream)}); give the real server with "
              "--base-url", file=sys.stderr)
        return USAGE_EXIT
    return _run_app(settings, Watch(feed=feed, proxy=proxy, upstream=upstream, warning=warning), parser)


def _run_app(settings: Settings, watch: Watch, parser: argparse.ArgumentParser) -> int:
    try:
        if not sys.stdout.isatty():
            parser.exit(2, "claude-tui: the app needs a terminal; use -p to print a replay\n")
        from tui_app.app import ClaudeTUI
        from tui_app.gc_policy import hold_collections_for_start_up

        hold_collections_for_start_up()
        ClaudeTUI(settings, watch=watch).run()
    finally:
        watch.close()
    return 0
