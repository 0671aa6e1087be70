"""Textual's Linux driver (private: `textual.drivers.linux_driver`, used on Linux and macOS) makes its
input parser in `LinuxDriver.run_input_thread` from the name `XTermParser` in its own module; pointing
that name at `ExactPasteParser` is the one way in short of copying the input thread."""

from __future__ import annotations

import sys

from tui_app.textual_compat.xterm_parser import ExactPasteParser


def use_exact_paste_parser() -> None:
    """Have the app read bracketed pastes with `ExactPasteParser` on Linux and macOS. Call before the app
    starts; calling again changes nothing."""
    if sys.platform == "win32":  # Textual's Windows driver is another module, and this one cannot be imported there
        return
    from textual.drivers import linux_driver

    linux_driver.XTermParser = ExactPasteParser
