"""Which models a backend offers and what each can do: its own `GET /v1/models` list (ids, context windows,
thinking and effort support), or a built-in list of ids when that fails; and how many input tokens a
request would be (`POST /v1/messages/count_tokens`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui_app.stream.events import as_count, well_formed

if TYPE_CHECKING:
    import anthropic

BUILTIN_MODELS = (
    "claude-opus-5",
    "claude-sonnet-5",
    "claude-opus-4-8",
    "claude-sonnet-4-6",
    "claude-haiku-4-5",
)
"""Current Claude models, offered when the backend cannot list its own."""
LIST_TIMEOUT = 10.0
COUNT_TIMEOUT = 10.0
MOST_MODELS = 500
LONGEST_NAME = 200
"""A display name or lifecycle longer than this is cut: a server's field may hold anything."""
THINKING_TYPES = ("enabled", "adaptive", "disabled")
"""The request's `thinking.type` values a model's capabilities speak of."""
EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")
"""The effort levels a model's capabilities speak of, lowest first."""
THINKING_WORDS = {"enabled": "a thinking budget", "adaptive": "adaptive thinking", "disabled": "thinking off"}


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One model as the backend described it; None, or a capability left out, means the server did not say."""

    id: str
    display_name: str | None = None
    max_input_tokens: int | None = None
    """The context window: how many input tokens one request may hold."""
    max_tokens: int | None = None
    """The most `max_tokens` a request to this model may ask for."""
    thinking: dict[str, bool] = field(default_factory=dict)
    """`enabled` / `adaptive` / `disabled` → whether a request may send that thinking type."""
    effort: dict[str, bool] = field(default_factory=dict)
    """Effort level → whether a request may ask for it."""
    lifecycle: str | None = None
    """`active`, `deprecated` or `retired` (or whatever else a server says)."""

    def takes_thinking(self, kind: str) -> bool | None:
        """Whether the model accepts this `thinking.type`; None when its capabilities do not say."""
        return self.thinking.get(kind)

    def takes_effort(self, level: str) -> bool | None:
        return self.effort.get(level)

    @property
    def thinking_types(self) -> tuple[str, ...] | None:
        """The thinking types known to be accepted, or None when the server said nothing of thinking."""
        return tuple(kind for kind in THINKING_TYPES if self.thinking.get(kind)) if self.thinking else None

    @property
    def effort_levels(self) -> tuple[str, ...] | None:
        return tuple(level for level in EFFORT_LEVELS if self.effort.get(level)) if self.effort else None

    def describe(self) -> str:
        """One line for a model chooser: `claude-opus-4-6 · 200k ctx · thinking adaptive · effort up to max`."""
        parts = [self.id]
        if self.max_input_tokens is not None:
            parts.append(f"{short_count(self.max_input_tokens)} ctx")
        if (types := self.thinking_types) is not None:
            shown = [word for kind, word in (("adaptive", "adaptive"), ("enabled", "budget")) if kind in types]
            parts.append(f"thinking {'/'.join(shown)}" if shown else "no thinking")
        if (levels := self.effort_levels) is not None:
            parts.append(f"effort up to {levels[-1]}" if levels else "no effort")
        if self.lifecycle and self.lifecycle != "active":
            parts.append(self.lifecycle)
        return " · ".join(parts)

    def refusals(self, *, thinking_type: str | None = None, effort: str | None = None,
                 max_tokens: int | None = None) -> list[str]:
        """What this model's capabilities say it would refuse among these settings, in plain words; nothing
        is said of what the capabilities leave unknown."""
        problems = []
        if thinking_type is not None and self.takes_thinking(thinking_type) is False:
            others = [THINKING_WORDS[kind] for kind in self.thinking_types or () if kind in THINKING_WORDS]
            takes = f" (it takes {', '.join(others)})" if others else ""
            problems.append(f"{self.id} does not take {THINKING_WORDS.get(thinking_type, thinking_type)}{takes}")
        if effort is not None and self.takes_effort(effort) is False:
            levels = self.effort_levels
            takes = f" (it takes {', '.join(levels)})" if levels else " (it takes no effort level)"
            problems.append(f"{self.id} does not take effort {effort}{takes}")
        if max_tokens is not None and self.max_tokens is not None and max_tokens > self.max_tokens:
            problems.append(f"{self.id} writes at most {self.max_tokens:,} tokens a reply, "
                            f"fewer than max tokens ({max_tokens:,})")
        if self.lifecycle == "retired":
            problems.append(f"{self.id} is retired: requests naming it fail")
        return problems


def short_count(tokens: int) -> str:
    """`200k`, `1M`, `8.19k`: a token count at a glance."""
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:.3g}M"
    if tokens >= 1000:
        return f"{tokens / 1000:.3g}k"
    return str(tokens)


def _get(value: Any, name: str) -> Any:
    """A field of a JSON object or of an SDK model built from one (unvalidated: any type may be there)."""
    if isinstance(value, dict):
        return value.get(name)
    fields = getattr(value, "__dict__", None)  # the SDK's models keep their fields there, never methods
    if isinstance(fields, dict) and name in fields:
        return fields[name]
    extra = getattr(value, "__pydantic_extra__", None)
    return extra.get(name) if isinstance(extra, dict) else None


def _supported(value: Any) -> bool | None:
    """A `CapabilitySupport`'s `supported`, when it is a true boolean."""
    supported = _get(value, "supported")
    return supported if isinstance(supported, bool) else None


def _text(value: Any) -> str | None:
    return well_formed(value[:LONGEST_NAME]) if isinstance(value, str) and value else None


def _said(within: Any, names: tuple[str, ...]) -> dict[str, bool]:
    """Those of `names` the server said are supported or not, each on its own."""
    said = {name: _supported(_get(within, name)) for name in names}
    return {name: supported for name, supported in said.items() if supported is not None}


def model_info_from(item: Any) -> ModelInfo | None:
    """A `ModelInfo` from one entry of a model list, whatever its shape; None when it has no id."""
    raw_id = _get(item, "id")
    if raw_id is None or isinstance(raw_id, (dict, list)) or not str(raw_id).strip():
        return None
    capabilities = _get(item, "capabilities")
    thinking = _said(_get(_get(capabilities, "thinking"), "types"), THINKING_TYPES)
    if _supported(_get(capabilities, "thinking")) is False:
        thinking = {**thinking, "enabled": False, "adaptive": False}  # `disabled` stays as the server said
    effort = _said(_get(capabilities, "effort"), EFFORT_LEVELS)
    if _supported(_get(capabilities, "effort")) is False:
        effort = dict.fromkeys(EFFORT_LEVELS, False)
    return ModelInfo(
        id=well_formed(str(raw_id)),
        display_name=_text(_get(item, "display_name")),
        max_input_tokens=as_count(_get(item, "max_input_tokens")) or None,
        max_tokens=as_count(_get(item, "max_tokens")) or None,
        thinking=thinking,
        effort=effort,
        lifecycle=_text(_get(item, "lifecycle")),
    )


async def available_models(client: anthropic.AsyncAnthropic, base_url: str) -> tuple[list[ModelInfo], str]:
    """The backend's models and a line saying where the list came from."""
    try:
        models: dict[str, ModelInfo] = {}
        async for item in client.with_options(timeout=LIST_TIMEOUT, max_retries=0).models.list(limit=100):
            info = model_info_from(item)
            if info is not None and info.id not in models:
                models[info.id] = info
            if len(models) >= MOST_MODELS:
                break
    except Exception as error:  # noqa: BLE001 - any failure means the built-in list, said so on screen
        from tui_app.stream.failures import classify_exception

        reason = classify_exception(error, base_url).message
        return builtin_models(), f"The backend's model list could not be read ({reason}); these are built in."
    if not models:
        return builtin_models(), "The backend listed no models; these are built in."
    return list(models.values()), f"{len(models)} models listed by the backend (GET /v1/models)."


def builtin_models() -> list[ModelInfo]:
    """The built-in ids, with nothing known of what they can do."""
    return [ModelInfo(model) for model in BUILTIN_MODELS]


class ModelCatalog:
    """The model list read last in this run, so a context window can be looked up without a request."""

    def __init__(self) -> None:
        self.models: list[ModelInfo] = []
        self.note = ""
        self._by_id: dict[str, ModelInfo] = {}

    async def refresh(self, client: anthropic.AsyncAnthropic, base_url: str) -> tuple[list[ModelInfo], str]:
        """Read the backend's list again and keep it; returns what `available_models` does."""
        self.models, self.note = await available_models(client, base_url)
        self._by_id = {model.id: model for model in self.models}
        return self.models, self.note

    def find(self, model: str | None) -> ModelInfo | None:
        return self._by_id.get(model) if model else None

    def context_window(self, model: str | None) -> int | None:
        """The model's `max_input_tokens`, when the last list said it."""
        info = self.find(model)
        return info.max_input_tokens if info else None


async def count_input_tokens(client: anthropic.AsyncAnthropic, params: dict[str, Any]) -> int | None:
    """How many input tokens the request with these parameters would be, by the backend's count; None when
    it could not be counted (a server without the endpoint, a network failure, an odd answer)."""
    asked = {name: params[name] for name in ("model", "messages", "system", "thinking") if params.get(name)}
    if "model" not in asked or "messages" not in asked:
        return None
    try:
        counted = await client.with_options(timeout=COUNT_TIMEOUT, max_retries=0).messages.count_tokens(**asked)
    except Exception:  # noqa: BLE001 - a count is a nicety; the reply does not depend on it
        return None
    return as_count(_get(counted, "input_tokens"))
