"""Conversations in SQLite: saved as they happen, listed, searched, reopened, renamed and deleted.

The file is created owner-only and kept in WAL mode, so two claude-tui windows can share it. A file
that is locked, damaged or from a newer version is reported with `StoreError` and never written to.
Every method is safe to call from any one thread at a time; the app calls them off the UI thread.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tui_app.store.errors import StoreError
from tui_app.store.schema import MIGRATIONS, SCHEMA_VERSION
from tui_app.stream.conversation import ChatSettings, Conversation, Turn
from tui_app.stream.events import WireEvent, wire_event_from_record

BUSY_SECONDS = 3.0
"""How long to wait for another window's write before calling the database locked."""

TURN_FIELDS = ("role", "text", "created", "superseded", "model", "state", "reason", "stop_reason",
               "input_tokens", "output_tokens", "first_token", "total", "settings", "content")


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """A line of the conversations list."""

    id: int
    title: str
    model: str
    created: float
    updated: float
    turns: int
    match: str | None = None
    """Where a search found its text, when the list was searched."""


class Store:
    """One database file. Open it with `Store.open`; close it when done."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating it owner-only if needed) and bring its schema up to date. Raises StoreError."""
        try:
            _create_private(path)
            connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None,
                                         check_same_thread=False)
        except OSError as error:
            raise StoreError(f"cannot create {path}: {error.strerror or error}") from None
        except sqlite3.Error as error:
            raise _explain(error, path) from None
        store = cls(path, connection)
        try:
            store._prepare()
        except sqlite3.Error as error:
            connection.close()
            raise _explain(error, path) from None
        except StoreError:
            connection.close()
            raise
        return store

    def _prepare(self) -> None:
        db = self._db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer claude-tui (schema {version}; this one "
                             f"knows up to {SCHEMA_VERSION}); it was left untouched")
        db.execute("PRAGMA foreign_keys = ON")
        # Claim the write lock before anything else: a locked file is found now, not mid-reply.
        db.execute("BEGIN IMMEDIATE")
        try:
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    db.execute(statement)
            if version != SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                raise _explain(error, self.path) from None

    def _read(self, sql: str, parameters: Iterable[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                cursor = self._db.execute(sql, tuple(parameters))
                cursor.row_factory = sqlite3.Row
                return cursor.fetchall()
            except sqlite3.Error as error:
                raise _explain(error, self.path) from None

    # Writing, as a conversation happens.

    def save_conversation(self, conversation: Conversation) -> int:
        """Insert or update the conversation's own row (title, settings); return its id."""
        settings = conversation.settings
        row = (conversation.title, settings.model, settings.system, settings.temperature, settings.max_tokens)
        with self._transaction() as db:
            if conversation.id is None:
                cursor = db.execute(
                    "INSERT INTO conversations (title, model, system, temperature, max_tokens, created, updated)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", (*row, conversation.created, time.time()))
                conversation.id = cursor.lastrowid
            else:
                db.execute("UPDATE conversations SET title = ?, model = ?, system = ?, temperature = ?, "
                           "max_tokens = ?, updated = ? WHERE id = ?", (*row, time.time(), conversation.id))
        assert conversation.id is not None
        return conversation.id

    def save_turn(self, conversation_id: int, position: int, turn: Turn) -> int:
        """Insert or update a turn at its position in the conversation; return its id."""
        values = _turn_values(turn)
        with self._transaction() as db:
            if turn.id is None:
                cursor = db.execute(
                    f"INSERT INTO turns (conversation_id, position, {', '.join(TURN_FIELDS)}) "
                    f"VALUES (?, ?, {', '.join('?' * len(TURN_FIELDS))})", (conversation_id, position, *values))
                turn.id = cursor.lastrowid
            else:
                assignments = ", ".join(f"{name} = ?" for name in TURN_FIELDS)
                db.execute(f"UPDATE turns SET {assignments} WHERE id = ?", (*values, turn.id))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (time.time(), conversation_id))
        assert turn.id is not None
        return turn.id

    def add_events(self, turn_id: int, events: Sequence[WireEvent]) -> None:
        if not events:
            return
        # Rows made one at a time as SQLite takes them: a long reply's last batch can be 100,000 events.
        rows = ((turn_id, event.seq, event.name, event.data, event.arrived, event.problem) for event in events)
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO events (turn_id, seq, name, data, arrived, problem) "
                           "VALUES (?, ?, ?, ?, ?, ?)", rows)

    def rename(self, conversation_id: int, title: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete(self, conversation_id: int) -> None:
        """Delete a conversation with its turns and events."""
        with self._transaction() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # Reading back.

    def conversations(self, search: str | None = None, limit: int = 500) -> list[ConversationSummary]:
        """Newest first; with `search`, only those whose title or text contains it (any case)."""
        turns = "(SELECT count(*) FROM turns WHERE turns.conversation_id = c.id)"
        sql = f"SELECT c.id, c.title, c.model, c.created, c.updated, {turns} AS turns FROM conversations c"
        parameters: list[object] = []
        pattern = None
        if search:
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            sql += (" WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM turns t "
                    "WHERE t.conversation_id = c.id AND t.text LIKE ? ESCAPE '\\')")
            parameters += [pattern, pattern]
        sql += " ORDER BY c.updated DESC, c.id DESC LIMIT ?"
        rows = self._read(sql, [*parameters, limit])
        summaries = []
        for row in rows:
            match = self._match(row["id"], pattern, search) if search else None
            summaries.append(ConversationSummary(row["id"], row["title"], row["model"], row["created"],
                                                 row["updated"], row["turns"], match))
        return summaries

    def _match(self, conversation_id: int, pattern: str | None, search: str) -> str | None:
        rows = self._read("SELECT text FROM turns WHERE conversation_id = ? AND text LIKE ? ESCAPE '\\' "
                          "ORDER BY position LIMIT 1", (conversation_id, pattern))
        return _snippet(rows[0]["text"], search) if rows else None

    def last_conversation_id(self) -> int | None:
        rows = self._read("SELECT id FROM conversations ORDER BY updated DESC, id DESC LIMIT 1")
        return rows[0]["id"] if rows else None

    def load(self, conversation_id: int) -> Conversation:
        """The conversation with all its turns (events stay on disk: see `events`). Raises StoreError."""
        rows = self._read("SELECT * FROM conversations WHERE id = ?", (conversation_id,))
        if not rows:
            raise StoreError(f"there is no conversation {conversation_id} in {self.path}")
        row = rows[0]
        settings = ChatSettings(model=row["model"], max_tokens=row["max_tokens"] or 0, system=row["system"],
                                temperature=row["temperature"])
        conversation = Conversation(settings, id=row["id"], title=row["title"], created=row["created"])
        for turn_row in self._read("SELECT * FROM turns WHERE conversation_id = ? ORDER BY position",
                                   (conversation_id,)):
            conversation.turns.append(_turn_from_row(turn_row))
        return conversation

    def events(self, turn_id: int) -> list[WireEvent]:
        rows = self._read("SELECT seq, name, data, arrived, problem FROM events WHERE turn_id = ? ORDER BY seq",
                          (turn_id,))
        return [wire_event_from_record(row["seq"], row["name"], row["data"], row["arrived"], row["problem"])
                for row in rows]


def _create_private(path: Path) -> None:
    """Make the folder and an empty file readable by the owner only, before SQLite opens it."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _statements(script: str) -> list[str]:
    """A migration's statements, run one by one: `executescript` would commit our transaction first."""
    return [statement.strip() for statement in script.split(";") if statement.strip()]


def _turn_values(turn: Turn) -> tuple[object, ...]:
    values = []
    for name in TURN_FIELDS:
        value = getattr(turn, name)
        if name in ("settings", "content"):
            value = json.dumps(value, ensure_ascii=False)
        elif name == "superseded":
            value = int(value)
        values.append(value)
    return tuple(values)


def _turn_from_row(row: sqlite3.Row) -> Turn:
    turn = Turn(role=row["role"], text=row["text"], created=row["created"], id=row["id"],
                superseded=bool(row["superseded"]))
    for name in TURN_FIELDS[4:]:
        value = row[name]
        if name in ("settings", "content"):
            try:
                value = json.loads(value)
            except ValueError:
                value = {} if name == "settings" else []
        setattr(turn, name, value)
    return turn


def _snippet(text: str, search: str, width: int = 60) -> str:
    at = text.lower().find(search.lower())
    if at < 0:
        return text[:width]
    start = max(0, at - width // 3)
    snippet = text[start : start + width].replace("\n", " ")
    return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")


def _explain(error: sqlite3.Error, path: Path) -> StoreError:
    message = str(error)
    if "locked" in message or "busy" in message:
        return StoreError(f"{path} is locked by another program (waited {BUSY_SECONDS:g} s); "
                          "nothing was written to it")
    if "not a database" in message or "malformed" in message or "corrupt" in message:
        return StoreError(f"{path} is damaged or is not a claude-tui database ({message}); it was left "
                          "untouched: move it aside to start a new one")
    if "readonly" in message or "unable to open" in message:
        return StoreError(f"{path} cannot be written ({message})")
    return StoreError(f"{path}: {message}")
