"""What the demo backend refuses, rule by rule, in the Messages API's words."""

from __future__ import annotations

from typing import Any

import pytest
from anthropic.types.message_count_tokens_params import MessageCountTokensParams
from anthropic.types.message_create_params import MessageCreateParamsBase

from tui_app.demo import rules
from tui_app.demo.rules import problems

USER = {"role": "user", "content": "hello"}


def ask(*messages: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"model": "claude-sonnet-5", "max_tokens": 4096, "messages": list(messages or [USER]), **fields}


def said(role: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": role, "content": list(blocks)}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


# The rules, one by one.

def test_a_request_with_all_of_todays_fields_is_taken() -> None:
    request = ask(USER, said("assistant", {"type": "thinking", "thinking": "", "signature": "sig"},
                             {"type": "redacted_thinking", "data": "opaque"}, text("Hi.")),
                  {"role": "user", "content": "more"},
                  thinking={"type": "adaptive", "display": "omitted"}, output_config={"effort": "xhigh"},
                  cache_control={"type": "ephemeral", "ttl": "1h"}, diagnostics={"previous_message_id": None},
                  stream=True, system="Be brief.", stop_sequences=["END"])
    assert problems(request) is None
    assert problems(ask(temperature=0.3)) is None
    assert problems(ask(temperature=1, thinking={"type": "enabled", "budget_tokens": 1024})) is None


def test_the_known_fields_are_the_sdks() -> None:
    assert rules.MESSAGE_FIELDS == set(MessageCreateParamsBase.__annotations__)
    assert rules.COUNT_FIELDS == set(MessageCountTokensParams.__annotations__)


def test_unknown_top_level_fields_are_refused() -> None:
    assert problems(ask(betas=["x"])) == "betas: Extra inputs are not permitted"
    assert problems(ask(temprature=0.5)) == "temprature: Extra inputs are not permitted"


def test_a_thinking_block_needs_its_signature() -> None:
    unsigned = said("assistant", {"type": "thinking", "thinking": "Hm."}, text("Hi."))
    assert problems(ask(USER, unsigned, USER)) == "messages.1.content.0.thinking.signature: Field required"
    empty = said("assistant", {"type": "thinking", "thinking": "Hm.", "signature": ""}, text("Hi."))
    assert problems(ask(USER, empty, USER)) == "messages.1.content.0: Invalid `signature` in `thinking` block"


@pytest.mark.parametrize("block", [
    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}},
    {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}},
    {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
])
def test_tool_blocks_need_tools(block: dict[str, Any]) -> None:
    assert problems(ask(USER, said("assistant", text("Let me look."), block), USER)) == rules.TOOLS_NEEDED
    result = said("user", {"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"})
    assert problems(ask(USER, said("assistant", text("Looked.")), result)) == rules.TOOLS_NEEDED


def test_a_tool_use_is_answered_in_the_next_message() -> None:
    tools = [{"name": "get_weather", "input_schema": {"type": "object"}}]
    use = said("assistant", {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}})
    assert problems(ask(USER, use, USER, tools=tools)) == (
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1. Each "
        "`tool_use` block must have a corresponding `tool_result` block in the next message.")
    answered = said("user", {"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"})
    assert problems(ask(USER, use, answered, tools=tools)) is None


def test_empty_and_blank_text_is_refused() -> None:
    assert problems(ask(said("user", text("")))) == "messages: text content blocks must be non-empty"
    assert problems(ask(said("user", text(" \n")))) == "messages: text content blocks must contain non-whitespace text"
    assert problems(ask({"role": "user", "content": "\t"})) == \
        "messages: text content blocks must contain non-whitespace text"
    assert problems(ask({"role": "user", "content": ""})) == \
        "messages.0: all messages must have non-empty content except for the optional final assistant message"


def test_a_final_assistant_turn_may_not_end_in_whitespace() -> None:
    refused = "messages: final assistant content cannot end with trailing whitespace"
    assert problems(ask(USER, {"role": "assistant", "content": "Paused here.\n\n"})) == refused
    assert problems(ask(USER, said("assistant", text("Paused here. ")))) == refused
    assert problems(ask(USER, {"role": "assistant", "content": "Paused here."})) is None
    assert problems(ask(USER, {"role": "assistant", "content": "Answered.\n"}, USER)) is None


def test_a_thinking_budget_is_at_least_1024_and_below_max_tokens() -> None:
    assert problems(ask(thinking={"type": "enabled", "budget_tokens": 1023})) == \
        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
    assert problems(ask(thinking={"type": "enabled", "budget_tokens": 4096})).startswith(
        "`max_tokens` must be greater than `thinking.budget_tokens`.")
    assert problems(ask(thinking={"type": "enabled", "budget_tokens": 4095})) is None


@pytest.mark.parametrize("thinking", [{"type": "enabled", "budget_tokens": 2048}, {"type": "adaptive"}])
def test_temperature_is_refused_while_thinking(thinking: dict[str, Any]) -> None:
    assert problems(ask(thinking=thinking, temperature=0.5)).startswith(
        "`temperature` may only be set to 1 when thinking is enabled or in adaptive mode.")
    assert problems(ask(thinking={"type": "disabled"}, temperature=0.5)) is None


def test_bad_values_are_refused_with_their_field_path() -> None:
    assert problems(ask(thinking={"type": "on"})) == (
        "thinking: Input tag 'on' found using 'type' does not match any of the expected tags: "
        "'enabled', 'adaptive', 'disabled', 'between_tools'")
    assert problems(ask(thinking={"type": "adaptive", "display": "full"})) == \
        "thinking.adaptive.display: Input should be 'summarized' or 'omitted'"
    assert problems(ask(thinking={"type": "disabled", "display": "omitted"})) == \
        "thinking.disabled.display: Extra inputs are not permitted"
    assert problems(ask(output_config={"effort": "extreme"})) == \
        "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'"
    assert problems(ask(cache_control={"type": "ephemeral", "ttl": "10m"})) == \
        "cache_control.ttl: Input should be '5m' or '1h'"
    marked = said("user", {**text("hello"), "cache_control": {"type": "ephemeral", "ttl": "1d"}})
    assert problems(ask(marked)) == "messages.0.content.0.text.cache_control.ttl: Input should be '5m' or '1h'"


def test_the_first_message_is_the_users() -> None:
    assert problems(ask({"role": "assistant", "content": "Hi."}, USER)) == \
        'messages: first message must use the "user" role'


def test_counting_tokens_takes_its_own_fields() -> None:
    counted = {"model": "claude-sonnet-5", "messages": [USER], "thinking": {"type": "adaptive"}}
    assert problems(counted, counting=True) is None
    assert problems({**counted, "max_tokens": 10}, counting=True) == "max_tokens: Extra inputs are not permitted"
    assert problems({**counted, "thinking": {"type": "enabled", "budget_tokens": 10}}, counting=True) == \
        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
