"""The database's tables, one migration per schema version since the first release.

A database records its version in `PRAGMA user_version`. Opening one runs the migrations it lacks, in
order, in one transaction; a database from a newer claude-tui is left untouched.
"""

from __future__ import annotations

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
)

SCHEMA_VERSION = len(MIGRATIONS)
