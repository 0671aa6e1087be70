"""The conversations database: round trips, migrations, permissions, and files it must not touch."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest

from tui_app.model.conversation import ChatSettings, Conversation
from tui_app.store.database import Store, StoreError
from tui_app.store.export import to_json, to_markdown
from tui_app.store.schema import MIGRATIONS, SCHEMA_VERSION
from tui_app.stream.events import wire_event_from_record
from tui_app.stream.reply import ReplyState


def sample_conversation() -> Conversation:
    conversation = Conversation(ChatSettings("claude-sonnet-5", 1024, system="Be brief.", temperature=0.3))
    for state in ReplyState:
        conversation.add_user(f"prompt for {state.value}\nsecond line")
        reply = conversation.add_reply("claude-sonnet-5")
        reply.state = state
        reply.text = f"reply that ended {state.value}"
        reply.reason = None if state is ReplyState.DONE else f"why {state.value}"
        reply.stop_reason = "end_turn" if state is ReplyState.DONE else None
        reply.input_tokens, reply.output_tokens = 12, 34
        reply.first_token, reply.total = 0.25, 1.5
        reply.settings = {"model": "claude-sonnet-5", "max_tokens": 1024}
        reply.content = [{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": reply.text},
                         {"type": "tool_use", "name": "get_weather", "input": {"city": "Paris"}}]
    conversation.turns[1].superseded = True
    return conversation


def save(store: Store, conversation: Conversation) -> None:
    store.save_conversation(conversation)
    assert conversation.id is not None
    for position, turn in enumerate(conversation.turns):
        store.save_turn(conversation.id, position, turn)


EVENTS = [
    wire_event_from_record(0, "message_start", '{"type":"message_start","message":{}}', 0.1, None),
    wire_event_from_record(1, "ping", '{"type": "ping"}', 0.2, None),
    wire_event_from_record(2, "(none)", "not json", 0.3, "frame has no event field"),
]


def test_every_turn_state_and_its_events_round_trip(tmp_path):
    store = Store.open(tmp_path / "c.db")
    conversation = sample_conversation()
    save(store, conversation)
    reply = conversation.turns[1]
    store.add_events(reply.id, EVENTS)
    store.close()

    store = Store.open(tmp_path / "c.db")
    loaded = store.load(conversation.id)
    assert loaded.title == "prompt for waiting"
    assert loaded.settings == conversation.settings
    assert loaded.turns == conversation.turns
    assert store.events(reply.id) == EVENTS
    assert store.events(conversation.turns[3].id) == []


def test_a_reply_left_open_reads_back_as_incomplete(tmp_path):
    store = Store.open(tmp_path / "c.db")
    conversation = sample_conversation()
    save(store, conversation)
    waiting = store.load(conversation.id).turns[1]
    assert waiting.state is ReplyState.WAITING
    reply = waiting.to_reply()
    assert reply.state is ReplyState.INCOMPLETE and reply.reason == "why waiting"
    assert [block.kind for block in reply.blocks] == ["thinking", "text", "tool_use"]
    assert reply.blocks[2].tool_input == {"city": "Paris"}


def test_list_search_rename_delete(tmp_path):
    store = Store.open(tmp_path / "c.db")
    first = sample_conversation()
    save(store, first)
    second = Conversation(ChatSettings("claude-opus-5", 512))
    second.add_user("Tell me about 100% pure Ümlauts")
    save(store, second)
    assert [item.id for item in store.conversations()] == [second.id, first.id]
    assert store.last_conversation_id() == second.id
    assert store.conversations()[1].turns == len(first.turns)
    found = store.conversations("ENDED CANCELLED")
    assert [item.id for item in found] == [first.id]
    assert "ended cancelled" in found[0].match
    assert [item.id for item in store.conversations("100%")] == [second.id]
    assert store.conversations("1_0") == []
    store.rename(first.id, "Renamed")
    assert store.load(first.id).title == "Renamed"
    assert [item.id for item in store.conversations("renamed")] == [first.id]
    turn_id = first.turns[1].id
    store.add_events(turn_id, EVENTS)
    store.delete(first.id)
    assert [item.id for item in store.conversations()] == [second.id]
    assert store.events(turn_id) == []
    with pytest.raises(StoreError, match=f"no conversation {first.id}"):
        store.load(first.id)


def test_recent_prompts_are_newest_first_each_once_and_leave_out_the_conversation_asked(tmp_path):
    store = Store.open(tmp_path / "c.db")
    first, second = (Conversation(ChatSettings("claude-opus-5", 512)) for _ in range(2))
    for conversation, prompts, created in ((first, ["apples", "pears", "apples"], 10.0),
                                           (second, ["plums", "pears"], 20.0)):
        for step, prompt in enumerate(prompts):
            turn, _ = conversation.add_user(prompt)
            turn.created = created + step
        save(store, conversation)
    assert store.recent_prompts(None) == ["pears", "plums", "apples"]
    assert store.recent_prompts(second.id) == ["apples", "pears"]
    assert store.recent_prompts(None, 2) == ["pears", "plums"]


def test_the_file_and_its_folder_are_owner_only_and_in_wal_mode(tmp_path):
    path = tmp_path / "new" / "dir" / "c.db"
    store = Store.open(path)
    save(store, sample_conversation())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    wal = path.with_name("c.db-wal")
    assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
    store.close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_first_release_database_is_migrated_with_its_data(tmp_path):
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    raw.execute("INSERT INTO conversations (id, title, model, created, updated) VALUES (7, 'Old', 'm', 1, 2)")
    raw.execute("INSERT INTO turns (conversation_id, position, role, text, created) VALUES (7, 0, 'user', 'hi', 1)")
    raw.execute("INSERT INTO turns (conversation_id, position, role, text, created, state, settings) "
                "VALUES (7, 1, 'assistant', 'hello', 1, 'done', '{\"max_tokens\": 777}')")
    raw.commit()
    raw.close()

    store = Store.open(path)
    loaded = store.load(7)
    assert [turn.text for turn in loaded.turns] == ["hi", "hello"]
    assert loaded.settings == ChatSettings("m", 777, None, None)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_inspected_conversations_are_marked_and_their_prompts_not_offered_again(tmp_path):
    path = tmp_path / "v3.db"
    raw = sqlite3.connect(path)
    for migration in MIGRATIONS[:3]:
        raw.executescript(migration)
    raw.execute("PRAGMA user_version = 3")
    raw.execute("INSERT INTO conversations (id, title, model, created, updated) "
                "VALUES (1, 'Inspected · http://127.0.0.1:8080 → https://api.anthropic.com', 'm', 1, 2)")
    raw.execute("INSERT INTO conversations (id, title, model, created, updated) VALUES (2, 'Mine', 'm', 1, 2)")
    raw.execute("INSERT INTO turns (conversation_id, position, role, text, created) VALUES (1, 0, 'user', 'theirs', 1)")
    raw.execute("INSERT INTO turns (conversation_id, position, role, text, created) VALUES (2, 0, 'user', 'mine', 1)")
    raw.commit()
    raw.close()

    store = Store.open(path)
    assert [store.load(number).kind for number in (1, 2)] == ["inspected", "chat"]
    assert store.recent_prompts(None) == ["mine"]
    inspected = Conversation(ChatSettings("m", 10, None, None), title="Inspected · again", kind="inspected")
    store.save_conversation(inspected)
    assert store.load(inspected.id).kind == "inspected"
    store.close()


def test_a_database_from_a_newer_version_is_left_alone(tmp_path):
    path = tmp_path / "new.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer claude-tui"):
        Store.open(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_reported_and_never_overwritten(tmp_path):
    path = tmp_path / "c.db"
    path.write_bytes(b"my precious notes\n" * 200)
    with pytest.raises(StoreError, match="damaged or is not a claude-tui database"):
        Store.open(path)
    assert path.read_bytes() == b"my precious notes\n" * 200


def test_a_locked_database_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr("tui_app.store.database.BUSY_SECONDS", 0.05)
    path = tmp_path / "c.db"
    Store.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another program"):
            Store.open(path)
    finally:
        holder.execute("ROLLBACK")
    Store.open(path).close()


def test_a_write_to_a_database_locked_later_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr("tui_app.store.database.BUSY_SECONDS", 0.05)
    path = tmp_path / "c.db"
    store = Store.open(path)
    holder = sqlite3.connect(path, isolation_level=None, timeout=0.05)
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(StoreError, match="locked"):
        store.save_conversation(sample_conversation())
    holder.execute("ROLLBACK")
    assert store.save_conversation(sample_conversation()) > 0


def test_markdown_export_reads_as_the_conversation():
    conversation = sample_conversation()
    conversation.id = 3
    text = to_markdown(conversation)
    assert text.startswith("# prompt for waiting\n")
    assert "- **Model:** claude-sonnet-5" in text and "- **Temperature:** 0.3" in text
    assert "  > Be brief." in text
    assert text.count("## You") == len(ReplyState) and text.count("## Claude") == len(ReplyState)
    assert "reply that ended done" in text and "> **failed**: why failed" in text
    assert "*(set aside: retried or edited, not sent again)*" in text
    assert '"city": "Paris"' in text and "<summary>Thinking</summary>" in text


def test_json_export_is_complete(tmp_path):
    store = Store.open(tmp_path / "c.db")
    conversation = sample_conversation()
    save(store, conversation)
    document = json.loads(to_json(conversation, {conversation.turns[1].id: EVENTS}))
    assert document["format"] == "claude-tui conversation"
    assert document["settings"] == {"model": "claude-sonnet-5", "max_tokens": 1024, "system": "Be brief.",
                                    "temperature": 0.3, "thinking": None, "thinking_display": "summarized",
                                    "effort": None, "cache": None}
    replies = [turn for turn in document["turns"] if turn["role"] == "assistant"]
    assert [turn["state"] for turn in replies] == [state.value for state in ReplyState]
    assert replies[0]["superseded"] is True
    assert replies[1]["input_tokens"] == 12 and replies[1]["first_token"] == 0.25
    assert replies[1]["content"][2] == {"type": "tool_use", "name": "get_weather", "input": {"city": "Paris"}}
    assert replies[0]["events"] == [event.to_record() for event in EVENTS] and replies[1]["events"] == []
    assert "state" not in document["turns"][0]
