"""The collection policy: young generations only while a reply streams, everything once it is idle."""

from __future__ import annotations

import gc

import pytest

from tui_app.gc_policy import NEVER, CollectionPolicy


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
    assert gc.isenabled() and gc.get_threshold() == (700, 10, NEVER)
    policy.reply_finished()
    policy.collect_if_idle()  # one reply still streams: nothing changes
    assert gc.get_threshold()[2] == NEVER
    policy.reply_finished()
    policy.collect_if_idle()
    assert gc.isenabled() and gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() > 0  # what survived is left out of later collections


def test_young_cycles_are_collected_while_a_reply_streams(restore_gc):
    policy = CollectionPolicy()
    policy.reply_started()
    gc.collect(1)  # start from empty young generations
    collected = []

    class Node:
        def __del__(self) -> None:
            collected.append(self)

    for _ in range(50):
        node = Node()
        node.me = node  # a cycle: only the collector can free it
    del node
    kept = [[] for _ in range(5000)]  # live objects enough to pass the youngest generation's threshold
    assert len(collected) == 50
    del kept
    policy.reply_finished()
