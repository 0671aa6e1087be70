"""Start-up: process start to the first interactive frame, and `claude-tui --version`.

Runs the real command in a pseudo-terminal and watches its output for the prompt's border title,
which is drawn in the first frame. Prints the median and spread of several runs.

    python benchmarks/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time

MARKER = b"Prompt"


def first_frame_seconds(command: list[str], env: dict[str, str], marker: bytes = MARKER) -> float:
    """Seconds from process start until `marker` has been drawn."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(command[0], command, env)
    started = time.perf_counter()
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 10)
            if not ready:
                raise RuntimeError("no frame within 10 s")
            seen += os.read(fd, 65536)
            if marker in seen:
                return time.perf_counter() - started
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def version_seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([*command, "--version"], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    executable = shutil.which("claude-tui")
    command = [executable] if executable else [sys.executable, "-m", "tui_app"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    version_seconds(command)  # warm the file cache and bytecode
    frames = [first_frame_seconds(command, env) for _ in range(args.runs)]
    versions = [version_seconds(command) for _ in range(args.runs)]
    print(f"{'measure':<34}{'median':>10}{'min':>10}{'max':>10}")
    for name, values in (("first interactive frame", frames), ("claude-tui --version", versions)):
        print(f"{name:<34}{statistics.median(values) * 1000:>8.0f}ms{min(values) * 1000:>8.0f}ms"
              f"{max(values) * 1000:>8.0f}ms")
    print(f"({args.runs} runs; {os.cpu_count()} cores; Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
