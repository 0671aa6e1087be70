"""Conversations in SQLite: saved as they happen, listed, searched, reopened, renamed and deleted.

The file is created owner-only and kept in WAL mode, so two claude-tui windows can share it. A file
that is locked, not a database or from a newer version is reported with `StoreError` and never written
to. A database that fails SQLite's quick check as it opens is left as it is, and this run's conversations
are kept in a fresh database beside it (`Store.notice` says so); damage met later makes every further
write fail with `StoreError`. Every method is safe to call from any one thread at a time; the app calls
them off the UI thread.
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

from tui_app.model.conversation import ChatSettings, Conversation, Turn
from tui_app.store.errors import StoreError, reason
from tui_app.store.schema import MIGRATIONS, SCHEMA_VERSION, storable, storable_json, storable_text
from tui_app.stream.events import WireEvent, wire_event_from_record
from tui_app.stream.reply import ReplyState

BUSY_SECONDS = 3.0
"""How long to wait for another window's write before calling the database locked."""

CHECK_PROBLEMS = 5
"""The quick check stops after this many problems: one is enough to leave a file alone."""

SQLITE_HEADER = b"SQLite format 3\x00"
"""How every SQLite database begins: a file that does not was never one, and is not called damaged."""

TURN_FIELDS = ("role", "text", "created", "superseded", "model", "state", "reason", "stop_reason",
               "input_tokens", "output_tokens", "first_token", "total", "settings", "content", "usage")
JSON_FIELDS = {"settings": dict, "content": list, "usage": dict}
ASKING_FIELDS = ("thinking", "thinking_display", "effort", "cache")
"""What a conversation asks with beyond its columns, kept as one JSON object."""


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
        """The file conversations are kept in: a fresh one beside the database asked for, if that is damaged."""
        self.notice: str | None = None
        """What the user should be told about where conversations are kept, when it is not where they asked."""
        self.damage: str | None = None
        """What SQLite said when it met damage in the file during this run; nothing more is written to it."""
        self._db = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating it owner-only if needed), check it, and bring its schema up to date.

        A damaged database is left untouched, and conversations are kept in `fresh_path(path)` (made, or
        reused while it is healthy); `notice` then says so. Raises StoreError when the file cannot be used
        (locked, not a database, from a newer claude-tui) or when it and its fresh one are both damaged.
        """
        connection = _connect(path)
        problem = _damage(connection, path)
        if problem is None:
            return cls._prepared(path, connection)
        connection.close()
        fresh = fresh_path(path)
        fresh_connection = _connect(fresh)
        fresh_problem = _damage(fresh_connection, fresh)
        if fresh_problem is not None:
            fresh_connection.close()
            raise StoreError(f"the conversations database {path} is damaged ({problem}), and so is {fresh} "
                             f"({fresh_problem}); both are left untouched")
        store = cls._prepared(fresh, fresh_connection)
        store.notice = (f"the conversations database {path} is damaged ({problem}); it is left untouched; "
                        f"conversations are kept in {fresh}")
        return store

    @classmethod
    def _prepared(cls, path: Path, connection: sqlite3.Connection) -> Store:
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
        """One write, all or nothing; whatever goes wrong in it is raised as StoreError."""
        with self._lock:
            if self.damage is not None:
                raise StoreError(f"{self.path} is damaged ({self.damage}); nothing more is written to it")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    # Some errors end the transaction themselves; rolling back again would hide them.
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except StoreError:
                raise
            except sqlite3.Error as error:
                raise self._failed(error) from None
            except Exception as error:
                raise StoreError(f"{self.path} was not written to: {reason(error)}") from None

    def _read(self, sql: str, parameters: Iterable[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                cursor = self._db.execute(sql, tuple(storable(value) for value in parameters))
                cursor.row_factory = sqlite3.Row
                return cursor.fetchall()
            except sqlite3.Error as error:
                raise self._failed(error) from None

    def _failed(self, error: sqlite3.Error) -> StoreError:
        """The StoreError for `error`; damage also stops every later write to the file."""
        if _is_damage(error):
            self.damage = str(error)
            return StoreError(f"{self.path} is damaged ({error}); nothing more is written to it, so that it "
                              "can still be recovered")
        return _explain(error, self.path)

    # Writing, as a conversation happens.

    def save_conversation(self, conversation: Conversation) -> int:
        """Insert or update the conversation's own row (title, settings); return its id."""
        with self._transaction() as db:
            settings = conversation.settings
            row = (*(storable(value) for value in (conversation.title, settings.model, settings.system,
                                                   settings.temperature, settings.max_tokens)),
                   storable_json({name: getattr(settings, name) for name in ASKING_FIELDS}))
            if conversation.id is None:
                cursor = db.execute(
                    "INSERT INTO conversations (title, model, system, temperature, max_tokens, asking, created, "
                    "updated, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*row, storable(conversation.created), time.time(), conversation.kind))
                conversation.id = cursor.lastrowid
            else:
                db.execute("UPDATE conversations SET title = ?, model = ?, system = ?, temperature = ?, "
                           "max_tokens = ?, asking = ?, updated = ? WHERE id = ?", (*row, time.time(), conversation.id))
        assert conversation.id is not None
        return conversation.id

    def save_turn(self, conversation_id: int, position: int, turn: Turn) -> int:
        """Insert or update a turn at its position in the conversation; return its id."""
        with self._transaction() as db:
            values = _turn_values(turn)
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
        rows = ((turn_id, event.seq, storable_text(event.name), storable_text(event.data), event.arrived,
                 None if event.problem is None else storable_text(event.problem)) for event in events)
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO events (turn_id, seq, name, data, arrived, problem) "
                           "VALUES (?, ?, ?, ?, ?, ?)", rows)

    def rename(self, conversation_id: int, title: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (storable_text(title), conversation_id))

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

    def recent_prompts(self, besides: int | None, limit: int = 1000) -> list[str]:
        """The prompts sent last, newest first, each once, from every conversation of the user's own but
        `besides`."""
        rows = self._read("SELECT text FROM turns WHERE role = 'user' AND conversation_id IS NOT ? AND "
                          "conversation_id IN (SELECT id FROM conversations WHERE kind = 'chat') "
                          "GROUP BY text ORDER BY MAX(created) DESC, MAX(id) DESC LIMIT ?", (besides, limit))
        return [row["text"] for row in rows]

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
                                temperature=row["temperature"], **_asking(row["asking"]))
        conversation = Conversation(settings, id=row["id"], title=row["title"], created=row["created"],
                                    kind=row["kind"])
        for turn_row in self._read("SELECT * FROM turns WHERE conversation_id = ? ORDER BY position",
                                   (conversation_id,)):
            conversation.turns.append(_turn_from_row(turn_row))
        return conversation

    def events(self, turn_id: int) -> list[WireEvent]:
        rows = self._read("SELECT seq, name, data, arrived, problem FROM events WHERE turn_id = ? ORDER BY seq",
                          (turn_id,))
        return [wire_event_from_record(row["seq"], row["name"], row["data"], row["arrived"], row["problem"])
                for row in rows]


def fresh_path(path: Path) -> Path:
    """Where conversations are kept while the database at `path` is damaged: `<stem>.fresh.db` beside it."""
    return path.with_name(f"{path.stem}.fresh{path.suffix}")


def _connect(path: Path) -> sqlite3.Connection:
    try:
        _create_private(path)
        return sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
    except OSError as error:
        raise StoreError(f"cannot create {path}: {error.strerror or error}") from None
    except sqlite3.Error as error:
        raise _explain(error, path) from None


def _damage(connection: sqlite3.Connection, path: Path) -> str | None:
    """What SQLite's quick check finds wrong with the database, before anything is written to it."""
    try:
        rows = connection.execute(f"PRAGMA quick_check({CHECK_PROBLEMS})").fetchall()
    except sqlite3.Error as error:
        if _is_damage(error) and _begins_as_sqlite(path):
            return f"quick_check: {error}"
        connection.close()
        raise _explain(error, path) from None
    problems = [line for row in rows for line in str(row[0]).splitlines() if not line.startswith("***")]
    if problems == ["ok"]:
        return None
    more = f" and {len(problems) - 1} more problems" if len(problems) > 1 else ""
    return f"quick_check: {problems[0]}{more}"


def _begins_as_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _is_damage(error: sqlite3.Error) -> bool:
    """SQLite found the file's pages damaged (or not a database at all)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


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
        if name in JSON_FIELDS:
            value = storable_json(value)
        elif name == "superseded":
            value = int(bool(value))
        elif name == "state":
            value = value.value if value is not None else None
        else:
            value = storable(value)
        values.append(value)
    return tuple(values)


def _turn_from_row(row: sqlite3.Row) -> Turn:
    turn = Turn(role=row["role"], text=row["text"], created=row["created"], id=row["id"],
                superseded=bool(row["superseded"]))
    for name in TURN_FIELDS[4:]:
        value = row[name]
        if name in JSON_FIELDS:
            try:
                value = json.loads(value)
            except (TypeError, ValueError, RecursionError):
                value = None
            if not isinstance(value, JSON_FIELDS[name]):
                value = JSON_FIELDS[name]()
        elif name == "state" and value is not None:
            value = _state(value)
        setattr(turn, name, value)
    return turn


def _asking(text: str) -> dict[str, str]:
    """The saved `asking` object, keeping only the known fields that are text (a newer version may add more)."""
    try:
        saved = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return {}
    if not isinstance(saved, dict):
        return {}
    return {name: saved[name] for name in ASKING_FIELDS if isinstance(saved.get(name), str)}


def _state(value: object) -> ReplyState:
    """A saved state; one this version does not know (saved by a newer one) reads as incomplete."""
    try:
        return ReplyState(value)
    except ValueError:
        return ReplyState.INCOMPLETE


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
