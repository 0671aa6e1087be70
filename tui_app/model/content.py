"""The one codec between a reply's blocks and the Messages API content shape: what a turn saves, what a
saved turn draws again, and the messages the next request sends."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from tui_app.stream.reply import ContentBlock, Reply


class Said(Protocol):
    """What a message is made of: a turn's role and text, and whether it was set aside."""

    role: str
    text: str
    superseded: bool


def content_of(reply: Reply) -> list[dict[str, Any]]:
    """The reply's blocks as the Messages API writes content."""
    content: list[dict[str, Any]] = []
    for block in reply.blocks:
        if block.kind == "text":
            content.append({"type": "text", "text": block.text})
        elif block.kind == "thinking":
            content.append({"type": "thinking", "thinking": block.text})
        elif block.tool_name is not None:
            tool_input = block.tool_input
            entry: dict[str, Any] = {"type": block.kind, "name": block.tool_name}
            entry["input"] = tool_input if tool_input is not None else block.text
            content.append(entry)
        elif block.pieces:  # a block type this version does not know, with text streamed into it: kept
            content.append({"type": block.kind, "text": block.text})
        else:
            content.append({"type": block.kind})
    return content


def block_from_content(index: int, content: dict[str, Any]) -> ContentBlock:
    """A saved content entry as a block to draw again."""
    kind = str(content.get("type") or "unknown")
    block = ContentBlock(index=index, kind=kind)
    if kind not in ("thinking", "tool_use") and "name" not in content and isinstance(content.get("text"), str):
        block.pieces.append(content["text"])
    elif kind == "thinking" and isinstance(content.get("thinking"), str):
        block.pieces.append(content["thinking"])
    elif "name" in content:
        block.tool_name = str(content["name"])
        tool_input = content.get("input")
        if isinstance(tool_input, str):
            block.pieces.append(tool_input)
        else:
            block.initial_input = tool_input
    return block


def messages_of(turns: Iterable[Said]) -> list[dict[str, Any]]:
    """Turns as Messages API messages, without superseded turns.

    Roles must alternate: a prompt answered by a reply with no text at all (a tool call alone) joins
    the next prompt. A prompt whose reply failed before any text never does: the next one replaces it.
    """
    messages: list[dict[str, Any]] = []
    for turn in turns:
        if turn.superseded or not turn.text:
            continue
        if messages and messages[-1]["role"] == turn.role:
            messages[-1]["content"] += "\n\n" + turn.text
        else:
            messages.append({"role": turn.role, "content": turn.text})
    return messages
