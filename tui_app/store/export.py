"""A conversation as Markdown (to read) or JSON (complete: turns, settings, usage, timings, events)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from tui_app.model.conversation import Conversation, Turn
from tui_app.model.ending import Ending
from tui_app.stream.events import WireEvent
from tui_app.stream.metrics import format_seconds

FORMATS = ("md", "json")
JSON_FORMAT = "claude-tui conversation"
JSON_VERSION = 1


def export(conversation: Conversation, fmt: str, events: Mapping[int, list[WireEvent]] | None = None) -> str:
    if fmt == "md":
        return to_markdown(conversation)
    if fmt == "json":
        return to_json(conversation, events or {})
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def to_markdown(conversation: Conversation) -> str:
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
    lines += [f"- **{name}:** {value}" for name, value in header]
    if settings.system:
        lines += ["- **System prompt:**", "", *(f"  > {line}" for line in settings.system.splitlines()), ""]
    for turn in conversation.turns:
        lines += ["", *(_reply_markdown(turn) if turn.is_reply else _prompt_markdown(turn))]
    return "\n".join(lines).rstrip() + "\n"


def _aside(turn: Turn) -> str:
    return " *(set aside: retried or edited, not sent again)*" if turn.superseded else ""


def _prompt_markdown(turn: Turn) -> list[str]:
    return [f"## You · {_when(turn.created)}{_aside(turn)}", "", turn.text]


def _reply_markdown(turn: Turn) -> list[str]:
    lines = [f"## Claude · {turn.model or 'unknown model'}{_aside(turn)}", ""]
    for block in turn.content:
        kind = block.get("type")
        if kind == "thinking":
            thought = str(block.get("thinking", ""))
            lines += ["<details><summary>Thinking</summary>", "", thought, "", "</details>", ""]
        elif kind == "text":
            lines += [str(block.get("text", "")), ""]
        elif "name" in block:
            tool_input = json.dumps(block.get("input"), indent=2, ensure_ascii=False)
            lines += [f"**Tool use: {block['name']}**", "", "```json", tool_input, "```", ""]
        else:
            lines += [f"*[{kind} block]*", ""]
    note = Ending(turn.reply_state, turn.stop_reason, turn.reason).saved_note
    if note is not None:
        lines += [f"> {note}", ""]
    figures = [f"stop {turn.stop_reason or '–'}", f"in {_count(turn.input_tokens)}",
               f"out {_count(turn.output_tokens)}", f"TTFT {format_seconds(turn.first_token)}",
               f"total {format_seconds(turn.total)}"]
    lines.append(f"*{' · '.join(figures)}*")
    return lines


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
