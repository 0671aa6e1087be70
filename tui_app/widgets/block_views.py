"""The views of a reply's blocks other than its text: thinking (shown, omitted or redacted), tool calls, the
server's own tools and what they found, and any other block, shown as the JSON it came as.

Each view has `sync(block, reply)`, called as often as the reply is drawn, and `settle(block, reply)`, once
the reply has ended. Everything in them came from the server: it is neutralised and shown as plain text.
"""

from __future__ import annotations

import json
import time
from typing import Any

from textual.content import Content
from textual.widgets import Collapsible, Static

from tui_app.model.citations import found_pages
from tui_app.stream.reply import PIECE_FIELDS, ContentBlock, Reply
from tui_app.text_safety import neutralize, one_line

LONG_JSON_LINES = 12
"""A block shown as JSON starts collapsed when its JSON is longer than this."""
SHOWN_OUTPUT = 4000
"""A server tool's output (stdout, stderr, a fetched page) is shown up to this many characters."""
OMITTED_HINT = ('The server sent only the signature. "Thinking shown: summarized" (F4, or --thinking-display '
                'summarized) shows a summary of it.')


def seconds_text(seconds: float) -> str:
    return f"{seconds:.1f} s"


def thinking_tokens(reply: Reply) -> int | None:
    """The reply's thinking tokens, when it has one block of thinking for them to belong to."""
    thoughts = [block for block in reply.blocks if block.kind in ("thinking", "redacted_thinking")]
    return reply.usage.thinking if len(thoughts) == 1 else None


def thinking_title(block: ContentBlock, tokens: int | None, over: bool, so_far: float | None = None) -> str:
    """`Thinking · 2.4 s · 312 tokens`; `Thinking… 3 s` while it streams; what the server held back, if it did
    (after the figures, so that a narrow title keeps them).

    `over`: the block will get no more (it stopped, or the reply ended)."""
    if not over:
        return "Thinking…" + (f" {so_far:.0f} s" if so_far is not None else "")
    figures = [seconds_text(block.seconds)] if block.seconds is not None else []
    if tokens is not None:
        figures.append(f"{tokens:,} tokens")
    if block.kind == "redacted_thinking":
        figures.append("redacted by the server")
    elif not block.text and block.signature:
        figures.append("omitted by the server")
    return " · ".join(["Thinking", *figures])


class ThinkingBlockView(Collapsible):
    """Thinking, dimmed and collapsible, apart from the answer; its title says how long it took."""

    def __init__(self, block: ContentBlock | None = None) -> None:
        self._body = Static(classes="thinking-text")
        super().__init__(self._body, title=Content("Thinking…"), collapsed=False, classes="reply-thinking")
        self._seen = -1
        self._since = time.monotonic()
        """When it was first drawn: how long it has been thinking, while it streams."""

    async def sync(self, block: ContentBlock, reply: Reply) -> None:
        over = block.stopped is not None or reply.state.finished
        self.title = Content(thinking_title(block, thinking_tokens(reply), over, time.monotonic() - self._since))
        if len(block.pieces) != self._seen:
            self._seen = len(block.pieces)
            self._body.update(Content(neutralize(self._said(block, over))))

    async def settle(self, block: ContentBlock, reply: Reply) -> None:
        self.title = Content(thinking_title(block, thinking_tokens(reply), over=True))
        self._body.update(Content(neutralize(self._said(block, over=True))))

    @staticmethod
    def _said(block: ContentBlock, over: bool) -> str:
        if block.kind == "redacted_thinking":
            data = block.fields.get("data")
            if not isinstance(data, str):
                return ""
            return f"{len(data):,} characters of encrypted reasoning, sent back unchanged."
        if over and not block.text and block.signature:
            return OMITTED_HINT
        return block.text


class ToolUseBlockView(Static):
    """A tool call: the tool's name and its input as pretty JSON, built up as it streams."""

    def __init__(self, block: ContentBlock) -> None:
        super().__init__(classes="reply-tool")
        self.border_title = Content(neutralize(f"tool use · {block.tool_name or block.kind}"))
        self._seen = -1

    async def sync(self, block: ContentBlock, reply: Reply) -> None:
        if len(block.pieces) == self._seen:
            return
        self._seen = len(block.pieces)
        self.update(Content(neutralize(_tool_input_text(block) or "…")))

    async def settle(self, block: ContentBlock, reply: Reply) -> None:
        shown = _tool_input_text(block)
        if block.tool_input is None and block.text.strip():
            shown += "\n⚠ incomplete: the input that arrived is not whole JSON"
        self.update(Content(neutralize(shown or "(no input)")))


def _tool_input_text(block: ContentBlock) -> str:
    """The tool input as pretty JSON when it parses, else what arrived of it as it came."""
    parsed = block.tool_input
    if parsed is None:
        return block.text
    return pretty(parsed) or block.text


def pretty(value: Any) -> str:
    """JSON, indented; empty for what cannot be written as JSON."""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=repr)
    except (ValueError, RecursionError):
        return ""


def input_so_far(block: ContentBlock) -> Any:
    """A tool's input as far as it has streamed: the whole JSON, or an object cut off inside a string value
    closed where it was cut (so a search's query shows as it is typed)."""
    parsed = block.tool_input
    if parsed is not None or not block.text:
        return parsed
    for ending in ('"}', "}"):
        try:
            return json.loads(block.text + ending)
        except (ValueError, RecursionError):
            continue
    return None


ONE_LINERS = {"web_search": ("🔎 web search", "query"), "web_fetch": ("🌐 web fetch", "url")}
"""Server tools whose call reads as one line: what it is, and the one input that says what it does."""


def server_tool_line(name: str, tool_input: Any) -> str | None:
    """`🔎 web search: <query>`, for a server tool that reads as one line."""
    label, key = ONE_LINERS.get(name, ("", ""))
    if not label or not isinstance(tool_input, dict):
        return None
    value = tool_input.get(key)
    return f"{label}: {one_line(value) if isinstance(value, str) else '…'}"


class ServerToolUseBlockView(Static):
    """A tool the server runs itself (web search, web fetch, code execution …): its name and its input, built
    up as the input streams. A search is one line, its query; any other is its input as pretty JSON."""

    def __init__(self, block: ContentBlock) -> None:
        super().__init__(classes="reply-server-tool")
        self._name = block.tool_name or ""
        self.set_class(self._name in ONE_LINERS, "-one-line")
        self.border_title = Content(neutralize(f"server tool · {self._name or block.kind}"))
        self._seen = -1

    async def sync(self, block: ContentBlock, reply: Reply) -> None:
        if len(block.pieces) != self._seen:
            self._seen = len(block.pieces)
            self._show(block, over=False)

    async def settle(self, block: ContentBlock, reply: Reply) -> None:
        self._show(block, over=True)

    def _show(self, block: ContentBlock, over: bool) -> None:
        so_far = input_so_far(block)
        line = server_tool_line(self._name, so_far)
        shown = line if line is not None else (pretty(so_far) if so_far is not None else block.text) or "…"
        if over and block.tool_input is None and block.text.strip():
            shown += "\n⚠ incomplete: the input that arrived is not whole JSON"
        self.update(Content(neutralize(shown)))


def result_title(block: ContentBlock) -> str:
    """`web search results`, `code execution result` …"""
    name = block.kind.removesuffix("_tool_result").replace("_", " ")
    if name == "web search":
        return "web search results"
    return f"{name} result"


def result_lines(block: ContentBlock) -> list[str]:
    """What a server tool brought back, in plain lines."""
    content = block.fields.get("content")
    if isinstance(content, dict) and "error_code" in content:
        return [f"⚠ error: {one_line(str(content.get('error_code')))}"]
    if block.kind == "web_search_tool_result" and isinstance(content, list):
        pages = found_pages(content)
        return [f"{page.number}. {one_line(page.title)}" + (f"\n   {one_line(page.url)}" if page.url else "")
                for page in pages] or ["no results"]
    if isinstance(content, dict) and content.get("type") == "web_fetch_result":
        document = content.get("content") if isinstance(content.get("content"), dict) else {}
        source = document.get("source") if isinstance(document.get("source"), dict) else {}
        lines = [f"{one_line(str(content.get('url', '')))}"]
        if isinstance(document.get("title"), str):
            lines.insert(0, one_line(document["title"]))
        if isinstance(source.get("data"), str):
            lines.append(f"{len(source['data']):,} characters ({one_line(str(source.get('media_type', 'text')))})")
        return lines
    if isinstance(content, dict) and ("stdout" in content or "encrypted_stdout" in content):
        return output_lines(content)
    return []


def output_lines(content: dict[str, Any]) -> list[str]:
    """Code the server ran: its return code, standard output and standard error, and the files it made."""
    lines = [f"return code {content.get('return_code', '–')}"]
    for name in ("stdout", "stderr"):
        text = content.get(name)
        if isinstance(text, str) and text:
            more = f"\n… ({len(text) - SHOWN_OUTPUT:,} more characters)" if len(text) > SHOWN_OUTPUT else ""
            lines.append(f"{name}:\n{text[:SHOWN_OUTPUT].rstrip()}{more}")
    if isinstance(content.get("encrypted_stdout"), str):
        lines.append("stdout: (encrypted)")
    files = [item.get("file_id") for item in content.get("content") or [] if isinstance(item, dict)]
    if files:
        lines.append("files: " + ", ".join(str(file) for file in files))
    return lines


class ToolResultBlockView(Static):
    """What a server tool brought back: numbered pages for a search, the output of code it ran, the error
    code when it failed; anything else as the JSON it came as."""

    def __init__(self, block: ContentBlock) -> None:
        super().__init__(classes="reply-tool-result")
        self.border_title = Content(neutralize(result_title(block)))
        self._shown: tuple[int, int] | None = None

    async def sync(self, block: ContentBlock, reply: Reply) -> None:
        if self._shown != (len(block.pieces), len(block.other_deltas)):
            self._shown = (len(block.pieces), len(block.other_deltas))
            lines = result_lines(block)
            self.set_class(bool(lines) and lines[0].startswith("⚠"), "-error")
            self.update(Content(neutralize("\n".join(lines) or block_json(block))))

    async def settle(self, block: ContentBlock, reply: Reply) -> None:
        await self.sync(block, reply)


def block_json(block: ContentBlock) -> str:
    """The block as the JSON it came as: its start fields, its streamed text, and deltas of types not known."""
    record: dict[str, Any] = {"type": block.kind}
    if block.tool_name is not None:
        record["name"] = block.tool_name
        record["input"] = block.tool_input if block.tool_input is not None else block.text
    record.update(block.fields)
    if block.pieces and block.tool_name is None:
        record[PIECE_FIELDS.get(block.kind, "text")] = block.text
    if block.citations:
        record["citations"] = block.citations
    if block.other_deltas:
        record["deltas"] = block.other_deltas
    return pretty(record)


class OtherBlockView(Collapsible):
    """A block this version does not draw (compaction, a container upload, a type newer than it): named, and
    shown as the JSON it came as, collapsed when that is long."""

    def __init__(self, block: ContentBlock) -> None:
        self._body = Static(classes="other-json")
        title = Content(f"{one_line(block.kind)} block")
        super().__init__(self._body, title=title, collapsed=False, classes="reply-other")
        self._shown: tuple[int, int] | None = None
        self._folded = False

    async def sync(self, block: ContentBlock, reply: Reply) -> None:
        if self._shown == (len(block.pieces), len(block.other_deltas)):
            return
        self._shown = (len(block.pieces), len(block.other_deltas))
        shown = block_json(block)
        if not self._folded and shown.count("\n") >= LONG_JSON_LINES:
            self._folded = True  # once: the user may open it again
            self.collapsed = True
        self._body.update(Content(neutralize(shown)))

    async def settle(self, block: ContentBlock, reply: Reply) -> None:
        await self.sync(block, reply)


class OtherDeltasView(Collapsible):
    """Deltas of a type this version does not know that came to blocks it draws (text, thinking, tools):
    listed at the end of the reply, with the block each came to, rather than dropped."""

    def __init__(self) -> None:
        self._body = Static(classes="other-json")
        super().__init__(self._body, title=Content("Deltas not drawn"), collapsed=True, classes="reply-other")
        self._count = 0
        self.display = False

    def show(self, reply: Reply) -> None:
        kept = [(block, delta) for block in reply.blocks if block.other_deltas and view_kind(block) != "other"
                for delta in block.other_deltas]
        if len(kept) == self._count:
            return
        self._count = len(kept)
        self.display = bool(kept)
        self.title = Content(f"{len(kept)} delta{'s' if len(kept) != 1 else ''} of a type not drawn")
        records = [{"block": block.index, "block_type": block.kind, "delta": delta} for block, delta in kept]
        self._body.update(Content(neutralize(pretty(records))))


def view_kind(block: ContentBlock) -> str:
    if block.kind == "text":
        return "text"
    if block.kind in ("thinking", "redacted_thinking"):
        return "thinking"
    if block.kind == "server_tool_use":
        return "server tool"
    if block.tool_name is not None or block.kind.endswith("tool_use"):
        return "tool"
    if block.kind.endswith("_tool_result") and result_lines(block):
        return "result"
    return "other"


BlockView = ThinkingBlockView | ToolUseBlockView | ServerToolUseBlockView | ToolResultBlockView | OtherBlockView


def view_for(block: ContentBlock) -> BlockView:
    """The view of a block other than text."""
    kind = view_kind(block)
    if kind == "thinking":
        return ThinkingBlockView(block)
    if kind == "server tool":
        return ServerToolUseBlockView(block)
    if kind == "tool":
        return ToolUseBlockView(block)
    if kind == "result":
        return ToolResultBlockView(block)
    return OtherBlockView(block)
