"""Bracketed pastes taken whole, exactly as the terminal sent them.

Textual's `XTermParser` (private: `textual._xterm_parser`) reads an ESC inside a bracketed paste as the
start of a key sequence, so what follows it leaves the paste as key presses: `abc ESC def` arrives as the
keys `^`, `d`, `e`, `f` and then a paste of `abc`, and pasted coloured output comes apart the same way.
`ExactPasteParser` reads everything between ESC[200~ and ESC[201~ itself and hands all other input to
Textual's parser unchanged, so keys, mouse events and terminal replies are read as before.

Its paste is an `ExactPaste`: every widget takes it as a `Paste` whose text shows control characters as
symbols (so none reaches the terminal from an `Input`), and the prompt asks for the exact text.

It also reads ESC CR, which terminals and tmux send for Alt+Enter, as the key `alt+enter`: Textual's
`_sequence_to_key_events` makes it a plain `enter`, so Alt+Enter would send the prompt it should break.

It relies on `textual._parser.Parser`'s protocol: `parse` is a generator that yields `Read1` (with a
timeout in seconds or None), is sent one character at a time, and is thrown `ParseTimeout` when a timeout
passes and `ParseEOF` at the end of input.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from contextlib import suppress

from textual import constants, events
from textual._parser import ParseEOF, ParseTimeout, Read1, TokenCallback
from textual._xterm_parser import XTermParser
from textual.message import Message

from tui_app.text_safety import has_controls, neutralize

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


class ExactPaste(events.Paste):
    """A bracketed paste: `exact` as the terminal sent it; `text` the same, unless it holds control
    characters: then they are shown as symbols (CR, a terminal's line end, is kept)."""

    def __init__(self, exact: str) -> None:
        shown = "\r".join(neutralize(line) for line in exact.split("\r")) if has_controls(exact) else exact
        super().__init__(shown)
        self.exact = exact


# Textual names a message's handlers after its class: widgets' `_on_paste` handlers take this one too.
ExactPaste.handler_name = events.Paste.handler_name


def exact_text(paste: events.Paste) -> str:
    """What was pasted, control characters and all."""
    return paste.exact if isinstance(paste, ExactPaste) else paste.text


ALT_ENTER = "\x1b\r"


class ExactPasteParser(XTermParser):
    """Textual's terminal input parser, with bracketed pastes read whole: an `ExactPaste` of what the
    terminal sent between the brackets, control characters and NULs included."""

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        if sequence == ALT_ENTER:
            yield events.Key("alt+enter", None)
            return
        yield from super()._sequence_to_key_events(sequence, alt)

    def parse(self, token_callback: TokenCallback[Message]) -> Generator[Read1, str, None]:
        keys = super().parse(token_callback)
        awaiting = next(keys)
        held = ""  # the start of what may be ESC[200~, kept from Textual's parser until it is known

        def give(text: str) -> None:
            nonlocal awaiting
            for character in text:
                awaiting = keys.send(character)

        def time_out() -> None:
            # Textual's parser is only waiting on a clock while it holds part of an escape sequence.
            nonlocal awaiting
            if awaiting.timeout is not None:
                awaiting = keys.throw(ParseTimeout())

        try:
            while True:
                try:
                    character = yield self.read1(constants.ESCAPE_DELAY if held else awaiting.timeout)
                except ParseTimeout:
                    give(held)
                    held = ""
                    time_out()
                    continue
                if PASTE_START.startswith(held + character):
                    held += character
                    if held == PASTE_START:
                        held = ""
                        time_out()  # a lone Escape typed just before the paste is sent first
                        token_callback(ExactPaste((yield from self._pasted())))
                    continue
                give(held)
                held = ""
                if PASTE_START.startswith(character):
                    held = character
                else:
                    give(character)
        except ParseEOF:
            give(held)
            with suppress(StopIteration):
                keys.throw(ParseEOF())

    def _pasted(self) -> Generator[Read1, str, str]:
        """Read up to the end of a bracketed paste and return its text."""
        received: list[str] = []
        while True:
            character = yield self.read1()
            received.append(character)
            if character == "~" and "".join(received[-len(PASTE_END):]) == PASTE_END:
                return "".join(received[: -len(PASTE_END)])
