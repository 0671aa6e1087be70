"""Start-up: process start to the first interactive frame, and `claude-tui --version`.

Runs the real command in a pseudo-terminal and watches its output for the prompt's border title,
which is drawn in the first frame. Prints the median and spread of several runs.

Beside them, measured in turn with them so that both see the machine in the same state: a minimal
Textual app (a `TextArea` titled like the prompt, and a `Footer`) to its first frame, and the imports of
`textual.app` and `anthropic` on their own. On a machine whose speed varies from hour to hour these say
what the app's own figures are worth.

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

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Footer, TextArea

class Minimal(App):
    def compose(self):
        prompt = TextArea()
        prompt.border_title = "Prompt"
        yield prompt
        yield Footer()

Minimal().run()
"""
"""The least a Textual app with a text area and a footer can do: the floor under the first frame."""


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


def import_seconds(module: str) -> float:
    """Seconds a fresh interpreter takes to import `module`."""
    probe = f"import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"
    found = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return float(found.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    command = app_command()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    version_seconds(command)  # warm the file cache and bytecode
    minimal = [sys.executable, "-c", MINIMAL_APP]
    rows: dict[str, list[float]] = {name: [] for name in (
        "first interactive frame", "  minimal Textual app, same runs", "claude-tui --version",
        "import textual.app", "import anthropic")}
    for _ in range(args.runs):  # in turn, so that each run of each sees the machine alike
        rows["first interactive frame"].append(first_frame_seconds(command, env))
        rows["  minimal Textual app, same runs"].append(first_frame_seconds(minimal, env))
        rows["claude-tui --version"].append(version_seconds(command))
        rows["import textual.app"].append(import_seconds("textual.app"))
        rows["import anthropic"].append(import_seconds("anthropic"))
    print(f"{'measure':<34}{'median':>10}{'min':>10}{'max':>10}")
    for name, values in rows.items():
        print(f"{name:<34}{statistics.median(values) * 1000:>8.0f}ms{min(values) * 1000:>8.0f}ms"
              f"{max(values) * 1000:>8.0f}ms")
    print(f"({args.runs} runs of {command[0]}, a {install_kind()} install; {os.cpu_count()} cores; "
          f"Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
