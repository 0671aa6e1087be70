"""Starting on a theme before anything is styled."""

from __future__ import annotations

from textual.app import App


def set_theme_before_styling(app: App, name: str) -> None:
    """Make `name` (a registered theme) the app's theme, as setting `app.theme` does, but without the
    style sheet refresh that follows: call it before the app first applies its styles.

    Does what the private `App._watch_theme` does, less `_invalidate_css` and `refresh_css`: sets the
    `theme` reactive without its watcher, sets the app's `-theme-NAME`, `-dark-mode` and `-light-mode`
    classes, and rebuilds the ANSI colour filter with the private `App._refresh_truecolor_filter(theme)`.
    Why: a theme set after the style sheet is first applied parses and applies it all again.
    """
    app.set_reactive(App.theme, name)
    dark = app.current_theme.dark
    classes = {existing: False for existing in app.classes if existing.startswith("-theme-")}
    classes.update({f"-theme-{name}": True, "-dark-mode": dark, "-light-mode": not dark})
    app.update_classes(classes, update=False)
    app._refresh_truecolor_filter(app.ansi_theme)
