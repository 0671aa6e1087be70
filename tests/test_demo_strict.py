"""The demo backend as strict as the Messages API: each rule it refuses by, and every block, stop reason and
usage field of today's API it sends, checked against the SDK's own types."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import anthropic
import pydantic
import pytest
from anthropic.types import ModelInfo
from anthropic.types.beta import BetaMessage, BetaRawMessageStreamEvent
from anthropic.types.message_count_tokens_params import MessageCountTokensParams
from anthropic.types.message_create_params import MessageCreateParamsBase

from tui_app.demo import api_scripts, rules
from tui_app.demo.pacing import UNPACED
from tui_app.demo.rules import problems
from tui_app.demo.scripts import SHOWCASE, estimate_tokens
from tui_app.demo.server import DemoServer

EVENT = pydantic.TypeAdapter(BetaRawMessageStreamEvent)
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


# The server.

@pytest.fixture
def server(demo: DemoServer) -> DemoServer:
    """The unpaced demo backend (conftest's `demo`), under the name this file's tests use."""
    return demo


@dataclass
class Answer:
    status_code: int
    headers: Any
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def call(server: DemoServer, path: str, body: dict[str, Any] | None = None) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url + path, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read().decode())


def post(server: DemoServer, body: dict[str, Any], path: str = "/v1/messages") -> Answer:
    return call(server, path, body)


def events(server: DemoServer, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The stream's payloads, each checked against the SDK's (beta) event types."""
    response = post(server, {**body, "stream": True})
    assert response.status_code == 200, response.text
    payloads = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]
    for payload in payloads:
        if payload["type"] != "ping":
            EVENT.validate_python(payload)
    return payloads


def blocks(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [payload["content_block"] for payload in payloads if payload["type"] == "content_block_start"]


def deltas(payloads: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [payload["delta"] for payload in payloads
            if payload["type"] == "content_block_delta" and payload["delta"]["type"] == kind]


def final(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    return next(payload for payload in payloads if payload["type"] == "message_delta")


def started(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    return payloads[0]["message"]


def test_a_refusal_has_the_apis_status_shape_and_a_request_id_of_its_own(server: DemoServer) -> None:
    refused = post(server, ask(thinking={"type": "enabled", "budget_tokens": 100}))
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == {"type": "invalid_request_error", "message":
                             "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"}
    assert body["type"] == "error" and body["request_id"] == refused.headers["request-id"]
    assert body["request_id"].startswith("req_")
    assert server.refused == [(server.requests[0], body["error"]["message"])]
    ids = {post(server, ask()).headers["request-id"], refused.headers["request-id"],
           post(server, {**ask(), "stream": True}).headers["request-id"],
           call(server, "/v1/models").headers["request-id"]}
    assert len(ids) == 4


def test_the_sdk_sees_the_refusal_as_a_bad_request(server: DemoServer) -> None:
    client = anthropic.Anthropic(api_key="unused", base_url=server.url, max_retries=0)
    with pytest.raises(anthropic.BadRequestError, match="first message must use") as raised:
        client.messages.create(model="claude-sonnet-5", max_tokens=10,
                               messages=[{"role": "assistant", "content": "Hi."}, USER])
    assert raised.value.request_id and raised.value.request_id.startswith("req_")


def test_count_tokens_applies_the_rules_that_concern_it(server: DemoServer) -> None:
    counted = {"model": "claude-sonnet-5", "messages": [USER]}
    assert post(server, counted, "/v1/messages/count_tokens").json() == {"input_tokens": estimate_tokens(counted)}
    refused = post(server, {**counted, "temperature": 0.2}, "/v1/messages/count_tokens")
    assert refused.status_code == 400 and refused.json()["error"]["message"] == \
        "temperature: Extra inputs are not permitted"


def test_a_lax_server_takes_what_the_api_refuses() -> None:
    lax = DemoServer(pacing=UNPACED, strict=False)
    lax.start()
    try:
        assert post(lax, ask({"role": "user", "content": ""}, betas=[])).status_code == 200
    finally:
        lax.stop()


@pytest.mark.parametrize("display", ["summarized", "omitted"])
@pytest.mark.parametrize("thinking", [{"type": "enabled", "budget_tokens": 2048}, {"type": "adaptive"}])
def test_thinking_comes_first_summarised_or_only_signed(server: DemoServer, display: str,
                                                        thinking: dict[str, Any]) -> None:
    payloads = events(server, ask(thinking={**thinking, "display": display}))
    assert [block["type"] for block in blocks(payloads)] == ["thinking", "text"]
    shown = "".join(delta["thinking"] for delta in deltas(payloads, "thinking_delta"))
    assert shown == (api_scripts.THOUGHT if display == "summarized" else "")
    assert [delta["signature"] for delta in deltas(payloads, "signature_delta")] != [""]
    usage = final(payloads)["usage"]
    assert 0 < usage["output_tokens_details"]["thinking_tokens"] < usage["output_tokens"]


def test_message_delta_usage_is_cumulative_and_complete(server: DemoServer) -> None:
    payloads = events(server, ask({"role": "user", "content": "search for it"}, thinking={"type": "adaptive"}))
    usage = final(payloads)["usage"]
    assert set(usage) == {"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation",
                          "output_tokens", "output_tokens_details", "server_tool_use"}
    assert usage["input_tokens"] == started(payloads)["usage"]["input_tokens"]
    assert usage["server_tool_use"] == {"web_search_requests": 1, "web_fetch_requests": 0}
    plain = final(events(server, ask()))["usage"]
    assert "output_tokens_details" not in plain and "server_tool_use" not in plain
    assert plain["cache_creation"] == {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}


def lean(value: Any) -> Any:
    """`value` without its null fields (a Message read by the SDK has every field, one sent has some)."""
    if isinstance(value, dict):
        return {key: lean(item) for key, item in value.items() if item is not None}
    return [lean(item) for item in value] if isinstance(value, list) else value


@pytest.mark.parametrize("prompt", ["search the web", "refuse", "redacted", "omitted", "pause", "compact", "window",
                                    "stop", "think", "tool", "hello"])
def test_a_whole_message_matches_the_stream(server: DemoServer, prompt: str) -> None:
    client = anthropic.Anthropic(api_key="unused", base_url=server.url, max_retries=0)
    request = ask({"role": "user", "content": prompt}, thinking={"type": "adaptive"})
    with client.beta.messages.stream(**request) as stream:
        streamed = lean(stream.get_final_message().model_dump())
    whole = post(server, request).json()
    BetaMessage.model_validate(whole)
    whole = lean(whole)
    assert whole["id"] != streamed["id"] and whole["id"] in server.message_ids
    for name in ("content", "stop_reason", "stop_sequence", "stop_details"):
        assert whole.get(name) == streamed.get(name), name
    for name in ("input_tokens", "output_tokens", "output_tokens_details", "server_tool_use"):
        assert whole["usage"].get(name) == streamed["usage"].get(name), name


def test_caching_writes_a_prefix_then_reads_it(server: DemoServer) -> None:
    first_request = ask(cache_control={"type": "ephemeral", "ttl": "1h"})
    first = started(events(server, first_request))["usage"]
    assert first["cache_read_input_tokens"] == 0 and first["cache_creation_input_tokens"] > 0
    assert first["cache_creation"] == {"ephemeral_5m_input_tokens": 0,
                                       "ephemeral_1h_input_tokens": first["cache_creation_input_tokens"]}
    assert first["input_tokens"] + first["cache_creation_input_tokens"] == estimate_tokens(first_request)
    later_request = ask(USER, {"role": "assistant", "content": "Hi."}, {"role": "user", "content": "echo"},
                        cache_control={"type": "ephemeral"})
    later = events(server, later_request)
    usage = final(later)["usage"]
    opening = started(later)["usage"]
    assert all(usage[name] == opening[name] for name in opening if name not in ("output_tokens", "service_tier"))
    assert usage["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    written = usage["cache_creation_input_tokens"]
    assert written > 0 and usage["cache_creation"] == {"ephemeral_5m_input_tokens": written,
                                                       "ephemeral_1h_input_tokens": 0}
    assert usage["input_tokens"] + written + usage["cache_read_input_tokens"] == estimate_tokens(later_request)
    again = final(events(server, later_request))["usage"]
    assert again["cache_creation_input_tokens"] == 0 and again["cache_read_input_tokens"] > written
    assert started(events(server, ask()))["usage"]["cache_read_input_tokens"] == 0  # no cache_control, no cache


def test_diagnostics_say_why_a_cache_was_missed(server: DemoServer) -> None:
    cache = {"cache_control": {"type": "ephemeral", "ttl": "5m"}}
    opening = started(events(server, ask(diagnostics={"previous_message_id": None}, **cache)))
    assert opening["diagnostics"] is None and opening["id"] == server.message_ids[-1]
    history = [USER, {"role": "assistant", "content": "Hi."}, {"role": "user", "content": "more"}]

    def diagnosis(*messages: dict[str, Any], **fields: Any) -> Any:
        body = ask(*messages, diagnostics={"previous_message_id": opening["id"]}, **{**cache, **fields})
        return started(events(server, body))["diagnostics"]

    assert diagnosis(*history) is None
    assert diagnosis(*history, model="claude-opus-5")["cache_miss_reason"]["type"] == "model_changed"
    assert diagnosis(*history, system="Be brief.")["cache_miss_reason"]["type"] == "system_changed"
    changed = diagnosis({"role": "user", "content": "hello there"})["cache_miss_reason"]
    assert changed["type"] == "messages_changed" and changed["cache_missed_input_tokens"] > 0
    unknown = started(events(server, ask(diagnostics={"previous_message_id": "msg_01unknown"}, **cache)))
    assert unknown["diagnostics"] == {"cache_miss_reason": {"type": "previous_message_not_found"}}
    assert "diagnostics" not in started(events(server, ask()))
    assert len(set(server.message_ids)) == len(server.message_ids) == 7


def test_search_streams_its_query_results_and_citations(server: DemoServer) -> None:
    payloads = events(server, ask({"role": "user", "content": "search for SSE framing"}))
    kinds = [block["type"] for block in blocks(payloads)]
    assert kinds[:2] == ["server_tool_use", "web_search_tool_result"] and set(kinds[2:]) == {"text"}
    use, result = blocks(payloads)[:2]
    assert use["name"] == "web_search" and result["tool_use_id"] == use["id"]
    query = "".join(delta["partial_json"] for delta in deltas(payloads, "input_json_delta"))
    assert json.loads(query) == {"query": "search for SSE framing"}
    assert 2 <= len(result["content"]) <= 3
    assert all(set(found) == {"type", "title", "url", "encrypted_content", "page_age"} for found in result["content"])
    citations = [delta["citation"] for delta in deltas(payloads, "citations_delta")]
    assert citations and {citation["url"] for citation in citations} <= {found["url"] for found in result["content"]}
    assert all(citation["type"] == "web_search_result_location" and citation["cited_text"]
               and citation["encrypted_index"] for citation in citations)
    # Each citation arrives in its block before the block's text.
    cited_index = next(p["index"] for p in payloads if p["type"] == "content_block_delta"
                       and p["delta"]["type"] == "citations_delta")
    first_of_block = next(p for p in payloads if p["type"] == "content_block_delta" and p["index"] == cited_index)
    assert first_of_block["delta"]["type"] == "citations_delta"


def test_refuse_stops_with_details_after_a_little_text(server: DemoServer) -> None:
    payloads = events(server, ask({"role": "user", "content": "refuse this"}))
    assert deltas(payloads, "text_delta")
    delta = final(payloads)["delta"]
    assert delta["stop_reason"] == "refusal"
    assert delta["stop_details"]["type"] == "refusal" and delta["stop_details"]["category"] == "cyber"
    assert delta["stop_details"]["explanation"]


def test_redacted_omitted_and_compacted_blocks(server: DemoServer) -> None:
    redacted = blocks(events(server, ask({"role": "user", "content": "redacted"})))
    assert [block["type"] for block in redacted] == ["redacted_thinking", "text"] and redacted[0]["data"]
    omitted = events(server, ask({"role": "user", "content": "omitted"}))
    assert [block["type"] for block in blocks(omitted)] == ["thinking", "text"]
    assert not deltas(omitted, "thinking_delta") and deltas(omitted, "signature_delta")
    assert final(omitted)["usage"]["output_tokens_details"]["thinking_tokens"] > 0
    compacted = events(server, ask({"role": "user", "content": "compact"}))
    assert [block["type"] for block in blocks(compacted)] == ["compaction", "text"]
    assert deltas(compacted, "compaction_delta")[0]["content"]


def test_a_paused_turn_is_carried_on_when_sent_back(server: DemoServer) -> None:
    paused = events(server, ask({"role": "user", "content": "pause please"}))
    assert final(paused)["delta"]["stop_reason"] == "pause_turn"
    said_so_far = "".join(delta["text"] for delta in deltas(paused, "text_delta")).rstrip()
    carried = events(server, ask({"role": "user", "content": "pause please"},
                                 {"role": "assistant", "content": said_so_far}))
    assert final(carried)["delta"]["stop_reason"] == "end_turn"
    assert "".join(delta["text"] for delta in deltas(carried, "text_delta"))


@pytest.mark.parametrize(("fields", "stop"), [({}, "END"), ({"stop_sequences": ["###", "END"]}, "###")])
def test_stop_and_window_end_as_asked(server: DemoServer, fields: dict[str, Any], stop: str) -> None:
    stopped = final(events(server, ask({"role": "user", "content": "stop"}, **fields)))["delta"]
    assert (stopped["stop_reason"], stopped["stop_sequence"]) == ("stop_sequence", stop)
    window = final(events(server, ask({"role": "user", "content": "window"})))["delta"]
    assert window["stop_reason"] == "model_context_window_exceeded"


def test_the_showcase_names_every_keyword() -> None:
    tried = SHOWCASE.split("Try a prompt with", 1)[1]
    assert all(f"*{keyword}*" in tried for keyword in (*api_scripts.KEYWORDS, "think", "essay", "tool"))


def test_models_describe_their_windows_and_capabilities(server: DemoServer) -> None:
    listed = call(server, "/v1/models").json()["data"]
    infos = [ModelInfo.model_validate(model) for model in listed]
    assert {info.id for info in infos} == set(api_scripts.MODELS)
    assert len({(info.max_input_tokens, info.max_tokens) for info in infos}) > 1
    haiku = ModelInfo.model_validate(call(server, "/v1/models/claude-haiku-4-5").json())
    assert haiku.capabilities.effort.high.supported and not haiku.capabilities.effort.max.supported
    assert haiku.capabilities.effort.xhigh is not None and not haiku.capabilities.effort.xhigh.supported
    assert not haiku.capabilities.thinking.types.adaptive.supported
    missing = call(server, "/v1/models/claude-nothing")
    assert missing.status_code == 404 and missing.json()["error"] == {"type": "not_found_error",
                                                                       "message": "model: claude-nothing"}
