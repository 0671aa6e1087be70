"""`claude-tui --demo-server` on its own, with the plain Anthropic SDK pointed at it."""

from __future__ import annotations

import os
import subprocess
import sys

import anthropic
import pytest

from tui_app.demo.scripts import SHOWCASE


@pytest.fixture
def demo_url():
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_app", "--demo-server", "127.0.0.1:0", "--demo-ttft", "0", "--demo-tps", "0"],
        stdout=subprocess.PIPE, text=True, env=env,
    )
    try:
        banner = process.stdout.readline()
        assert "demo backend on http://127.0.0.1:" in banner, banner
        yield banner.split(" on ", 1)[1].split()[0]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_sdk_streams_from_the_standalone_demo_server(demo_url: str) -> None:
    client = anthropic.Anthropic(api_key="unused", base_url=demo_url, max_retries=0)
    with client.messages.stream(model="claude-sonnet-5", max_tokens=100,
                                messages=[{"role": "user", "content": "hi"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == SHOWCASE
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0


def test_models_count_tokens_and_plain_json_replies(demo_url: str) -> None:
    client = anthropic.Anthropic(api_key="unused", base_url=demo_url, max_retries=0)
    assert "claude-sonnet-5" in [model.id for model in client.models.list()]
    messages = [{"role": "user", "content": "echo counting"}]
    assert client.messages.count_tokens(model="claude-sonnet-5", messages=messages).input_tokens > 0
    reply = client.messages.create(model="claude-sonnet-5", max_tokens=100, messages=messages)
    assert reply.content[0].text.startswith("You said: echo counting")


def test_the_sdk_raises_on_the_demo_error_event(demo_url: str) -> None:
    client = anthropic.Anthropic(api_key="unused", base_url=demo_url, max_retries=0)
    with pytest.raises(anthropic.APIStatusError, match="overloaded_error"):
        with client.messages.stream(model="m", max_tokens=10,
                                    messages=[{"role": "user", "content": "overload"}]) as stream:
            for _ in stream:
                pass
