"""Files that hold conversations are created readable by their owner only.

A new file is created with mode 0600 in the same call that creates it (`os.open` with `O_CREAT`), so it
is never visible to other users, not even for a moment; the umask can only narrow that. A file that
already exists keeps its mode: the user chose it. A symlink is followed to the file it names, which is
then created 0600 or keeps its own mode, like any other path (`--events /dev/stdout` must work).

Text is UTF-8; a character UTF-8 cannot hold (a lone surrogate) is written as a backslash escape, which
is also how JSON spells it, rather than failing the whole write.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import TextIO

PRIVATE_MODE = 0o600
_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
"""Not inherited by child processes; on Windows, no second newline translation under Python's own."""


def open_private_append(path: Path) -> TextIO:
    """Open `path` for appending UTF-8 text, creating it 0600. Raises OSError."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _FLAGS, PRIVATE_MODE)
    return os.fdopen(descriptor, "a", encoding="utf-8", errors="backslashreplace")


def write_private_text(path: Path, text: str) -> None:
    """Replace the contents of `path` with `text` as UTF-8, creating it 0600. Raises OSError."""
    descriptor = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_CREAT | _FLAGS, PRIVATE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace") as file:
        file.write(text)


def replace_keeping_mode(path: Path, text: str) -> None:
    """Write `text` to a new file beside `path` with `path`'s mode (0600 when there is no `path` yet),
    then put it in `path`'s place in one step. Raises OSError."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = PRIVATE_MODE
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, mode)  # mkstemp makes it 0600 whatever the umask; the file's own mode wins
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
