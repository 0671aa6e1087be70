"""What a reply's `usage` says beyond input and output tokens: prompt-cache writes (by time to live) and
reads, thinking tokens, and server tool requests."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from tui_app.stream.events import as_count, as_dict


@dataclass(slots=True)
class TokenUsage:
    """Counts the server reported; None where it reported none."""

    cache_write: int | None = None
    """`cache_creation_input_tokens`: input written to the prompt cache."""
    cache_write_5m: int | None = None
    cache_write_1h: int | None = None
    cache_read: int | None = None
    """`cache_read_input_tokens`: input read from the prompt cache."""
    thinking: int | None = None
    """`output_tokens_details.thinking_tokens`: output spent thinking (counted in the output tokens)."""
    web_search_requests: int | None = None
    web_fetch_requests: int | None = None

    def take(self, usage: dict[str, Any]) -> None:
        """Fold in a `usage` object from `message_start`, `message_delta` or a whole Message: its counts are
        cumulative, so each one given replaces the one before."""
        if (value := as_count(usage.get("cache_creation_input_tokens"))) is not None:
            self.cache_write = value
        if (value := as_count(usage.get("cache_read_input_tokens"))) is not None:
            self.cache_read = value
        split = as_dict(usage.get("cache_creation"))
        if (value := as_count(split.get("ephemeral_5m_input_tokens"))) is not None:
            self.cache_write_5m = value
        if (value := as_count(split.get("ephemeral_1h_input_tokens"))) is not None:
            self.cache_write_1h = value
        if (value := as_count(as_dict(usage.get("output_tokens_details")).get("thinking_tokens"))) is not None:
            self.thinking = value
        tools = as_dict(usage.get("server_tool_use"))
        if (value := as_count(tools.get("web_search_requests"))) is not None:
            self.web_search_requests = value
        if (value := as_count(tools.get("web_fetch_requests"))) is not None:
            self.web_fetch_requests = value

    @property
    def cached(self) -> bool:
        """Whether the prompt cache was written or read at all."""
        return bool(self.cache_write or self.cache_read)

    def total_input(self, input_tokens: int | None) -> int | None:
        """All input of the request: uncached, written to the cache and read from it."""
        if input_tokens is None and not self.cached:
            return None
        return (input_tokens or 0) + (self.cache_write or 0) + (self.cache_read or 0)

    def to_record(self) -> dict[str, int]:
        return {name: value for name, value in asdict(self).items() if value is not None}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TokenUsage:
        return cls(**{item.name: as_count(record.get(item.name)) for item in fields(cls)})

    def add(self, other: TokenUsage) -> None:
        """Add another reply's counts (a conversation's total)."""
        for item in fields(self):
            mine, theirs = getattr(self, item.name), getattr(other, item.name)
            if theirs is not None:
                setattr(self, item.name, (mine or 0) + theirs)
