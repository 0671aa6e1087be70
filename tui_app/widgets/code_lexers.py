"""Syntax highlighting's lexers, made ready on a thread of their own while the code is drawn plain.

A language's lexer compiles its rules the first time it is used in a process, which can take a whole
frame of a streaming reply. Naming the language of a block that names none loads every lexer Pygments
has, to ask each: longer still, the first time. Both are done here, off the screen's thread; a code block
draws its code plain until its lexer is ready, then highlights it (`CodeBlock`).

A thread still shares the interpreter with the screen's thread: while the app starts, the lexers wait
(`hold`) until its first frame is out (`release`).
"""

from __future__ import annotations

# Nothing from Textual's Markdown or Pygments at the top: the app holds and releases the lexers before
# its first frame, and those load only after it.
import threading
from concurrent.futures import Future, ThreadPoolExecutor

PLAIN = "text"
"""The lexer of code in no known language: it never needs making ready."""

_ready: set[str] = {PLAIN}
_preparing: dict[str, Future[str]] = {}
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lexers")
_released = threading.Event()
_released.set()


def hold() -> None:
    """Make no lexer ready until `release`."""
    _released.clear()


def release() -> None:
    _released.set()


def is_ready(language: str) -> bool:
    """Whether highlighting `language` now costs only the highlighting."""
    return language in _ready


def prepare(language: str) -> Future[str]:
    """Make `language`'s lexer ready (at most once per process); resolves to the language."""
    if language not in _preparing:
        _preparing[language] = _executor.submit(_build, language)
    return _preparing[language]


def guess(code: str) -> Future[str]:
    """The language `code` looks like, with its lexer made ready."""
    return _executor.submit(_guess_and_build, code)


def _guess_and_build(code: str) -> str:
    from textual.highlight import guess_language

    _released.wait()
    return _build(guess_language(code, None))


def _build(language: str) -> str:
    # (Imported here: the app imports this module before its first frame, and Markdown only after it.)
    from textual.widgets.markdown import MarkdownFence

    _released.wait()
    try:
        MarkdownFence.highlight("", language)  # builds the lexer, or finds it unknown (drawn as text)
    finally:
        _ready.add(language)
    return language
