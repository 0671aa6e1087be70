"""Whether this app process draws into a browser page (`--serve`) rather than a terminal."""

from __future__ import annotations

from collections.abc import Mapping

WEB_DRIVER = "textual.drivers.web_driver:WebDriver"
"""The driver textual-serve names in each app process's environment."""


def in_browser(environ: Mapping[str, str]) -> bool:
    return environ.get("TEXTUAL_DRIVER") == WEB_DRIVER


PR_SET_PDEATHSIG = 1


def end_with_the_server() -> None:
    """Have this process sent SIGTERM when the server that started it dies, however it dies (Linux; elsewhere
    a session ends when the server stops it). Without it, a killed server leaves its sessions running."""
    import ctypes
    import ctypes.util
    import os
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the server was already gone before the call
        os.kill(os.getpid(), signal.SIGTERM)
