"""The SSE decoder and the reply it feeds give the same result for any split of the byte stream."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tui_app.stream.events import wire_event_from_frame
from tui_app.stream.reply import Reply
from tui_app.stream.sse import SSEDecoder

TEXT_PIECES = ["Hé", "llo ", "日本語", " 🚀", "\n- item", "\r\nline", "a" * 7, "`code`", "ü"]


def build_stream(pieces: list[str], newline: str) -> bytes:
    """A Messages stream whose text deltas are `pieces`, framed with `newline`."""
    events = [("message_start", {"type": "message_start", "message": {"model": "m", "usage": {"input_tokens": 3}}}),
              ("ping", {"type": "ping"}),
              ("content_block_start", {"type": "content_block_start", "index": 0,
                                       "content_block": {"type": "text", "text": ""}})]
    for piece in pieces:
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta", "text": piece}}))
    events += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
               ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                                  "usage": {"output_tokens": len(pieces)}}),
               ("message_stop", {"type": "message_stop"})]
    frames = [f"event: {name}{newline}data: {json.dumps(data, ensure_ascii=False)}{newline}{newline}"
              for name, data in events]
    return ("".join(frames)).encode("utf-8")


def decode(chunks: list[bytes]) -> tuple[list[tuple[str | None, str]], str]:
    decoder = SSEDecoder()
    frames = []
    for chunk in chunks:
        frames.extend(decoder.feed(chunk))
    frames.extend(decoder.finish())
    reply = Reply()
    for seq, frame in enumerate(frames):
        reply.apply(wire_event_from_frame(frame, seq, 0.0))
    return [(frame.event, frame.data) for frame in frames], reply.text


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, *cuts, len(data)})
    return [data[start:end] for start, end in zip(points, points[1:])]


def test_every_single_split_point_gives_the_same_frames_and_text() -> None:
    for newline in ("\n", "\r\n", "\r"):
        data = build_stream(TEXT_PIECES, newline)
        expected_frames, expected_text = decode([data])
        assert expected_text == "".join(TEXT_PIECES)
        assert len(expected_frames) == len(TEXT_PIECES) + 6
        for cut in range(1, len(data)):
            assert decode([data[:cut], data[cut:]]) == (expected_frames, expected_text), (newline, cut)


def test_byte_by_byte_feeding_keeps_multibyte_characters_whole() -> None:
    data = build_stream(TEXT_PIECES, "\r\n")
    frames, text = decode([bytes([byte]) for byte in data])
    assert text == "".join(TEXT_PIECES)
    assert "\ufffd" not in text


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=12),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=30),
)
def test_any_splits_of_any_text_give_the_same_text(pieces: list[str], newline: str, cuts: list[int]) -> None:
    data = build_stream(pieces, newline)
    whole = decode([data])
    assert whole[1] == "".join(pieces)
    assert decode(split_at(data, [cut % (len(data) + 1) for cut in cuts])) == whole


def test_truncated_utf8_at_the_end_becomes_a_replacement_character_not_a_crash() -> None:
    decoder = SSEDecoder()
    frames = decoder.feed(b"event: x\ndata: caf" + "é".encode()[:1])
    assert frames == []
    [frame] = decoder.finish()
    assert frame.truncated and frame.data == "caf\ufffd"


def test_comments_and_frames_without_an_event_are_recorded_with_their_oddity() -> None:
    decoder = SSEDecoder()
    frames = decoder.feed(b": keep-alive\n\ndata: {\"type\": \"ping\"}\n\nevent: x\ndata: {oops\n\n")
    events = [wire_event_from_frame(frame, seq, 0.0) for seq, frame in enumerate(frames)]
    assert [event.name for event in events] == ["comment", "(none)", "x"]
    assert events[1].problem == "frame has no event field"
    assert events[2].problem is not None and "not JSON" in events[2].problem
