"""`claude-tui --serve` in a real browser: Debian's Chromium, headless, driven by Playwright. What the page's
terminal shows is read from the websocket frames the browser receives, drawn through a terminal emulator
(the page draws on a canvas). Skipped, saying why, where no Chromium is installed; CI installs it."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyte
import pytest

from tests.test_serve import Served, start_serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WAIT_MS = 60_000

if CHROMIUM is None:
    reason = "no Chromium here (Debian: apt-get install chromium); .ci/run installs it"
    if os.environ.get("CI"):
        pytest.fail(f"the browser test must run in CI: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Page, WebSocket, sync_playwright  # noqa: E402


class BrowserTerminal:
    """What the page's terminal shows: the frames its websocket receives, drawn at the size the page asked."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.screen = pyte.Screen(80, 24)
        self._stream = pyte.ByteStream(self.screen)
        websocket.on("framesent", self._sent)
        websocket.on("framereceived", self._received)

    def _sent(self, payload: str | bytes) -> None:
        message = json.loads(payload)
        if message[0] == "resize":
            self.screen.resize(message[1]["height"], message[1]["width"])

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            self._stream.feed(payload)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, condition, what: str) -> None:  # noqa: ANN001
        """Until `condition` holds of the screen, as frames arrive."""
        if condition(self.text()):
            return
        try:
            self.websocket.wait_for_event("framereceived", lambda _payload: condition(self.text()), timeout=WAIT_MS)
        except Exception as error:
            raise AssertionError(f"{what} was not shown:\n{self.text()}") from error


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server, _said = start_serving(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def page(served: Served) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.base)
            yield context.new_page()
        finally:
            browser.close()


def test_in_a_browser_a_reply_streams_in_and_is_copied_to_the_browsers_clipboard(served: Served, page: Page) -> None:
    refused = page.goto(served.base + "/")
    assert refused is not None and refused.status == 403  # no token, no app

    terminals: list[BrowserTerminal] = []
    page.on("websocket", lambda websocket: terminals.append(BrowserTerminal(websocket)))  # before its first frame
    page.goto(served.url)
    assert page.url == served.base + "/"  # the token has left the address bar
    if not terminals:  # the page opens its websocket once its script has run
        page.wait_for_event("websocket", timeout=WAIT_MS)
    terminal = terminals[0]
    terminal.wait_for(lambda shown: "Prompt" in shown, "the first screen")

    page.click(".textual-terminal")
    page.keyboard.type("echo copied from a browser")
    terminal.wait_for(lambda shown: "copied from a browser" in shown, "the typed prompt")
    page.keyboard.press("Enter")
    terminal.wait_for(lambda shown: shown.count("copied from a browser") >= 2 and " done" in shown, "the reply")

    page.keyboard.press("Control+y")
    terminal.wait_for(lambda shown: "to this browser's" in shown, "the copy's notice")
    page.wait_for_function("async () => (await navigator.clipboard.readText()).includes('You said:')",
                           polling=100, timeout=WAIT_MS)
    assert page.evaluate("navigator.clipboard.readText()").startswith("You said: echo copied from a browser")
