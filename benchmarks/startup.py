"""Start-up: process start to the first interactive frame, and `claude-tui --version`.

Runs the real command in a pseudo-terminal and watches its output for the prompt's border title,
which is drawn in the first frame. Prints the median and spread of several runs.

The command is the `claude-tui` installed beside the Python running this script. Installed as the
README's first command installs it (`pip install .`), it starts as a user's does; an editable install
(the test command's) adds about 45 ms to every start, for the import hook that finds the sources.

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
from pathlib import Path

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


def app_command() -> list[str]:
    """The `claude-tui` command of the environment running this script."""
    beside = Path(sys.executable).parent / "claude-tui"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("claude-tui")
    return [found] if found else [sys.executable, "-m", "tui_app"]


def install_kind() -> str:
    """How the app is installed here: "editable" (sources found through an import hook) or "regular"."""
    probe = "import tui_app, sys; print('site-packages' in tui_app.__file__)"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd="/")
    return "regular" if found.stdout.strip() == "True" else "editable"


def version_seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([*command, "--version"], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    command = app_command()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    version_seconds(command)  # warm the file cache and bytecode
    frames = [first_frame_seconds(command, env) for _ in range(args.runs)]
    versions = [version_seconds(command) for _ in range(args.runs)]
    print(f"{'measure':<34}{'median':>10}{'min':>10}{'max':>10}")
    for name, values in (("first interactive frame", frames), ("claude-tui --version", versions)):
        print(f"{name:<34}{statistics.median(values) * 1000:>8.0f}ms{min(values) * 1000:>8.0f}ms"
              f"{max(values) * 1000:>8.0f}ms")
    print(f"({args.runs} runs of {command[0]}, a {install_kind()} install; {os.cpu_count()} cores; "
          f"Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
