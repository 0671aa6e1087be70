"""The conversations store under fault: values SQLite cannot take as they are, errors of any kind while
saving, and a database damaged before or during a run. Real SQLite files, the real Store and StoreWriter."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_app.model.conversation import ChatSettings, Conversation, Turn
from tui_app.store.database import Store, StoreError, fresh_path
from tui_app.store.schema import JSON_DEPTH
from tui_app.store.writer import StoreWriter
from tui_app.stream.events import wire_event_from_record
from tui_app.stream.reply import ReplyState


class Failures(list[StoreError]):
    """What the writer reported through `on_failure`."""

    def __call__(self, error: StoreError) -> None:
        self.append(error)


def exchange(text: str, title: str = "") -> tuple[Conversation, Turn]:
    """A prompt and its reply, as the app has them after the reply ended."""
    conversation = Conversation(ChatSettings("claude-sonnet-5", 1024), title=title)
    conversation.add_user("a question")
    reply = conversation.add_reply("claude-sonnet-5")
    reply.text, reply.state, reply.stop_reason = text, ReplyState.DONE, "end_turn"
    reply.content = [{"type": "text", "text": text}]
    reply.settings = {"model": "claude-sonnet-5", "max_tokens": 1024}
    return conversation, reply


def save_with_writer(path: Path, conversation: Conversation, events: list | None = None) -> Failures:
    """Save every turn (and the reply's events) as the app does, and close; what the writer reported."""
    failures = Failures()
    writer = StoreWriter(Store.open(path), failures)
    writer.save_all(conversation)
    if events:
        writer.save_events(conversation.turns[-1], events)
    writer.close()
    return failures


def reopened(path: Path, conversation: Conversation) -> Conversation:
    store = Store.open(path)
    try:
        assert conversation.id is not None
        return store.load(conversation.id)
    finally:
        store.close()


# Values SQLite cannot take as they are.


def test_a_lone_surrogate_is_saved_as_a_replacement_character_everywhere_it_is_bound(tmp_path):
    path = tmp_path / "c.db"
    conversation, reply = exchange("before \ud800 after", title="title \udfff")
    reply.content.append({"type": "tool_use", "name": "look\ud800up", "input": {"q\udc00": "x\ud801"}})
    reply.settings["system"] = "be \ud800 brief"
    reply.reason = "cut \udbff"
    events = [wire_event_from_record(0, "content_block_delta", '{"text": "\ud800"}', 0.1, "odd \udfff")]

    assert save_with_writer(path, conversation, events) == []

    loaded = reopened(path, conversation).turns[1]
    assert loaded.text == "before \ufffd after"
    assert loaded.content[0]["text"] == "before \ufffd after"
    assert loaded.content[1] == {"type": "tool_use", "name": "look\ufffdup", "input": {"q\ufffd": "x\ufffd"}}
    assert loaded.settings["system"] == "be \ufffd brief" and loaded.reason == "cut \ufffd"
    store = Store.open(path)
    assert store.load(conversation.id).title == "title \ufffd"
    store.rename(conversation.id, "renamed \udc80")
    assert [item.title for item in store.conversations("renamed \ud800")] == ["renamed \ufffd"]
    [event] = store.events(reply.id)
    assert event.data == '{"text": "\ufffd"}' and event.problem == "odd \ufffd"
    store.close()


def test_a_surrogate_pair_split_across_deltas_is_saved_as_its_character(tmp_path):
    conversation, _ = exchange("smile \ud83d" + "\ude00 done")
    assert save_with_writer(tmp_path / "c.db", conversation) == []
    assert reopened(tmp_path / "c.db", conversation).turns[1].text == "smile \U0001f600 done"


def test_usage_counts_past_64_bits_are_saved_as_unknown_and_the_reply_is_kept(tmp_path):
    conversation, reply = exchange("a reply with absurd usage")
    reply.input_tokens, reply.output_tokens = 2**63, -(2**63) - 1
    conversation.settings.max_tokens = 2**64
    assert save_with_writer(tmp_path / "c.db", conversation) == []
    loaded = reopened(tmp_path / "c.db", conversation)
    assert loaded.turns[1].text == "a reply with absurd usage"
    assert (loaded.turns[1].input_tokens, loaded.turns[1].output_tokens) == (None, None)

    conversation, reply = exchange("the largest counts SQLite holds")
    reply.input_tokens, reply.output_tokens = 2**63 - 1, -(2**63)
    assert save_with_writer(tmp_path / "c.db", conversation) == []
    loaded_reply = reopened(tmp_path / "c.db", conversation).turns[1]
    assert (loaded_reply.input_tokens, loaded_reply.output_tokens) == (2**63 - 1, -(2**63))


def nested(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = {"a": [value]}
    return value


def depth_of(value: object) -> int:
    depth = 0
    while isinstance(value, dict | list) and value:
        value = value["a"] if isinstance(value, dict) else value[0]
        depth += 1
    return depth


def test_content_json_deep_nan_or_huge_is_saved_as_standard_json(tmp_path):
    conversation, reply = exchange("a reply whose tool input is hostile")
    reply.content.append({"type": "tool_use", "name": "deep", "input": nested(5000)})
    reply.content.append({"type": "tool_use", "name": "numbers",
                          "input": {"nan": math.nan, "inf": -math.inf, "huge": 10**5000, "big": 2**80}})
    reply.settings["temperature"] = math.nan

    assert save_with_writer(tmp_path / "c.db", conversation) == []

    raw = sqlite3.connect(tmp_path / "c.db")
    content, saved_settings = raw.execute("SELECT content, settings FROM turns WHERE id = ?", (reply.id,)).fetchone()
    raw.close()

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    assert json.loads(content, parse_constant=refuse)[0]["text"] == "a reply whose tool input is hostile"
    json.loads(saved_settings, parse_constant=refuse)
    loaded = reopened(tmp_path / "c.db", conversation).turns[1]
    assert loaded.text == "a reply whose tool input is hostile"
    assert 0 < depth_of(loaded.content[1]["input"]) <= JSON_DEPTH
    assert loaded.content[2]["input"] == {"nan": None, "inf": None, "huge": None, "big": 2**80}
    assert loaded.settings["temperature"] is None and loaded.settings["max_tokens"] == 1024


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(codec=None)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(st.characters(codec=None)), inner,
                                                                max_size=4),
    max_leaves=20,
)


def test_any_text_and_any_json_value_in_a_reply_is_saved(tmp_path):
    store = Store.open(tmp_path / "c.db")
    conversation, _ = exchange("")
    store.save_conversation(conversation)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=st.text(st.characters(codec=None)), value=JSON_VALUES,
           count=st.integers() | st.none())
    def saved(text: str, value: object, count: int | None) -> None:
        reply = Turn("assistant", text, content=[{"type": "tool_use", "name": text, "input": value}],
                     input_tokens=count, settings={"max_tokens": value})
        turn_id = store.save_turn(conversation.id, 1, reply)
        [row] = [turn for turn in store.load(conversation.id).turns if turn.id == turn_id]
        assert row.text == text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        assert row.content[0]["name"] == row.text
        assert row.input_tokens == (count if count is not None and -(2**63) <= count < 2**63 else None)

    saved()
    store.close()


# Errors of any kind while saving.


def test_any_error_while_saving_is_reported_once_in_plain_words_and_nothing_more_is_written(tmp_path):
    path = tmp_path / "c.db"
    conversation, reply = exchange("a reply")
    conversation.settings = None  # a fault outside the store: what it is given is not what it expects
    failures = Failures()
    writer = StoreWriter(Store.open(path), failures)
    writer.save_all(conversation)
    writer.save_turn(conversation, reply)
    writer.close()

    assert len(failures) == 1
    message = str(failures[0])
    assert message.startswith("your prompt (turn 1) was not saved: ") and "(AttributeError)" in message
    assert "Traceback" not in message and "\n" not in message
    store = Store.open(path)
    assert store.conversations() == []
    # The store says the same to any caller, and is none the worse for it.
    with pytest.raises(StoreError, match=r"was not written to: .*\(AttributeError\)$"):
        store.save_conversation(conversation)
    conversation.settings = ChatSettings("claude-sonnet-5", 1024)
    assert store.save_conversation(conversation) > 0
    store.close()


def test_a_value_sqlite_refuses_is_reported_once_with_the_database_and_the_reason(tmp_path):
    path = tmp_path / "c.db"
    conversation, reply = exchange("a reply")
    reply.created = math.nan  # NULL in a column that must have a value
    failures = Failures()
    writer = StoreWriter(Store.open(path), failures)
    writer.save_all(conversation)
    writer.save_turn(conversation, reply)
    writer.close()

    assert [str(failure) for failure in failures] == [
        f"the reply (turn 2) was not saved: {path}: NOT NULL constraint failed: turns.created"]
    assert reopened(path, conversation).turns == [conversation.turns[0]]


# A damaged database.


def damage_table(path: Path, table: str) -> None:
    """Write garbage over the first page of `table` in the (closed) database at `path`."""
    raw = sqlite3.connect(path)
    page = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    with path.open("r+b") as file:
        file.seek((page - 1) * size)
        file.write(b"\xa5" * size)


def saved_database(path: Path, replies: int = 30) -> Conversation:
    conversation = Conversation(ChatSettings("claude-sonnet-5", 1024))
    for number in range(replies):
        conversation.add_user(f"question {number}")
        reply = conversation.add_reply("claude-sonnet-5")
        reply.text, reply.state = f"answer {number} " + "words " * 200, ReplyState.DONE
    assert save_with_writer(path, conversation) == []
    return conversation


def test_a_damaged_database_is_left_untouched_and_the_run_is_kept_in_a_fresh_one_beside_it(tmp_path):
    path = tmp_path / "conversations.db"
    saved_database(path)
    damage_table(path, "turns")
    damaged = path.read_bytes()

    store = Store.open(path)
    fresh = tmp_path / "conversations.fresh.db"
    assert store.path == fresh == fresh_path(path)
    assert store.notice is not None
    assert store.notice.startswith(f"the conversations database {path} is damaged (quick_check: ")
    assert store.notice.endswith(f"); it is left untouched; conversations are kept in {fresh}")
    failures = Failures()
    writer = StoreWriter(store, failures)
    conversation, _ = exchange("kept in the fresh database")
    writer.save_all(conversation)
    writer.close()

    assert failures == []
    assert path.read_bytes() == damaged
    assert reopened(fresh, conversation).turns[1].text == "kept in the fresh database"

    # The next run finds the same damage and keeps on with the same fresh database.
    store = Store.open(path)
    assert store.path == fresh and store.notice is not None
    assert [item.id for item in store.conversations()] == [conversation.id]
    store.close()
    assert path.read_bytes() == damaged


def test_a_damaged_header_is_damage_too_and_the_file_is_left_untouched(tmp_path):
    path = tmp_path / "conversations.db"
    saved_database(path, replies=2)
    with path.open("r+b") as file:
        file.seek(16)  # past "SQLite format 3\0": the page size and the rest of the header
        file.write(b"\xa5" * 84)
    damaged = path.read_bytes()
    store = Store.open(path)
    assert store.path == fresh_path(path) and "is damaged (quick_check: " in (store.notice or "")
    store.close()
    assert path.read_bytes() == damaged


def test_when_the_fresh_database_is_damaged_too_neither_is_written_to(tmp_path):
    path = tmp_path / "conversations.db"
    saved_database(path)
    saved_database(fresh_path(path))
    damage_table(path, "turns")
    damage_table(fresh_path(path), "conversations")
    before = path.read_bytes(), fresh_path(path).read_bytes()
    with pytest.raises(StoreError, match="is damaged .* and so is .*; both are left untouched"):
        Store.open(path)
    assert (path.read_bytes(), fresh_path(path).read_bytes()) == before


def test_damage_met_during_a_run_is_reported_and_stops_every_write(tmp_path):
    path = tmp_path / "conversations.db"
    saved = saved_database(path)
    store = Store.open(path)
    assert store.notice is None
    damage_table(path, "turns")
    damage_table(path, "events")
    # Another program writes to the file (and checkpoints): this store reads its pages from the file again.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("UPDATE conversations SET updated = updated + 1")
    other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    other.close()

    for read in (lambda: store.load(saved.id), lambda: store.events(saved.turns[1].id),
                 lambda: store.conversations("answer")):
        with pytest.raises(StoreError, match=f"{path} is damaged .*malformed.*nothing more is written"):
            read()
    assert store.damage is not None
    damaged = path.read_bytes()
    failures = Failures()
    writer = StoreWriter(store, failures)
    conversation, reply = exchange("not written into a damaged file")
    writer.save_all(conversation)
    writer.save_turn(conversation, reply)
    writer.close()

    assert [str(failure) for failure in failures] == [
        f"your prompt (turn 1) was not saved: {path} is damaged (database disk image is malformed); "
        "nothing more is written to it"]
    assert path.read_bytes() == damaged
