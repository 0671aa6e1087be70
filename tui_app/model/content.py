"""The one codec between a reply's blocks and the Messages API content shape: what a turn saves, what a
saved turn draws again, and the messages the next request sends."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from tui_app.stream.events import as_dict
from tui_app.stream.reply import PIECE_FIELDS, ContentBlock, Reply, ReplyState
from tui_app.stream.usage import TokenUsage

REFUSAL = "refusal"
PAUSE_TURN = "pause_turn"
SENT_BACK = ("text", "thinking", "redacted_thinking")
"""The block types a reply's history sends back. Tool blocks are left out: claude-tui runs no tools and
defines none, and the API refuses tool blocks in a request that defines no tools."""


class Said(Protocol):
    """What a message is made of: a turn's role, text and blocks, whether it was set aside, how it ended."""

    role: str
    text: str
    superseded: bool
    model: str | None
    content: list[dict[str, Any]]
    stop_reason: str | None

    @property
    def reply_state(self) -> ReplyState: ...


def content_of(reply: Reply) -> list[dict[str, Any]]:
    """The reply's blocks as the Messages API writes content, with everything needed to send them back."""
    content: list[dict[str, Any]] = []
    for block in reply.blocks:
        entry: dict[str, Any] = {**block.fields, "type": block.kind}
        piece_field = PIECE_FIELDS.get(block.kind)
        if piece_field is not None:
            entry[piece_field] = block.text
        if block.kind == "thinking":
            entry["signature"] = block.signature
        if block.citations:
            entry["citations"] = block.citations
        if block.tool_name is not None:
            tool_input = block.tool_input
            entry["name"] = block.tool_name
            entry["input"] = tool_input if tool_input is not None else block.text
        elif piece_field is None and block.pieces:  # a block type this version does not know, with text in it
            entry["text"] = block.text
        if block.other_deltas:
            entry["deltas"] = block.other_deltas
        content.append(entry)
    return content


def block_from_content(index: int, content: dict[str, Any]) -> ContentBlock:
    """A saved content entry as a block to draw again."""
    kind = str(content.get("type") or "unknown")
    block = ContentBlock(index=index, kind=kind)
    piece_field = PIECE_FIELDS.get(kind) or ("text" if "name" not in content else None)
    if piece_field is not None and isinstance(content.get(piece_field), str):
        block.pieces.append(content[piece_field])
    if "name" in content:
        block.tool_name = str(content["name"])
        tool_input = content.get("input")
        if isinstance(tool_input, str):
            block.pieces.append(tool_input)
        else:
            block.initial_input = tool_input
    if isinstance(content.get("signature"), str):
        block.signature = content["signature"]
    if isinstance(content.get("citations"), list):
        block.citations = [as_dict(citation) for citation in content["citations"]]
    if isinstance(content.get("deltas"), list):
        block.other_deltas = [as_dict(delta) for delta in content["deltas"]]
    block.fields = {key: value for key, value in content.items()
                    if key not in ("type", "name", "input", "signature", "citations", "deltas", piece_field)}
    return block


DETAILS = ("message_id", "stop_sequence", "stop_details", "cache_miss")


def details_of(reply: Reply) -> dict[str, Any]:
    """What a turn keeps of the reply's usage and stop beyond its own columns."""
    record: dict[str, Any] = reply.usage.to_record()
    for name in DETAILS:
        if getattr(reply, name) is not None:
            record[name] = getattr(reply, name)
    return record


def take_details(reply: Reply, record: dict[str, Any]) -> None:
    """The reverse of `details_of`, for a reply read back from the store."""
    reply.usage = TokenUsage.from_record(record)
    reply.message_id = record.get("message_id") if isinstance(record.get("message_id"), str) else None
    reply.stop_sequence = record.get("stop_sequence") if isinstance(record.get("stop_sequence"), str) else None
    reply.stop_details = record.get("stop_details") if isinstance(record.get("stop_details"), dict) else None
    reply.cache_miss = record.get("cache_miss") if isinstance(record.get("cache_miss"), dict) else None


def messages_of(turns: Iterable[Said], model: str | None = None) -> list[dict[str, Any]]:
    """Turns as Messages API messages, without superseded turns, in a shape the API accepts.

    Roles must alternate: a prompt answered by a reply with nothing to send back (a tool call alone)
    joins the next prompt, and a reply that continues a paused one joins it. A prompt whose reply failed
    before any text never does: the next one replaces it (see `Conversation.add_user`). When the last turn
    is a reply (a paused turn being continued), the request ends with it, as the API continues it.
    """
    messages: list[dict[str, Any]] = []
    for turn in turns:
        if turn.superseded:
            continue
        if turn.role == "assistant":
            content: list[dict[str, Any]] | str = sendable(turn, model)
        else:
            content = turn.text
        if not content:
            continue
        if messages and messages[-1]["role"] == turn.role:
            if isinstance(content, str):
                messages[-1]["content"] += "\n\n" + content
            else:
                messages[-1]["content"].extend(content)
        else:
            messages.append({"role": turn.role, "content": content})
    if messages and messages[-1]["role"] == "assistant":
        _end_cleanly(messages[-1]["content"])
        if not messages[-1]["content"]:
            messages.pop()
    for message in messages:
        content = message["content"]
        if isinstance(content, list) and len(content) == 1 and content[0]["type"] == "text":
            message["content"] = content[0]["text"]  # the API's shorthand for text alone
    return messages


def sendable(turn: Said, model: str | None) -> list[dict[str, Any]]:
    """A reply's blocks as the next request may send them back; empty when nothing of it can go.

    A reply that did not finish sends back only its text. Thinking goes back with its signature, unchanged,
    and only to the model that wrote it (the signature is that model's).
    """
    if turn.reply_state is not ReplyState.DONE or not turn.content:
        return [{"type": "text", "text": turn.text}] if turn.text.strip() else []
    blocks: list[dict[str, Any]] = []
    same_model = model is None or turn.model == model
    for block in turn.content:
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str) and block["text"].strip():
            blocks.append({"type": "text", "text": block["text"]})
        elif kind == "thinking" and same_model and block.get("signature") and isinstance(block.get("thinking"), str):
            blocks.append({"type": "thinking", "thinking": block["thinking"], "signature": block["signature"]})
        elif kind == "redacted_thinking" and same_model and isinstance(block.get("data"), str):
            blocks.append({"type": "redacted_thinking", "data": block["data"]})
    if not any(block["type"] == "text" for block in blocks):
        return []  # thinking alone is not a reply to send back
    if turn.stop_reason == PAUSE_TURN:
        _end_cleanly(blocks)  # as it was sent to be continued, so later requests keep the cached prefix
    return blocks


def _end_cleanly(content: list[dict[str, Any]]) -> None:
    """A request's final assistant content must end in text without trailing whitespace."""
    while content and (content[-1]["type"] != "text" or not content[-1]["text"].rstrip()):
        content.pop()
    if content:
        content[-1] = {**content[-1], "text": content[-1]["text"].rstrip()}


def is_refusal(turn: Said) -> bool:
    return turn.reply_state is ReplyState.DONE and turn.stop_reason == REFUSAL


def is_paused(turn: Said) -> bool:
    """A reply the server paused, which the next request may continue."""
    return turn.reply_state is ReplyState.DONE and turn.stop_reason == PAUSE_TURN
