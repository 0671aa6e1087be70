"""The database's tables, one migration per schema version since the first release.

A database records its version in `PRAGMA user_version`. Opening one runs the migrations it lacks, in
order, in one transaction; a database from a newer claude-tui is left untouched.

Values are bound through `storable` and `storable_json`, so what a reply brought (a lone surrogate, a
count past 64 bits, NaN, nesting thousands deep) is saved as near as the tables can hold it.
"""

from __future__ import annotations

import json
import math

MIGRATIONS: tuple[str, ...] = (
    # 1: conversations, their turns, and every wire event of every reply.
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        model TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        role TEXT NOT NULL,
        text TEXT NOT NULL,
        created REAL NOT NULL,
        superseded INTEGER NOT NULL DEFAULT 0,
        model TEXT,
        state TEXT,
        reason TEXT,
        stop_reason TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        first_token REAL,
        total REAL,
        settings TEXT NOT NULL DEFAULT '{}',
        content TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX turns_by_conversation ON turns (conversation_id, position);
    CREATE TABLE events (
        turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        data TEXT NOT NULL,
        arrived REAL NOT NULL,
        problem TEXT,
        PRIMARY KEY (turn_id, seq)
    ) WITHOUT ROWID;
    """,
    # 2: each conversation keeps its own system prompt, temperature and max tokens.
    """
    ALTER TABLE conversations ADD COLUMN system TEXT;
    ALTER TABLE conversations ADD COLUMN temperature REAL;
    ALTER TABLE conversations ADD COLUMN max_tokens INTEGER;
    UPDATE conversations SET max_tokens = (
        SELECT json_extract(settings, '$.max_tokens') FROM turns
        WHERE turns.conversation_id = conversations.id AND role = 'assistant'
        ORDER BY position DESC LIMIT 1
    );
    """,
    # 3: how a conversation asks (thinking, effort, caching), and each reply's full usage and stop details.
    """
    ALTER TABLE conversations ADD COLUMN asking TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE turns ADD COLUMN usage TEXT NOT NULL DEFAULT '{}';
    """,
    # 4: whether a conversation is the user's own ('chat') or another client's, seen through the proxy.
    """
    ALTER TABLE conversations ADD COLUMN kind TEXT NOT NULL DEFAULT 'chat';
    UPDATE conversations SET kind = 'inspected' WHERE title LIKE 'Inspected · %';
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


# Values as the tables can hold them: whatever a reply brought, saving it must not fail.

INTEGERS = range(-(2**63), 2**63)
"""What an INTEGER column holds: SQLite's integers are 64-bit."""

JSON_DEPTH = 100
"""How deep a value's nesting is kept when it cannot be written as it is; deeper values become null."""


def storable_text(text: str) -> str:
    """`text` as valid UTF-8: a lone surrogate (a JSON escape can make one) becomes U+FFFD, and a pair
    split across two deltas comes back together."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def storable(value: object) -> object:
    """A column's value as SQLite takes it: text made valid, an integer out of its range NULL (an unknown
    count, not a wrong one), anything that is not a number or text written as text."""
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return value if value in INTEGERS else None
    return storable_text(value if isinstance(value, str) else str(value))


def storable_json(value: object) -> str:
    """`value` as standard JSON text, whatever it holds. When it cannot be written as it is, what JSON
    cannot say (NaN, an integer of thousands of digits, an object) becomes null, and so does whatever
    nests deeper than `JSON_DEPTH`."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        text = json.dumps(_plain(value, JSON_DEPTH), ensure_ascii=False, allow_nan=False)
    return storable_text(text)


def _plain(value: object, depth: int) -> object:
    """`value` with only what JSON can say, to `depth` levels."""
    if depth <= 0:
        return None
    if isinstance(value, dict):
        return {str(key): _plain(item, depth - 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, depth - 1) for item in value]
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        try:
            str(value)
        except ValueError:  # more digits than Python will write out
            return None
        return value
    return None
