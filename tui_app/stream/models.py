"""Which models a backend offers: its own `GET /v1/models` list, or a built-in one when that fails."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_app.stream.events import well_formed

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
MOST_MODELS = 500


async def available_models(client: anthropic.AsyncAnthropic, base_url: str) -> tuple[list[str], str]:
    """The backend's models and a line saying where the list came from."""
    try:
        models: list[str] = []
        async for model in client.with_options(timeout=LIST_TIMEOUT, max_retries=0).models.list(limit=100):
            name = well_formed(str(model.id))  # a server's list may hold anything
            if name not in models:
                models.append(name)
            if len(models) >= MOST_MODELS:
                break
    except Exception as error:  # noqa: BLE001 - any failure means the built-in list, said so on screen
        from tui_app.stream.failures import classify_exception

        reason = classify_exception(error, base_url).message
        return list(BUILTIN_MODELS), f"The backend's model list could not be read ({reason}); these are built in."
    if not models:
        return list(BUILTIN_MODELS), "The backend listed no models; these are built in."
    return models, f"{len(models)} models listed by the backend (GET /v1/models)."
