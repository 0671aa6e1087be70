"""F4: the model, system prompt, temperature and max tokens of the conversation on screen."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from tui_app.model.conversation import ChatSettings
from tui_app.text_safety import neutralize


def parse_chat_settings(current: ChatSettings, model: str, system: str, temperature: str,
                        max_tokens: str) -> ChatSettings | str:
    """The new settings, or what is wrong with the input in words a person can act on."""
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
    return replace(current, model=model, system=system.strip() or None, temperature=chosen_temperature,
                   max_tokens=tokens)


class ChatSettingsScreen(ModalScreen[ChatSettings | None]):
    """Dismisses with the new settings on save (Ctrl+S or the button), None on Escape."""

    AUTO_FOCUS = "#chat-settings-model"

    DEFAULT_CSS = """
    ChatSettingsScreen { align: center middle; background: $background 60%; }
    #chat-settings {
        width: 84; max-width: 100%; height: auto; max-height: 95%; padding: 0 1;
        border: round $primary; border-title-color: $primary; background: $surface;
    }
    #chat-settings Label { margin: 1 0 0 0; color: $secondary; }
    #chat-settings-models-note, #chat-settings-problem { color: $foreground 70%; height: auto; }
    #chat-settings-problem { color: $error; }
    #chat-settings-system { height: 6; }
    #chat-settings-numbers { height: auto; }
    #chat-settings-numbers Vertical { height: auto; width: 1fr; }
    #chat-settings-buttons { height: auto; margin: 1 0 0 0; align-horizontal: right; }
    #chat-settings-buttons Button { margin: 0 0 0 2; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, current: ChatSettings, models: list[str], models_note: str) -> None:
        super().__init__()
        self.current = current
        self.models = models if current.model in models else [current.model, *models]
        self.models_note = models_note

    def compose(self) -> ComposeResult:
        current = self.current
        with Vertical(id="chat-settings") as box:
            box.border_title = "Model and settings for this conversation"
            yield Label("Model")
            choices = [(Content(neutralize(model)), model) for model in self.models]
            yield Select(choices, value=current.model, allow_blank=False, id="chat-settings-model")
            yield Static(Content(neutralize(self.models_note)), id="chat-settings-models-note")
            yield Label("System prompt")
            yield TextArea(current.system or "", id="chat-settings-system", soft_wrap=True)
            with Horizontal(id="chat-settings-numbers"):
                with Vertical():
                    yield Label("Temperature, 0 to 1 (empty: default)")
                    temperature = "" if current.temperature is None else f"{current.temperature:g}"
                    yield Input(temperature, id="chat-settings-temperature")
                with Vertical():
                    yield Label("Max tokens")
                    yield Input(str(current.max_tokens), id="chat-settings-max-tokens")
            yield Static(id="chat-settings-problem")
            with Horizontal(id="chat-settings-buttons"):
                yield Button("Cancel (Esc)", id="chat-settings-cancel")
                yield Button("Save (Ctrl+S)", id="chat-settings-save", variant="primary")

    def action_save(self) -> None:
        model = self.query_one("#chat-settings-model", Select).value
        result = parse_chat_settings(
            self.current,
            str(model),
            self.query_one("#chat-settings-system", TextArea).text,
            self.query_one("#chat-settings-temperature", Input).value,
            self.query_one("#chat-settings-max-tokens", Input).value,
        )
        if isinstance(result, str):
            self.query_one("#chat-settings-problem", Static).update(Content(result))
            return
        self.dismiss(result)

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
