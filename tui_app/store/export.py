"""A conversation as Markdown (to read) or JSON (complete: turns, settings, usage, timings, events)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from tui_app.model.citations import TextRun, found_pages, number_sources, sources_markdown, text_runs
from tui_app.model.content import block_from_content
from tui_app.model.conversation import Conversation, Turn
from tui_app.model.ending import Ending
from tui_app.model.pricing import conversation_cost, format_cost, reply_cost
from tui_app.stream.events import WireEvent
from tui_app.stream.metrics import format_seconds
from tui_app.stream.reply import PIECE_FIELDS, ContentBlock
from tui_app.stream.usage import TokenUsage

FORMATS = ("md", "json")
JSON_FORMAT = "claude-tui conversation"
JSON_VERSION = 1


Prices = Mapping[str, Mapping[str, float]]
"""The config's `[prices."MODEL"]` tables, over the shipped ones."""


def export(conversation: Conversation, fmt: str, events: Mapping[int, list[WireEvent]] | None = None,
           prices: Prices | None = None) -> str:
    if fmt == "md":
        return to_markdown(conversation, prices)
    if fmt == "json":
        return to_json(conversation, events or {})
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def to_markdown(conversation: Conversation, prices: Prices | None = None) -> str:
    settings = conversation.settings
    lines = [f"# {conversation.title or 'Untitled'}", ""]
    header = [
        ("Conversation", str(conversation.id) if conversation.id is not None else "not saved"),
        ("Started", _when(conversation.created)),
        ("Model", settings.model),
        ("Max tokens", str(settings.max_tokens)),
        ("Temperature", "default" if settings.temperature is None else f"{settings.temperature:g}"),
        ("Turns", str(len(conversation.turns))),
    ]
    if any(reply_cost(turn, prices) is not None for turn in conversation.replies):
        total, complete = conversation_cost(conversation.replies, prices)
        header.append(("Cost", f"{format_cost(total)} estimated" + ("" if complete else
                                                                    ", leaving out replies of models with no price")))
    lines += [f"- **{name}:** {value}" for name, value in header]
    if settings.system:
        lines += ["- **System prompt:**", "", *(f"  > {line}" for line in settings.system.splitlines()), ""]
    for turn in conversation.turns:
        lines += ["", *(_reply_markdown(turn, prices) if turn.is_reply else _prompt_markdown(turn))]
    return "\n".join(lines).rstrip() + "\n"


def _aside(turn: Turn) -> str:
    return " *(set aside: retried or edited, not sent again)*" if turn.superseded else ""


def _prompt_markdown(turn: Turn) -> list[str]:
    return [f"## You · {_when(turn.created)}{_aside(turn)}", "", turn.text]


def _reply_markdown(turn: Turn, prices: Prices | None) -> list[str]:
    lines = [f"## Claude · {turn.model or 'unknown model'}{_aside(turn)}", ""]
    blocks = [block_from_content(index, entry) for index, entry in enumerate(turn.content)]
    sources = number_sources(blocks)
    runs = iter(text_runs(blocks))
    previous = ""
    for block in blocks:
        if block.kind == "text":
            if previous != "text":
                lines += [TextRun.whole(next(runs), sources).block.text.strip("\n"), ""]
        else:
            lines += [*_block_markdown(block), ""]
        previous = block.kind
    if sources:
        lines += [sources_markdown(sources)]
    note = Ending.of_turn(turn).saved_note
    if note is not None:
        lines += [f"> {note}", ""]
    lines.append(f"*{' · '.join(_figures(turn, prices))}*")
    return lines


def _figures(turn: Turn, prices: Prices | None) -> list[str]:
    usage = TokenUsage.from_record(turn.usage if isinstance(turn.usage, dict) else {})
    figures = [f"stop {turn.stop_reason or '–'}", f"in {_count(turn.input_tokens)}"]
    if usage.cache_write is not None or usage.cache_read is not None:
        figures += [f"cache write {_count(usage.cache_write)}", f"cache read {_count(usage.cache_read)}"]
    figures.append(f"out {_count(turn.output_tokens)}")
    if usage.thinking is not None:
        figures.append(f"thinking {usage.thinking}")
    if usage.web_search_requests:
        figures.append(f"web searches {usage.web_search_requests}")
    figures += [f"TTFT {format_seconds(turn.first_token)}", f"total {format_seconds(turn.total)}"]
    dollars = reply_cost(turn, prices)
    return [*figures, f"cost {format_cost(dollars)}"] if dollars is not None else figures


def _block_markdown(block: ContentBlock) -> list[str]:
    """A block other than text, as Markdown: thinking folded away, a tool call and its input, what a server
    tool brought back, or any other block as the JSON it came as."""
    if block.kind == "thinking" and block.text:
        return ["<details><summary>Thinking</summary>", "", block.text, "", "</details>"]
    if block.kind == "thinking":
        return ["*Thinking (omitted by the server)*" if block.signature else "*Thinking (none arrived)*"]
    if block.kind == "redacted_thinking":
        return ["*Thinking (redacted)*"]
    if block.kind == "server_tool_use":
        return _server_tool_markdown(block)
    if block.tool_name is not None:
        return [f"**Tool use: {block.tool_name}**", "", *_fenced(_json(_tool_input(block)), "json")]
    content = block.fields.get("content")
    title = block.kind.removesuffix("_tool_result").replace("_", " ").capitalize()
    if block.kind.endswith("_tool_result") and isinstance(content, dict) and "error_code" in content:
        return [f"**{title} result:** ⚠ error {_one_line(str(content.get('error_code')))}"]
    if block.kind == "web_search_tool_result" and isinstance(content, list):
        pages = found_pages(content)
        return ["**Web search results**", "", *(f"{page.number}. {page.described()}" for page in pages)] \
            if pages else ["**Web search results:** none"]
    if isinstance(content, dict) and isinstance(content.get("return_code"), int):
        return _output_markdown(title, content)
    if isinstance(content, dict) and content.get("type") == "web_fetch_result":
        document = content.get("content") if isinstance(content.get("content"), dict) else {}
        name = document.get("title") if isinstance(document.get("title"), str) else ""
        url = _one_line(str(content.get("url", "")))
        return [f"**Web fetch result:** {_one_line(name) + ' — ' if name else ''}{url}"]
    return [f"**{block.kind} block**", "", *_fenced(_json(_as_content(block)), "json")]


def _server_tool_markdown(block: ContentBlock) -> list[str]:
    tool_input = _tool_input(block)
    known = {"web_search": ("🔎 **Web search:**", "query"), "web_fetch": ("🌐 **Web fetch:**", "url")}
    if block.tool_name in known and isinstance(tool_input, dict):
        label, key = known[block.tool_name]
        return [f"{label} {_one_line(str(tool_input.get(key, '')))}"]
    return [f"**Server tool: {block.tool_name}**", "", *_fenced(_json(tool_input), "json")]


def _output_markdown(title: str, content: dict[str, Any]) -> list[str]:
    """Code the server ran: its return code, then its output and errors."""
    lines = [f"**{title} result** · return code {content['return_code']}"]
    for name in ("stdout", "stderr"):
        if isinstance(content.get(name), str) and content[name]:
            lines += ["", f"{name}:", "", *_fenced(content[name].rstrip("\n"), "text")]
    if isinstance(content.get("encrypted_stdout"), str):
        lines += ["", "stdout: (encrypted)"]
    return lines


def _tool_input(block: ContentBlock) -> Any:
    return block.tool_input if block.tool_input is not None else block.text


def _as_content(block: ContentBlock) -> dict[str, Any]:
    """The block as it was saved, in the Messages API's shape."""
    record: dict[str, Any] = {"type": block.kind, **block.fields}
    if block.pieces:
        record[PIECE_FIELDS.get(block.kind, "text")] = block.text
    if block.other_deltas:
        record["deltas"] = block.other_deltas
    return record


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=repr)


def _fenced(text: str, language: str) -> list[str]:
    """A code fence longer than any run of backticks in the text, so nothing in it can close it."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _count(value: int | None) -> str:
    return "–" if value is None else str(value)


def to_json(conversation: Conversation, events: Mapping[int, list[WireEvent]]) -> str:
    turns: list[dict[str, Any]] = []
    for position, turn in enumerate(conversation.turns):
        record = asdict(turn)
        record["position"] = position
        record["state"] = turn.state.value if turn.state is not None else None
        if turn.is_reply:
            record["events"] = [event.to_record() for event in events.get(turn.id or -1, [])]
        else:
            for name in ("model", "state", "reason", "stop_reason", "input_tokens", "output_tokens",
                         "first_token", "total", "settings", "content"):
                record.pop(name)
        turns.append(record)
    document = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "id": conversation.id,
        "title": conversation.title,
        "created": conversation.created,
        "settings": asdict(conversation.settings),
        "turns": turns,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def export_file_name(conversation: Conversation, fmt: str) -> str:
    """`claude-tui-12-how-do-i-parse-sse.md`: the id and a few words of the title."""
    words = "".join(ch if ch.isalnum() else "-" for ch in conversation.title.lower())
    slug = "-".join(part for part in words.split("-") if part)[:40].rstrip("-") or "conversation"
    number = f"{conversation.id}-" if conversation.id is not None else ""
    return f"claude-tui-{number}{slug}.{fmt}"
