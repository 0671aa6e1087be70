"""Whether this app process draws into a browser page (`--serve`) rather than a terminal."""

from __future__ import annotations

from collections.abc import Mapping

WEB_DRIVER = "textual.drivers.web_driver:WebDriver"
"""The driver textual-serve names in each app process's environment."""


def in_browser(environ: Mapping[str, str]) -> bool:
    return environ.get("TEXTUAL_DRIVER") == WEB_DRIVER
