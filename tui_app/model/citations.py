"""The sources a reply cites, numbered, and its text with each cited part's reference numbers after it.

A reply that cites (web search, documents) comes as many text blocks: the parts with a source carry
`citations`, the parts between carry none. Sources are numbered per reply in the order they are first
cited, one number per web page (its url) or document; a cited block's numbers follow its text, before any
whitespace that ends it, so `… close it [1]\\n\\n` never puts the reference on a line of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui_app.stream.reply import ContentBlock

DOCUMENT_LOCATIONS = ("char_location", "page_location", "content_block_location")


@dataclass(frozen=True, slots=True)
class Source:
    """One cited web page or document, numbered from 1."""

    number: int
    title: str
    url: str | None = None
    key: tuple[str, str] = ("", "")
    """What makes two citations the same source: a url, a document's index, a search result's source."""

    def described(self) -> str:
        """`Title — https://…` on one line."""
        title = _one_line(self.title)
        if self.url and _one_line(self.url) != title:
            return f"{title} — {_one_line(self.url)}"
        return title

    def line(self) -> str:
        """`[1] Title — https://…`."""
        return f"[{self.number}] {self.described()}"


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def source_of(citation: dict[str, Any]) -> tuple[tuple[str, str], str, str | None]:
    """A citation's source: its key, its title and its url (for web pages)."""
    kind = _string(citation.get("type"))
    url = _string(citation.get("url"))
    if kind == "web_search_result_location" or url:
        return ("url", url), _string(citation.get("title")) or url or "web page", url or None
    if kind in DOCUMENT_LOCATIONS:
        index = citation.get("document_index")
        title = _string(citation.get("document_title"))
        number = index + 1 if isinstance(index, int) and not isinstance(index, bool) else None
        key = str(index) if number is not None else title
        return ("document", key), title or (f"Document {number}" if number else "a document"), None
    if kind == "search_result_location":
        source = _string(citation.get("source"))
        link = source if source.startswith(("https://", "http://")) else None
        return ("search result", source), _string(citation.get("title")) or source or "a search result", link
    title = _string(citation.get("title")) or _string(citation.get("document_title"))
    return ("other", title or kind), title or kind or "a source", None


def number_sources(blocks: Iterable[ContentBlock]) -> list[Source]:
    """Every source the blocks cite, numbered in the order each is first cited."""
    sources: dict[tuple[str, str], Source] = {}
    for block in blocks:
        for citation in block.citations:
            key, title, url = source_of(citation)
            if key not in sources:
                sources[key] = Source(len(sources) + 1, title, url, key)
    return list(sources.values())


def numbers_of(block: ContentBlock, sources: Sequence[Source]) -> list[int]:
    """The numbers of the sources a block cites, each once, in order."""
    by_key = {source.key: source.number for source in sources}
    numbers: list[int] = []
    for citation in block.citations:
        number = by_key.get(source_of(citation)[0])
        if number is not None and number not in numbers:
            numbers.append(number)
    return sorted(numbers)


def plain_marker(numbers: Sequence[int]) -> str:
    """`[1][2]`."""
    return "".join(f"[{number}]" for number in numbers)


@dataclass(slots=True)
class TextRun:
    """A run of consecutive text blocks as one text, built up piece by piece as they stream.

    Its `block` holds the pieces to show: the blocks' pieces in order, each cited block's markers once the
    block is over. Whitespace that ends what arrived is held back until what follows it is known, so a
    marker goes before it. Pieces are only ever added: text or citations that come to a block after a later
    one has some (no server should send them) are added where they arrive, and `whole` gives the run as it
    should read.
    """

    marker: Callable[[Sequence[int]], str] = plain_marker
    block: ContentBlock = field(default_factory=lambda: ContentBlock(index=0, kind="text"))
    members: list[ContentBlock] = field(default_factory=list)
    _fed: list[int] = field(default_factory=list)
    _marked: list[bool] = field(default_factory=list)
    _held: str = ""

    def add(self, member: ContentBlock) -> None:
        if not self.members:
            self.block.index = member.index
        self.members.append(member)
        self._fed.append(0)
        self._marked.append(False)

    def update(self, sources: Sequence[Source], closed: bool) -> None:
        """Take in what arrived since. `closed`: no more text will join the run (a block came after it, or
        the reply ended), so its last block is over and nothing is held back any longer."""
        last = len(self.members) - 1
        for position, member in enumerate(self.members):
            if len(member.pieces) > self._fed[position]:
                self._take("".join(member.pieces[self._fed[position] :]))
                self._fed[position] = len(member.pieces)
            over = position < last or closed or member.stopped is not None
            if over and not self._marked[position] and member.citations:
                self._marked[position] = True
                numbers = numbers_of(member, sources)
                if numbers:
                    self._mark(self.marker(numbers))
        if closed and self._held:
            self.block.pieces.append(self._held)
            self._held = ""

    def _take(self, text: str) -> None:
        text = self._held + text
        kept = text.rstrip()
        self._held = text[len(kept) :]
        if kept:
            self.block.pieces.append(kept)

    def _mark(self, marker: str) -> None:
        shown = self.block.pieces
        space = " " if shown and not shown[-1][-1:].isspace() else ""
        self.block.pieces.append(space + marker)

    @classmethod
    def whole(cls, members: Iterable[ContentBlock], sources: Sequence[Source],
              marker: Callable[[Sequence[int]], str] = plain_marker) -> TextRun:
        """The run of blocks that have all arrived, as it reads."""
        run = cls(marker)
        for member in members:
            run.add(member)
        run.update(sources, closed=True)
        return run


def text_runs(blocks: Sequence[ContentBlock]) -> list[list[ContentBlock]]:
    """The reply's text blocks, in runs of consecutive ones."""
    runs: list[list[ContentBlock]] = []
    previous: ContentBlock | None = None
    for block in blocks:
        if block.kind == "text":
            if previous is not None and previous.kind == "text":
                runs[-1].append(block)
            else:
                runs.append([block])
        previous = block
    return runs


def found_pages(content: Any) -> list[Source]:
    """A web search's results (`web_search_tool_result` content), numbered as they came; empty for an error."""
    pages: list[Source] = []
    for result in content if isinstance(content, list) else []:
        if isinstance(result, dict):
            url = _string(result.get("url"))
            age = _string(result.get("page_age"))
            title = (_string(result.get("title")) or url or "untitled") + (f" ({age})" if age else "")
            pages.append(Source(len(pages) + 1, title, url or None, ("url", url)))
    return pages


def sources_markdown(sources: Sequence[Source]) -> str:
    """The `Sources` list that ends a reply, as Markdown."""
    return "Sources:\n\n" + "\n".join(f"- {source.line()}" for source in sources) + "\n"


def reply_markdown(blocks: Sequence[ContentBlock]) -> str:
    """The reply's text as Markdown, each cited part followed by its sources' numbers, and the sources listed
    at the end. Text that cites nothing is exactly the text blocks joined (`Reply.text`)."""
    sources = number_sources(blocks)
    if not sources:
        return "".join(block.text for block in blocks if block.kind == "text")
    parts = [TextRun.whole(run, sources).block.text for run in text_runs(blocks)]
    text = ""
    for part in parts:
        if text and not text.endswith("\n\n") and part:
            text = text.rstrip(" ") + ("\n" if text.endswith("\n") else "\n\n")  # runs apart: paragraphs apart
        text += part
    return text.rstrip() + "\n\n" + sources_markdown(sources)
