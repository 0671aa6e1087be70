"""F4: the model, system prompt, temperature, max tokens, thinking, effort and prompt caching of the
conversation on screen. The model is picked from the backend's list (each shown with what it can do) or typed,
since a server may serve models it does not list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from tui_app.model.asking import (
    CACHE_TTLS,
    DISPLAYS,
    EFFORTS,
    SMALLEST_BUDGET,
    asking_problems,
    parse_choice,
    parse_thinking,
    thinking_param,
)
from tui_app.model.conversation import ChatSettings
from tui_app.stream.models import ModelInfo, short_count
from tui_app.text_safety import neutralize

HINT = f"Empty: the model's default. Thinking: off, adaptive, or a budget of {SMALLEST_BUDGET:,}+ tokens."


def sentence(text: str) -> str:
    """`asking`'s messages as a sentence on their own."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else f"{text}."


def parse_chat_settings(current: ChatSettings, model: str, system: str, temperature: str, max_tokens: str, *,
                        thinking: str = "", display: str = "summarized", effort: str = "",
                        cache: str = "") -> ChatSettings | str:
    """The new settings, or what is wrong with the input in words a person can act on. Empty thinking,
    effort or caching leaves it to the model (caching off)."""
    model = model.strip()
    if not model:
        return "Name a model: pick one from the list or type its name."
    temperature = temperature.strip()
    try:
        chosen_temperature = float(temperature) if temperature else None
    except ValueError:
        return f"Temperature must be a number from 0 to 1 (or empty for the model's default), not “{temperature}”."
    if chosen_temperature is not None and not 0 <= chosen_temperature <= 1:
        return "Temperature must be from 0 to 1."
    try:
        tokens = int(max_tokens.strip())
    except ValueError:
        return f"Max tokens must be a whole number, not “{max_tokens.strip()}”."
    if tokens < 1:
        return "Max tokens must be at least 1."
    try:
        chosen_thinking = parse_thinking(thinking) if thinking.strip() else None
        chosen_display = parse_choice("thinking shown", display, DISPLAYS)
        chosen_effort = parse_choice("effort", effort, EFFORTS) if effort.strip() else None
        chosen_cache = parse_choice("prompt caching", cache, CACHE_TTLS) if cache.strip() else None
    except ValueError as error:
        return sentence(str(error))
    problems = asking_problems(max_tokens=tokens, temperature=chosen_temperature, thinking=chosen_thinking)
    if problems:
        return " ".join(sentence(problem) for problem in problems)
    return replace(current, model=model, system=system.strip() or None, temperature=chosen_temperature,
                   max_tokens=tokens, thinking=chosen_thinking, thinking_display=chosen_display,
                   effort=chosen_effort, cache=chosen_cache)


def model_refusals(info: ModelInfo | None, settings: ChatSettings) -> list[str]:
    """What the model's listed capabilities say it would refuse in these settings (nothing when unknown)."""
    if info is None:
        return []
    asked = thinking_param(settings.thinking, settings.thinking_display)
    return [f"{problem}." for problem in info.refusals(
        thinking_type=asked["type"] if asked else None, effort=settings.effort, max_tokens=settings.max_tokens)]


def about_model(info: ModelInfo | None, name: str, listed: bool) -> str:
    """What is known of the model named: its window, reply size, thinking and effort, or that nothing is."""
    if info is None:
        return (f"{name or 'No model'}: not in the list, asked for as typed; what it can do is unknown."
                if listed else f"{name or 'No model'}: what it can do is unknown.")
    said = [info.display_name or info.id]
    if info.max_input_tokens:
        said.append(f"context {short_count(info.max_input_tokens)} tokens")
    if info.max_tokens:
        said.append(f"replies up to {short_count(info.max_tokens)}")
    if (types := info.thinking_types) is not None:
        words = [word for kind, word in (("adaptive", "adaptive"), ("enabled", "budget"), ("disabled", "off"))
                 if kind in types]
        said.append("thinking " + (", ".join(words) or "none"))
    if (levels := info.effort_levels) is not None:
        said.append("effort " + (", ".join(levels) or "none"))
    if len(said) == 1:
        said.append("what it can do was not listed")
    if info.lifecycle and info.lifecycle != "active":
        said.append(info.lifecycle)
    return " · ".join(said)


class ChatSettingsScreen(ModalScreen[ChatSettings | None]):
    """Dismisses with the new settings on save (Ctrl+S or the button), None on Escape. Settings the model's
    capabilities say it refuses are named first, and saved when saving again."""

    AUTO_FOCUS = None  # focused in on_mount without centring it, which would scroll its label away

    DEFAULT_CSS = """
    ChatSettingsScreen { align: center middle; background: $background 60%; }
    #chat-settings {
        width: 84; max-width: 100%; height: auto; max-height: 95%; padding: 0 1;
        border: round $primary; border-title-color: $primary; background: $surface; scrollbar-size-vertical: 1;
    }
    #chat-settings-model > SelectCurrent { padding: 0 1; }
    #chat-settings-model > SelectOverlay { padding: 0; }
    #chat-settings Label { color: $secondary; }
    #chat-settings-system-label { margin: 1 0 0 0; }
    #chat-settings-model SelectCurrent Static#label, #chat-settings-model SelectOverlay {
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    #chat-settings-models-note, #chat-settings-about, #chat-settings-hint { color: $foreground 70%; height: auto; }
    #chat-settings-problem { color: $error; height: auto; }
    #chat-settings-warning { color: $warning; height: auto; }
    #chat-settings-system { height: 5; }
    .chat-settings-row { height: auto; margin: 1 0 0 0; }
    #chat-settings-hint { margin: 1 0 0 0; }
    .chat-settings-row Vertical { height: auto; width: 1fr; }
    #chat-settings-buttons { height: auto; margin: 1 0 0 0; align-horizontal: right; }
    #chat-settings-buttons Button { margin: 0 0 0 2; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        # Not priority: the key waits behind the keys typed before it, so what is saved is what was typed.
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, current: ChatSettings, models: Sequence[ModelInfo | str], models_note: str) -> None:
        super().__init__()
        self.current = current
        infos = [model if isinstance(model, ModelInfo) else ModelInfo(str(model)) for model in models]
        self.infos = {info.id: info for info in infos}
        self.models = [info.id for info in infos]
        """The ids offered, the conversation's own first when the list does not hold it."""
        if current.model not in self.infos:
            self.models.insert(0, current.model)
        self.models_note = models_note
        self.typed = {neutralize(model): model for model in self.models}
        """The name field shows ids made safe; this gives back the id each stands for."""
        self.warned: list[str] = []
        """The warnings on screen when saving was last asked for: saving again keeps the settings anyway."""

    def compose(self) -> ComposeResult:
        current = self.current
        with VerticalScroll(id="chat-settings") as box:
            box.border_title = "Model and settings for this conversation"
            yield Label("Model: pick one, or type a name the backend serves")
            choices = [(self.option(model), model) for model in self.models]
            yield Select(choices, value=current.model, allow_blank=False, id="chat-settings-model")
            yield Input(neutralize(current.model), placeholder="model name", id="chat-settings-model-name",
                        suggester=SuggestFromList(list(self.typed), case_sensitive=False))
            yield Static(id="chat-settings-about")
            yield Static(Content(neutralize(self.models_note)), id="chat-settings-models-note")
            yield Label("System prompt", id="chat-settings-system-label")
            yield TextArea(current.system or "", id="chat-settings-system", soft_wrap=True)
            with Horizontal(classes="chat-settings-row"):
                with Vertical():
                    yield Label("Temperature")
                    temperature = "" if current.temperature is None else f"{current.temperature:g}"
                    yield Input(temperature, placeholder="0 to 1", id="chat-settings-temperature")
                with Vertical():
                    yield Label("Max tokens")
                    yield Input(str(current.max_tokens), id="chat-settings-max-tokens")
                with Vertical():
                    yield Label("Effort")
                    efforts = [("default", ""), *((level, level) for level in EFFORTS)]
                    yield Select(efforts, value=current.effort if current.effort in EFFORTS else "",
                                 allow_blank=False, id="chat-settings-effort")
            with Horizontal(classes="chat-settings-row"):
                with Vertical():
                    yield Label("Thinking")
                    yield Input(current.thinking or "", placeholder="default", id="chat-settings-thinking",
                                suggester=SuggestFromList(["adaptive", "off"], case_sensitive=False))
                with Vertical():
                    yield Label("Thinking shown")
                    display = current.thinking_display if current.thinking_display in DISPLAYS else DISPLAYS[0]
                    yield Select([(shown, shown) for shown in DISPLAYS], value=display, allow_blank=False,
                                 id="chat-settings-thinking-display")
                with Vertical():
                    yield Label("Prompt caching")
                    caching = [("off", ""), *((f"{ttl} cache", ttl) for ttl in CACHE_TTLS)]
                    yield Select(caching, value=current.cache if current.cache in CACHE_TTLS else "",
                                 allow_blank=False, id="chat-settings-cache")
            yield Static(HINT, id="chat-settings-hint")
            yield Static(id="chat-settings-problem")
            yield Static(id="chat-settings-warning")
            with Horizontal(id="chat-settings-buttons"):
                yield Button("Cancel (Esc)", id="chat-settings-cancel")
                yield Button("Save (Ctrl+S)", id="chat-settings-save", variant="primary")

    def option(self, model: str) -> Content:
        info = self.infos.get(model)
        return Content(neutralize(info.describe() if info else f"{model} · not in the list"))

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#chat-settings-model", Select), scroll_visible=False)
        self.say("#chat-settings-problem", "")
        self.changed()

    def chosen_model(self) -> str:
        """The id the name field stands for: a listed one, or the name as typed."""
        typed = self.query_one("#chat-settings-model-name", Input).value
        return self.typed.get(typed) or self.typed.get(typed.strip()) or typed.strip()

    def show_model(self) -> None:
        model = self.chosen_model()
        about = about_model(self.infos.get(model), model, listed=bool(self.infos))
        self.query_one("#chat-settings-about", Static).update(Content(neutralize(about)))

    def read(self) -> ChatSettings | str:
        def value(selector: str) -> str:
            return str(self.query_one(selector, Select).value)

        return parse_chat_settings(
            self.current,
            self.chosen_model(),
            self.query_one("#chat-settings-system", TextArea).text,
            self.query_one("#chat-settings-temperature", Input).value,
            self.query_one("#chat-settings-max-tokens", Input).value,
            thinking=self.query_one("#chat-settings-thinking", Input).value,
            display=value("#chat-settings-thinking-display"),
            effort=value("#chat-settings-effort"),
            cache=value("#chat-settings-cache"),
        )

    def say(self, selector: str, text: str) -> Static:
        """Show `text` (untrusted parts included) on one of the message lines, hidden while empty."""
        line = self.query_one(selector, Static)
        line.update(Content(neutralize(text)))
        line.display = bool(text)
        return line

    def show_warnings(self, result: ChatSettings | str) -> list[str]:
        warnings = [] if isinstance(result, str) else model_refusals(self.infos.get(result.model), result)
        again = " Ctrl+S again saves anyway." if warnings and warnings == self.warned else ""
        self.say("#chat-settings-warning", " ".join(warnings) + again)
        return warnings

    def action_save(self) -> None:
        result = self.read()
        problem = self.say("#chat-settings-problem", result if isinstance(result, str) else "")
        if isinstance(result, str):
            self.show_warnings(result)
            problem.scroll_visible()
            return
        warnings = model_refusals(self.infos.get(result.model), result)
        if warnings and warnings != self.warned:
            self.warned = warnings
            self.show_warnings(result)
            self.query_one("#chat-settings-warning").scroll_visible()
            return
        self.dismiss(result)

    @on(Select.Changed)
    def picked(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "chat-settings-model" and self.chosen_model() != event.value:
            self.query_one("#chat-settings-model-name", Input).value = neutralize(str(event.value))
        self.changed()

    @on(Input.Changed)
    def typed_in(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.id == "chat-settings-model-name" and (model := self.chosen_model()) in self.models:
            self.query_one("#chat-settings-model", Select).value = model
        self.changed()

    def changed(self) -> None:
        """Keep what is said of the model and of its refusals in step with the fields."""
        self.show_model()
        self.show_warnings(self.read())

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "chat-settings-save":
            self.action_save()
        else:
            self.dismiss(None)
