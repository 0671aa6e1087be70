"""What the Messages API refuses, checked as it checks: the demo backend answers a request that breaks one of
these rules with the API's own 400 and words, so a client that passes here sends what the real API takes."""

from __future__ import annotations

from typing import Any

MESSAGE_FIELDS = frozenset({
    "cache_control", "container", "diagnostics", "inference_geo", "max_tokens", "messages", "metadata", "model",
    "output_config", "service_tier", "speed", "stop_sequences", "system", "thinking", "tool_choice", "tools",
    "user_profile_id", "workspace_id",
})
"""The fields of a `POST /v1/messages` body, as the SDK's MessageCreateParamsBase types them."""
SAMPLING_FIELDS = frozenset({"temperature", "top_p", "top_k"})
"""Sampling fields the SDK no longer types but the API still takes (older models use them)."""
COUNT_FIELDS = frozenset({
    "cache_control", "messages", "model", "output_config", "speed", "system", "thinking", "tool_choice", "tools",
    "user_profile_id", "workspace_id",
})
"""The fields of a `POST /v1/messages/count_tokens` body (MessageCountTokensParams)."""
THINKING_FIELDS = {
    "enabled": ("type", "budget_tokens", "display"),
    "adaptive": ("type", "display"),
    "disabled": ("type",),
    "between_tools": ("type",),
}
SMALLEST_BUDGET = 1024
DISPLAYS = ("summarized", "omitted")
EFFORTS = ("low", "medium", "high", "xhigh", "max")
CACHE_TTLS = ("5m", "1h")
THINKING_DOCS = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
TOOLS_NEEDED = "Requests which include `tool_use` or `tool_result` blocks must define tools."
NOT_PERMITTED = "Extra inputs are not permitted"


def problems(request: dict[str, Any], *, counting: bool = False) -> str | None:
    """The first thing the API would refuse in this request body, in its words; None when it takes it.
    `counting` checks a `count_tokens` body, which has no `max_tokens` and fewer fields."""
    for check in (_fields, _thinking, _output_config, _cache_control, _diagnostics, _combinations, _messages):
        found = check(request, counting)
        if found:
            return found
    return None


def _fields(request: dict[str, Any], counting: bool) -> str | None:
    required = ("messages", "model") if counting else ("max_tokens", "messages", "model")
    for name in required:
        if name not in request:
            return f"{name}: Field required"
    known = COUNT_FIELDS if counting else MESSAGE_FIELDS | SAMPLING_FIELDS | {"stream"}
    for name in request:
        if name not in known:
            return f"{name}: {NOT_PERMITTED}"
    if not counting and (not isinstance(request["max_tokens"], int) or isinstance(request["max_tokens"], bool)):
        return "max_tokens: Input should be a valid integer"
    return None


def _literal(values: tuple[str, ...]) -> str:
    quoted = [f"'{value}'" for value in values]
    return f"Input should be {', '.join(quoted[:-1])} or {quoted[-1]}"


def _thinking(request: dict[str, Any], counting: bool) -> str | None:
    if "thinking" not in request:
        return None
    thinking = request["thinking"]
    if not isinstance(thinking, dict):
        return not_an_object("thinking")
    kind = thinking.get("type")
    if kind is None:
        return "thinking: Unable to extract tag using discriminator 'type'"
    if kind not in THINKING_FIELDS:
        tags = ", ".join(f"'{tag}'" for tag in THINKING_FIELDS)
        return f"thinking: Input tag '{kind}' found using 'type' does not match any of the expected tags: {tags}"
    for name in thinking:
        if name not in THINKING_FIELDS[kind]:
            return f"thinking.{kind}.{name}: {NOT_PERMITTED}"
    display = thinking.get("display")
    if display is not None and display not in DISPLAYS:
        return f"thinking.{kind}.display: {_literal(DISPLAYS)}"
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if budget is None:
            return "thinking.enabled.budget_tokens: Field required"
        if not isinstance(budget, int) or isinstance(budget, bool):
            return "thinking.enabled.budget_tokens: Input should be a valid integer"
        if budget < SMALLEST_BUDGET:
            return f"thinking.enabled.budget_tokens: Input should be greater than or equal to {SMALLEST_BUDGET}"
    return None


def not_an_object(path: str) -> str:
    """The API's words for a field that should be a JSON object."""
    return f"{path}: Input should be a valid dictionary or object to extract fields from"


def _output_config(request: dict[str, Any], counting: bool) -> str | None:
    config = request.get("output_config")
    if config is None:
        return None
    if not isinstance(config, dict):
        return not_an_object("output_config")
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS:
        return f"output_config.effort: {_literal(EFFORTS)}"
    return None


def _cache_marker(marker: Any, path: str) -> str | None:
    if marker is None:
        return None
    if not isinstance(marker, dict):
        return not_an_object(path)
    if marker.get("type") != "ephemeral":
        return f"{path}.type: Input should be 'ephemeral'"
    if "ttl" in marker and marker["ttl"] not in CACHE_TTLS:
        return f"{path}.ttl: {_literal(CACHE_TTLS)}"
    return None


def _cache_control(request: dict[str, Any], counting: bool) -> str | None:
    return _cache_marker(request.get("cache_control"), "cache_control")


def _diagnostics(request: dict[str, Any], counting: bool) -> str | None:
    diagnostics = request.get("diagnostics")
    if diagnostics is None:
        return None
    if not isinstance(diagnostics, dict):
        return not_an_object("diagnostics")
    previous = diagnostics.get("previous_message_id")
    if previous is not None and not isinstance(previous, str):
        return "diagnostics.previous_message_id: Input should be a valid string"
    return None


def _combinations(request: dict[str, Any], counting: bool) -> str | None:
    """Fields each valid alone that the API refuses together."""
    thinking = request.get("thinking") or {}
    if thinking.get("type") not in ("enabled", "adaptive"):
        return None
    if not counting and thinking["type"] == "enabled" and thinking["budget_tokens"] >= request["max_tokens"]:
        return ("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation "
                f"at {THINKING_DOCS}#max-tokens-and-context-window-size")
    temperature = request.get("temperature")
    if temperature is not None and temperature != 1:
        return ("`temperature` may only be set to 1 when thinking is enabled or in adaptive mode. Please consult "
                f"our documentation at {THINKING_DOCS}#feature-compatibility")
    return None


def _messages(request: dict[str, Any], counting: bool) -> str | None:
    messages = request["messages"]
    if not isinstance(messages, list):
        return "messages: Input should be a valid list"
    if not messages:
        return "messages: at least one message is required"
    for number, message in enumerate(messages):
        if not isinstance(message, dict):
            return not_an_object(f"messages.{number}")
        if message.get("role") not in ("user", "assistant"):
            return f"messages.{number}.role: Input should be 'user' or 'assistant'"
        final_assistant = number == len(messages) - 1 and message["role"] == "assistant"
        found = _content(message.get("content"), f"messages.{number}", final_assistant, request)
        if found:
            return found
    if messages[0]["role"] != "user":
        return 'messages: first message must use the "user" role'
    for number in range(len(messages)):
        found = _tool_results_follow(messages, number)
        if found:
            return found
    final = messages[-1]
    if final["role"] == "assistant" and _ends_in_whitespace(final["content"]):
        return "messages: final assistant content cannot end with trailing whitespace"
    return None


def _content(content: Any, path: str, final_assistant: bool, request: dict[str, Any]) -> str | None:
    if content is None:
        return f"{path}.content: Field required"
    if content == "" or content == []:
        if final_assistant:
            return None
        return f"{path}: all messages must have non-empty content except for the optional final assistant message"
    if isinstance(content, str):  # shorthand for one text block; a final assistant one is checked for whitespace
        if content.strip() or final_assistant:
            return None
        return "messages: text content blocks must contain non-whitespace text"
    if not isinstance(content, list):
        return f"{path}.content: Input should be a valid string or a valid list"
    for index, block in enumerate(content):
        where = f"{path}.content.{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            return f"{where}: Unable to extract tag using discriminator 'type'"
        found = _block(block, where, request)
        if found:
            return found
    return None


def _block(block: dict[str, Any], where: str, request: dict[str, Any]) -> str | None:
    kind = block["type"]
    if kind == "text":
        text = block.get("text")
        if not isinstance(text, str):
            return f"{where}.text.text: Field required"
        if not text:
            return "messages: text content blocks must be non-empty"
        if not text.strip():
            return "messages: text content blocks must contain non-whitespace text"
    elif kind == "thinking":
        if not isinstance(block.get("thinking"), str):
            return f"{where}.thinking.thinking: Field required"
        if not isinstance(block.get("signature"), str):
            return f"{where}.thinking.signature: Field required"
        if not block["signature"]:
            return f"{where}: Invalid `signature` in `thinking` block"
    elif kind == "redacted_thinking":
        if not isinstance(block.get("data"), str):
            return f"{where}.redacted_thinking.data: Field required"
    elif _is_tool_block(kind) and not request.get("tools"):
        return TOOLS_NEEDED
    return _cache_marker(block.get("cache_control"), f"{where}.{kind}.cache_control")


def _is_tool_block(kind: str) -> bool:
    return kind in ("tool_use", "tool_result", "server_tool_use", "mcp_tool_use") or kind.endswith("_tool_result")


def _tool_results_follow(messages: list[dict[str, Any]], number: int) -> str | None:
    """Every `tool_use` in a message is answered by a `tool_result` in the very next one."""
    content = messages[number]["content"]
    if not isinstance(content, list):
        return None
    asked = [str(block.get("id")) for block in content if block["type"] == "tool_use"]
    if not asked:
        return None
    following = messages[number + 1]["content"] if number + 1 < len(messages) else []
    answered = {block.get("tool_use_id") for block in following if isinstance(block, dict)
                and block.get("type") == "tool_result"} if isinstance(following, list) else set()
    missing = [tool_id for tool_id in asked if tool_id not in answered]
    if not missing:
        return None
    return (f"messages.{number}: `tool_use` ids were found without `tool_result` blocks immediately after: "
            f"{', '.join(missing)}. Each `tool_use` block must have a corresponding `tool_result` block in the "
            "next message.")


def _ends_in_whitespace(content: Any) -> bool:
    if isinstance(content, str):
        return content != content.rstrip()
    last = content[-1] if content else None
    return bool(last) and last["type"] == "text" and last["text"] != last["text"].rstrip()
