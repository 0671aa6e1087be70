"""A footer that decides itself when to rebuild its keys."""

from __future__ import annotations

from textual.widgets import Footer


def mark_bindings_ready(footer: Footer) -> None:
    """What `Footer.bindings_changed(screen)` does first, for a footer that overrides it: note that the
    screen's bindings are known, so the footer shows its keys.

    Relies on the private reactive `Footer._bindings_ready`, which `Footer.compose` waits on (it composes
    nothing until it is set) and which `bindings_changed` sets. Why: a footer that rebuilds its keys only
    when they change must still let Textual's compose draw them.
    """
    footer._bindings_ready = True
