"""The collection policy: young generations only while a reply streams, everything once it is idle."""

from __future__ import annotations

import gc

import pytest

from tests.conftest import until
from tui_app.gc_policy import (
    NEVER,
    RECENT_SECONDS,
    YOUNG,
    YOUNGER,
    CollectionPolicy,
    hold_collections_for_start_up,
    release_collections_after_start_up,
)


@pytest.fixture
def restore_gc():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    gc.enable()


def test_full_collections_wait_for_the_end_of_every_reply(restore_gc):
    gc.set_threshold(700, 10, 10)
    policy = CollectionPolicy()
    policy.reply_started()
    policy.reply_started()  # a second reply while the first streams
    assert gc.isenabled() and gc.get_threshold() == (YOUNG, YOUNGER, NEVER)
    policy.reply_finished()
    policy.collect_if_idle()  # one reply still streams: nothing changes
    assert gc.get_threshold()[2] == NEVER
    policy.reply_finished()
    policy.collect_if_idle()
    assert gc.isenabled() and gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() > 0  # what survived is left out of later collections


def cycles(count: int, collected: list[object]) -> list[object]:
    """`count` objects that each refer to themselves, so only the collector can free them once the list is
    dropped; each is added to `collected` as it is freed."""

    class Node:
        def __del__(self) -> None:
            collected.append(self)

    nodes = [Node() for _ in range(count)]
    for node in nodes:
        node.me = node
    return nodes


def test_young_cycles_are_collected_while_a_reply_streams(restore_gc):
    policy = CollectionPolicy()
    policy.reply_started()
    gc.collect(1)  # start from empty young generations
    collected: list[object] = []
    cycles(50, collected)
    kept = [[] for _ in range(YOUNG + 1000)]  # live objects enough to pass the youngest generation's threshold
    assert len(collected) == 50
    del kept
    policy.reply_finished()


def test_old_garbage_of_a_long_reply_is_collected_as_it_streams(restore_gc):
    policy = CollectionPolicy()
    policy.reply_started()
    collected: list[object] = []
    nodes = cycles(50, collected)
    gc.collect(1)  # alive at a young collection: moved to the old generation
    del nodes  # garbage now, where only a full collection finds it
    gc.collect(1)
    assert collected == []
    policy.collect_recent(RECENT_SECONDS / 2)  # too soon: nothing is walked
    assert collected == []
    policy.collect_recent(RECENT_SECONDS)
    assert len(collected) == 50
    assert gc.get_threshold()[2] == NEVER  # still no full collection of its own accord
    policy.reply_finished()


def test_start_up_holds_collections_until_released_then_collects_and_freezes(restore_gc):
    gc.unfreeze()
    hold_collections_for_start_up()
    assert not gc.isenabled()
    collected: list[object] = []
    cycles(20, collected)
    kept = [[] for _ in range(5000)]  # far past the youngest generation's threshold: still nothing collected
    assert collected == []
    release_collections_after_start_up()
    assert len(collected) == 20 and gc.isenabled() and gc.get_freeze_count() > len(kept)


def test_releasing_what_was_never_held_changes_nothing(restore_gc):
    gc.disable()  # as someone else left it
    release_collections_after_start_up()
    assert not gc.isenabled()


async def test_the_app_releases_collections_held_for_its_start_up(make_app, restore_gc):
    hold_collections_for_start_up()  # as the command does before importing the app
    app = make_app()
    async with app.run_test() as pilot:
        await until(pilot, gc.isenabled, "collections to be released after the first frame")
        assert gc.get_freeze_count() > 0
