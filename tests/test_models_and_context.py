"""The backend's model list read with each model's capabilities, token counting, how full the context window
is, and F4 asking for thinking, effort and caching with what the model can do in view."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx2
import pytest
from anthropic._models import construct_type
from anthropic.types import ModelInfo as SDKModelInfo
from textual.app import App
from textual.widgets import Input, Select, Static

from tests.conftest import send_and_finish, until
from tui_app.demo.pacing import UNPACED
from tui_app.demo.scripts import DEMO_MODELS
from tui_app.demo.server import DemoServer
from tui_app.model.context import ContextUse, context_after, last_context
from tui_app.model.conversation import ChatSettings, Conversation
from tui_app.screens.chat_settings_screen import ChatSettingsScreen, parse_chat_settings
from tui_app.stream.models import (
    BUILTIN_MODELS,
    ModelCatalog,
    ModelInfo,
    available_models,
    count_input_tokens,
    model_info_from,
    short_count,
)
from tui_app.stream.reply import ReplyState


def supported(value: bool) -> dict[str, bool]:
    return {"supported": value}


def listed(model: str, *, window: int = 200_000, out: int = 64_000, adaptive: bool = True, budget: bool = True,
           xhigh: bool | None = None, effort: bool = True) -> dict[str, Any]:
    """One model as `GET /v1/models` documents it, capabilities and all."""
    efforts = {level: supported(effort) for level in ("low", "medium", "high", "max")}
    if xhigh is not None:
        efforts["xhigh"] = supported(xhigh)
    return {
        "type": "model", "id": model, "display_name": model.replace("-", " ").title(),
        "created_at": "2026-01-01T00:00:00Z", "lifecycle": "active", "max_input_tokens": window, "max_tokens": out,
        "capabilities": {
            "thinking": {"supported": adaptive or budget, "types": {
                "enabled": supported(budget), "adaptive": supported(adaptive), "disabled": supported(True),
                "between_tools": supported(False)}},
            "effort": {"supported": effort, **efforts},
            "batch": supported(True), "citations": supported(True),
        },
    }


LISTED = [
    listed("claude-opus-4-6", window=1_000_000, out=128_000, xhigh=False),
    listed("claude-haiku-4-5", adaptive=False, effort=False),
]


def serving(models: list[Any], *, status: int = 200) -> anthropic.AsyncAnthropic:
    """An SDK client whose backend answers `GET /v1/models` with `models` and counts tokens as 42."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/count_tokens"):
            return httpx2.Response(status, json={"input_tokens": 42})
        body = {"data": models, "has_more": False, "first_id": None, "last_id": None}
        return httpx2.Response(status, json=body if status == 200 else {"type": "error", "error": {}})

    return anthropic.AsyncAnthropic(api_key="unused", base_url="http://models.test", max_retries=0,
                                    http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(answer)))


@pytest.fixture
def demo():
    server = DemoServer(pacing=UNPACED)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def demo_client(server: DemoServer) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(api_key="unused", base_url=server.url, max_retries=0)


# The model list


def test_a_listed_model_keeps_its_window_reply_size_thinking_and_effort() -> None:
    for item in (LISTED[0], construct_type(type_=SDKModelInfo, value=LISTED[0])):  # JSON, or the SDK's object
        info = model_info_from(item)
        assert (info.id, info.display_name, info.max_input_tokens, info.max_tokens, info.lifecycle) == (
            "claude-opus-4-6", "Claude Opus 4 6", 1_000_000, 128_000, "active")
        assert info.thinking_types == ("enabled", "adaptive", "disabled")
        assert info.effort_levels == ("low", "medium", "high", "max")
        assert info.takes_effort("xhigh") is False and info.takes_thinking("adaptive") is True
        assert info.describe() == "claude-opus-4-6 · 1M ctx · thinking adaptive/budget · effort up to max"
    haiku = model_info_from(LISTED[1])
    assert haiku.describe() == "claude-haiku-4-5 · 200k ctx · thinking budget · no effort"
    assert haiku.refusals(thinking_type="adaptive", effort="low", max_tokens=100_000) == [
        "claude-haiku-4-5 does not take adaptive thinking (it takes a thinking budget, thinking off)",
        "claude-haiku-4-5 does not take effort low (it takes no effort level)",
        "claude-haiku-4-5 writes at most 64,000 tokens a reply, fewer than max tokens (100,000)",
    ]


def test_a_model_that_cannot_think_takes_neither_kind_of_thinking() -> None:
    info = model_info_from({"id": "m", "capabilities": {"thinking": {"supported": False}}})
    assert info.takes_thinking("enabled") is False and info.takes_thinking("adaptive") is False
    assert info.takes_thinking("disabled") is None  # the server did not say
    assert info.describe() == "m · no thinking"


@pytest.mark.parametrize("item", [
    {"id": "m"},
    {"id": "m", "capabilities": "all of them"},
    {"id": "m", "capabilities": [1, 2]},
    {"id": "m", "capabilities": {"thinking": "yes", "effort": {"low": "yes", "max": {"supported": 1}}}},
    {"id": "m", "capabilities": {"thinking": {"types": {"adaptive": {"supported": "true"}}}}},
    {"id": "m", "max_input_tokens": "200000", "max_tokens": -5, "display_name": 7, "lifecycle": ["x"]},
    {"id": "m", "max_input_tokens": True, "max_tokens": 2**70, "display_name": ""},
])
def test_missing_or_wrong_typed_fields_mean_unknown(item: dict[str, Any]) -> None:
    info = model_info_from(item)
    assert info == ModelInfo("m")
    assert info.describe() == "m" and info.refusals(thinking_type="enabled", effort="max", max_tokens=10**6) == []


@pytest.mark.parametrize("item", [None, 5, "claude", [], {}, {"id": None}, {"id": {"a": 1}}, {"id": "  "}])
def test_an_entry_without_an_id_is_left_out(item: Any) -> None:
    assert model_info_from(item) is None


def test_a_long_or_odd_display_name_is_cut_and_made_writable() -> None:
    info = model_info_from({"id": 12345, "display_name": "\ud800" + "x" * 500})
    assert info.id == "12345" and info.display_name.startswith("\ufffd") and len(info.display_name) == 200


def test_short_counts() -> None:
    assert [short_count(n) for n in (512, 8192, 64_000, 200_000, 1_000_000, 1_500_000)] == [
        "512", "8.19k", "64k", "200k", "1M", "1.5M"]


async def test_the_list_is_read_through_the_sdk_with_capabilities() -> None:
    async with serving([*LISTED, {"id": "claude-opus-4-6"}, {"no": "id"}]) as client:
        models, note = await available_models(client, "x")
    assert [model.id for model in models] == ["claude-opus-4-6", "claude-haiku-4-5"]  # once each, no id left out
    assert models[0].max_input_tokens == 1_000_000 and models[1].effort_levels == ()
    assert note == "2 models listed by the backend (GET /v1/models)."


async def test_the_demo_list_and_the_built_in_one(demo: DemoServer) -> None:
    async with demo_client(demo) as client:
        models, note = await available_models(client, demo.url)
        assert [model.id for model in models] == list(DEMO_MODELS) and "listed by the backend" in note
        demo.lists_models = False
        models, note = await available_models(client, demo.url)
    assert models == [ModelInfo(model) for model in BUILTIN_MODELS]
    assert "could not be read" in note and "built in" in note
    assert all(model.describe() == model.id for model in models)  # capabilities unknown


async def test_the_catalog_keeps_the_last_list_to_look_up_a_window() -> None:
    catalog = ModelCatalog()
    assert catalog.context_window("claude-opus-4-6") is None
    async with serving(LISTED) as client:
        models, note = await catalog.refresh(client, "x")
    assert catalog.models == models and catalog.note == note
    assert catalog.context_window("claude-opus-4-6") == 1_000_000
    assert catalog.find("claude-haiku-4-5").max_tokens == 64_000
    assert catalog.context_window("someone-elses-model") is None and catalog.context_window(None) is None
    async with serving([], status=500) as client:
        await catalog.refresh(client, "x")
    assert catalog.context_window("claude-opus-4-6") is None  # the built-in list says nothing of windows


# Counting tokens


async def test_input_tokens_are_counted_by_the_backend(demo: DemoServer) -> None:
    params = {"model": "claude-sonnet-5", "max_tokens": 100, "system": "Be brief.",
              "messages": [{"role": "user", "content": "echo counting " * 20}],
              "thinking": {"type": "adaptive", "display": "summarized"}, "output_config": {"effort": "low"}}
    async with demo_client(demo) as client:
        counted = await count_input_tokens(client, params)
        fewer = await count_input_tokens(client, {**params, "messages": [{"role": "user", "content": "hi"}]})
    assert isinstance(counted, int) and counted > 0
    assert fewer is not None and fewer < counted


async def test_a_count_that_fails_is_none() -> None:
    params = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    async with serving([]) as client:
        assert await count_input_tokens(client, params) == 42
        assert await count_input_tokens(client, {"model": "m", "messages": []}) is None
    async with serving([], status=500) as client:
        assert await count_input_tokens(client, params) is None
    async with anthropic.AsyncAnthropic(api_key="unused", base_url="http://127.0.0.1:9", max_retries=0) as closed:
        assert await count_input_tokens(closed, params) is None


# How full the context window is


def test_context_use_percent_fits_and_warnings() -> None:
    use = ContextUse(150_000, 200_000)
    assert use.percent == 75 and use.left == 50_000 and use.fits(50_000) and not use.fits(50_001)
    assert use.warning() is None and use.describe() == "150,000 / 200,000 (75%)"
    assert use.warning(35_000) == ("The conversation fills 92% of the model's context window "
                                   "(185,000 of 200,000 tokens).")
    assert "does not fit the model's context window (200,000 tokens)" in use.warning(60_000)
    unknown = ContextUse(150_000)
    assert unknown.percent is None and unknown.left is None and unknown.fits(10**9)
    assert unknown.warning(10**9) is None and unknown.describe() == "150,000"


def test_the_next_request_starts_from_the_last_replys_whole_input_and_its_output() -> None:
    conversation = Conversation(ChatSettings("m", 1024))
    prompt, _ = conversation.add_user("hello")
    assert context_after(prompt) is None and last_context(conversation.turns) is None
    reply = conversation.add_reply("m")
    assert context_after(reply) is None  # no counts yet
    reply.text, reply.state, reply.input_tokens, reply.output_tokens = "hi", ReplyState.DONE, 10, 40
    reply.usage = {"cache_write": 1000, "cache_read": 5000, "thinking": 30}
    assert context_after(reply) == 10 + 1000 + 5000 + 40
    conversation.add_user("again")
    later = conversation.add_reply("m")
    later.input_tokens, later.output_tokens, later.superseded = 7000, 5, True
    assert last_context(conversation.turns) == 6050  # a superseded reply is not sent again
    later.superseded = False
    assert last_context(conversation.turns) == 7005


# F4


def test_parse_chat_settings_reads_thinking_effort_and_caching() -> None:
    current = ChatSettings("m", 4096)
    chosen = parse_chat_settings(current, " typed-model ", "", "", "4096", thinking="2,048", display="omitted",
                                 effort="xhigh", cache="1h")
    assert chosen == ChatSettings("typed-model", 4096, thinking="2048", thinking_display="omitted", effort="xhigh",
                                  cache="1h")
    assert parse_chat_settings(chosen, "m", "", "", "4096") == ChatSettings("m", 4096)  # empty: the defaults
    assert parse_chat_settings(current, "m", "", "", "4096", thinking="ADAPTIVE").thinking == "adaptive"


@pytest.mark.parametrize(("fields", "words"), [
    ({"thinking": "500"}, "A thinking budget must be at least 1,024 tokens, not 500."),
    ({"thinking": "lots"}, 'Thinking must be a budget in tokens (at least 1,024), "adaptive" or "off", not "lots".'),
    ({"effort": "extreme"}, 'Effort must be one of low, medium, high, xhigh, max, not "extreme".'),
    ({"cache": "2h"}, 'Prompt caching must be one of 5m, 1h, not "2h".'),
    ({"thinking": "8192"}, "The thinking budget (8,192) must be below max tokens (4,096)"),
    ({"thinking": "adaptive", "temperature": "0.5"}, "Temperature cannot be set while thinking is on"),
    ({"model": "  "}, "Name a model"),
])
def test_parse_chat_settings_says_what_is_wrong(fields: dict[str, str], words: str) -> None:
    model, temperature = fields.pop("model", "m"), fields.pop("temperature", "")
    result = parse_chat_settings(ChatSettings("m", 4096), model, "", temperature, "4096", **fields)
    assert isinstance(result, str) and words in result


class Dialog(App[None]):
    """F4 on its own, with a model list given."""

    def __init__(self, settings: ChatSettings, models: list[Any], note: str = "listed") -> None:
        super().__init__()
        self.dialog = ChatSettingsScreen(settings, models, note)
        self.chosen: list[ChatSettings | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.chosen.append)


def shown(app: App, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


async def type_into(pilot, selector: str, text: str) -> None:
    """Empty a field, focus it (scrolling it into view, as Tab does) and type."""
    field = pilot.app.screen.query_one(selector, Input)
    field.value = ""
    field.focus()
    await pilot.pause()
    await pilot.press(*text)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_f4_shows_each_models_capabilities_and_saves_thinking_effort_and_caching(size) -> None:
    app = Dialog(ChatSettings("claude-haiku-4-5", 4096), [model_info_from(item) for item in LISTED])
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.dialog
        options = [str(prompt) for prompt, _ in screen.query_one("#chat-settings-model", Select)._options]
        assert options == ["claude-opus-4-6 · 1M ctx · thinking adaptive/budget · effort up to max",
                           "claude-haiku-4-5 · 200k ctx · thinking budget · no effort"]
        assert "context 200k tokens · replies up to 64k · thinking budget, off · effort none" in shown(
            app, "#chat-settings-about")
        await pilot.press("enter", "up", "enter")  # the list opened, the model above picked
        await until(pilot, lambda: screen.query_one("#chat-settings-model-name", Input).value == "claude-opus-4-6",
                    "the picked model in the name field")
        assert "Claude Opus 4 6 · context 1M tokens" in shown(app, "#chat-settings-about")
        await type_into(pilot, "#chat-settings-thinking", "2048")
        screen.query_one("#chat-settings-effort", Select).value = "high"
        screen.query_one("#chat-settings-thinking-display", Select).value = "omitted"
        screen.query_one("#chat-settings-cache", Select).value = "1h"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.chosen, "the dialog to close")
    assert app.chosen == [ChatSettings("claude-opus-4-6", 4096, thinking="2048", thinking_display="omitted",
                                       effort="high", cache="1h")]


async def test_f4_says_what_the_model_refuses_and_saves_on_the_second_asking() -> None:
    app = Dialog(ChatSettings("claude-haiku-4-5", 4096), [model_info_from(item) for item in LISTED])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.dialog
        screen.query_one("#chat-settings-effort", Select).value = "max"
        await until(pilot, lambda: "does not take effort max" in shown(app, "#chat-settings-warning"),
                    "the warning as the effort is picked")
        await pilot.press("ctrl+s")
        assert "Ctrl+S again saves anyway" in shown(app, "#chat-settings-warning") and not app.chosen
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.chosen, "the dialog to close")
    assert app.chosen[0].effort == "max"


async def test_f4_shows_the_words_for_a_bad_budget_and_keeps_the_dialog_open() -> None:
    app = Dialog(ChatSettings("m", 4096), [])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert shown(app, "#chat-settings-problem") == ""
        await type_into(pilot, "#chat-settings-thinking", "100")
        await pilot.press("enter")
        assert shown(app, "#chat-settings-problem") == "A thinking budget must be at least 1,024 tokens, not 100."
        assert app.screen is app.dialog and not app.chosen
        region = app.dialog.query_one("#chat-settings-problem").region
        assert app.dialog.query_one("#chat-settings").region.contains_region(region)  # scrolled into view
        await type_into(pilot, "#chat-settings-thinking", "off")
        await pilot.press("enter")
        await until(pilot, lambda: app.chosen, "the dialog to close")
    assert app.chosen[0].thinking == "off"


async def test_f4_takes_a_model_name_the_list_does_not_hold() -> None:
    app = Dialog(ChatSettings("claude-haiku-4-5", 4096), [model_info_from(item) for item in LISTED])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_into(pilot, "#chat-settings-model-name", "claude-private-1")
        assert "not in the list, asked for as typed" in shown(app, "#chat-settings-about")
        await type_into(pilot, "#chat-settings-model-name", "claude-opus")
        await pilot.press("right")  # takes the suggested name
        assert app.dialog.query_one("#chat-settings-model", Select).value == "claude-opus-4-6"
        await type_into(pilot, "#chat-settings-model-name", "claude-private-1")
        await pilot.press("enter")
        await until(pilot, lambda: app.chosen, "the dialog to close")
    assert app.chosen[0].model == "claude-private-1"


async def test_f4_shows_a_hostile_model_as_plain_text_and_saves_its_real_name() -> None:
    hostile = "[b]x\x1b[2J\u202e"
    app = Dialog(ChatSettings("m", 4096), [model_info_from({"id": hostile, "display_name": "[@click=app.quit]"})])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.dialog.query_one("#chat-settings-model", Select).value = hostile
        await until(pilot, lambda: "␛" in app.dialog.query_one("#chat-settings-model-name", Input).value,
                    "the name field to show the model")
        assert "[@click=app.quit]" in shown(app, "#chat-settings-about")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.chosen, "the dialog to close")
    assert app.chosen[0].model == hostile


async def test_f4_in_the_app_sends_thinking_effort_and_caching(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_and_finish(pilot, "echo hello")
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, ChatSettingsScreen), "the settings dialog")
        screen = app.screen
        await type_into(pilot, "#chat-settings-thinking", "adaptive")
        screen.query_one("#chat-settings-effort", Select).value = "low"
        screen.query_one("#chat-settings-cache", Select).value = "5m"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.chat.conversation.settings.effort == "low", "the settings to apply")
        await send_and_finish(pilot, "echo again")
    request = app.demo_server.requests[-1]
    assert request["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert request["output_config"] == {"effort": "low"}
    assert request["cache_control"] == {"type": "ephemeral", "ttl": "5m"}
