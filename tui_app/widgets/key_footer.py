"""The footer of keys, redrawn only when the keys it shows change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

from tui_app.textual_compat.footer import mark_bindings_ready

if TYPE_CHECKING:
    from textual.screen import Screen

KeysShown = tuple[object, ...]


class KeyFooter(Footer):
    """Textual's footer, without the redraws that change nothing.

    Textual's footer rebuilds all its key widgets after every change of the screen's bindings, and the
    screen announces one for each change of focus, of the keymap, of the app's focus and for every
    `refresh_bindings`: several in the same moment when a conversation opens, a reply starts or one ends.
    Each rebuild restyles a dozen widgets. Here the
    announcements of one moment make one check, and the keys are rebuilt only if what they show changed.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._check_due = False
        self._shown: KeysShown | None = None

    def bindings_changed(self, screen: Screen) -> None:
        mark_bindings_ready(self)
        if not screen.app.app_focus or self._check_due:
            return
        if self.is_attached and screen is self.screen:
            self._check_due = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._check_due = False
        shown = self.keys_shown()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()

    def keys_shown(self) -> KeysShown:
        """Everything `Footer.compose` draws from: each binding shown, whether it is enabled, its tooltip
        and how its key is displayed."""
        app = self.app
        return (
            self.show_command_palette,
            app.ENABLE_COMMAND_PALETTE,
            *(
                (binding, enabled, tooltip, app.get_key_display(binding))
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
                if binding.show or binding.action == "command_palette"
            ),
        )
