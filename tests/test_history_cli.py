"""`--list`, `--export`, `--continue` and `--resume` from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.test_store import EVENTS, sample_conversation, save
from tui_app import cli
from tui_app.store.database import Store


@pytest.fixture
def data_home(tmp_path):
    """A home of the test's own, with one saved conversation (id 1) whose first reply has events."""
    home = tmp_path / "data"
    store = Store.open(home / "claude-tui" / "conversations.db")
    conversation = sample_conversation()
    save(store, conversation)
    store.add_events(conversation.turns[1].id, EVENTS)
    store.close()
    return home


def run(data_home, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    env["XDG_DATA_HOME"] = str(data_home)
    env["XDG_CONFIG_HOME"] = str(data_home / "no-config")
    return subprocess.run([sys.executable, "-m", "tui_app", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_list_shows_each_conversation_and_searches(data_home) -> None:
    result = run(data_home, "--list")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:1] == ["1"] and "prompt for waiting" in result.stdout
    assert "12 turns" in result.stdout
    assert run(data_home, "--list", "ENDED FAILED").stdout == result.stdout
    missing = run(data_home, "--list", "no such words")
    assert missing.stdout == "" and "no conversations contain" in missing.stderr


def test_export_markdown_to_stdout_and_json_to_a_file(data_home, tmp_path) -> None:
    markdown = run(data_home, "--export", "1")
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith("# prompt for waiting\n") and "reply that ended done" in markdown.stdout
    target = tmp_path / "out.json"
    result = run(data_home, "--export", "1", "--format", "json", "-o", str(target))
    assert result.returncode == 0 and "wrote conversation 1 (12 turns)" in result.stderr
    document = json.loads(target.read_text())
    assert [event["event"] for event in document["turns"][1]["events"]] == [event.name for event in EVENTS]


def test_export_and_list_say_what_is_wrong_without_a_traceback(data_home, tmp_path) -> None:
    unknown = run(data_home, "--export", "99")
    assert unknown.returncode == 1 and "there is no conversation 99" in unknown.stderr
    empty = run(tmp_path / "elsewhere", "--list")
    assert empty.returncode == 1 and "no conversations have been saved yet" in empty.stderr
    off = run(data_home, "--list", "--no-history")
    assert off.returncode == 1 and "not kept" in off.stderr
    (data_home / "claude-tui" / "conversations.db").write_bytes(b"garbage" * 100)
    damaged = run(data_home, "--export", "1")
    assert damaged.returncode == 1 and "damaged" in damaged.stderr and "Traceback" not in damaged.stderr


@pytest.mark.parametrize(("arguments", "resume"), [([], None), (["--continue"], "last"), (["-c"], "last"),
                                                    (["--resume", "7"], 7), (["-r", "3"], 3)])
def test_continue_and_resume_reach_the_app(arguments, resume, monkeypatch, tmp_path) -> None:
    from tui_app.app import ClaudeTUI

    started = []
    monkeypatch.setattr(ClaudeTUI, "run", lambda app: started.append(app._resume))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert cli.main(arguments) == 0
    assert started == [resume]


def test_continue_and_resume_exclude_each_other(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--continue", "--resume", "2"])
    assert stopped.value.code == 2 and "not allowed with" in capsys.readouterr().err
